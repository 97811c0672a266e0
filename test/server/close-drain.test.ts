// `ferry.close({ drainTimeout })`: a deploy that waits for what was sent to be acknowledged before
// ending the sessions, takes no new session meanwhile, and does not wait past its timeout.
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { closeAfterEach, connectClient, range, sequenceOf, startServer, waitFor } from '../support/harness.js';
import { rawHandshake } from '../support/raw-session.js';
import { WebSocket } from 'ws';

const track = closeAfterEach();

describe('ferry.close({ drainTimeout })', () => {
  it('waits until the client has acknowledged what was sent, then ends the session; new handshakes get 503 meanwhile', async () => {
    const server = track(await startServer());
    const client = connectClient(server.origin, { transports: ['websocket'] });
    track({ close: async () => client.socket.close() });
    await waitFor(() => server.sockets.length === 1 && client.socket.state === 'open', 'the session');
    for (const n of range(50)) server.sockets[0].send({ n });
    expect(server.sockets[0].bufferedAmount).toBeGreaterThan(0);
    let done = false;
    const closing = server.ferry.close({ drainTimeout: 10_000 }).then(() => (done = true));
    const refused = await request(server.http).post('/ferry/v1/handshake');
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: 'too_many_sessions', message: expect.stringContaining('shutting down') });
    // the session still works meanwhile
    expect(done).toBe(false);
    expect(client.closes).toEqual([]);
    await closing;
    expect(sequenceOf(client.received)).toEqual(range(50));
    await waitFor(() => client.closes.length > 0, 'the close');
    expect(client.closes).toEqual(['server shutting down']);
  });

  it('does not wait past drainTimeout for a client that never acknowledges', async () => {
    const server = track(await startServer());
    await rawHandshake(server);
    server.sockets[0].send('never polled, never acknowledged');
    const started = Date.now();
    await server.ferry.close({ drainTimeout: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('refuses a drainTimeout that is not a number of ms, and can still close after', async () => {
    const server = track(await startServer());
    await expect(server.ferry.close({ drainTimeout: -1 })).rejects.toThrow(RangeError);
    await expect(server.ferry.close({ drainTimeout: Number.NaN })).rejects.toThrow(RangeError);
    await server.ferry.close();
  });

  it('once closed, its path answers 503 server_closed (retried by clients), not the app\'s 404; other paths still reach the app', async () => {
    const server = track(await startServer());
    const { sid } = await rawHandshake(server);
    await server.ferry.close();
    for (const answer of [await request(server.http).post('/ferry/v1/handshake'), await request(server.http).get(`/ferry/v1/poll?sid=${sid}&epoch=1`)]) {
      expect(answer.status).toBe(503);
      expect(answer.headers['content-type']).toContain('application/json');
      expect(answer.body).toMatchObject({ error: 'server_closed' });
    }
    const upgrade = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/websocket`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('a closed server accepted a WebSocket')));
      ws.on('error', () => undefined);
    });
    expect(upgrade).toBe(503);
    expect((await request(server.http).get('/elsewhere')).status).toBe(404);
  });
});
