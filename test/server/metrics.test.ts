import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { eventItem, messageItem } from '../../protocol/index.js';
import { Refusal, type FerryMetrics, type SessionExpiry, type Socket, type TransportFailure } from '../../server/index.js';
import { escapeLabelValue, prometheusText } from '../../server/metrics-text.js';
import { closeAfterEach, connectClient, startServer, waitFor, type Closable } from '../support/harness.js';
import { query, rawHandshake } from '../support/raw-session.js';
import { clientFrame, rawWebSocketSession } from '../support/raw-websocket.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const track = closeAfterEach();

/** An HTTP server on 127.0.0.1 serving only `handler`. */
async function serve(handler: http.RequestListener): Promise<Closable & { url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The text format 0.0.4, line by line: every line a HELP, a TYPE or a sample of the family just described. Returns the samples. */
function parseExposition(text: string): Map<string, number> {
  expect(text.endsWith('\n')).toBe(true);
  const samples = new Map<string, number>();
  let family: { name: string; type: string | null } | null = null;
  for (const line of text.slice(0, -1).split('\n')) {
    const help = /^# HELP (ferry_[a-z_]+) \S.*$/.exec(line);
    const type = /^# TYPE (ferry_[a-z_]+) (counter|gauge)$/.exec(line);
    const sample = /^(ferry_[a-z_]+)(\{[a-z_]+="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-z_]+="(?:[^"\\\n]|\\[\\"n])*")*\})? (-?[0-9]+(?:\.[0-9]+)?)$/.exec(line);
    if (help) {
      family = { name: help[1], type: null };
    } else if (type) {
      expect(type[1]).toBe(family?.name);
      family!.type = type[2];
      expect(type[1].endsWith('_total')).toBe(type[2] === 'counter');
    } else if (sample) {
      expect(sample[1], line).toBe(family?.name);
      expect(family?.type, line).not.toBeNull();
      samples.set(sample[1] + (sample[2] ?? ''), Number(sample[3]));
    } else {
      throw new Error('not a line of the text format: ' + JSON.stringify(line));
    }
  }
  return samples;
}

describe('metrics', () => {
  it('counts a known sequence exactly: 2 handshakes, 1 upgrade, 1 blackholed probe, 10 messages each way, 1 origin refusal', async () => {
    const server = track(await startServer({ pingTimeout: 1500 }, () => {}));
    const proxy = track(await new TcpProxy(server.port, 'blackhole-websocket').listen());
    const upgraded = connectClient(server.origin, { transports: ['websocket', 'xhr-polling'] });
    await waitFor(() => upgraded.socket.transport === 'websocket', 'the upgrade');
    const blackholed = connectClient(proxy.origin, { transports: ['websocket', 'xhr-polling'], probeTimeout: 400 });
    await waitFor(() => server.ferry.metrics().transportFailures.websocket !== undefined, 'the probe to fail on the server', 5000);

    const socket = server.sockets[0];
    const got: unknown[] = [];
    socket.on('message', (data) => got.push(data));
    const out = Array.from({ length: 10 }, (_, i) => ({ n: i + 1, text: 'été' }));
    for (const data of out) socket.send(data);
    for (let i = 1; i <= 10; i++) upgraded.socket.send({ n: i });
    await waitFor(() => got.length === 10 && upgraded.received.length === 10, 'ten messages each way');
    const refused = await request(server.http).post('/ferry/v1/handshake').set('Origin', 'http://evil.example');
    expect(refused.status).toBe(403);
    await waitFor(() => server.ferry.metrics().pendingMessages === 0 && server.ferry.metrics().bufferedBytes === 0, 'the client to acknowledge everything');

    const payloadBytes = out.reduce((n, data) => n + JSON.stringify(data).length, 0);
    const metrics = server.ferry.metrics();
    // every packet the clients sent (messages, acks, probes) came in, so more than the ten messages' payloads
    expect(metrics.bytesIn).toBeGreaterThan(out.length * 8);
    expect(metrics).toEqual<FerryMetrics>({
      sessions: { total: 2, byTransport: { websocket: 1, 'xhr-polling': 1 } },
      bufferedBytes: 0,
      pendingMessages: 0,
      handshakes: { total: 2, byTransport: { 'xhr-polling': 2 } },
      handshakesRefused: { origin_not_allowed: 1 },
      upgrades: { 'xhr-polling→websocket': 1 },
      transportFailures: { websocket: { probe_timeout: 1 } },
      resumes: 0,
      sessionsEnded: {},
      messagesIn: 10,
      messagesOut: 10,
      eventsIn: 0,
      eventsOut: 0,
      bytesIn: metrics.bytesIn,
      bytesOut: payloadBytes,
      refusals: { origin_not_allowed: 1 },
      httpErrors: { origin_not_allowed: 1 },
      closeCodes: { 4004: 1 },
      relayed: { out: 0, in: 0 },
    });
    expect(blackholed.socket.transport).toBe('xhr-polling');

    const endpoint = track(await serve(server.ferry.metricsHandler()));
    const res = await fetch(endpoint.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseExposition(await res.text());
    expect(samples.get('ferry_sessions{transport="websocket"}')).toBe(1);
    expect(samples.get('ferry_handshakes_total{transport="xhr-polling"}')).toBe(2);
    expect(samples.get('ferry_upgrades_total{from="xhr-polling",to="websocket"}')).toBe(1);
    expect(samples.get('ferry_transport_failures_total{transport="websocket",reason="probe_timeout"}')).toBe(1);
    expect(samples.get('ferry_refusals_total{reason="origin_not_allowed"}')).toBe(1);
    expect(samples.get('ferry_messages_received_total')).toBe(10);
    expect(samples.get('ferry_messages_sent_total')).toBe(10);
    expect(samples.get('ferry_sent_bytes_total')).toBe(payloadBytes);
    expect(samples.get('ferry_received_bytes_total')).toBe(metrics.bytesIn);
    expect(samples.get('ferry_close_codes_total{code="4004"}')).toBe(1);

    upgraded.socket.close();
    await waitFor(() => server.ferry.metrics().sessions.total === 1, 'the goodbye');
    // the blackholed WebSocket would hold the HTTP server's close until ws gives up its closing handshake
    await proxy.close();
    await server.close();
    expect(server.ferry.metrics().sessionsEnded).toEqual({ closed_by_client: 1, server_shutdown: 1 });
    expect(server.ferry.metrics().closeCodes).toEqual({ 1000: 1, 4000: 1, 4004: 1 });
  });

  it('counts the bytes of every packet received and the payload of every message and event queued', async () => {
    const server = track(
      await startServer({}, (socket) => {
        socket.send({ n: 1 });
        socket.emit('hello', 'wörld');
      }),
    );
    const hs = await rawHandshake(server);
    const body = '[["m",1,"héllo"],["e",2,"chat",["x"]]]';
    await request(server.http).post(`/ferry/v1/send?${query(hs)}`).type('text/plain').send(body).expect(200);
    const { conn } = await rawWebSocketSession(server.port);
    const packet = Buffer.from('[["m",1,{"ü":true}]]');
    await conn.write(clientFrame(0x1, packet));
    await waitFor(() => server.ferry.metrics().messagesIn === 2, 'the WebSocket message');
    conn.socket.destroy();
    const metrics = server.ferry.metrics();
    expect(metrics.bytesIn).toBe(Buffer.byteLength(body) + packet.length);
    expect({ messagesIn: metrics.messagesIn, eventsIn: metrics.eventsIn, messagesOut: metrics.messagesOut, eventsOut: metrics.eventsOut }).toEqual({
      messagesIn: 2,
      eventsIn: 1,
      messagesOut: 2,
      eventsOut: 2,
    });
    const perSession = (messageItem({ n: 1 }) as string).length + eventItem('hello', ['wörld']).length;
    expect(metrics.bytesOut).toBe(2 * perSession);
    expect(metrics.handshakes).toEqual({ total: 2, byTransport: { 'xhr-polling': 1, websocket: 1 } });
  });

  it('reports a lost transport (transport-failed) and counts the resume that follows', async () => {
    const server = track(await startServer({}, () => {}));
    const proxy = track(await new TcpProxy(server.port, 'forward').listen());
    const failures: TransportFailure[] = [];
    server.ferry.on('transport-failed', (info) => failures.push(info));
    const client = connectClient(proxy.origin, { transports: ['websocket'] });
    await waitFor(() => client.socket.transport === 'websocket' && server.sockets.length === 1, 'the WebSocket session');
    proxy.cutAll();
    await waitFor(() => server.ferry.metrics().resumes === 1, 'the resume');
    expect(failures).toEqual([{ id: server.sockets[0].id, transport: 'websocket', reason: 'connection_lost' }]);
    const metrics = server.ferry.metrics();
    expect(metrics.transportFailures).toEqual({ websocket: { connection_lost: 1 } });
    expect(metrics.sessions).toEqual({ total: 1, byTransport: { websocket: 1 } });
    expect(metrics.handshakes.total).toBe(1);
    expect(metrics.sessionsEnded).toEqual({});
    client.socket.close();
  });

  it('reports a session whose resume window ran out (session-expired), and a listener that throws as the app\'s error', async () => {
    const server = track(await startServer({ resumeWindow: 300, provisionalResumeWindow: 300 }, () => {}));
    const expired: SessionExpiry[] = [];
    const errors: Array<[Error, Socket | null]> = [];
    server.ferry.on('session-expired', (info) => expired.push(info));
    server.ferry.on('session-expired', () => {
      throw new Error('the app\'s bug');
    });
    server.ferry.on('error', (error, socket) => errors.push([error, socket]));
    const hs = await rawHandshake(server);
    await waitFor(() => expired.length === 1, 'the resume window to run out', 3000);
    expect(expired).toEqual([{ id: hs.sid, reason: 'resume window expired', transport: 'xhr-polling' }]);
    expect(errors.map(([error, socket]) => [error.message, socket?.id])).toEqual([['the app\'s bug', hs.sid]]);
    const metrics = server.ferry.metrics();
    expect(metrics.sessionsEnded).toEqual({ expired: 1 });
    expect(metrics.closeCodes).toEqual({ 4010: 1 });
    expect(metrics.sessions).toEqual({ total: 0, byTransport: {} });
  });

  it('counts sessions between transports as transport "none"', async () => {
    const server = track(await startServer({}, () => {}));
    const hs = await rawHandshake(server);
    expect(server.ferry.metrics().sessions).toEqual({ total: 1, byTransport: { none: 1 } });
    const poll = await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1')}`);
    expect(poll.status).toBe(200);
    expect(server.ferry.metrics().sessions).toEqual({ total: 1, byTransport: { 'xhr-polling': 1 } });
  });

  it('counts handshakes the middleware refuses by their code, over HTTP, JSONP and a direct WebSocket', async () => {
    const server = track(await startServer({}, () => {}));
    server.ferry.use((h) => {
      if (h.auth === 'banned') throw new Refusal('you are banned', { status: 403 });
      throw new Refusal('sign in first');
    });
    expect((await request(server.http).post('/ferry/v1/handshake').send('{"auth":"banned"}')).status).toBe(403);
    expect((await request(server.http).post('/ferry/v1/handshake')).status).toBe(401);
    const jsonp = await request(server.http).get('/ferry/v1/handshake?transport=jsonp-polling&cb=__ferry_jsonp_1').set('Sec-Fetch-Site', 'same-origin');
    expect(jsonp.status).toBe(200);
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws`);
    ws.on('open', () => ws.send('[["auth",null]]'));
    const [code] = await new Promise<[number]>((resolve) => ws.on('close', (closeCode) => resolve([closeCode])));
    expect(code).toBe(4401);
    const metrics = server.ferry.metrics();
    expect(metrics.handshakesRefused).toEqual({ forbidden: 1, unauthorized: 3 });
    expect(metrics.refusals).toEqual({ forbidden: 1, unauthorized: 3 });
    expect(metrics.httpErrors).toEqual({ forbidden: 1, unauthorized: 2 });
    expect(metrics.closeCodes).toEqual({ 4401: 1 });
    expect(metrics.handshakes.total).toBe(0);
  });

  it('escapes label values and help texts in the text format', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const snapshot: FerryMetrics = {
      sessions: { total: 0, byTransport: {} },
      bufferedBytes: 0,
      pendingMessages: 0,
      handshakes: { total: 0, byTransport: {} },
      handshakesRefused: {},
      upgrades: {},
      transportFailures: {},
      resumes: 0,
      sessionsEnded: {},
      messagesIn: 0,
      messagesOut: 0,
      eventsIn: 0,
      eventsOut: 0,
      bytesIn: 0,
      bytesOut: 0,
      refusals: {},
      // a label value no real code has, to see it written escaped
      httpErrors: { 'say "hi"\\\n': 3 } as unknown as FerryMetrics['httpErrors'],
      closeCodes: {},
      relayed: { out: 0, in: 0 },
    };
    const samples = parseExposition(prometheusText(snapshot));
    expect(samples.get('ferry_http_errors_total{code="say \\"hi\\"\\\\\\n"}')).toBe(3);
    expect(samples.get('ferry_resumes_total')).toBe(0);
  });

  it('serves the text format to GET only: another method gets 405', async () => {
    const server = track(await startServer({}, () => {}));
    const endpoint = track(await serve(server.ferry.metricsHandler()));
    const res = await fetch(endpoint.url, { method: 'POST' });
    expect(res.status).toBe(405);
  });
});
