import { describe, expect, it } from 'vitest';
import { connect } from '../../client/index.js';
import { parseFerryUrl, routeUrl } from '../../client/transports/urls.js';
import { FERRY_QUERY_PARAMS } from '../../protocol/index.js';
import { closeAfterEach, recordRequests, startServer, waitFor } from '../support/harness.js';
import { ALL_TRANSPORTS } from '../support/transports.js';

const track = closeAfterEach();

describe.each(ALL_TRANSPORTS)('a query on the Ferry URL, forced %s', (transport) => {
  it('reaches the server with the handshake (socket.handshake.query) and rides on every request; the session works', async () => {
    const server = track(await startServer());
    const requests = recordRequests(server);
    const upgrades: string[] = [];
    server.http.on('upgrade', (req) => upgrades.push(req.url ?? ''));
    const socket = connect(server.origin + '/ferry?token=abc%20def&tenant=7&tenant=8', { transports: [transport] });
    const received: unknown[] = [];
    socket.on('message', (data) => received.push(data));
    socket.on('open', () => {
      socket.send({ n: 1 });
      socket.send({ n: 2 });
    });
    await waitFor(() => received.length === 2, 'echoes');
    expect(received).toEqual([{ n: 1 }, { n: 2 }]);
    expect(server.sockets).toHaveLength(1);
    expect(server.sockets[0].handshake.query).toEqual({ token: 'abc def', tenant: ['7', '8'] });
    const all = [...requests, ...upgrades].filter((url) => url.startsWith('/ferry/'));
    expect(all.length).toBeGreaterThan(0);
    for (const url of all) expect(url).toContain('token=abc%20def&tenant=7&tenant=8');
    socket.close();
  });
});

describe('the Ferry URL query', () => {
  it('is empty in socket.handshake.query when the URL has none, and never holds Ferry’s own parameters', async () => {
    const server = track(await startServer());
    const socket = connect(server.origin + '/ferry', { transports: ['xhr-polling'] });
    await waitFor(() => server.sockets.length === 1, 'a session');
    expect(server.sockets[0].handshake.query).toEqual({});
    socket.close();
  });

  it('refuses, at connect, a parameter named like one of Ferry’s own (but diag, the diagnostics page’s)', () => {
    for (const name of FERRY_QUERY_PARAMS) {
      if (name === 'diag') continue;
      expect(() => connect('http://127.0.0.1:1/ferry?' + name + '=x')).toThrow(`the query parameter "${name}"`);
    }
    expect(parseFerryUrl('http://127.0.0.1:1/ferry?diag=1').query).toBe('diag=1');
  });

  it('keeps the query apart from the path: trailing slashes and the fragment go, the routes go before the query', () => {
    const where = parseFerryUrl('https://host/ferry/?token=abc#frag');
    expect(where).toEqual({ baseUrl: 'https://host/ferry', query: 'token=abc' });
    expect(routeUrl(where, 'v1/handshake', 'transport=xhr-polling')).toBe('https://host/ferry/v1/handshake?transport=xhr-polling&token=abc');
    expect(routeUrl(where, 'ferry-cross-origin.js', '')).toBe('https://host/ferry/ferry-cross-origin.js?token=abc');
    expect(routeUrl(parseFerryUrl('https://host/ferry'), 'v1/ws', '')).toBe('https://host/ferry/v1/ws');
  });
});
