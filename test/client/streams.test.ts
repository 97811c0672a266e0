import { afterEach, describe, expect, it } from 'vitest';
import type { TransportName } from '../../protocol/index.js';
import { connectClient, range, sequenceOf, startServer, waitFor, type TestServer } from '../support/harness.js';
import { streamBothWays } from '../support/streams.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/** The streaming transports added beside iframe streaming, each forced on its own. */
const STREAMS: Array<[TransportName, string]> = [
  ['eventsource', '/v1/eventsource'],
  ['xhr-streaming', '/v1/xhr-stream'],
];

let server: TestServer | null = null;
let proxy: TcpProxy | null = null;
afterEach(async () => {
  await proxy?.close();
  await server?.close();
  server = null;
  proxy = null;
});

/** Records the URL of every request the server sees. */
function recordRequests(target: TestServer): string[] {
  const urls: string[] = [];
  target.http.on('request', (req) => urls.push(req.url ?? ''));
  return urls;
}

describe.each(STREAMS)('forced %s', (transport, route) => {
  it('carries text, JSON and binary both ways, in order', async () => {
    server = await startServer();
    const client = connectClient(server.origin, { transports: [transport] });
    const sent = ['plain text', '', 'ünïcödé ✓ 𝄞', 'line\nbreak\r\n', 42, 0, null, true, [1, [2, 3]], { nested: { deep: ['x'] } }, new Uint8Array([0, 1, 2, 253, 254, 255]), new Uint8Array(0)];
    client.socket.on('open', () => sent.forEach((value) => client.socket.send(value)));
    await waitFor(() => client.received.length === sent.length, 'echoes');
    expect(client.received).toEqual(sent);
    expect(client.received[10]).toBeInstanceOf(Uint8Array);
    expect(client.socket.transport).toBe(transport);
    expect(server.sockets[0].transport).toBe(transport);
    client.socket.close();
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
    const client = connectClient(server.origin, { transports: [transport] });
    client.socket.on('open', () => range(2000).forEach((n) => client.socket.send({ n })));
    await waitFor(() => client.received.length === 2001, 'burst', 20_000);
    expect(client.received[0]).toEqual({ serverGot: true });
    expect(client.received.slice(1).map((v) => (v as { n: number }).n)).toEqual(range(2000));
    client.socket.close();
  });

  it('batches: a synchronous burst travels in far fewer requests than messages', async () => {
    server = await startServer();
    const requests = recordRequests(server);
    const client = connectClient(server.origin, { transports: [transport] });
    client.socket.on('open', () => range(300).forEach((n) => client.socket.send({ n })));
    await waitFor(() => client.received.length === 300, 'echoes');
    const sends = requests.filter((url) => url.includes('/v1/send')).length;
    expect(sends).toBeGreaterThan(0);
    expect(sends).toBeLessThan(30);
    expect(requests.filter((url) => url.includes(route + '?')).length).toBe(1);
    client.socket.close();
  });

  it('reopens the stream after the byte limit with nothing lost or repeated', async () => {
    const serverGot: number[] = [];
    server = await startServer({ streamByteLimit: 4096 }, (socket) => {
      socket.on('message', (data) => {
        serverGot.push((data as { n: number }).n);
        socket.send(data);
      });
    });
    const requests = recordRequests(server);
    const client = connectClient(server.origin, { transports: [transport] });
    client.socket.on('open', () => range(500).forEach((n) => client.socket.send({ n })));
    await waitFor(() => client.received.length >= 500, '500 echoes', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 100)); // room for a duplicate to show up
    expect(serverGot).toEqual(range(500));
    expect(client.received.map((v) => (v as { n: number }).n)).toEqual(range(500));
    expect(requests.filter((url) => url.includes(route + '?')).length).toBeGreaterThan(3);
    expect(client.socket.transport).toBe(transport);
    client.socket.close();
  });

  it('resumes the same session without loss after its connections are cut mid-stream', async () => {
    server = await startServer({}, () => {});
    proxy = await new TcpProxy(server.port).listen();
    const client = connectClient(proxy.origin, { transports: [transport], reconnectDelay: 20 });
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
    expect(client.closes).toEqual([]);
    expect(client.socket.transport).toBe(transport);
    client.socket.close();
  });
});
