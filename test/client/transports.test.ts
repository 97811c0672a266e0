import { describe, expect, it } from 'vitest';
import type { TransportName } from '../../protocol/index.js';
import { closeAfterEach, connectClient, range, recordRequests, startServer, waitFor } from '../support/harness.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { ALL_TRANSPORTS, DOWNSTREAM, EVERY_KIND } from '../support/transports.js';

const track = closeAfterEach();

describe.each(ALL_TRANSPORTS)('forced %s', (transport) => {
  it('carries text, JSON and binary both ways, in order', async () => {
    const server = track(await startServer());
    const client = connectClient(server.origin, { transports: [transport] });
    const sent = EVERY_KIND;
    client.socket.on('open', () => sent.forEach((value) => client.socket.send(value)));
    await waitFor(() => client.received.length === sent.length, 'echoes');
    expect(client.received).toEqual(sent);
    sent.forEach((value, i) => {
      if (value instanceof Uint8Array) expect(client.received[i]).toBeInstanceOf(Uint8Array);
    });
    expect(client.socket.transport).toBe(transport);
    expect(server.sockets[0].transport).toBe(transport);
    client.socket.close();
  });

  it('delivers a 2,000-message burst each way exactly once, in order', async () => {
    const server = track(
      await startServer({}, (socket) => {
        const got: number[] = [];
        socket.on('message', (data) => {
          got.push((data as { n: number }).n);
          if (got.length === 2000) {
            socket.send({ serverGot: got.every((n, i) => n === i + 1) });
            for (const n of range(2000)) socket.send({ n });
          }
        });
      }),
    );
    const client = connectClient(server.origin, { transports: [transport] });
    client.socket.on('open', () => range(2000).forEach((n) => client.socket.send({ n })));
    await waitFor(() => client.received.length === 2001, 'burst', 20_000);
    expect(client.received[0]).toEqual({ serverGot: true });
    expect(client.received.slice(1).map((v) => (v as { n: number }).n)).toEqual(range(2000));
    client.socket.close();
  });

  it('batches: a synchronous burst travels in far fewer requests than messages', async () => {
    const server = track(await startServer());
    const requests = recordRequests(server);
    const client = connectClient(server.origin, { transports: [transport] });
    client.socket.on('open', () => range(300).forEach((n) => client.socket.send({ n })));
    await waitFor(() => client.received.length === 300, 'echoes');
    const count = (route: string) => requests.filter((url) => url.includes(route)).length;
    const downstream = DOWNSTREAM[transport];
    if (downstream === null) {
      expect(requests).toEqual([]); // everything went over the one WebSocket
    } else {
      expect(count('/v1/send?')).toBeGreaterThan(0);
      expect(count('/v1/send?')).toBeLessThan(30);
      if ('poll' in downstream) expect(count(downstream.poll + '?')).toBeLessThan(30);
      else expect(count(downstream.stream + '?')).toBe(1);
    }
    client.socket.close();
  });

  it('knows the transport inside the open handler', async () => {
    const server = track(await startServer());
    const client = connectClient(server.origin, { transports: [transport] });
    const seen: Array<string | null> = [];
    client.socket.on('open', () => seen.push(client.socket.transport));
    await waitFor(() => seen.length === 1, 'open');
    expect(seen).toEqual([transport]);
    client.socket.close();
  });
});

describe('server API', () => {
  it('socket.close() ends the session on the client with a reason', async () => {
    const server = track(await startServer({}, (socket) => socket.on('message', () => socket.close())));
    const client = connectClient(server.origin, { transports: ['websocket'] });
    client.socket.on('open', () => client.socket.send('bye'));
    await waitFor(() => client.closes.length === 1, 'close');
    expect(client.closes).toEqual(['server closed']);
    expect(client.socket.state).toBe('closed');
  });

  it.each(['xhr-polling', 'websocket'] as TransportName[])('client close() over %s fires close on the server socket', async (transport) => {
    const server = track(await startServer());
    const client = connectClient(server.origin, { transports: [transport] });
    await waitFor(() => server.sockets.length === 1, 'connection');
    const reasons: string[] = [];
    server.sockets[0].on('close', (reason) => reasons.push(reason));
    await waitFor(() => client.socket.state === 'open', 'open');
    client.socket.close();
    await waitFor(() => reasons.length === 1, 'server close');
    expect(reasons).toEqual(['client closed']);
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('ferry.close() tells clients the server is shutting down', async () => {
    const server = track(await startServer());
    const client = connectClient(server.origin, { transports: ['websocket'], reconnect: false });
    await waitFor(() => client.socket.state === 'open', 'open');
    await server.ferry.close();
    await waitFor(() => client.closes.length === 1, 'close');
    expect(client.closes[0]).toBe('server shutting down');
  });
});

describe('client events', () => {
  it('announces a transport only once it works, not for every reconnect attempt', async () => {
    const server = track(await startServer());
    const proxy = track(await new TcpProxy(server.port).listen());
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
  });

  it('close says whether a new session follows, with the state already set', async () => {
    const server = track(await startServer());
    const client = connectClient(server.origin, { transports: ['websocket'] });
    await waitFor(() => client.socket.state === 'open', 'open');
    const seen: Array<[string, boolean, string]> = [];
    client.socket.on('close', (reason, info) => seen.push([reason, info.renewing, client.socket.state]));
    server.sockets[0].close();
    await waitFor(() => seen.length === 1, 'close');
    expect(seen).toEqual([['server closed', false, 'closed']]);
  });
});
