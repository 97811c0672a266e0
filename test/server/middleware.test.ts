import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { Server } from '../../server/index.js';
import { connect } from '../../client/index.js';
import { closeAfterEach, waitFor } from '../support/harness.js';

const track = closeAfterEach();

describe('Express integration', () => {
  it('middleware serves the HTTP routes, the app keeps its own, handleUpgrade adds WebSocket', async () => {
    const app = express();
    const ferry = new Server({ path: '/rt' });
    app.use(ferry.middleware());
    app.get('/hello', (_req, res) => void res.send('app route'));
    const server = http.createServer(app);
    server.on('upgrade', (req, socket, head) => {
      if (!ferry.handleUpgrade(req, socket, head)) socket.destroy();
    });
    ferry.on('connection', (s) => s.on('message', (d) => s.send(d)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    track({
      async close() {
        await ferry.close();
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      },
    });

    expect((await request(server).get('/hello')).text).toBe('app route');
    const bundle = await request(server).get('/rt/ferry.js').expect(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    await request(server).get('/rt/ferry.legacy.js').expect(200);

    for (const transports of [['xhr-polling'], ['websocket']] as const) {
      const rt = connect(origin + '/rt', { transports: [...transports] });
      const got: unknown[] = [];
      rt.on('message', (d) => got.push(d));
      rt.on('open', () => rt.send({ via: transports[0] }));
      await waitFor(() => got.length === 1, 'echo via ' + transports[0]);
      expect(got).toEqual([{ via: transports[0] }]);
      expect(rt.transport).toBe(transports[0]);
      rt.close();
    }
  });
});

describe('socket.handshake', () => {
  it.each(['websocket', 'xhr-polling'] as const)('over %s keeps the headers apps use and drops handshake-only ones', async (transport) => {
    const { startServer } = await import('../support/harness.js');
    const server = track(await startServer());
    const ws = transport === 'websocket';
    if (ws) {
      const { WebSocket } = await import('ws');
      const client = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws`, { headers: { Cookie: 'sid=abc', 'User-Agent': 'fuzz/1' } });
      await new Promise((resolve) => client.once('message', resolve));
      client.terminate();
    } else {
      await request(server.http).post('/ferry/v1/handshake').set('Cookie', 'sid=abc').set('User-Agent', 'fuzz/1').expect(200);
    }
    const headers = server.sockets[0].handshake.headers;
    expect(headers.cookie).toBe('sid=abc');
    expect(headers['user-agent']).toBe('fuzz/1');
    expect(headers.host).toBe(`127.0.0.1:${server.port}`);
    for (const name of ['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'content-length']) expect(headers[name]).toBeUndefined();
    expect(server.sockets[0].handshake.address).toBe('127.0.0.1');
  });
});
