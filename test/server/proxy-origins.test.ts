// Behind a reverse proxy, the request the server sees is not the one the browser sent: nginx's plain
// `proxy_pass http://127.0.0.1:3000;` forwards `Host: 127.0.0.1:3000`, a TLS terminator forwards
// plain HTTP, and the page's `Origin` names the public site. `Sec-Fetch-Site: same-origin` (set by
// the browser, never by a page) settles it whatever Host says; for browsers without Fetch Metadata,
// `trustProxy` makes the proxy's X-Forwarded-Host / X-Forwarded-Proto (or Forwarded) believed. A
// refusal says what to do, and the app hears of it through the `refused` event.
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Handshake } from '../../protocol/index.js';
import type { RefusalInfo, ServerOptions } from '../../server/index.js';
import { publicSiteOf } from '../../server/policies/public-site.js';
import { requestFrom } from '../support/address-requests.js';
import { closeAfterEach, startServer, type TestServer } from '../support/harness.js';
import { query } from '../support/raw-session.js';

const track = closeAfterEach();

/** The public site the browser is on; the server listens on 127.0.0.1:<port> behind the "proxy". */
const PUBLIC = 'https://app.example';
const SAME_ORIGIN = { Origin: PUBLIC, 'Sec-Fetch-Site': 'same-origin' };
const CROSS_SITE = { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' };
/** What nginx terminating TLS for app.example adds (`X-Forwarded-Host $http_host`, `X-Forwarded-Proto $scheme`). */
const FORWARDED = { Origin: PUBLIC, 'X-Forwarded-Host': 'app.example', 'X-Forwarded-Proto': 'https' };

interface Answer {
  status: number;
  error: string | undefined;
  message: string | undefined;
}

/**
 * One request with the headers given (Host stays `127.0.0.1:<port>`, as behind a proxy that does
 * not forward it); resolved on the response's head, so that a stream's answer counts too.
 */
function send(server: TestServer, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path, headers, agent: false }, (res) => {
      if (res.statusCode !== undefined && res.statusCode < 400) {
        resolve({ status: res.statusCode, error: undefined, message: undefined });
        res.destroy();
        return;
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const parsed = JSON.parse(text) as { error?: string; message?: string };
        resolve({ status: res.statusCode ?? 0, error: parsed.error, message: parsed.message });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function handshake(server: TestServer, headers: Record<string, string>): Promise<Handshake> {
  const res = await new Promise<string>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/ferry/v1/handshake', headers, agent: false }, (r) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => (text += chunk));
      r.on('end', () => (r.statusCode === 200 ? resolve(text) : reject(new Error(`handshake: ${r.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end();
  });
  return JSON.parse(res) as Handshake;
}

/** The status of a WebSocket upgrade that creates a session, with these headers. */
function upgrade(server: TestServer, headers: Record<string, string>): Promise<number> {
  return upgradeTo(server, '/ferry/v1/ws', headers);
}

function upgradeTo(server: TestServer, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', reject);
  });
}

/** A server on default options (but those given) whose sessions have a message queued, so polls answer at once. */
async function proxiedServer(options: ServerOptions = {}): Promise<TestServer> {
  return track(await startServer(options, (socket) => socket.send('welcome')));
}

/** Every HTTP route a page uses (a fresh session each), with `headers`; returns `route → status`. */
async function everyRoute(server: TestServer, headers: Record<string, string>): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  statuses['POST handshake'] = (await send(server, 'POST', '/ferry/v1/handshake', headers)).status;
  statuses['GET handshake (JSONP)'] = (await send(server, 'GET', '/ferry/v1/handshake?transport=jsonp-polling&cb=__ferry_jsonp_1', headers)).status;
  statuses['OPTIONS send'] = (await send(server, 'OPTIONS', '/ferry/v1/send', headers)).status;
  const routes: Array<[string, string, string]> = [
    ['GET poll', 'GET', '/ferry/v1/poll?{q}&e=1&ack=0'],
    ['GET jsonp', 'GET', '/ferry/v1/jsonp?{q}&e=1&ack=0&cb=__ferry_jsonp_2'],
    ['GET eventsource', 'GET', '/ferry/v1/eventsource?{q}&e=1&ack=0'],
    ['GET xhr-stream', 'GET', '/ferry/v1/xhr-stream?{q}&e=1&ack=0'],
    ['GET iframe', 'GET', '/ferry/v1/iframe?{q}&e=1&ack=0&c=1'],
    ['POST send', 'POST', '/ferry/v1/send?{q}'],
  ];
  for (const [name, method, path] of routes) {
    // the session itself is made the way the page would make it: same-origin, through the proxy
    const hs = await handshake(server, SAME_ORIGIN);
    const body = method === 'POST' ? JSON.stringify([['m', 1, 'hi']]) : undefined;
    statuses[name] = (await send(server, method, path.replace('{q}', query(hs)), { ...headers, ...(body ? { 'Content-Type': 'text/plain' } : {}) }, body)).status;
  }
  return statuses;
}

describe('Sec-Fetch-Site: same-origin, whatever Host says', () => {
  it('is same-origin evidence on every HTTP route: none is refused for its origin', async () => {
    const server = await proxiedServer();
    const statuses = await everyRoute(server, SAME_ORIGIN);
    for (const [route, status] of Object.entries(statuses)) expect({ route, status }).toEqual({ route, status: route.startsWith('OPTIONS') ? 204 : 200 });
  });

  it('is same-origin evidence on the WebSocket upgrade', async () => {
    const server = await proxiedServer();
    expect(await upgrade(server, SAME_ORIGIN)).toBe(101);
    expect(server.ferry.sessionCount).toBe(1);
  });

  it('cross-site and same-site pages the policy does not allow are still refused, with what to do', async () => {
    const server = await proxiedServer();
    const answer = await send(server, 'POST', '/ferry/v1/handshake', CROSS_SITE);
    expect(answer).toMatchObject({ status: 403, error: 'origin_not_allowed' });
    expect(answer.message).toContain('https://evil.example');
    expect(answer.message).toMatch(/trustProxy/);
    expect(answer.message).toMatch(/allowedOrigins/);
    expect(await send(server, 'POST', '/ferry/v1/handshake', { Origin: 'https://chat.app.example', 'Sec-Fetch-Site': 'same-site' })).toMatchObject({ status: 403 });
    expect(await upgrade(server, CROSS_SITE)).toBe(403);
    const statuses = await everyRoute(server, CROSS_SITE);
    for (const [route, status] of Object.entries(statuses)) expect({ route, status }).toEqual({ route, status: 403 });
    // the page that is the public site but says nothing about it (no Fetch Metadata) is not let in on defaults
    expect(await send(server, 'POST', '/ferry/v1/handshake', { Origin: PUBLIC })).toMatchObject({ status: 403, error: 'origin_not_allowed' });
    expect(server.ferry.sessionCount).toBe(6); // only the sessions everyRoute made, same-origin
  });

  it("lets the session's own page upgrade: Chromium sends no Sec-Fetch-Site on a WebSocket, but the same Origin and the token", async () => {
    const server = await proxiedServer();
    const hs = await handshake(server, SAME_ORIGIN);
    const join = (headers: Record<string, string>, token = hs.token) =>
      upgradeTo(server, `/ferry/v1/ws?sid=${encodeURIComponent(hs.sid)}&t=${encodeURIComponent(token)}&e=2`, headers);
    expect(await join({ Origin: PUBLIC })).toBe(101);
    expect(await join({ Origin: 'https://evil.example' })).toBe(403);
    expect(await join({ Origin: PUBLIC }, 'x'.repeat(hs.token.length))).toBe(403);
    // a new session over WebSocket has no handshake to vouch for it
    expect(await upgrade(server, { Origin: PUBLIC })).toBe(403);
  });

  it('does not get past allowedHosts: a page on a rebound name is refused for its Host first', async () => {
    const server = await proxiedServer({ allowedHosts: ['app.example'] });
    expect(await send(server, 'POST', '/ferry/v1/handshake', { ...SAME_ORIGIN, Host: 'rebound.example' })).toMatchObject({ status: 403, error: 'host_not_allowed' });
    expect(await upgrade(server, { ...SAME_ORIGIN, Host: 'rebound.example' })).toBe(403);
    expect(server.ferry.sessionCount).toBe(0);
  });
});

describe('trustProxy: the public host and scheme a trusted proxy reports', () => {
  it('is not believed by default', async () => {
    const server = await proxiedServer();
    expect(await send(server, 'POST', '/ferry/v1/handshake', FORWARDED)).toMatchObject({ status: 403, error: 'origin_not_allowed' });
    expect(await upgrade(server, FORWARDED)).toBe(403);
  });

  it('is believed from a trusted peer: X-Forwarded-Host and X-Forwarded-Proto make an https page same-origin with a plain-HTTP upstream', async () => {
    const server = await proxiedServer({ trustProxy: ['loopback'] });
    expect(await send(server, 'POST', '/ferry/v1/handshake', FORWARDED)).toMatchObject({ status: 200 });
    expect(await upgrade(server, FORWARDED)).toBe(101);
    // the scheme is compared too, once a proxy has said which
    expect(await send(server, 'POST', '/ferry/v1/handshake', { ...FORWARDED, Origin: 'http://app.example' })).toMatchObject({ status: 403 });
    expect(await send(server, 'POST', '/ferry/v1/handshake', { ...FORWARDED, 'X-Forwarded-Proto': 'http' })).toMatchObject({ status: 403 });
    // a port written out (the default one) is the same origin
    expect(await send(server, 'POST', '/ferry/v1/handshake', { ...FORWARDED, 'X-Forwarded-Host': 'app.example:443' })).toMatchObject({ status: 200 });
    expect(await send(server, 'POST', '/ferry/v1/handshake', { ...FORWARDED, 'X-Forwarded-Host': 'app.example:8443' })).toMatchObject({ status: 403 });
  });

  it('is believed only from a trusted hop: the same headers from an untrusted peer prove nothing', async () => {
    const server = await proxiedServer({ trustProxy: ['127.0.0.1'] });
    const spec = { method: 'POST' as const, path: '/ferry/v1/handshake', headers: FORWARDED };
    expect((await requestFrom(server.port, { ...spec, from: '127.0.0.1' })).status).toBe(200);
    expect((await requestFrom(server.port, { ...spec, from: '127.0.0.2' })).status).toBe(403);
  });

  it("reads Forwarded's host= and proto= under forwardedHeader: 'forwarded', and then not X-Forwarded-*", async () => {
    const server = await proxiedServer({ trustProxy: true, forwardedHeader: 'forwarded' });
    expect(await send(server, 'POST', '/ferry/v1/handshake', { Origin: PUBLIC, Forwarded: 'for=192.0.2.60;host=app.example;proto=https' })).toMatchObject({ status: 200 });
    expect(await send(server, 'POST', '/ferry/v1/handshake', { Origin: PUBLIC, Forwarded: 'for=192.0.2.60;host="app.example";proto=http' })).toMatchObject({ status: 403 });
    expect(await send(server, 'POST', '/ferry/v1/handshake', FORWARDED)).toMatchObject({ status: 403 });
  });

  it('feeds allowedHosts: the reported host is the one checked', async () => {
    const server = await proxiedServer({ trustProxy: ['loopback'], allowedHosts: ['app.example'] });
    expect(await send(server, 'POST', '/ferry/v1/handshake', FORWARDED)).toMatchObject({ status: 200 });
    const rebound = { ...FORWARDED, Origin: 'https://rebound.example', 'X-Forwarded-Host': 'rebound.example' };
    expect(await send(server, 'POST', '/ferry/v1/handshake', rebound)).toMatchObject({ status: 403, error: 'host_not_allowed' });
  });

  it('takes the last entry of a list (the nearest proxy wrote it) and ignores a value that is no host', () => {
    const fake = (headers: Record<string, string>) => ({ headers, socket: { remoteAddress: '10.0.0.1' } }) as unknown as IncomingMessage;
    const site = publicSiteOf(['10.0.0.0/8']);
    expect(site(fake({ host: 'up:3000', 'x-forwarded-host': 'evil.example, app.example', 'x-forwarded-proto': 'http, https' }))).toEqual({ host: 'app.example', scheme: 'https' });
    expect(site(fake({ host: 'up:3000', 'x-forwarded-host': 'a b/c', 'x-forwarded-proto': 'gopher' }))).toEqual({ host: 'up:3000', scheme: undefined });
    expect(publicSiteOf(false)(fake({ host: 'up:3000', 'x-forwarded-host': 'app.example' }))).toEqual({ host: 'up:3000', scheme: undefined });
  });
});

describe("the 'refused' event", () => {
  function listen(server: TestServer): RefusalInfo[] {
    const seen: RefusalInfo[] = [];
    server.ferry.on('refused', (info) => seen.push(info));
    return seen;
  }

  it('reports an origin refusal on an HTTP route and on the upgrade, with origin, host, transport and address', async () => {
    const server = await proxiedServer();
    const seen = listen(server);
    await send(server, 'POST', '/ferry/v1/handshake?transport=xhr-streaming', { Origin: PUBLIC });
    await upgrade(server, CROSS_SITE);
    const host = `127.0.0.1:${server.port}`;
    expect(seen).toEqual([
      { reason: 'origin_not_allowed', message: expect.stringMatching(/trustProxy/), origin: PUBLIC, host, transport: 'xhr-streaming', address: '127.0.0.1' },
      { reason: 'origin_not_allowed', message: expect.stringMatching(/trustProxy/), origin: 'https://evil.example', host, transport: 'websocket', address: '127.0.0.1' },
    ]);
  });

  it('reports host refusals and rate limits, with the trusted client address; not other errors, nor requests let in', async () => {
    const server = await proxiedServer({ allowedHosts: ['app.example'], trustProxy: ['loopback'], addressHandshakeBurst: 1, addressHandshakeRate: 0.001 });
    const seen = listen(server);
    const from = { 'X-Forwarded-For': '203.0.113.9' };
    await send(server, 'GET', '/ferry/v1/poll?sid=x&t=y&e=1', { ...from, Host: 'rebound.example' });
    expect(await send(server, 'POST', '/ferry/v1/handshake', { ...from, ...SAME_ORIGIN })).toMatchObject({ status: 200 });
    expect(await send(server, 'POST', '/ferry/v1/handshake', { ...from, ...SAME_ORIGIN })).toMatchObject({ status: 429 });
    await send(server, 'GET', '/ferry/v1/nothing-here', {});
    await send(server, 'GET', '/ferry/v1/poll?sid=x&t=y&e=1', {});
    expect(seen).toEqual([
      { reason: 'host_not_allowed', message: expect.any(String), origin: null, host: 'rebound.example', transport: 'xhr-polling', address: '203.0.113.9' },
      { reason: 'rate_limited', message: expect.any(String), origin: PUBLIC, host: `127.0.0.1:${server.port}`, transport: 'xhr-polling', address: '203.0.113.9' },
    ]);
  });
});
