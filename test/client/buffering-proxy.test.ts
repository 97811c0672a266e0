import { describe, expect, it } from 'vitest';
import { DEFAULT_TRANSPORTS } from '../../client/options.js';
import { isPolling, type TransportName } from '../../protocol/index.js';
import { BufferingProxy } from '../support/buffering-proxy.js';
import { closeAfterEach, connectClient, range, startServer, waitFor } from '../support/harness.js';
import { streamBothWays } from '../support/streams.js';

const track = closeAfterEach();

const EVERY_STREAM: TransportName[] = ['websocket', 'eventsource', 'xhr-streaming', 'iframe-streaming', 'xhr-polling'];

describe('behind a proxy that buffers whole responses and refuses upgrades', () => {
  it.each([
    ['default transports', DEFAULT_TRANSPORTS],
    ['all streaming transports', EVERY_STREAM],
  ])('%s: all but long-polling fail, and nothing is lost or repeated', async (_label, transports) => {
    const server = track(await startServer({}, () => {}));
    const proxy = track(await new BufferingProxy(server.port).listen());
    const client = connectClient(proxy.origin, { transports });
    await waitFor(() => server.sockets.length === 1 && client.socket.state === 'open', 'open');
    const streams = streamBothWays(client, server.sockets[0], 300, 5);

    // every transport better than long-polling is tried, and fails: the WebSocket is refused, and
    // no stream delivers its first packet while the proxy holds the response
    const better = transports.filter((name) => !isPolling(name));
    const failed = () => client.socket.attempts.filter((a) => a.outcome === 'failed').map((a) => a.transport);
    await waitFor(() => better.every((name) => failed().includes(name)), 'every streaming transport to fail', 15_000);
    expect(client.socket.attempts.filter((a) => a.outcome === 'used')).toEqual([]);
    expect(proxy.refusedUpgrades).toBeGreaterThan(0);

    await waitFor(() => client.received.length >= 300 && streams.serverGot.length >= 300, '300 messages each way', 15_000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // room for a duplicate to show up
    expect(streams.serverGot).toEqual(range(300));
    expect(client.received.map((v) => (v as { n: number }).n)).toEqual(range(300));
    expect(client.socket.transport).toBe('xhr-polling');
    expect(server.sockets[0].transport).toBe('xhr-polling');
    expect(server.sockets).toHaveLength(1);
    client.socket.close();
  });
});
