import http from 'node:http';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { Handshake } from '../../protocol/index.js';
import { closeAfterEach, startServer, waitFor, type TestServer } from '../support/harness.js';
import { query, rawHandshake } from '../support/raw-session.js';

const track = closeAfterEach();

const XHR_PRELUDE = ' '.repeat(2048) + '\n[]\n';

/** A GET read as it grows: its status, its body so far, whether it has ended. */
class OpenResponse {
  status = 0;
  body = '';
  ended = false;
  readonly #req: http.ClientRequest;

  constructor(url: string) {
    this.#req = http.get(url, (res) => {
      this.status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (this.body += chunk));
      res.on('close', () => (this.ended = true));
    });
    this.#req.on('error', () => (this.ended = true));
  }

  abort(): void {
    this.#req.destroy();
  }
}

/** A server whose sessions' sockets are kept and never echo; a session on long-polling with a poll held. */
async function sessionOnPolling(options = {}): Promise<{ server: TestServer; hs: Handshake; held: OpenResponse }> {
  const server = track(await startServer(options, () => {}));
  const hs = await rawHandshake(server);
  // a new session's first poll is held (pingInterval, 20 s) until there is something to send
  const held = new OpenResponse(`${server.origin}/ferry/v1/poll?${query(hs, '&e=1&ack=0')}`);
  await waitFor(() => server.sockets.length === 1 && server.sockets[0].connected, 'the poll to be held');
  return { server, hs, held };
}

function post(server: TestServer, hs: Handshake, body: string) {
  return request(server.http).post(`/ferry/v1/send?${query(hs)}`).set('Content-Type', 'text/plain').send(body);
}

const candidateUrl = (server: TestServer, hs: Handshake, epoch: number, route = 'xhr-stream') => `${server.origin}/ferry/v1/${route}?${query(hs, `&e=${epoch}&ack=0&probe=1`)}`;

