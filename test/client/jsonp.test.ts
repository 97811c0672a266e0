import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { connectClient, range, sequenceOf, startServer, waitFor, type TestServer } from '../support/harness.js';
import { streamBothWays } from '../support/streams.js';
import { TcpProxy } from '../support/tcp-proxy.js';

let server: TestServer | null = null;
let proxy: TcpProxy | null = null;
afterEach(async () => {
  await proxy?.close();
  await server?.close();
  server = null;
  proxy = null;
});

const JSONP = { transports: ['jsonp-polling' as const] };

/** Every request the server sees, as `METHOD path content-type`. */
function recordRequests(s: TestServer): string[] {
  const seen: string[] = [];
  s.http.on('request', (req: IncomingMessage) => seen.push(`${req.method} ${req.url ?? ''} ${req.headers['content-type'] ?? ''}`));
  return seen;
}

describe('forced jsonp-polling', () => {
  it('carries text, JSON and binary both ways, in order', async () => {
    server = await startServer();
    const requests = recordRequests(server);
    const client = connectClient(server.origin, JSONP);
    const sent = ['plain text', '', 'ünïcödé ✓ 𝄞', '</script><!--\u2028\u2029"\'&+%=', 42, 0, null, true, [1, [2, 3]], { nested: { deep: ['x'] } }, new Uint8Array([0, 1, 2, 253, 254, 255]), new Uint8Array(0)];
    client.socket.on('open', () => sent.forEach((value) => client.socket.send(value)));
    await waitFor(() => client.received.length === sent.length, 'echoes');
    expect(client.received).toEqual(sent);
    expect(client.received[10]).toBeInstanceOf(Uint8Array);
    expect(client.socket.transport).toBe('jsonp-polling');
    expect(server.sockets[0].transport).toBe('jsonp-polling');
    client.socket.close();

    // a script-tag handshake and polls, form sends; never XHR polls or raw-packet sends
    expect(requests[0]).toMatch(/^GET \/ferry\/v1\/handshake\?transport=jsonp-polling&cb=__ferry_jsonp_\d+ $/);
    const polls = requests.filter((r) => r.includes('/v1/jsonp?'));
    expect(polls.length).toBeGreaterThan(0);
    for (const poll of polls) expect(poll).toMatch(/^GET .*&cb=__ferry_jsonp_\d+/);
    const sends = requests.filter((r) => r.includes('/v1/send?') && r.endsWith('application/x-www-form-urlencoded'));
    expect(sends.length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.includes('/v1/poll?'))).toEqual([]);
    // the goodbye on close() is the socket's own raw POST (see the report): everything else is a form
    expect(requests.filter((r) => r.includes('/v1/send?') && !r.endsWith('application/x-www-form-urlencoded')).length).toBeLessThanOrEqual(1);
  });

  it('uses a fresh callback name for every script request', async () => {
    server = await startServer();
    const requests = recordRequests(server);
    const client = connectClient(server.origin, JSONP);
    client.socket.on('open', () => range(5).forEach((n) => client.socket.send({ n })));
    await waitFor(() => client.received.length === 5, 'echoes');
    client.socket.close();
    const names = requests.filter((r) => r.startsWith('GET ')).map((r) => /cb=(__ferry_jsonp_\d+)/.exec(r)?.[1]);
    expect(names.length).toBeGreaterThan(2);
    expect(new Set(names).size).toBe(names.length);
  });

  it('delivers a 2,000-message burst each way exactly once, in order', async () => {
    server = await startServer({}, (socket) => {
      const got: number[] = [];
      socket.on('message', (data) => {
        got.push((data as { n: number }).n);
        if (got.length === 2000) {
          socket.send({ serverGot: got.every((n, i) => n === i + 1) });
          for (const n of range(2000)) socket.send({ n });
        }
      });
    });
    const client = connectClient(server.origin, JSONP);
    client.socket.on('open', () => range(2000).forEach((n) => client.socket.send({ n })));
    await waitFor(() => client.received.length === 2001, 'burst', 20_000);
    expect(client.received[0]).toEqual({ serverGot: true });
    expect(sequenceOf(client.received.slice(1))).toEqual(range(2000));
    client.socket.close();
  });

  it('batches: a synchronous burst travels in far fewer requests than messages', async () => {
    server = await startServer();
    const requests = recordRequests(server);
    const client = connectClient(server.origin, JSONP);
    client.socket.on('open', () => range(300).forEach((n) => client.socket.send({ n })));
    await waitFor(() => client.received.length === 300, 'echoes');
    const sends = requests.filter((r) => r.includes('/v1/send?')).length;
    const polls = requests.filter((r) => r.includes('/v1/jsonp?')).length;
    expect(sends).toBeGreaterThan(0);
    expect(sends).toBeLessThan(30);
    expect(polls).toBeLessThan(30);
    client.socket.close();
  });

  it('resumes the same session without loss after its connections are cut', async () => {
    server = await startServer({}, () => {});
    proxy = await new TcpProxy(server.port).listen();
    const client = connectClient(proxy.origin, { ...JSONP, reconnectDelay: 20 });
    let reconnects = 0;
    client.socket.on('reconnect', () => reconnects++);
    await waitFor(() => server!.sockets.length === 1 && client.socket.state === 'open', 'connection');
    const streams = streamBothWays(client, server.sockets[0], 1500, 2);
    for (const threshold of [300, 700, 1100]) {
      await waitFor(() => client.received.length >= threshold, `${threshold} received`, 20_000);
      proxy.cutAll();
    }
    await waitFor(() => client.received.length === 1500 && streams.serverGot.length === 1500, 'both streams', 30_000);
    expect(sequenceOf(client.received)).toEqual(range(1500));
    expect(streams.serverGot).toEqual(range(1500));
    expect(reconnects).toBeGreaterThanOrEqual(1);
    expect(server.sockets).toHaveLength(1);
    expect(server.sockets[0].transport).toBe('jsonp-polling');
    expect(client.closes).toEqual([]);
    client.socket.close();
  });
});
