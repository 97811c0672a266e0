// App functions Ferry calls while answering a request (an allowedOrigins or allowedHosts
// function, a `refused` listener) are the app's code: what they throw is surfaced as the
// server's `error` event (socket null) and never answered as the client's fault.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { closeAfterEach, startServer } from '../support/harness.js';

const track = closeAfterEach();

function collectErrors(server: Awaited<ReturnType<typeof startServer>>): Array<{ error: Error; socket: unknown }> {
  const errors: Array<{ error: Error; socket: unknown }> = [];
  server.ferry.on('error', (error, socket) => errors.push({ error, socket }));
  return errors;
}

describe('an app function that throws while a request is answered', () => {
  it('an allowedOrigins function: 500 server_error, and the error event gets the original exception', async () => {
    const bug = new Error('bug in allowedOrigins');
    const server = track(
      await startServer({
        allowedOrigins: () => {
          throw bug;
        },
      }),
    );
    const errors = collectErrors(server);
    const res = await request(server.http).post('/ferry/v1/handshake').set('Origin', 'https://page.example');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'server_error', message: expect.stringMatching(/allowedOrigins function threw/) });
    expect(errors).toEqual([{ error: bug, socket: null }]);
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('an allowedHosts function on the WebSocket upgrade: 500, not a 4xx, and the error event', async () => {
    const server = track(
      await startServer({
        allowedHosts: () => {
          throw new Error('bug in allowedHosts');
        },
      }),
    );
    const errors = collectErrors(server);
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws`, { headers: { Host: 'app.example' } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
    expect(status).toBe(500);
    expect(errors.map((e) => e.error.message)).toEqual(['bug in allowedHosts']);
  });

  it('a refused listener that throws: the refused request is still answered, and the error event gets it', async () => {
    const server = track(await startServer());
    const errors = collectErrors(server);
    server.ferry.on('refused', () => {
      throw new Error('bug in the refused listener');
    });
    const res = await request(server.http).post('/ferry/v1/handshake').set('Origin', 'https://elsewhere.example');
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('origin_not_allowed');
    expect(errors.map((e) => [e.error.message, e.socket])).toEqual([['bug in the refused listener', null]]);
  });
});
