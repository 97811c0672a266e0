import { afterEach, describe, expect, it } from 'vitest';
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

describe('upgrade', () => {
  it('starts on long-polling and moves to WebSocket with messages in flight both ways, losing and duplicating none', async () => {
    server = await startServer({}, () => {});
    const client = connectClient(server.origin, { transports: ['websocket', 'xhr-polling'] });
    await waitFor(() => server!.sockets.length === 1, 'connection');
    const streams = streamBothWays(client, server.sockets[0], 1500, 1);
    await waitFor(() => client.received.length === 1500 && streams.serverGot.length === 1500, 'both streams', 20_000);
    expect(client.transports).toEqual(['xhr-polling', 'websocket']);
    expect(sequenceOf(client.received)).toEqual(range(1500));
    expect(streams.serverGot).toEqual(range(1500));
    expect(server.sockets[0].transport).toBe('websocket');
    client.socket.close();
  });

  it('abandons a WebSocket whose handshake passes but whose frames are dropped, and keeps delivering', async () => {
    server = await startServer({}, () => {});
    proxy = await new TcpProxy(server.port, 'blackhole-websocket').listen();
    const client = connectClient(proxy.origin, { transports: ['websocket', 'xhr-polling'], probeTimeout: 400 });
    await waitFor(() => server!.sockets.length === 1, 'connection');
    const streams = streamBothWays(client, server.sockets[0], 600, 2);
    await waitFor(() => client.socket.attempts.length > 0, 'the probe to be abandoned', 5000);
    await waitFor(() => client.received.length === 600 && streams.serverGot.length === 600, 'both streams', 20_000);
    expect(client.socket.transport).toBe('xhr-polling');
    expect(client.socket.attempts).toEqual([expect.objectContaining({ transport: 'websocket', outcome: 'failed' })]);
    expect(sequenceOf(client.received)).toEqual(range(600));
    expect(streams.serverGot).toEqual(range(600));
    client.socket.close();
  });

  it('falls back to an HTTP transport when a working WebSocket starts dropping frames mid-session', async () => {
    server = await startServer({ pingInterval: 200, pingTimeout: 300 }, () => {});
    proxy = await new TcpProxy(server.port, 'forward').listen();
    const client = connectClient(proxy.origin, { transports: ['websocket', 'xhr-polling'] });
    await waitFor(() => client.socket.transport === 'websocket', 'websocket');
    const streams = streamBothWays(client, server.sockets[0], 800, 2);
    await waitFor(() => client.received.length > 100, 'some traffic');
    proxy.mode = 'blackhole-websocket';
    await waitFor(() => client.received.length === 800 && streams.serverGot.length === 800, 'both streams', 20_000);
    expect(client.transports.slice(-1)).toEqual(['xhr-polling']);
    expect(sequenceOf(client.received)).toEqual(range(800));
    expect(streams.serverGot).toEqual(range(800));
    expect(server.sockets).toHaveLength(1);
    client.socket.close();
  });

  it('upgrades from long-polling to iframe streaming when WebSocket is not wanted', async () => {
    server = await startServer({}, () => {});
    const client = connectClient(server.origin, { transports: ['iframe-streaming', 'xhr-polling'] });
    await waitFor(() => server!.sockets.length === 1, 'connection');
    const streams = streamBothWays(client, server.sockets[0], 800, 1);
    await waitFor(() => client.received.length === 800 && streams.serverGot.length === 800, 'both streams', 20_000);
    expect(client.transports).toEqual(['xhr-polling', 'iframe-streaming']);
    expect(sequenceOf(client.received)).toEqual(range(800));
    expect(streams.serverGot).toEqual(range(800));
    client.socket.close();
  });
});
