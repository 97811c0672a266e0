import { describe, expect, it } from 'vitest';
import type { TransportName } from '../../protocol/index.js';
import { closeAfterEach, connectClient, startServer, waitFor } from '../support/harness.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const track = closeAfterEach();

describe('idle sessions', () => {
  it.each([
    [['websocket', 'xhr-polling'], 'websocket'],
    [['iframe-streaming', 'xhr-polling'], 'iframe-streaming'],
  ] as [TransportName[], TransportName][])('%j upgrade promptly with no traffic at all', async (transports, expected) => {
    const server = track(await startServer()); // default 20 s ping interval: nothing is sent for a long time
    const client = connectClient(server.origin, { transports });
    const started = Date.now();
    await waitFor(() => client.socket.transport === expected, expected, 3000);
    expect(Date.now() - started).toBeLessThan(2000);
    client.socket.close();
  });
});

describe('liveness', () => {
  it('a busy stream outlives many liveness deadlines: every packet moves the deadline on', async () => {
    // deadline 600 ms (interval + timeout); 3 s of traffic spans five of them
    const server = track(await startServer({ pingInterval: 300, pingTimeout: 300 }));
    const client = connectClient(server.origin, { transports: ['websocket'] });
    await waitFor(() => client.socket.state === 'open', 'open');
    let drops = 0;
    client.socket.on('reconnecting', () => drops++);
    for (let i = 0; i < 60; i++) {
      client.socket.send(i);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await waitFor(() => client.received.length === 60, 'echoes');
    expect(drops).toBe(0);
    expect(client.transports).toEqual(['websocket']);
    client.socket.close();
  });
});

describe('adaptive heartbeat', () => {
  it.each(['websocket', 'xhr-polling', 'iframe-streaming'] as TransportName[])(
    'over %s, a path that cuts idle connections stops cutting once the client asks for faster heartbeats',
    async (transport) => {
      const server = track(await startServer({ pingInterval: 10_000, pingTimeout: 2000 }));
      const proxy = track(await new TcpProxy(server.port).listen());
      proxy.idleTimeoutMs = 2500;
      const client = connectClient(proxy.origin, { transports: [transport], reconnectDelay: 20 });
      let drops = 0;
      client.socket.on('reconnecting', () => drops++);
      await waitFor(() => client.socket.state === 'open' && client.socket.transport === transport, 'open');
      client.socket.send('first');
      await waitFor(() => client.socket.heartbeat > 0 && client.socket.state === 'open', 'the first idle cut to be learned from', 15_000);
      expect(proxy.idleCuts).toBeGreaterThanOrEqual(1);
      expect(client.socket.heartbeat).toBeGreaterThanOrEqual(1000);
      expect(client.socket.heartbeat).toBeLessThan(2500);
      await new Promise((resolve) => setTimeout(resolve, 300)); // let the resumed transport settle
      const dropsAfterLearning = drops;
      const cutsAfterLearning = proxy.idleCuts;
      await new Promise((resolve) => setTimeout(resolve, 6000)); // more than two idle timeouts
      expect(drops).toBe(dropsAfterLearning);
      // the downstream is kept alive now (polling's idle keep-alive POST socket may still be cut, harmlessly)
      if (transport !== 'xhr-polling') expect(proxy.idleCuts).toBe(cutsAfterLearning);
      client.socket.send('after the idle period');
      await waitFor(() => client.received.length === 2, 'echoes');
      expect(client.received).toEqual(['first', 'after the idle period']);
      expect(server.sockets).toHaveLength(1);
      client.socket.close();
    },
    30_000,
  );
});

describe('message size', () => {
  it('send() refuses a message above maxMessageSize before it is queued; the session carries on', async () => {
    const server = track(await startServer({ maxMessageSize: 2048 }));
    const client = connectClient(server.origin, { transports: ['websocket'] });
    await waitFor(() => client.socket.state === 'open', 'open');
    expect(() => client.socket.send('€'.repeat(1000))).toThrow(RangeError);
    expect(() => client.socket.send(new Uint8Array(4096))).toThrow(RangeError);
    client.socket.send('small');
    await waitFor(() => client.received.length === 1, 'echo');
    expect(client.received).toEqual(['small']);
    expect(client.closes).toEqual([]);
    client.socket.close();
  });
});
