// Subprotocol negotiation (issue 15, part 2): the client offers `protocols`, the server picks one
// (`handleProtocols`, else the first) on every transport, both sides report it; a server that
// picks none ends the client for good; a malformed list is the client's 400; the app's function
// failing is the app's error, never the client's.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { WebSocket as WsClient } from 'ws';
import { connect, WebSocket } from '../../client/index.js';
import type { HandshakeInfo } from '../../server/index.js';
import { closeAfterEach, connectClient, startServer, waitFor } from '../support/harness.js';
import { ALL_TRANSPORTS } from '../support/transports.js';

const track = closeAfterEach();

describe('subprotocols', () => {
  for (const transport of ALL_TRANSPORTS) {
    it(`${transport}: the client's offer reaches the server, which takes the first by default; both sides report it`, async () => {
      const server = track(await startServer());
      const client = connectClient(server.origin, { transports: [transport], protocols: ['chat.v2', 'chat.v1'] });
      track({ close: async () => client.socket.close() });
      await waitFor(() => client.socket.state === 'open' && server.sockets.length === 1, 'the session');
      expect(client.socket.protocol).toBe('chat.v2');
      expect(server.sockets[0].protocol).toBe('chat.v2');
      // Ferry's own parameter, not the app's query
      expect(server.sockets[0].handshake.query).toEqual({});
    });
  }

  it('handleProtocols sees the offer in order, with the handshake, and its pick is what both sides report', async () => {
    const seen: Array<{ offered: string[]; query: HandshakeInfo['query'] }> = [];
    const server = track(
      await startServer({
        handleProtocols: (protocols, handshake) => {
          seen.push({ offered: [...protocols], query: handshake.query });
          return protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false;
        },
      }),
    );
    const client = connect(`${server.origin}/ferry?tenant=a`, { transports: ['websocket'], protocols: ['graphql-ws', 'graphql-transport-ws'] });
    track({ close: async () => client.close() });
    await waitFor(() => client.state === 'open', 'open');
    expect(client.protocol).toBe('graphql-transport-ws');
    expect(server.sockets[0].protocol).toBe('graphql-transport-ws');
    expect(seen).toEqual([{ offered: ['graphql-ws', 'graphql-transport-ws'], query: { tenant: 'a' } }]);
    // a client offering none is not asked about, and gets ''
    const plain = connect(`${server.origin}/ferry`, { transports: ['xhr-polling'] });
    track({ close: async () => plain.close() });
    await waitFor(() => plain.state === 'open', 'open');
    expect(plain.protocol).toBe('');
    expect(seen).toHaveLength(1);
  });

  for (const transport of ['xhr-polling', 'jsonp-polling', 'websocket'] as const) {
    it(`${transport}: a server that takes none of them ends the client for good (no session, no retries)`, async () => {
      const server = track(await startServer({ handleProtocols: () => false }));
      let handshakes = 0;
      server.http.on('request', (req: http.IncomingMessage) => {
        if (req.url?.includes('/v1/handshake')) handshakes++;
      });
      server.http.on('upgrade', () => handshakes++);
      const client = connectClient(server.origin, { transports: [transport], protocols: ['chat'], reconnectDelay: 20 });
      await waitFor(() => client.socket.state === 'closed', 'the final close');
      expect(client.closes).toHaveLength(1);
      expect(client.closes[0]).toMatch(/none of the subprotocols offered \(chat\)/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(handshakes).toBe(1);
      expect(server.ferry.sessionCount).toBe(0);
      expect(server.ferry.metrics().handshakesRefused).toEqual({ subprotocol_refused: 1 });
    });
  }

  it('Ferry.WebSocket whose offer the server refuses fails as the spec says: error, then close 1006, never open', async () => {
    const server = track(await startServer({ handleProtocols: () => false }));
    const ws = new WebSocket(server.origin + '/ferry', ['chat']);
    const log: string[] = [];
    ws.onopen = () => log.push('open');
    ws.onerror = () => log.push('error');
    ws.onclose = (event) => log.push(`close ${event.code} ${event.wasClean}`);
    await waitFor(() => ws.readyState === WebSocket.CLOSED && log.length === 2, 'the close');
    expect(log).toEqual(['error', 'close 1006 false']);
    expect(ws.protocol).toBe('');
  });

  it('a server that ignores the offer (an older Ferry answers without a pick) is failed by the client, which ends the session there', async () => {
    let goodbye = '';
    const old = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.url?.startsWith('/ferry/v1/handshake')) {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ v: 1, sid: 'old', token: 'secret', pingInterval: 20000, pingTimeout: 20000, resumeWindow: 60000, maxMessageSize: 1048576, transports: ['xhr-polling'] }));
          return;
        }
        if (req.url?.startsWith('/ferry/v1/send')) goodbye = body;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('[]');
      });
    });
    await new Promise<void>((resolve) => old.listen(0, '127.0.0.1', resolve));
    track({ close: () => new Promise<void>((resolve) => old.close(() => resolve())) });
    const client = connectClient(`http://127.0.0.1:${(old.address() as AddressInfo).port}`, { transports: ['xhr-polling'], protocols: ['chat'] });
    await waitFor(() => client.socket.state === 'closed', 'the final close');
    expect(client.closes).toEqual(['handshake refused: the server picked none of the subprotocols offered (chat)']);
    await waitFor(() => goodbye !== '', 'the goodbye');
    expect(JSON.parse(goodbye)).toEqual([['close', 1000, 'client closed']]);
  });

  it('a malformed offer is the client\'s 400, on a handshake and on a direct WebSocket; no session is made', async () => {
    const server = track(await startServer());
    const many = Array.from({ length: 17 }, (_, i) => `p${i}`).join(',');
    for (const protocols of ['a,,b', 'a,a', 'a%20b', many, 'x'.repeat(65), '']) {
      const answer = await request(server.http).post(`/ferry/v1/handshake?protocols=${protocols}`);
      expect(answer.status, protocols).toBe(400);
      expect(answer.body).toMatchObject({ error: 'bad_request', message: expect.stringContaining('protocols') });
    }
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WsClient(`ws://127.0.0.1:${server.port}/ferry/v1/ws?protocols=a,a`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('accepted a malformed offer')));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(400);
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('handleProtocols that throws or names a protocol not offered is the app\'s bug: 500 (1011 on a direct WebSocket) and an error event, not the client\'s fault', async () => {
    let mode: 'throw' | 'invent' = 'throw';
    const server = track(
      await startServer({
        handleProtocols: () => {
          if (mode === 'throw') throw new Error('protocol table not loaded');
          return 'something-else';
        },
      }),
    );
    const errors: string[] = [];
    server.ferry.on('error', (error) => errors.push(error.message));
    const thrown = await request(server.http).post('/ferry/v1/handshake?protocols=chat');
    expect(thrown.status).toBe(500);
    expect(thrown.body).toMatchObject({ error: 'server_error' });
    mode = 'invent';
    const invented = await request(server.http).post('/ferry/v1/handshake?protocols=chat');
    expect(invented.status).toBe(500);
    const closed = await new Promise<number>((resolve) => {
      const ws = new WsClient(`ws://127.0.0.1:${server.port}/ferry/v1/ws?protocols=chat`);
      ws.on('close', (code) => resolve(code));
      ws.on('error', () => undefined);
    });
    expect(closed).toBe(1011);
    expect(errors).toEqual(['protocol table not loaded', expect.stringContaining('handleProtocols must return one of the offered'), expect.stringContaining('handleProtocols must return one of the offered')]);
    expect(server.ferry.sessionCount).toBe(0);
  });
});
