import { describe, expect, it } from 'vitest';
import { connect, type ClientSocket } from '../../client/index.js';
import type { JsonValue } from '../../protocol/index.js';
import { ALL_TRANSPORTS } from '../support/transports.js';
import { closeAfterEach, connectClient, range, sequenceOf, startServer, waitFor } from '../support/harness.js';
import { SlowProxy } from '../support/slow-proxy.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const track = closeAfterEach();

/** Resolves with `drain`, or with `close` when the session ends first. */
function drainOrClose(socket: ClientSocket): Promise<'drain' | 'close'> {
  return new Promise((resolve) => {
    const onDrain = () => {
      socket.off('close', onClose);
      resolve('drain');
    };
    const onClose = () => {
      socket.off('drain', onDrain);
      resolve('close');
    };
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}

/** A server that records what its first client sends. */
async function recordingServer() {
  const received: Array<JsonValue | Uint8Array> = [];
  const server = track(await startServer({}, (socket) => socket.on('message', (data) => received.push(data))));
  return { server, received };
}

describe('client drainBelow', () => {
  it('defaults to an eighth of maxBufferedBytes and must be below it', () => {
    const socket = connect('http://127.0.0.1:9/ferry', { maxBufferedBytes: 800_000, reconnect: false });
    expect(socket.drainBelow).toBe(100_000);
    socket.close();
    expect(() => connect('http://127.0.0.1:9/ferry', { maxBufferedBytes: 1000, drainBelow: 1000 })).toThrow(RangeError);
    expect(() => connect('http://127.0.0.1:9/ferry', { drainBelow: -1 })).toThrow(RangeError);
  });
});

describe.each(ALL_TRANSPORTS)('client drain over %s', (transport) => {
  it('fires once when a burst above the mark is acknowledged, not for sends that stay under it', async () => {
    const { server, received } = await recordingServer();
    const client = connectClient(server.origin, { transports: [transport], drainBelow: 16 * 1024 });
    const socket = client.socket;
    const seenAtDrain: number[] = [];
    socket.on('drain', () => seenAtDrain.push(socket.bufferedAmount));
    await waitFor(() => socket.state === 'open', 'open');

    for (const n of range(10)) socket.send({ n });
    await waitFor(() => received.length === 10 && socket.bufferedAmount === 0, 'the small sends acknowledged');
    expect(seenAtDrain).toEqual([]);

    for (let n = 11; n <= 110; n++) socket.send({ n, pad: 'x'.repeat(1000) });
    expect(socket.bufferedAmount).toBeGreaterThan(socket.drainBelow);
    await waitFor(() => received.length === 110 && socket.bufferedAmount === 0, 'the burst acknowledged');
    expect(seenAtDrain.length).toBe(1);
    expect(seenAtDrain[0]).toBeLessThanOrEqual(socket.drainBelow);

    for (let n = 111; n <= 120; n++) socket.send({ n });
    await waitFor(() => received.length === 120 && socket.bufferedAmount === 0, 'more small sends acknowledged');
    expect(seenAtDrain.length).toBe(1);
    expect(sequenceOf(received)).toEqual(range(120));
    socket.close();
  });

  it('lets a producer that starts before the session is up send 4 MB through a slow link without reaching maxBufferedBytes', async () => {
    const { server, received } = await recordingServer();
    const proxy = track(await new SlowProxy(server.port, 'to-server', 32 * 1024).listen());
    const maxBufferedBytes = 1024 * 1024;
    const socket = connectClient(proxy.origin, { transports: [transport], maxBufferedBytes, drainBelow: 128 * 1024 }).socket;
    const pad = 'x'.repeat(8 * 1024);
    const count = 512; // 4 MB
    let highest = 0;
    let waits = 0;
    // from the first send on, before any transport is up: sends queue, `drain` comes once acks do
    for (let n = 1; n <= count; n++) {
      expect(socket.send({ n, pad })).toBe(true);
      highest = Math.max(highest, socket.bufferedAmount);
      if (socket.bufferedAmount > socket.drainBelow) {
        waits++;
        expect(await drainOrClose(socket)).toBe('drain');
      }
    }
    await waitFor(() => received.length === count, 'every message', 60_000);
    expect(sequenceOf(received)).toEqual(range(count));
    expect(highest).toBeLessThan(maxBufferedBytes);
    expect(waits).toBeGreaterThan(1);
    socket.close();
  }, 90_000);
});

describe.each(ALL_TRANSPORTS)('client volatile over %s', (transport) => {
  it('is dropped while connecting and reconnecting, delivered while open', async () => {
    const { server, received } = await recordingServer();
    const events: unknown[] = [];
    server.ferry.on('connection', (s) => s.on('dropped-event', (...args: unknown[]) => void events.push(args)));
    const proxy = track(await new TcpProxy(server.port).listen());
    const socket = connectClient(proxy.origin, { transports: [transport], reconnectDelay: 50, reconnectDelayMax: 200 }).socket;

    expect(socket.state).toBe('connecting');
    expect(socket.volatile.send({ n: 'dropped while connecting' })).toBe(false);
    await waitFor(() => socket.state === 'open', 'open');
    expect(socket.volatile.send({ n: 1 })).toBe(true);
    await waitFor(() => received.length === 1, 'the volatile message');

    proxy.mode = 'refuse';
    proxy.cutAll();
    await waitFor(() => socket.state === 'reconnecting', 'reconnecting');
    expect(socket.volatile.send({ n: 'dropped while reconnecting' })).toBe(false);
    expect(socket.volatile.emit('dropped-event', 1)).toBe(false);
    expect(socket.send({ n: 2 })).toBe(true);

    proxy.mode = 'forward';
    await waitFor(() => socket.state === 'open', 'the resume', 20_000);
    expect(socket.volatile.send({ n: 3 })).toBe(true);
    await waitFor(() => received.length === 3, 'the queued and the volatile message');
    expect(sequenceOf(received)).toEqual([1, 2, 3]);
    expect(events).toEqual([]);
    socket.close();
  });
});
