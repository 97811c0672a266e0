import { existsSync, readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connect, type ClientSocket } from '../../client/index.js';
import { decodeJsonpBody, type Handshake, type JsonValue, type TransportName } from '../../protocol/index.js';
import type { ServerOptions } from '../../server/index.js';
import { closeAfterEach, connectClient, startServer, waitFor, type TestServer } from '../support/harness.js';

const track = closeAfterEach();

const CB = '__ferry_jsonp_1';
const BUILT_SCRIPT = new URL('../../dist/client/ferry-diagnostics.js', import.meta.url);

/** A server with the `diagnostics` option on. */
async function diagnosticsServer(options: ServerOptions = {}): Promise<TestServer> {
  return track(await startServer({ diagnostics: true, ...options }));
}

interface DiagnosticsClient {
  socket: ClientSocket;
  /** Messages, with when each arrived (performance.now()). */
  received: Array<{ data: JsonValue | Uint8Array; at: number }>;
  closes: Array<{ reason: string; code: number | undefined }>;
}

/** A diagnostics session over `transport`, open. */
async function connectDiagnostics(server: TestServer, transport: TransportName): Promise<DiagnosticsClient> {
  const socket = connect(server.origin + '/ferry?diag=1', { transports: [transport], reconnect: false });
  track({ close: async () => socket.close() });
  const client: DiagnosticsClient = { socket, received: [], closes: [] };
  socket.on('message', (data) => client.received.push({ data, at: performance.now() }));
  socket.on('close', (reason, info) => client.closes.push({ reason, code: info.code }));
  await waitFor(() => socket.state === 'open', 'the diagnostics session to open');
  return client;
}

function messages(client: DiagnosticsClient): Array<JsonValue | Uint8Array> {
  return client.received.map((m) => m.data);
}

function expectJsonError(res: { status: number; headers: Record<string, string>; text: string }, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect((JSON.parse(res.text) as { error: string }).error).toBe(code);
}

/** The status and body of a refused direct WebSocket upgrade (101 when it was accepted). */
function upgradeAnswer(server: TestServer, path: string, origin?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, origin === undefined ? {} : { origin });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.on('error', reject);
  });
}

describe('the diagnostics page and its script', () => {
  it('with the option on, GET and HEAD {path}/diagnostics answer the page, with its headers and no inline script', async () => {
    const server = await diagnosticsServer();
    const res = await request(server.http).get('/ferry/diagnostics').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-src 'self'; form-action 'self'",
    );
    const page = res.text;
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const part of [
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      '<title>Ferry diagnostics</title>',
      '<div id="ferry-diagnostics">Loading the diagnostics…</div>',
      '<noscript>The diagnostics need JavaScript.</noscript>',
    ]) {
      expect(page).toContain(part);
    }
    expect(page.match(/<script[^>]*>/g)).toEqual(['<script src="diagnostics.js">']);
    expect(page).toMatch(/<script src="diagnostics\.js"><\/script>/);
    const head = await request(server.http).head('/ferry/diagnostics').expect(200);
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(page)));
    expect(head.text ?? '').toBe('');
    expectJsonError(await request(server.http).post('/ferry/diagnostics'), 405, 'method_not_allowed');
  });

  it('with the option on, {path}/diagnostics.js is the built ferry-diagnostics.js, served as the other bundles are', async () => {
    const server = await diagnosticsServer();
    const res = await request(server.http).get('/ferry/diagnostics.js').buffer(true);
    if (!existsSync(BUILT_SCRIPT)) {
      // not built: what a missing bundle answers
      expectJsonError(res, 404, 'not_found');
      expect(JSON.parse(res.text).message).toMatch(/has not been built/);
      return;
    }
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.from(res.text).equals(readFileSync(BUILT_SCRIPT))).toBe(true);
    const etag = res.headers['etag'];
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    await request(server.http).get('/ferry/diagnostics.js').set('If-None-Match', etag).expect(304);
    await request(server.http).head('/ferry/diagnostics.js').expect(200);
  });

  it('is off by default: both routes answer 404 not_found, as an unknown route does', async () => {
    const server = track(await startServer());
    const unknown = await request(server.http).get('/ferry/no-such-route');
    for (const path of ['/ferry/diagnostics', '/ferry/diagnostics.js']) {
      for (const res of [await request(server.http).get(path), await request(server.http).head(path)]) {
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      }
      const res = await request(server.http).get(path);
      expect(res.text).toBe(unknown.text);
      expect(JSON.parse(res.text)).toEqual({ error: 'not_found', message: 'no such Ferry route' });
    }
    // the script's file name is not a route of its own either way
    const on = await diagnosticsServer();
    expectJsonError(await request(on.http).get('/ferry/ferry-diagnostics.js'), 404, 'not_found');
  });
});

