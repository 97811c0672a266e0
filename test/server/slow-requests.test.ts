import http from 'node:http';
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { resolveOptions } from '../../server/options.js';
import { closeAfterEach, startServer, waitFor } from '../support/harness.js';
import { query, rawHandshake } from '../support/raw-session.js';
import { RawConnection } from '../support/raw-http.js';

const track = closeAfterEach();

function closeLater(conn: RawConnection): RawConnection {
  track({ close: async () => conn.destroy() });
  return conn;
}

function postHead(path: string, length: number): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${length}\r\n\r\n`;
}

describe('a POST body has bodyTimeout ms to arrive', () => {
  it('a body trickled a byte at a time gets 408 request_timeout at the deadline and its connection is closed', async () => {
    const server = track(await startServer({ bodyTimeout: 600 }));
    const hs = await rawHandshake(server);
    const conn = closeLater(new RawConnection(server.port));
    const body = '[["m",1,"' + 'x'.repeat(200) + '"]]';
    const started = Date.now();
    await conn.write(postHead(`/ferry/v1/send?${query(hs)}`, body.length));
    // bytes keep arriving, so an idle timer would never fire: the deadline is total
    let sent = 0;
    const trickle = setInterval(() => void conn.write(body[sent++]), 50);
    track({ close: async () => clearInterval(trickle) });
    const res = await conn.responseThenClose();
    clearInterval(trickle);
    expect(res.status).toBe(408);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'request_timeout' });
    expect(res.headers.connection).toBe('close');
    expect(res.closed).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(sent).toBeLessThan(body.length);
  });

  it('the session of a body that timed out goes on: the body was never accepted', async () => {
    const server = track(await startServer({ bodyTimeout: 300 }));
    const hs = await rawHandshake(server);
    await waitFor(() => server.sockets.length === 1, 'connection');
    const reasons: string[] = [];
    server.sockets[0].on('close', (reason) => reasons.push(reason));
    const conn = closeLater(new RawConnection(server.port));
    await conn.write(postHead(`/ferry/v1/send?${query(hs)}`, 20) + '[["m",1,');
    expect((await conn.responseThenClose()).status).toBe(408);
    expect(reasons).toEqual([]);
    expect(server.ferry.sessionCount).toBe(1);
    // message 1 was never received, so it can be sent again, and is delivered
    const received: unknown[] = [];
    server.sockets[0].on('message', (data) => received.push(data));
    const res = await request(server.http).post(`/ferry/v1/send?${query(hs)}`).set('Content-Type', 'text/plain').send('[["m",1,"again"]]');
    expect(res.status).toBe(200);
    expect(received).toEqual(['again']);
  });

  it('bodyTimeout must be a positive number', () => {
    for (const bodyTimeout of [0, -1, Number.NaN, Infinity]) {
      expect(() => resolveOptions({ bodyTimeout })).toThrow(/bodyTimeout/);
    }
    expect(resolveOptions().bodyTimeout).toBe(10_000);
  });
});

describe('a refused request is answered and its body is not read', () => {
  it('a send with a wrong token and a body still on its way gets 403 and the connection closes', async () => {
    const server = track(await startServer());
    const hs = await rawHandshake(server);
    const conn = closeLater(new RawConnection(server.port));
    // declares 10 MB and sends a few bytes: reading it would hold the connection open
    await conn.write(postHead(`/ferry/v1/send?sid=${hs.sid}&t=${'A'.repeat(hs.token.length)}`, 10_000_000) + '[["m",1,"');
    const res = await conn.responseThenClose();
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid_token' });
    expect(res.closed).toBe(true);
  });

  it('a body declared over maxMessageSize gets 413 without being read, and the connection closes', async () => {
    const server = track(await startServer({ maxMessageSize: 1024 }));
    const hs = await rawHandshake(server);
    const conn = closeLater(new RawConnection(server.port));
    await conn.write(postHead(`/ferry/v1/send?${query(hs)}`, 5_000_000) + 'x'.repeat(100));
    const res = await conn.responseThenClose();
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'payload_too_large' });
    expect(res.closed).toBe(true);
  });

  it('a small refused POST from a real HTTP client still reads its JSON error, then the connection closes', async () => {
    const server = track(await startServer());
    const agent = new http.Agent({ keepAlive: true });
    track({ close: async () => agent.destroy() });
    const body = '[["m",1,"hello"]]';
    const { status, headers, text, socketClosed } = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string; socketClosed: Promise<void> }>(
      (resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: server.port, path: '/ferry/v1/send?sid=nope&t=nope', method: 'POST', agent, headers: { 'Content-Type': 'text/plain', 'Content-Length': body.length } },
          (res) => {
            const socketClosed = new Promise<void>((done) => res.socket.once('close', () => done()));
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, socketClosed }));
          },
        );
        req.on('error', reject);
        req.end(body);
      },
    );
    expect(status).toBe(404);
    expect(headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(text)).toMatchObject({ error: 'unknown_session' });
    expect(headers.connection).toBe('close');
    await socketClosed;
  });

  it('a refused GET without a body keeps its keep-alive connection', async () => {
    const server = track(await startServer());
    const conn = closeLater(new RawConnection(server.port));
    await conn.write('GET /ferry/v1/poll?sid=nope&t=nope&e=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const res = await conn.responseThenClose(300);
    expect(res.status).toBe(404);
    expect(res.closed).toBe(false);
  });
});
