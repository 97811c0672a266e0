import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, startServer } from '../support/harness.js';
import { query, rawHandshake } from '../support/raw-session.js';

const track = closeAfterEach();

interface Capture {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** GETs `url` and resolves once the body contains `until` (or the response ends). */
function capture(url: string, until: string, headers: Record<string, string> = {}): Promise<Capture> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      let body = '';
      const done = () => {
        res.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (body.includes(until)) done();
      });
      res.on('end', done);
    }).on('error', reject);
  });
}

const sendThree = (socket: { send(data: unknown): boolean }) => ['one', 'two', 'three'].forEach((text) => socket.send(text));

describe('eventsource output', () => {
  it('starts with a 2 KiB comment and an empty packet, then one event per packet whose id is the highest seq so far', async () => {
    const server = track(await startServer({}, sendThree));
    const hs = await rawHandshake(server);
    const { status, headers, body } = await capture(`${server.origin}/ferry/v1/eventsource?${query(hs, '&e=1&ack=0')}`, '"three"');
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(headers['cache-control']).toContain('no-store');
    expect(headers['x-accel-buffering']).toBe('no');
    expect(body).toBe(':' + ' '.repeat(2048) + '\n\n' + 'id: 0\ndata: []\n\n' + 'id: 3\ndata: [["m",1,"one"],["m",2,"two"],["m",3,"three"]]\n\n');
  });

  it('takes Last-Event-ID as the ack when it is above the ack parameter', async () => {
    const server = track(await startServer({}, sendThree));
    const hs = await rawHandshake(server);
    // a first stream gets all three (a client may only acknowledge what was sent to it)
    await capture(`${server.origin}/ferry/v1/eventsource?${query(hs, '&e=1&ack=0')}`, '"three"');
    const url = `${server.origin}/ferry/v1/eventsource?${query(hs, '&e=2&ack=1')}`;
    const { body } = await capture(url, '"three"', { 'Last-Event-ID': '2' });
    expect(body.slice(2051)).toBe('id: 2\ndata: []\n\nid: 3\ndata: [["m",3,"three"]]\n\n');
  });

  it('refuses a Last-Event-ID that is not a sequence number', async () => {
    const server = track(await startServer());
    const hs = await rawHandshake(server);
    const { status, body } = await capture(`${server.origin}/ferry/v1/eventsource?${query(hs, '&e=1')}`, '}', { 'Last-Event-ID': 'abc' });
    expect(status).toBe(400);
    expect(JSON.parse(body)).toEqual({ error: 'bad_request', message: 'the Last-Event-ID header must be a non-negative integer' });
  });
});

describe('xhr-streaming output', () => {
  it('starts with a line of 2048 spaces and an empty packet, then one line per packet', async () => {
    const server = track(await startServer({}, sendThree));
    const hs = await rawHandshake(server);
    const { status, headers, body } = await capture(`${server.origin}/ferry/v1/xhr-stream?${query(hs, '&e=1&ack=0')}`, '"three"');
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(headers['transfer-encoding']).toBe('chunked');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(body).toBe(' '.repeat(2048) + '\n' + '[]\n' + '[["m",1,"one"],["m",2,"two"],["m",3,"three"]]\n');
  });
});
