import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import SockJS from 'sockjs-client';
import { Refusal, type ServerOptions, type SockJSOptions } from '../../../server/index.js';
import { closeAfterEach, connectClient, range, startServer, waitFor, type TestServer } from '../../support/harness.js';

/**
 * The real sockjs-client (1.x, in Node: its websocket, xhr-streaming, xhr-polling and eventsource
 * transports; the browser-only ones run in test/e2e/sockjs-client.test.ts) against Ferry's SockJS
 * endpoint: SockJS sessions are ordinary Ferry sockets.
 */

const track = closeAfterEach();

const NODE_TRANSPORTS = ['websocket', 'xhr-streaming', 'xhr-polling', 'eventsource'] as const;

interface Recorded {
  sock: WebSocket;
  messages: string[];
  closes: Array<{ code: number; reason: string }>;
  opened: Promise<void>;
}

function open(server: TestServer, transport: string, prefix = '/echo'): Recorded {
  const sock = new SockJS(`${server.origin}${prefix}`, undefined, { transports: [transport] }) as unknown as WebSocket;
  const messages: string[] = [];
  const closes: Array<{ code: number; reason: string }> = [];
  const opened = new Promise<void>((resolve, reject) => {
    sock.onopen = () => resolve();
    sock.onclose = (e) => {
      closes.push({ code: e.code, reason: e.reason });
      reject(new Error(`closed before open: ${e.code} ${e.reason}`));
    };
  });
  sock.onmessage = (e: MessageEvent) => messages.push(String(e.data));
  track({ close: async () => sock.close() });
  return { sock, messages, closes, opened };
}

async function sockjsServer(options: ServerOptions = {}, sockjs: Partial<SockJSOptions> = {}): Promise<TestServer> {
  // no echo: each test says what its sockets do
  const server = track(await startServer(options, () => {}));
  server.ferry.sockjs({ prefix: '/echo', ...sockjs });
  return server;
}

