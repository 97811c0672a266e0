import { afterEach, describe, expect, it } from 'vitest';
import type { TransportName } from '../../protocol/index.js';
import { connectClient, range, startServer, waitFor, type TestServer } from '../support/harness.js';

const TRANSPORTS: TransportName[] = ['websocket', 'xhr-polling', 'iframe-streaming'];

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe.each(TRANSPORTS)('forced %s', (transport) => {
  it('carries text, JSON and binary both ways, in order', async () => {
    server = await startServer();
    const client = connectClient(server.origin, { transports: [transport] });
    const sent = ['plain text', '', 'ünïcödé ✓ 𝄞', 42, 0, null, true, [1, [2, 3]], { nested: { deep: ['x'] } }, new Uint8Array([0, 1, 2, 253, 254, 255]), new Uint8Array(0)];
    client.socket.on('open', () => sent.forEach((value) => client.socket.send(value)));
    await waitFor(() => client.received.length === sent.length, 'echoes');
    expect(client.received).toEqual(sent);
    expect(client.received[9]).toBeInstanceOf(Uint8Array);
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
    const requests: string[] = [];
    server.http.on('request', (req) => requests.push(req.url ?? ''));
    const client = connectClient(server.origin, { transports: [transport] });
    client.socket.on('open', () => range(300).forEach((n) => client.socket.send({ n })));
    await waitFor(() => client.received.length === 300, 'echoes');
    if (transport !== 'websocket') {
      const sends = requests.filter((url) => url.includes('/v1/send')).length;
      expect(sends).toBeGreaterThan(0);
      expect(sends).toBeLessThan(30);
    }
    if (transport === 'xhr-polling') {
      expect(requests.filter((url) => url.includes('/v1/poll')).length).toBeLessThan(30);
    }
    client.socket.close();
  });
});

describe('server API', () => {
  it('socket.close() ends the session on the client with a reason', async () => {
    server = await startServer({}, (socket) => socket.on('message', () => socket.close()));
    const client = connectClient(server.origin, { transports: ['websocket'] });
    client.socket.on('open', () => client.socket.send('bye'));
    await waitFor(() => client.closes.length === 1, 'close');
    expect(client.closes).toEqual(['server closed']);
    expect(client.socket.state).toBe('closed');
  });

  it('client close() fires close on the server socket', async () => {
    server = await startServer();
    const client = connectClient(server.origin, { transports: ['xhr-polling'] });
    await waitFor(() => server!.sockets.length === 1, 'connection');
    const reasons: string[] = [];
    server.sockets[0].on('close', (reason) => reasons.push(reason));
    await waitFor(() => client.socket.state === 'open', 'open');
    client.socket.close();
    await waitFor(() => reasons.length === 1, 'server close');
    expect(reasons).toEqual(['client closed']);
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('ferry.close() tells clients the server is shutting down', async () => {
    server = await startServer();
    const client = connectClient(server.origin, { transports: ['websocket'], reconnect: false });
    await waitFor(() => client.socket.state === 'open', 'open');
    await server.ferry.close();
    await waitFor(() => client.closes.length === 1, 'close');
    expect(client.closes[0]).toBe('server shutting down');
  });
});

describe('client events', () => {
  it('announces a transport only once it works, not for every reconnect attempt', async () => {
    const { TcpProxy } = await import('../support/tcp-proxy.js');
    server = await startServer();
    const proxy = await new TcpProxy(server.port).listen();
    try {
      const client = connectClient(proxy.origin, { transports: ['xhr-polling'], reconnectDelay: 20, reconnectDelayMax: 40 });
      await waitFor(() => client.socket.state === 'open', 'open');
      proxy.mode = 'refuse';
      proxy.cutAll();
      await waitFor(() => client.socket.state === 'reconnecting', 'reconnecting');
      await new Promise((resolve) => setTimeout(resolve, 400)); // several failed attempts
      proxy.mode = 'forward';
      await waitFor(() => client.socket.state === 'open', 'resumed');
      expect(client.transports).toEqual(['xhr-polling']);
      client.socket.close();
    } finally {
      await proxy.close();
    }
  });

  it('close says whether a new session follows, with the state already set', async () => {
    server = await startServer();
    const client = connectClient(server.origin, { transports: ['websocket'] });
    await waitFor(() => client.socket.state === 'open', 'open');
    const seen: Array<[string, boolean, string]> = [];
    client.socket.on('close', (reason, info) => seen.push([reason, info.renewing, client.socket.state]));
    server.sockets[0].close();
    await waitFor(() => seen.length === 1, 'close');
    expect(seen).toEqual([['server closed', false, 'closed']]);
  });
});

describe('open', () => {
  it.each([['xhr-polling'], ['websocket'], ['iframe-streaming']] as const)('%s: the transport is known inside the open handler', async (transport) => {
    server = await startServer();
    const client = connectClient(server.origin, { transports: [transport] });
    const seen: Array<string | null> = [];
    client.socket.on('open', () => seen.push(client.socket.transport));
    await waitFor(() => seen.length === 1, 'open');
    expect(seen).toEqual([transport]);
    client.socket.close();
  });
});
