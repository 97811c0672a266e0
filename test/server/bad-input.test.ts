import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { WebSocket } from 'ws';
import { closeAfterEach, connectClient, startServer, waitFor, type TestServer } from '../support/harness.js';
import { query, rawHandshake } from '../support/raw-session.js';

const track = closeAfterEach();

/** A healthy session alongside the abuse: it must keep working. */
async function bystander(s: TestServer) {
  const client = connectClient(s.origin, { transports: ['xhr-polling'] });
  await waitFor(() => client.socket.state === 'open', 'bystander open');
  return {
    async stillWorks() {
      const before = client.received.length;
      client.socket.send('still here');
      await waitFor(() => client.received.length === before + 1, 'bystander echo');
      expect(client.received[before]).toBe('still here');
      expect(client.closes).toEqual([]);
      client.socket.close();
    },
  };
}

function expectError(res: request.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body.error).toBe(code);
  expect(typeof res.body.message).toBe('string');
}

describe('bad input gets a clear 4xx and harms no other session', () => {
  it('unknown session', async () => {
    const server = track(await startServer());
    const other = await bystander(server);
    expectError(await request(server.http).get('/ferry/v1/poll?sid=nope&t=nope&e=1'), 404, 'unknown_session');
    expectError(await request(server.http).post('/ferry/v1/send?sid=nope&t=nope').send('[]'), 404, 'unknown_session');
    await other.stillWorks();
  });

  it('wrong token', async () => {
    const server = track(await startServer());
    const other = await bystander(server);
    const hs = await rawHandshake(server);
    const res = await request(server.http).get(`/ferry/v1/poll?sid=${hs.sid}&t=${'A'.repeat(hs.token.length)}&e=1`);
    expectError(res, 403, 'invalid_token');
    expectError(await request(server.http).get(`/ferry/v1/poll?sid=${hs.sid}&e=1`), 400, 'bad_request');
    await other.stillWorks();
  });

  it.each([
    ['not JSON', 'hello'],
    ['not an array', '{"m":1}'],
    ['unknown frame type', '[["zz",1]]'],
    ['sequence number zero', '[["m",0,"x"]]'],
    ['fractional sequence number', '[["m",1.5,"x"]]'],
    ['a gap in the sequence', '[["m",2,"x"]]'],
    ['bad base64', '[["b",1,"!!!"]]'],
    ['an ack of messages never sent', '[["a",99]]'],
  ])('malformed envelope: %s', async (_name, body) => {
    const server = track(await startServer());
    const other = await bystander(server);
    const hs = await rawHandshake(server);
    const res = await request(server.http).post(`/ferry/v1/send?${query(hs)}`).set('Content-Type', 'text/plain').send(body);
    expectError(res, 400, 'malformed_packet');
    // the broken session is closed; later requests on it are refused
    expectError(await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1')}`), 404, 'unknown_session');
    await other.stillWorks();
  });

  it('oversized POST body', async () => {
    const server = track(await startServer({ maxMessageSize: 1024 }));
    const other = await bystander(server);
    const hs = await rawHandshake(server);
    const res = await request(server.http).post(`/ferry/v1/send?${query(hs)}`).set('Content-Type', 'text/plain').send(`[["m",1,"${'x'.repeat(2000)}"]]`);
    expectError(res, 413, 'payload_too_large');
    await other.stillWorks();
  });

  it('oversized WebSocket message closes that connection with 1009', async () => {
    const server = track(await startServer({ maxMessageSize: 1024 }));
    const other = await bystander(server);
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws`);
    await new Promise((resolve) => ws.once('message', resolve));
    ws.send(`[["m",1,"${'x'.repeat(4096)}"]]`);
    const [code] = await new Promise<[number]>((resolve) => ws.once('close', (c) => resolve([c])));
    expect(code).toBe(1009);
    await waitFor(() => server.ferry.sessionCount === 1, 'the offending session to end');
    await other.stillWorks();
  });

  it('a second concurrent poll on one session', async () => {
    const server = track(await startServer());
    const hs = await rawHandshake(server);
    // a new transport's first poll is answered at once, to confirm it; the next one is held
    expect((await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1')}`)).text).toBe('[]');
    const first = request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1')}`).then((r) => r);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expectError(await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1')}`), 409, 'poll_pending');
    server.sockets[0].send('wake');
    const res = await first;
    expect(res.status).toBe(200);
    expect(res.text).toBe('[["m",1,"wake"]]');
  });

  it('a poll from a transport the session has moved past', async () => {
    const server = track(await startServer());
    const hs = await rawHandshake(server);
    server.sockets[0].send('x');
    expect((await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=2')}`)).status).toBe(200);
    expectError(await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1')}`), 409, 'stale_transport');
  });

  it('a bad Origin, on every route and on the WebSocket upgrade', async () => {
    const server = track(await startServer());
    const other = await bystander(server);
    const evil = 'http://evil.example';
    expectError(await request(server.http).post('/ferry/v1/handshake').set('Origin', evil), 403, 'origin_not_allowed');
    const hs = await rawHandshake(server);
    expectError(await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1')}`).set('Origin', evil), 403, 'origin_not_allowed');
    expectError(await request(server.http).post(`/ferry/v1/send?${query(hs)}`).set('Origin', evil).send('[]'), 403, 'origin_not_allowed');
    const iframe = await request(server.http).get(`/ferry/v1/iframe?${query(hs, '&e=1&c=1')}`).set('Sec-Fetch-Site', 'cross-site').set('Referer', evil + '/page');
    expectError(iframe, 403, 'origin_not_allowed');
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws`, { origin: evil });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    expect(status).toBe(403);
    await other.stillWorks();
  });

  it('an allowed cross origin gets CORS headers; same-origin requests pass', async () => {
    const server = track(await startServer({ allowedOrigins: ['http://app.example'] }));
    const res = await request(server.http).post('/ferry/v1/handshake').set('Origin', 'http://app.example').expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('http://app.example');
    await request(server.http).post('/ferry/v1/handshake').set('Origin', server.origin).expect(200);
    const pre = await request(server.http).options('/ferry/v1/send').set('Origin', 'http://app.example').expect(204);
    expect(pre.headers['access-control-allow-methods']).toContain('POST');
  });

  it('unsupported protocol version, unknown route, wrong method', async () => {
    const server = track(await startServer());
    expectError(await request(server.http).get('/ferry/v2/poll'), 400, 'unsupported_version');
    expectError(await request(server.http).get('/ferry/v1/nothing'), 404, 'not_found');
    expectError(await request(server.http).get('/ferry/v1/handshake'), 405, 'method_not_allowed');
  });

  it('hostile iframe callback ids are rejected, not sanitised', async () => {
    const server = track(await startServer());
    const hs = await rawHandshake(server);
    for (const c of ['alert(1)', '1;alert(1)', '</script>', '', '1'.repeat(13)]) {
      expectError(await request(server.http).get(`/ferry/v1/iframe?${query(hs, `&e=1&c=${encodeURIComponent(c)}`)}`), 400, 'bad_request');
    }
  });

  it('too many sessions gets 503 until one ends', async () => {
    const server = track(await startServer({ maxSessions: 2 }));
    // sessions that have carried a message: a full table evicts only those that have not (4013)
    for (let i = 0; i < 2; i++) {
      const hs = await rawHandshake(server);
      await request(server.http).post(`/ferry/v1/send?${query(hs)}`).set('Content-Type', 'text/plain').send('[["m",1,"x"]]').expect(200);
    }
    expectError(await request(server.http).post('/ferry/v1/handshake'), 503, 'too_many_sessions');
    server.sockets[0].close();
    await rawHandshake(server);
  });

  it('a session that exceeds maxBufferedBytes is closed with a reason; memory stays bounded', async () => {
    const server = track(await startServer({ maxBufferedBytes: 10_000 }, () => {}));
    const hs = await rawHandshake(server);
    const reasons: string[] = [];
    server.sockets[0].on('close', (r) => reasons.push(r));
    let accepted = 0;
    for (let i = 0; i < 100; i++) if (server.sockets[0].send('y'.repeat(500))) accepted++;
    expect(accepted).toBeLessThan(25);
    expect(reasons).toEqual([expect.stringMatching(/^buffer overflow/)]);
    expectError(await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1')}`), 404, 'unknown_session');
  });
});