describe.each(NODE_TRANSPORTS)('sockjs-client over %s', (transport) => {
  it('300 messages each way, exactly once and in order, on an ordinary Ferry socket', async () => {
    const server = await sockjsServer();
    const client = open(server, transport);
    await client.opened;
    await waitFor(() => server.sockets.length === 1, 'the Ferry socket');
    const socket = server.sockets[0];
    const received: unknown[] = [];
    socket.on('message', (data) => received.push(data));
    for (const i of range(300)) client.sock.send(`up ${i}`);
    for (const i of range(300)) socket.send(`down ${i}`);
    await waitFor(() => received.length === 300 && client.messages.length === 300, 'both directions', 15_000);
    expect(received).toEqual(range(300).map((i) => `up ${i}`));
    expect(client.messages).toEqual(range(300).map((i) => `down ${i}`));
    const expected = { websocket: 'websocket', 'xhr-streaming': 'xhr-streaming', 'xhr-polling': 'xhr-polling', eventsource: 'eventsource' }[transport];
    expect(socket.transport).toBe(expected);
    // JSON values other than strings reach a SockJS page as their JSON text
    socket.send({ n: 1 });
    await waitFor(() => client.messages.length === 301, 'the object');
    expect(client.messages[300]).toBe('{"n":1}');
  });

  it('bytes and named events are skipped for the page; an acknowledged emit fails at once with the reason', async () => {
    const server = await sockjsServer();
    const client = open(server, transport);
    await client.opened;
    await waitFor(() => server.sockets.length === 1, 'the Ferry socket');
    const socket = server.sockets[0];
    socket.send('before');
    socket.send(new Uint8Array([1, 2, 3]));
    socket.emit('news', 'skipped');
    const asked = socket.timeout(60_000).emitWithAck('question');
    socket.send('after');
    await expect(asked).rejects.toThrow('a SockJS client cannot answer events');
    await waitFor(() => client.messages.length === 2, 'the two strings');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.messages).toEqual(['before', 'after']);
    expect(server.ferry.sessionCount).toBe(1);
  });

  it('is in rooms with native Ferry clients: one broadcast reaches both', async () => {
    const server = await sockjsServer();
    const native = connectClient(server.origin);
    const sockjs = open(server, transport);
    await sockjs.opened;
    await waitFor(() => server.sockets.length === 2 && native.socket.state === 'open', 'both sockets');
    for (const socket of server.sockets) socket.join('lobby');
    server.ferry.to('lobby').send('to everyone in the lobby');
    await waitFor(() => sockjs.messages.length === 1 && native.received.length === 1, 'the broadcast');
    expect(sockjs.messages).toEqual(['to everyone in the lobby']);
    expect(native.received).toEqual(['to everyone in the lobby']);
  });

  it('socket.close() closes the page with 3000 "Go away!", and the socket hears its close', async () => {
    const server = await sockjsServer();
    const client = open(server, transport);
    await client.opened;
    await waitFor(() => server.sockets.length === 1, 'the Ferry socket');
    const reasons: string[] = [];
    server.sockets[0].on('close', (reason) => reasons.push(reason));
    server.sockets[0].close();
    await waitFor(() => client.closes.length === 1, 'the page closed');
    expect(client.closes).toEqual([{ code: 3000, reason: 'Go away!' }]);
    expect(reasons).toEqual(['server closed']);
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('the page closing ends the Ferry session (after disconnectDelay for HTTP transports)', async () => {
    const server = await sockjsServer({}, { disconnectDelay: 300 });
    const client = open(server, transport);
    await client.opened;
    await waitFor(() => server.sockets.length === 1, 'the Ferry socket');
    const reasons: string[] = [];
    server.sockets[0].on('close', (reason) => reasons.push(reason));
    client.sock.close();
    await waitFor(() => reasons.length === 1, 'the session ended', 5_000);
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('the handshake middleware runs; a Refusal closes the page with 4401 and its message, and makes no session', async () => {
    const server = await sockjsServer();
    const seen: string[] = [];
    server.ferry.use((handshake) => {
      seen.push(handshake.transport);
      if (handshake.cookies.user !== 'ada') throw new Refusal('sign in first');
    });
    const client = open(server, transport);
    await expect(client.opened).rejects.toThrow('closed before open');
    expect(client.closes).toEqual([{ code: 4401, reason: 'sign in first' }]);
    expect(server.ferry.sessionCount).toBe(0);
    expect(seen).toHaveLength(1);
  });
});

describe('the endpoint as a hostile client sees it', () => {
  /** A raw HTTP request to the test server. */
  function request(server: TestServer, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${server.origin}${path}`, { method, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          // a receiving request is answered at once with `o` (a poll) or a prelude (a stream)
          if (method !== 'POST' || !path.endsWith('_send')) res.destroy();
        });
        res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('a foreign page is refused on every route with the JSON error, and gets no session', async () => {
    const server = await sockjsServer();
    const foreign = { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' };
    for (const [method, path] of [
      ['GET', '/echo/info'],
      ['POST', '/echo/000/abc/xhr'],
      ['POST', '/echo/000/abc/xhr_streaming'],
      ['GET', '/echo/000/abc/eventsource'],
      ['GET', '/echo/000/abc/jsonp?c=x'],
      ['GET', '/echo/000/abc/htmlfile?c=x'],
    ] as const) {
      const res = await request(server, method, path, foreign);
      expect(res.status, path).toBe(403);
      expect(JSON.parse(res.body), path).toMatchObject({ error: 'origin_not_allowed' });
    }
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('a jsonp or htmlfile script is only served to a page that proves its origin (a script tag sends no Origin)', async () => {
    const server = await sockjsServer();
    const res = await request(server, 'GET', '/echo/000/abc/jsonp?c=x', { 'Sec-Fetch-Site': 'cross-site', Referer: 'https://evil.example/' });
    expect(res.status).toBe(403);
    const ok = await request(server, 'GET', '/echo/000/def/jsonp?c=x', { 'Sec-Fetch-Site': 'same-origin' });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('/**/x("o");\r\n');
  });

  it('a send larger than maxMessageSize is refused with 413 and the session goes on', async () => {
    const server = await sockjsServer({ maxMessageSize: 1024 });
    const opened = await request(server, 'POST', '/echo/000/big/xhr');
    expect(opened.body).toBe('o\n');
    const res = await request(server, 'POST', '/echo/000/big/xhr_send', { 'Content-Type': 'text/plain' }, JSON.stringify(['x'.repeat(2000)]));
    expect(res.status).toBe(413);
    const fine = await request(server, 'POST', '/echo/000/big/xhr_send', { 'Content-Type': 'text/plain' }, '["small"]');
    expect(fine.status).toBe(204);
    expect(server.ferry.sessionCount).toBe(1);
  });

  it('new sessions count against maxSessionsPerAddress like any other', async () => {
    const server = await sockjsServer({ maxSessionsPerAddress: 2 });
    expect((await request(server, 'POST', '/echo/000/a1/xhr')).status).toBe(200);
    expect((await request(server, 'POST', '/echo/000/a2/xhr')).status).toBe(200);
    const third = await request(server, 'POST', '/echo/000/a3/xhr');
    expect(third.status).toBe(429);
    expect(JSON.parse(third.body)).toMatchObject({ error: 'too_many_address_sessions' });
    expect(server.ferry.sessionCount).toBe(2);
  });

  it('a page that never reads its stream is ended at maxBufferedBytes, and other sessions go on', async () => {
    const server = await sockjsServer({ maxBufferedBytes: 512 * 1024 });
    const other = open(server, 'xhr-streaming');
    await other.opened;
    const reader = net.connect(server.port, '127.0.0.1');
    track({ close: async () => void reader.destroy() });
    reader.write('POST /echo/000/stuck/xhr_streaming HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n');
    reader.pause(); // reads nothing: the kernel's buffers fill, then the response's, then the session's
    await waitFor(() => server.sockets.length === 2, 'both sessions');
    const stuck = server.sockets[1];
    const reasons: string[] = [];
    stuck.on('close', (reason) => reasons.push(reason));
    const chunk = 'z'.repeat(64 * 1024);
    for (let i = 0; i < 2000 && reasons.length === 0; i++) {
      stuck.send(chunk);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/buffer overflow/);
    server.sockets[0].send('still here');
    await waitFor(() => other.messages.includes('still here'), 'the other session');
  });

  it('a session id past 128 characters is 404, and a HEAD on a receiving route opens no session', async () => {
    const server = await sockjsServer();
    const long = await request(server, 'POST', `/echo/000/${'s'.repeat(129)}/xhr`);
    expect(long.status).toBe(404);
    const head = await request(server, 'HEAD', '/echo/000/abc/eventsource');
    expect(head.status).toBe(405);
    expect(head.headers.allow).toBe('GET');
    expect(server.ferry.sessionCount).toBe(0);
    expect((await request(server, 'POST', `/echo/000/${'s'.repeat(128)}/xhr`)).body).toBe('o\n');
  });

  it('a prefix that overlaps Ferry\'s path or another endpoint is refused when added', async () => {
    const server = await sockjsServer();
    expect(() => server.ferry.sockjs({ prefix: '/ferry' })).toThrow(/overlaps Ferry's path/);
    expect(() => server.ferry.sockjs({ prefix: '/echo/more' })).toThrow(/overlaps \/echo/);
    expect(() => server.ferry.sockjs({ prefix: 'echo' })).toThrow(/must be a path/);
  });
});
