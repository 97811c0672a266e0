import { describe, expect, it } from 'vitest';
import http from 'node:http';
import request from 'supertest';
import { decodeJsonpBody } from '../../protocol/index.js';
import { closeAfterEach, startServer, type TestServer } from '../support/harness.js';
import { query, rawHandshake } from '../support/raw-session.js';

const track = closeAfterEach();

const CB = '__ferry_jsonp_1';

function expectError(res: request.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body.error).toBe(code);
}

function formSend(s: TestServer, q: string, packet: string | null) {
  const body = packet === null ? 'x=1' : new URLSearchParams({ d: packet }).toString();
  return request(s.http).post(`/ferry/v1/send?${q}`).type('form').send(body);
}

/** A JSONP request, from a page on the server's own origin (its Referer proves it, as in a browser). */
function script(s: TestServer, url: string) {
  return request(s.http).get(url).set('Referer', s.origin + '/page.html');
}

/** The packet a JSONP poll delivers. */
async function jsonpPoll(s: TestServer, q: string): Promise<unknown[][]> {
  const res = await script(s, `/ferry/v1/jsonp?${q}&cb=${CB}`).expect(200);
  return JSON.parse(decodeJsonpBody(res.text, CB) ?? 'null') as unknown[][];
}

describe('form sends', () => {
  it('deliver the packet in the d field and reply with an inert HTML page; the ack comes on the next poll', async () => {
    const got: unknown[] = [];
    const server = track(await startServer({}, (socket) => socket.on('message', (data) => got.push(data))));
    const hs = await rawHandshake(server);
    expect(await jsonpPoll(server, query(hs, '&e=1&ack=0'))).toEqual([]); // the first poll answers at once
    const res = await formSend(server, query(hs), '[["m",1,"a b+c&d=é"],["m",2,{"x":[1]}]]');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'");
    expect(res.text).not.toMatch(/<script/i);
    expect(got).toEqual(['a b+c&d=é', { x: [1] }]);
    expect(await jsonpPoll(server, query(hs, '&e=1&ack=0'))).toEqual([['a', 2]]);
  });

  it('measure maxMessageSize on the decoded packet, not on the form encoding', async () => {
    const server = track(await startServer({ maxMessageSize: 1024 }));
    const hs = await rawHandshake(server);
    // 900 bytes of packet, 2,500 bytes once urlencoded
    const res = await formSend(server, query(hs), `[["m",1,"${'<'.repeat(880)}"]]`);
    expect(res.status).toBe(200);
    expectError(await formSend(server, query(hs), `[["m",2,"${'x'.repeat(2000)}"]]`), 413, 'payload_too_large');
    expectError(await script(server, `/ferry/v1/jsonp?${query(hs, '&e=1')}&cb=${CB}`), 404, 'unknown_session');
  });

  it('refuse a form without the d field as a malformed packet', async () => {
    const server = track(await startServer());
    const hs = await rawHandshake(server);
    expectError(await formSend(server, query(hs), null), 400, 'malformed_packet');
  });
});

describe('JSONP polls', () => {
  it('are held one at a time, like XHR polls', async () => {
    const server = track(await startServer({ pingInterval: 1000 }));
    const hs = await rawHandshake(server);
    await jsonpPoll(server, query(hs, '&e=1&ack=0'));
    const held = script(server, `/ferry/v1/jsonp?${query(hs, '&e=1&ack=0')}&cb=${CB}`).then((r) => r);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expectError(await script(server, `/ferry/v1/jsonp?${query(hs, '&e=1&ack=0')}&cb=__ferry_jsonp_2`), 409, 'poll_pending');
    expect((await held).text).toBe(`/**/${CB}("[]");`);
  });

  it('own their epoch: an XHR poll for it is stale', async () => {
    const server = track(await startServer());
    const hs = await rawHandshake(server);
    await jsonpPoll(server, query(hs, '&e=1&ack=0'));
    expectError(await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1&ack=0')}`), 409, 'stale_transport');
  });

  it('are refused, with the form sends and the handshake, when jsonp-polling is disabled', async () => {
    const server = track(await startServer({ transports: ['websocket', 'xhr-polling'] }));
    const hs = await rawHandshake(server);
    expectError(await script(server, `/ferry/v1/jsonp?${query(hs, '&e=1&ack=0')}&cb=${CB}`), 403, 'transport_disabled');
    expectError(await formSend(server, query(hs), '[["m",1,"x"]]'), 403, 'transport_disabled');
    expectError(await script(server, `/ferry/v1/handshake?transport=jsonp-polling&cb=${CB}`), 403, 'transport_disabled');
  });
});

describe('the JSONP handshake', () => {
  it('is a GET with cb for transport=jsonp-polling only; other handshakes stay POST', async () => {
    const server = track(await startServer());
    expectError(await request(server.http).get('/ferry/v1/handshake?transport=jsonp-polling'), 405, 'method_not_allowed');
    expectError(await script(server, `/ferry/v1/handshake?transport=xhr-polling&cb=${CB}`), 400, 'bad_request');
    expectError(await script(server, `/ferry/v1/handshake?cb=${CB}`), 400, 'bad_request');
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('counts against maxSessions', async () => {
    // the app greets each session, so it has carried a message and a full table cannot evict it (4013)
    const server = track(await startServer({ maxSessions: 1 }, (socket) => socket.send('hi')));
    await script(server, `/ferry/v1/handshake?transport=jsonp-polling&cb=${CB}`).expect(200);
    expectError(await script(server, `/ferry/v1/handshake?transport=jsonp-polling&cb=${CB}`), 503, 'too_many_sessions');
  });

  it('checks the Referer of script requests, with or without Sec-Fetch-Site', async () => {
    const server = track(await startServer({ allowedOrigins: ['https://app.example'] }));
    const url = `/ferry/v1/handshake?transport=jsonp-polling&cb=${CB}`;
    // an older browser: no Origin, no Sec-Fetch-Site, only the Referer of the page that made the tag
    expectError(await request(server.http).get(url).set('Referer', 'https://evil.example/x'), 403, 'origin_not_allowed');
    expectError(await request(server.http).get(url).set('Sec-Fetch-Site', 'cross-site').set('Referer', 'https://evil.example/x'), 403, 'origin_not_allowed');
    expectError(await request(server.http).get(url).set('Sec-Fetch-Site', 'cross-site'), 403, 'origin_not_allowed');
    expect(server.ferry.sessionCount).toBe(0);
    await request(server.http).get(url).set('Referer', 'https://app.example/chat').expect(200);
    await request(server.http).get(url).set('Sec-Fetch-Site', 'cross-site').set('Referer', 'https://app.example/chat').expect(200);
    // no browser headers at all: a page hiding its Referer, which JSONP cannot tell from a non-browser client
    expectError(await request(server.http).get(url), 403, 'origin_not_allowed');
    expect(server.ferry.sessionCount).toBe(2);
  });

  it('leaves the origin rule of other GETs as it was', async () => {
    const server = track(await startServer({ allowedOrigins: ['https://app.example'] }));
    const hs = await rawHandshake(server);
    // an XHR poll carries its token and its response is not readable cross-origin: no Referer rule
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = http.get(`${server.origin}/ferry/v1/poll?${query(hs, '&e=1&ack=0')}`, { headers: { Referer: 'https://evil.example/x' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
    });
    expect(status).toBe(200);
  });
});
