import { describe, expect, it } from 'vitest';
import { closeAfterEach, connectClient, range, sequenceOf, startServer, waitFor } from '../support/harness.js';
import { streamBothWays } from '../support/streams.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { ALL_TRANSPORTS } from '../support/transports.js';

const track = closeAfterEach();

describe.each(ALL_TRANSPORTS)('resume over %s', (transport) => {
  it('reconnects after connections are cut mid-stream and resumes the same session without loss', async () => {
    const server = track(await startServer({}, () => {}));
    const proxy = track(await new TcpProxy(server.port).listen());
    const client = connectClient(proxy.origin, { transports: [transport], reconnectDelay: 20 });
    let reconnects = 0;
    client.socket.on('reconnect', () => reconnects++);
    await waitFor(() => server.sockets.length === 1 && client.socket.state === 'open', 'connection');
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
    expect(server.sockets[0].transport).toBe(transport);
    client.socket.close();
  });
});

describe('past the resume window', () => {
  it('closes with a reason, then opens a new session the app can tell apart', async () => {
    const server = track(await startServer({ resumeWindow: 300, pingInterval: 200, pingTimeout: 200 }));
    const proxy = track(await new TcpProxy(server.port).listen());
    const client = connectClient(proxy.origin, { transports: ['websocket'], reconnectDelay: 50, reconnectDelayMax: 100 });
    let opens = 0;
    client.socket.on('open', () => opens++);
    await waitFor(() => opens === 1, 'open');
    const firstId = client.socket.id;
    proxy.mode = 'refuse';
    proxy.cutAll();
    await waitFor(() => server.ferry.sessionCount === 0, 'server expiry', 5000);
    proxy.mode = 'forward';
    await waitFor(() => opens === 2, 'second open', 10_000);
    expect(client.closes).toHaveLength(1);
    expect(client.closes[0]).toMatch(/expired/);
    expect(client.socket.id).not.toBe(firstId);
    expect(server.sockets).toHaveLength(2);
    client.socket.send('after');
    await waitFor(() => client.received.length === 1, 'echo on the new session');
    expect(client.received).toEqual(['after']);
    client.socket.close();
  });
});