describe('a stream candidate (probe=1)', () => {
  it('shows the client its first packet at once while the session keeps delivering on long-polling', async () => {
    const { server, hs, held } = await sessionOnPolling();
    const stream = new OpenResponse(candidateUrl(server, hs, 2));
    await waitFor(() => stream.body === XHR_PRELUDE, 'the prelude and the empty packet');
    server.sockets[0].send('kept on polling');
    await waitFor(() => held.ended, 'the held poll to answer');
    expect(held.body).toBe('[["m",1,"kept on polling"]]');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stream.body).toBe(XHR_PRELUDE);
    expect(server.sockets[0].transport).toBe('xhr-polling');
    stream.abort();
  });

  it('takes the session over on ["upgrade",ack,epoch] by POST: the held poll answers [], the stream replays after the ack, the old epoch is stale', async () => {
    const { server, hs, held } = await sessionOnPolling();
    const socket = server.sockets[0];
    const stream = new OpenResponse(candidateUrl(server, hs, 2));
    await waitFor(() => stream.body === XHR_PRELUDE, 'the prelude');
    socket.send('one');
    await waitFor(() => held.ended, 'the held poll to answer');
    socket.send('two');
    // the client got message 1 by the poll, and switches
    const reply = await post(server, hs, '[["upgrade",1,2]]').expect(200);
    expect(reply.text).toBe('[["a",0]]');
    await waitFor(() => stream.body.length > XHR_PRELUDE.length, 'the replay');
    expect(stream.body.slice(XHR_PRELUDE.length)).toBe('[["m",2,"two"]]\n');
    expect(socket.transport).toBe('xhr-streaming');
    const stale = await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1&ack=1')}`).expect(409);
    expect(stale.body.error).toBe('stale_transport');
    expect(server.ferry.metrics().upgrades).toEqual({ 'xhr-polling→xhr-streaming': 1 });
    socket.send('three');
    await waitFor(() => stream.body.endsWith('[["m",3,"three"]]\n'), 'later messages on the stream');
    stream.abort();
  });

  it('takes frames after the upgrade in the same packet as ordinary traffic', async () => {
    const { server, hs } = await sessionOnPolling();
    const got: unknown[] = [];
    server.sockets[0].on('message', (data) => got.push(data));
    const stream = new OpenResponse(candidateUrl(server, hs, 2, 'eventsource'));
    await waitFor(() => stream.body.includes('data: []'), 'the empty packet');
    await post(server, hs, '[["upgrade",0,2],["m",1,"after the switch"]]').expect(200);
    expect(got).toEqual(['after the switch']);
    expect(server.sockets[0].transport).toBe('eventsource');
    stream.abort();
  });

  it('a newer candidate replaces the one waiting; only the newer can take over', async () => {
    const { server, hs } = await sessionOnPolling();
    const first = new OpenResponse(candidateUrl(server, hs, 2));
    await waitFor(() => first.body === XHR_PRELUDE, 'the first candidate');
    const second = new OpenResponse(candidateUrl(server, hs, 3));
    await waitFor(() => first.ended && second.body === XHR_PRELUDE, 'the first candidate to end');
    await post(server, hs, '[["upgrade",0,3]]').expect(200);
    expect(server.sockets[0].transport).toBe('xhr-streaming');
    second.abort();
  });

  it('must be newer than the transport the session is on', async () => {
    const { server, hs, held } = await sessionOnPolling();
    for (const epoch of [1, 0]) {
      const res = await request(server.http).get(`/ferry/v1/xhr-stream?${query(hs, `&e=${epoch}&ack=0&probe=1`)}`);
      expect(res.status).toBe(epoch === 0 ? 400 : 409);
    }
    expect(held.ended).toBe(false);
  });

  it('an upgrade naming a candidate that is gone drops the older transport, and the reply says detached', async () => {
    const { server, hs, held } = await sessionOnPolling();
    const stream = new OpenResponse(candidateUrl(server, hs, 2));
    await waitFor(() => stream.body === XHR_PRELUDE, 'the prelude');
    stream.abort();
    await waitFor(() => server.ferry.metrics().transportFailures['xhr-streaming'] !== undefined, 'the server to see the candidate go');
    expect(server.ferry.metrics().transportFailures).toEqual({ 'xhr-streaming': { probe_abandoned: 1 } });
    const reply = await post(server, hs, '[["upgrade",0,2]]').expect(200);
    expect(reply.text).toBe('[["a",0],["detached"]]');
    await waitFor(() => held.ended, 'the held poll to end');
    expect(server.sockets[0].connected).toBe(false);
    // the session goes on: the client resumes on a new transport and gets what was sent meanwhile
    server.sockets[0].send('still here');
    const resumed = await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=3&ack=0')}`).expect(200);
    expect(resumed.text).toBe('[["m",1,"still here"]]');
  });

  it('one not taken over within pingTimeout is ended and counted', async () => {
    const { server, hs, held } = await sessionOnPolling({ pingTimeout: 300 });
    const stream = new OpenResponse(candidateUrl(server, hs, 2));
    await waitFor(() => stream.ended, 'the candidate to end', 3000);
    expect(stream.body).toBe(XHR_PRELUDE);
    expect(server.ferry.metrics().transportFailures).toEqual({ 'xhr-streaming': { probe_timeout: 1 } });
    held.abort();
  });

  it('carries the goodbye when the session ends while it waits', async () => {
    const { server, hs } = await sessionOnPolling();
    const stream = new OpenResponse(candidateUrl(server, hs, 2));
    await waitFor(() => stream.body === XHR_PRELUDE, 'the prelude');
    server.sockets[0].close();
    await waitFor(() => stream.ended, 'the candidate to end');
    expect(stream.body.slice(XHR_PRELUDE.length)).toBe('[["close",1000,"server closed"]]\n');
  });

  it('an upgrade without an epoch by POST breaks the protocol', async () => {
    const { server, hs } = await sessionOnPolling();
    const res = await post(server, hs, '[["upgrade",0]]').expect(400);
    expect(res.body).toEqual({ error: 'malformed_packet', message: 'unexpected "upgrade" frame from the client' });
    expect(server.ferry.sockets().length).toBe(0);
  });
});