describe('a diag=1 handshake', () => {
  it('with the option off, is refused 404 not_found over POST, JSONP and a direct WebSocket, and makes no session', async () => {
    const server = track(await startServer({ diagnostics: false }));
    const post = await request(server.http).post('/ferry/v1/handshake?diag=1');
    expectJsonError(post, 404, 'not_found');
    expect(JSON.parse(post.text).message).toBe('diagnostics are not enabled on this server');
    const jsonp = await request(server.http).get(`/ferry/v1/handshake?transport=jsonp-polling&cb=${CB}&diag=1`).set('Referer', server.origin + '/page.html');
    expectJsonError(jsonp, 404, 'not_found');
    const upgrade = await upgradeAnswer(server, '/ferry/v1/ws?diag=1');
    expect(upgrade.status).toBe(404);
    expect(JSON.parse(upgrade.body)).toEqual({ error: 'not_found', message: 'diagnostics are not enabled on this server' });
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('is refused to a foreign page like any handshake (403 origin_not_allowed), and such refusals use none of the address’s 30 a minute', async () => {
    const server = await diagnosticsServer();
    const evil = 'https://evil.example';
    for (let i = 0; i < 31; i++) expectJsonError(await request(server.http).post('/ferry/v1/handshake?diag=1').set('Origin', evil), 403, 'origin_not_allowed');
    const upgrade = await upgradeAnswer(server, '/ferry/v1/ws?diag=1', evil);
    expect(upgrade.status).toBe(403);
    expect(JSON.parse(upgrade.body).error).toBe('origin_not_allowed');
    expect(server.ferry.sessionCount).toBe(0);
    // the page's own origin still gets its diagnostics session
    await request(server.http).post('/ferry/v1/handshake?diag=1').set('Origin', server.origin).expect(200);
    expect(server.ferry.sessionCount).toBe(1);
    expect(server.sockets).toEqual([]);
  });

  it('with another value than 1 is refused 400 bad_request', async () => {
    const server = await diagnosticsServer();
    expectJsonError(await request(server.http).post('/ferry/v1/handshake?diag=true'), 400, 'bad_request');
    expect((await upgradeAnswer(server, '/ferry/v1/ws?diag=0')).status).toBe(400);
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('over JSONP makes a session the app never sees', async () => {
    const server = await diagnosticsServer();
    const res = await request(server.http).get(`/ferry/v1/handshake?transport=jsonp-polling&cb=${CB}&diag=1`).set('Referer', server.origin + '/page.html').expect(200);
    const handshake = JSON.parse(decodeJsonpBody(res.text, CB) ?? 'null') as Handshake;
    expect(handshake.sid).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(server.ferry.sessionCount).toBe(1);
    expect(server.sockets).toEqual([]);
    expect(server.ferry.sockets()).toEqual([]);
  });

  it('makes a session that fires no connection, is not among ferry.sockets() and gets no broadcast, while an ordinary one beside it does', async () => {
    const server = await diagnosticsServer();
    const ordinary = connectClient(server.origin, { transports: ['websocket'] });
    track({ close: async () => ordinary.socket.close() });
    const news: unknown[] = [];
    ordinary.socket.on('news', (n: unknown) => void news.push(n));
    await waitFor(() => ordinary.socket.state === 'open' && server.sockets.length === 1, 'the ordinary session');
    const diagnostics = await connectDiagnostics(server, 'websocket');
    const diagnosticsNews: unknown[] = [];
    diagnostics.socket.on('news', (n: unknown) => void diagnosticsNews.push(n));
    expect(server.sockets).toHaveLength(1);
    expect(server.ferry.sessionCount).toBe(2);
    expect(server.ferry.sockets().map((s) => s.id)).toEqual([ordinary.socket.id]);
    expect((await server.ferry.fetchSockets()).sockets.map((s) => s.id)).toEqual([ordinary.socket.id]);
    server.sockets[0].join('room');
    await server.ferry.socketsJoin('everyone');
    expect(server.ferry.sockets('everyone').map((s) => s.id)).toEqual([ordinary.socket.id]);
    server.ferry.send('to all');
    server.ferry.emit('news', 1);
    server.ferry.to('room').send('to the room');
    server.ferry.to('everyone').send('to everyone');
    server.ferry.to(diagnostics.socket.id).send('to the diagnostics id');
    server.ferry.except(ordinary.socket.id).send('to all but the ordinary one');
    server.ferry.volatile.send('volatile');
    server.sockets[0].broadcast.send('from the ordinary socket');
    server.ferry.send('end');
    await waitFor(() => ordinary.received.at(-1) === 'end', 'the ordinary session to get the broadcasts');
    expect(ordinary.received).toEqual(['to all', 'to the room', 'to everyone', 'volatile', 'end']);
    expect(news).toEqual([1]);
    // whatever had been queued for the diagnostics session would come before its pong
    diagnostics.socket.send({ d: 'ping', n: 1 });
    await waitFor(() => diagnostics.received.length > 0, 'the pong');
    expect(messages(diagnostics)).toEqual([{ d: 'pong', n: 1 }]);
    expect(diagnosticsNews).toEqual([]);
  });

  it('over a direct WebSocket: info reports the peer address and the forwarding headers of the upgrade, cut to 512 characters', async () => {
    const server = await diagnosticsServer();
    const headers = { Via: '1.1 edge.example', Forwarded: 'for=198.51.100.7', 'X-Forwarded-For': '198.51.100.7', 'User-Agent': 'a'.repeat(600) };
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws?diag=1`, { headers });
    track({ close: async () => ws.close() });
    const frames: unknown[][] = [];
    ws.on('message', (data: Buffer) => frames.push(...(JSON.parse(data.toString()) as unknown[][])));
    await waitFor(() => frames.some((f) => f[0] === 'open'), 'the open frame');
    ws.send(JSON.stringify([['m', 1, { d: 'info' }]]));
    await waitFor(() => frames.some((f) => f[0] === 'm'), 'the info message');
    expect(frames.find((f) => f[0] === 'm')).toEqual([
      'm',
      1,
      {
        d: 'info',
        address: '127.0.0.1',
        via: '1.1 edge.example',
        forwarded: 'for=198.51.100.7',
        xForwardedFor: '198.51.100.7',
        userAgent: 'a'.repeat(512),
        transport: 'websocket',
        transports: server.ferry.options.transports,
      },
    ]);
    expect(server.sockets).toEqual([]);
  });

  it('is limited to 30 per client address a minute: the 31st gets 429 rate_limited, while ordinary handshakes still pass', async () => {
    const server = await diagnosticsServer();
    const answers = await Promise.all(Array.from({ length: 30 }, () => request(server.http).post('/ferry/v1/handshake?diag=1')));
    expect(answers.map((res) => res.status)).toEqual(Array(30).fill(200));
    const refused = await request(server.http).post('/ferry/v1/handshake?diag=1');
    expectJsonError(refused, 429, 'rate_limited');
    expect(JSON.parse(refused.text).message).toMatch(/^too many diagnostics sessions from this address; retry in [12] s$/);
    expect(refused.headers['retry-after']).toMatch(/^[12]$/);
    expect((await upgradeAnswer(server, '/ferry/v1/ws?diag=1')).status).toBe(429);
    await request(server.http).post('/ferry/v1/handshake').expect(200);
    expect(server.sockets).toHaveLength(1);
    // counted in the metrics as any session
    const metrics = server.ferry.metrics();
    expect(metrics.sessions.total).toBe(31);
    expect(metrics.handshakes.total).toBe(31);
    expect(metrics.handshakesRefused.rate_limited).toBe(2);
  });
});

describe.each<TransportName>(['websocket', 'xhr-polling', 'eventsource', 'jsonp-polling'])('the diagnostics responder over %s', (transport) => {
  it('answers each ping with a pong carrying its n', async () => {
    const server = await diagnosticsServer();
    const client = await connectDiagnostics(server, transport);
    for (const n of [0, 1, 2 ** 40]) client.socket.send({ d: 'ping', n });
    await waitFor(() => client.received.length === 3, 'three pongs');
    expect(messages(client)).toEqual([0, 1, 2 ** 40].map((n) => ({ d: 'pong', n })));
  });

  it('answers info with what the server saw of the session', async () => {
    const server = await diagnosticsServer();
    const client = await connectDiagnostics(server, transport);
    client.socket.send({ d: 'info' });
    await waitFor(() => client.received.length === 1, 'the info');
    const info = client.received[0].data as Record<string, unknown>;
    expect(Object.keys(info).sort()).toEqual(['address', 'd', 'forwarded', 'transport', 'transports', 'userAgent', 'via', 'xForwardedFor']);
    expect(info.d).toBe('info');
    expect(['127.0.0.1', '::ffff:127.0.0.1']).toContain(info.address);
    expect([info.via, info.forwarded, info.xForwardedFor]).toEqual([null, null, null]);
    expect(info.userAgent === null || typeof info.userAgent === 'string').toBe(true);
    expect(info.transport).toBe(transport);
    expect(info.transports).toEqual(server.ferry.options.transports);
  });

  it('answers trickle with four ticks in order' + (transport === 'websocket' ? ', arriving about 150 ms apart' : ''), async () => {
    const server = await diagnosticsServer();
    const client = await connectDiagnostics(server, transport);
    client.socket.send({ d: 'trickle' });
    await waitFor(() => client.received.length === 4, 'four ticks');
    expect(messages(client)).toEqual([0, 1, 2, 3].map((i) => ({ d: 'tick', i })));
    if (transport === 'websocket') {
      const at = client.received.map((m) => m.at);
      for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(100);
    }
  });

  it('answers push with 64 chunks of 4096 characters, then pushed', async () => {
    const server = await diagnosticsServer();
    const client = await connectDiagnostics(server, transport);
    client.socket.send({ d: 'push' });
    await waitFor(() => client.received.length === 65, 'the push');
    const got = messages(client) as Array<{ d: string; i?: number; data?: string }>;
    got.slice(0, 64).forEach((chunk, i) => {
      expect([chunk.d, chunk.i, chunk.data?.length]).toEqual(['chunk', i, 4096]);
    });
    expect(got[64]).toEqual({ d: 'pushed' });
  });
});

describe('a push under a low maxBufferedBytes', () => {
  it.each<TransportName>(['websocket', 'xhr-polling'])('is paced by the session’s drain over %s: all 256 KiB arrive and the session stays open', async (transport) => {
    // 64 KiB: the whole push at once would end the session for overflow
    const server = await diagnosticsServer({ maxBufferedBytes: 64 * 1024 });
    const client = await connectDiagnostics(server, transport);
    client.socket.send({ d: 'push' });
    await waitFor(() => client.received.length === 65 || client.closes.length > 0, 'the push', 15_000);
    expect(client.closes).toEqual([]);
    const got = messages(client) as Array<{ d: string; i?: number }>;
    expect(got.slice(0, 64).map((chunk) => chunk.i)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(got[64]).toEqual({ d: 'pushed' });
    expect(client.socket.state).toBe('open');
  });
});

describe('a diagnostics session past its limits', () => {
  /** An ordinary session that echoes, to show it is untouched. */
  async function bystander(server: TestServer) {
    const client = connectClient(server.origin, { transports: ['xhr-polling'] });
    track({ close: async () => client.socket.close() });
    await waitFor(() => client.socket.state === 'open', 'the bystander');
    return client;
  }

  async function expectEcho(client: ReturnType<typeof connectClient>): Promise<void> {
    client.socket.send('still here');
    await waitFor(() => client.received.includes('still here'), 'the bystander’s echo');
    expect(client.socket.state).toBe('open');
  }

  it('is ended at the 51st ping with "diagnostics: too many pings"; a session beside it goes on', async () => {
    const server = await diagnosticsServer();
    const other = await bystander(server);
    const client = await connectDiagnostics(server, 'websocket');
    for (let n = 0; n < 51; n++) client.socket.send({ d: 'ping', n });
    await waitFor(() => client.closes.length === 1, 'the diagnostics session to end');
    expect(client.closes).toEqual([{ reason: 'diagnostics: too many pings', code: 4004 }]);
    expect(messages(client).length).toBeLessThanOrEqual(50);
    await expectEcho(other);
    await waitFor(() => server.ferry.sessionCount === 1, 'the diagnostics session to be gone');
    expect(server.ferry.metrics().sessionsEnded.protocol_error).toBe(1);
  });

  it.each<[string, JsonValue | Uint8Array]>([
    ['an unknown request', { d: 'shutdown' }],
    ['a message that is not an object', 'hello'],
    ['bytes', new Uint8Array([1, 2, 3])],
    ['a ping with a bad n', { d: 'ping', n: -1 }],
  ])('is ended by %s, with a "diagnostics: " reason; a session beside it goes on', async (_what, message) => {
    const server = await diagnosticsServer();
    const other = await bystander(server);
    const client = await connectDiagnostics(server, 'websocket');
    client.socket.send(message);
    await waitFor(() => client.closes.length === 1, 'the diagnostics session to end');
    expect(client.closes[0].reason).toMatch(/^diagnostics: /);
    expect(client.closes[0].code).toBe(4004);
    expect(client.received).toEqual([]);
    await expectEcho(other);
  });

  it('is ended by a named event', async () => {
    const server = await diagnosticsServer();
    const client = await connectDiagnostics(server, 'xhr-polling');
    client.socket.emit('hello', 1);
    await waitFor(() => client.closes.length === 1, 'the diagnostics session to end');
    expect(client.closes[0]).toEqual({ reason: 'diagnostics: named events are not part of the diagnostics protocol', code: 4004 });
  });
});
