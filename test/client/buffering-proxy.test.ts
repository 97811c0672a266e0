import { describe, expect, it } from 'vitest';
import { DEFAULT_TRANSPORTS } from '../../client/options.js';
import { isPolling, type TransportName } from '../../protocol/index.js';
import { BufferingProxy } from '../support/buffering-proxy.js';
import { closeAfterEach, connectClient, range, startServer, waitFor } from '../support/harness.js';
import { longestGap, streamBothWays } from '../support/streams.js';
import { streamKind } from '../../client/transports/stream-kinds.js';

const track = closeAfterEach();

const EVERY_STREAM: TransportName[] = ['websocket', 'eventsource', 'xhr-streaming', 'iframe-streaming', 'xhr-polling'];

describe('behind a proxy that buffers whole responses and refuses upgrades', () => {
  it.each([
    ['default transports', DEFAULT_TRANSPORTS],
    ['all streaming transports', EVERY_STREAM],
  ])('%s: one stream is probed and held back, all but long-polling fail, and delivery never stalls', async (_label, transports) => {
    const server = track(await startServer({}, () => {}));
    const proxy = track(await new BufferingProxy(server.port).listen());
    const client = connectClient(proxy.origin, { transports });
    const clientAt: number[] = [];
    client.socket.on('message', () => clientAt.push(performance.now()));
    await waitFor(() => server.sockets.length === 1 && client.socket.state === 'open', 'open');
    // one message each way every 20 ms for 3 s: the probes happen while messages flow
    const streams = streamBothWays(client, server.sockets[0], 150, 20, 1);

    // every transport better than long-polling fails: the WebSocket is refused, and the one stream
    // probed delivers no packet while the proxy holds the response, which rules out the other kinds
    const better = transports.filter((name) => !isPolling(name));
    const failed = () => client.socket.attempts.filter((a) => a.outcome === 'failed').map((a) => a.transport);
    await waitFor(() => better.every((name) => failed().includes(name)), 'every streaming transport to fail', 15_000);
    expect(client.socket.attempts.filter((a) => a.outcome === 'used')).toEqual([]);
    expect(proxy.refusedUpgrades).toBeGreaterThan(0);
    const streamAttempts = client.socket.attempts.filter((a) => streamKind(a.transport));
    expect(streamAttempts[0].reason).toMatch(/^no answer within \d+ ms$/);
    for (const later of streamAttempts.slice(1)) expect(later.reason).toBe('not tried: the ' + streamAttempts[0].transport + ' probe was held back on this path');
    expect(proxy.paths.filter((path) => /\/v1\/(eventsource|xhr-stream|iframe)$/.test(path))).toHaveLength(1);

    await waitFor(() => client.received.length >= 150 && streams.serverGot.length >= 150, '150 messages each way', 15_000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // room for a duplicate to show up
    expect(streams.serverGot).toEqual(range(150));
    expect(client.received.map((v) => (v as { n: number }).n)).toEqual(range(150));
    // the session stayed on long-polling while the stream was probed: nothing went into the held response
    expect(longestGap(clientAt)).toBeLessThan(500);
    expect(longestGap(streams.serverAt)).toBeLessThan(500);
    expect(client.socket.transport).toBe('xhr-polling');
    expect(server.sockets[0].transport).toBe('xhr-polling');
    expect(server.sockets).toHaveLength(1);
    client.socket.close();
  });
});
