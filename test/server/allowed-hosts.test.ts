// DNS rebinding: a page on attacker.example whose name is made to resolve to this server is a
// same-origin page to the browser; its requests say `Host: attacker.example`. allowedHosts refuses
// every Ferry request, and the WebSocket upgrade, whose Host the app does not serve.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { resolveOptions } from '../../server/options.js';
import { closeAfterEach, startServer, type TestServer } from '../support/harness.js';
import { query, rawHandshake } from '../support/raw-session.js';

const track = closeAfterEach();

interface Answer {
  status: number;
  type: string | undefined;
  body: string;
}

/** A request with the Host header of our choosing (to 127.0.0.1 all the same). */
function get(server: TestServer, path: string, host: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path, method, headers: { Host: host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function expectRefused(answer: Answer): void {
  expect(answer.status).toBe(403);
  expect(answer.type).toMatch(/^application\/json/);
  expect(JSON.parse(answer.body).error).toBe('host_not_allowed');
}

function upgradeStatus(server: TestServer, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws`, { headers: { Host: host } });
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

describe('allowedHosts', () => {
  it('refuses every route and the upgrade when the Host is not a name the app serves', async () => {
    const server = track(await startServer({ allowedHosts: ['app.example'] }));
    const hs = await rawHandshake(server); // Host: 127.0.0.1:port, an address: always allowed
    const evil = `attacker.example:${server.port}`;
    expectRefused(await get(server, '/ferry/v1/handshake', evil, 'POST'));
    expectRefused(await get(server, `/ferry/v1/handshake?transport=jsonp-polling&cb=__ferry_jsonp_1`, evil));
    expectRefused(await get(server, `/ferry/v1/poll?${query(hs, '&e=1&ack=0')}`, evil));
    expectRefused(await get(server, `/ferry/v1/eventsource?${query(hs, '&e=1&ack=0')}`, evil));
    expectRefused(await get(server, '/ferry/ferry.js', evil));
    expectRefused(await get(server, `/ferry/iframe.html?o=${encodeURIComponent('http://' + evil)}`, evil));
    expectRefused(await get(server, '/ferry/v1/send', evil, 'OPTIONS'));
    expect(await upgradeStatus(server, evil)).toBe(403);
    expect(server.ferry.sessionCount).toBe(1);
  });

  it('lets in the names listed (any port, any case, a trailing dot), subdomains of a .domain entry, addresses and localhost', async () => {
    const server = track(await startServer({ allowedHosts: ['app.example', '.corp.example'] }));
    for (const host of ['app.example', `APP.example:${server.port}`, 'app.example.', 'chat.corp.example', 'corp.example', '127.0.0.1', `[::1]:${server.port}`, `localhost:${server.port}`]) {
      const answer = await get(server, '/ferry/v1/handshake', host, 'POST');
      expect(answer.status, host).toBe(200);
    }
    for (const host of ['evil-app.example', 'app.example.evil.example', 'evilcorp.example', 'localhost.evil.example']) expectRefused(await get(server, '/ferry/v1/handshake', host, 'POST'));
    expect(await upgradeStatus(server, `app.example:${server.port}`)).toBe(101);
  });

  it('a function gets the host name alone', async () => {
    const seen: string[] = [];
    const server = track(await startServer({ allowedHosts: (name) => (seen.push(name), name === 'app.example') }));
    expect((await get(server, '/ferry/v1/handshake', `app.example:${server.port}`, 'POST')).status).toBe(200);
    expectRefused(await get(server, '/ferry/v1/handshake', 'other.example', 'POST'));
    expect(seen).toEqual(['app.example', 'other.example']);
  });

  it("defaults to '*': any Host, as behind a proxy that forwards the public name", async () => {
    const server = track(await startServer());
    expect(resolveOptions().allowedHosts).toBe('*');
    expect((await get(server, '/ferry/v1/handshake', 'app.example', 'POST')).status).toBe(200);
  });

  it('is validated: host names only', () => {
    for (const bad of [['https://app.example'], ['app.example:443'], ['app.example/ferry'], [''], ['*.app.example'], [42], 'app.example']) {
      expect(() => resolveOptions({ allowedHosts: bad as never }), JSON.stringify(bad)).toThrow(/allowedHosts/);
    }
    expect(resolveOptions({ allowedHosts: ['App.Example.', '.corp.example'] }).allowedHosts).toEqual(['app.example', '.corp.example']);
  });
});
