import { describe, expect, it } from 'vitest';
import { closeAfterEach, connectClient, range, sequenceOf, startServer, waitFor } from '../support/harness.js';
import { streamBothWays } from '../support/streams.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const track = closeAfterEach();

describe('upgrade', () => {
  it.each([
    ['websocket', 1500],
    ['iframe-streaming', 800],
  ] as const)('starts on long-polling and moves to %s with messages in flight both ways, losing and duplicating none', async (better, count) => {
    const server = track(await startServer({}, () => {}));
    const client = connectClient(server.origin, { transports: [better, 'xhr-polling'] });
    await waitFor(() => server.sockets.length === 1, 'connection');
    const streams = streamBothWays(client, server.sockets[0], count, 1);
    await waitFor(() => client.received.length === count && streams.serverGot.length === count, 'both streams', 20_000);
    expect(client.transports).toEqual(['xhr-polling', better]);
    expect(sequenceOf(client.received)).toEqual(range(count));
    expect(streams.serverGot).toEqual(range(count));
    expect(server.sockets[0].transport).toBe(better);
    client.socket.close();
  });

  it('abandons a WebSocket whose handshake passes but whose frames are dropped, and keeps delivering', async () => {
    const server = track(await startServer({}, () => {}));
    const proxy = track(await new TcpProxy(server.port, 'blackhole-websocket').listen());
    const client = connectClient(proxy.origin, { transports: ['websocket', 'xhr-polling'], probeTimeout: 400 });
    await waitFor(() => server.sockets.length === 1, 'connection');
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
    const server = track(await startServer({ pingInterval: 200, pingTimeout: 300 }, () => {}));
    const proxy = track(await new TcpProxy(server.port, 'forward').listen());
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
});
