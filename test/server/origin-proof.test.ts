// A request a foreign page could misuse must prove which page made it. JSONP answers are scripts any
// page can run and read, and a `<script referrerpolicy="no-referrer">` (or a no-referrer page, or a
// sandboxed frame) sends no Origin, no Referer and, over plain HTTP or in older browsers, no
// Sec-Fetch-Site: "no headers" is not "not a browser" there.
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { decodeJsonpBody } from '../../protocol/index.js';
import { closeAfterEach, startServer } from '../support/harness.js';
import { query, rawHandshake } from '../support/raw-session.js';

const track = closeAfterEach();
const CB = '__ferry_jsonp_1';
const HANDSHAKE = `/ferry/v1/handshake?transport=jsonp-polling&cb=${CB}`;

function expectError(res: request.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body.error).toBe(code);
}

describe('the JSONP handshake', () => {
  it('without Origin, Sec-Fetch-Site or Referer: 403 origin_not_allowed, saying why, and no session', async () => {
    const connected: string[] = [];
    const server = track(await startServer({}, (socket) => connected.push(socket.id)));
    const res = await request(server.http).get(HANDSHAKE);
    expectError(res, 403, 'origin_not_allowed');
    expect(res.body.message).toMatch(/Referer/);
    expect(res.body.message).toMatch(/xhr-polling/);
    expect(res.text).not.toContain(CB);
    expect(server.ferry.sessionCount).toBe(0);
    expect(connected).toEqual([]);
  });

  it('with the Referer of an allowed page: a session', async () => {
    const server = track(await startServer({ allowedOrigins: ['https://app.example'] }));
    await request(server.http).get(HANDSHAKE).set('Referer', `${server.origin}/chat`).expect(200);
    const res = await request(server.http).get(HANDSHAKE).set('Referer', 'https://app.example/chat').expect(200);
    expect(JSON.parse(decodeJsonpBody(res.text, CB) ?? 'null')).toMatchObject({ sid: expect.any(String), token: expect.any(String) });
    expect(server.ferry.sessionCount).toBe(2);
  });

  it('with Sec-Fetch-Site: same-origin: a session; a cross-site or user-typed one without Referer proves nothing', async () => {
    const server = track(await startServer());
    await request(server.http).get(HANDSHAKE).set('Sec-Fetch-Site', 'same-origin').expect(200);
    expectError(await request(server.http).get(HANDSHAKE).set('Sec-Fetch-Site', 'cross-site'), 403, 'origin_not_allowed');
    expectError(await request(server.http).get(HANDSHAKE).set('Sec-Fetch-Site', 'none'), 403, 'origin_not_allowed');
    expect(server.ferry.sessionCount).toBe(1);
  });

  it('with the Origin of an allowed page (a crossorigin script): a session; another page, or an opaque one: 403', async () => {
    const server = track(await startServer({ allowedOrigins: ['https://app.example'] }));
    await request(server.http).get(HANDSHAKE).set('Origin', 'https://app.example').expect(200);
    expectError(await request(server.http).get(HANDSHAKE).set('Origin', 'null'), 403, 'origin_not_allowed');
    expectError(await request(server.http).get(HANDSHAKE).set('Referer', 'https://evil.example/'), 403, 'origin_not_allowed');
    expect(server.ferry.sessionCount).toBe(1);
  });

  it("allowedOrigins: '*' lets any page in, proof or not", async () => {
    const server = track(await startServer({ allowedOrigins: '*' }));
    await request(server.http).get(HANDSHAKE).expect(200);
    expect(server.ferry.sessionCount).toBe(1);
  });
});

describe('JSONP polls', () => {
  it('of a session made by POST: refused without proof, and the messages stay for the real client', async () => {
    const server = track(await startServer());
    const hs = await rawHandshake(server);
    server.sockets[0].send('secret');
    const url = `/ferry/v1/jsonp?${query(hs, '&e=1&ack=0')}&cb=${CB}`;
    const refused = await request(server.http).get(url);
    expectError(refused, 403, 'origin_not_allowed');
    expect(refused.text).not.toContain('secret');
    const res = await request(server.http).get(url).set('Referer', `${server.origin}/`).expect(200);
    expect(decodeJsonpBody(res.text, CB)).toBe('[["m",1,"secret"]]');
  });

  it('with Sec-Fetch-Site: same-origin: answered', async () => {
    const server = track(await startServer());
    const hs = await rawHandshake(server);
    await request(server.http).get(`/ferry/v1/jsonp?${query(hs, '&e=1&ack=0')}&cb=${CB}`).set('Sec-Fetch-Site', 'same-origin').expect(200);
  });
});

describe('a handshake POST', () => {
  // its answer is JSON that no other page can read (no CORS headers for it), so a POST without any
  // header is a non-browser client; a cross-site form could create a session but never learn its token
  it('without Origin or Referer, whatever its content type: a session, and no CORS headers', async () => {
    const server = track(await startServer());
    for (const type of ['text/plain', 'application/json', 'application/x-www-form-urlencoded']) {
      const res = await request(server.http).post('/ferry/v1/handshake').set('Content-Type', type).send('');
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(server.ferry.sessionCount).toBe(3);
  });
});

describe('requests that need no proof', () => {
  it('an XHR poll and a form send carry the session token, and their answers are not readable by another page', async () => {
    const server = track(await startServer());
    const hs = await rawHandshake(server);
    await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1&ack=0')}`).expect(200);
    await request(server.http).post(`/ferry/v1/send?${query(hs)}`).type('form').send(new URLSearchParams({ d: '[["m",1,"x"]]' }).toString()).expect(200);
  });
});
