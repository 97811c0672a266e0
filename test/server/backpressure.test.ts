import { describe, expect, it } from 'vitest';
import type { Socket } from '../../server/index.js';
import { Server } from '../../server/index.js';
import { ALL_TRANSPORTS } from '../support/transports.js';
import { closeAfterEach, connectClient, once, range, sequenceOf, startServer, waitFor } from '../support/harness.js';
import { SlowProxy } from '../support/slow-proxy.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const track = closeAfterEach();

/** Resolves with `drain`, or with `close` when the session ends first (it never drains then). */
function drainOrClose(socket: Socket): Promise<'drain' | 'close'> {
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

async function connectedPair(transport: (typeof ALL_TRANSPORTS)[number], options: ConstructorParameters<typeof Server>[0] = {}, via?: 'slow-reader') {
  const sockets: Socket[] = [];
  const server = track(await startServer(options, (s) => sockets.push(s)));
  const origin = via === 'slow-reader' ? track(await new SlowProxy(server.port, 'to-client').listen()).origin : server.origin;
  const client = connectClient(origin, { transports: [transport] });
  await waitFor(() => sockets.length === 1 && client.socket.state === 'open', 'the session to open');
  return { server, client, socket: sockets[0] };
}

describe('drainBelow', () => {
  it('defaults to an eighth of maxBufferedBytes', async () => {
    const { socket, client } = await connectedPair('websocket', { maxBufferedBytes: 800_000 });
    expect(socket.drainBelow).toBe(100_000);
    client.socket.close();
  });

  it('must be from 0 to below maxBufferedBytes', async () => {
    expect(() => new Server({ maxBufferedBytes: 1000, drainBelow: 1000 })).toThrow(RangeError);
    expect(() => new Server({ drainBelow: -1 })).toThrow(RangeError);
    expect(() => new Server({ drainBelow: Number.NaN })).toThrow(RangeError);
    const ferry = new Server({ maxBufferedBytes: 1000, drainBelow: 0 });
    expect(ferry.options.drainBelow).toBe(0);
    await ferry.close();
  });
});

describe.each(ALL_TRANSPORTS)('drain over %s', (transport) => {
  it('fires once when a burst above the mark is acknowledged, not for sends that stay under it', async () => {
    const { socket, client } = await connectedPair(transport, { drainBelow: 16 * 1024 });
    const seenAtDrain: number[] = [];
    socket.on('drain', () => seenAtDrain.push(socket.bufferedAmount));

    // under the mark all along: no drain
    for (const n of range(10)) socket.send({ n });
    await waitFor(() => client.received.length === 10 && socket.bufferedAmount === 0, 'the small sends acknowledged');
    expect(seenAtDrain).toEqual([]);

    // a burst of ~100 KB: one drain once the client has acknowledged enough of it
    for (let n = 11; n <= 110; n++) socket.send({ n, pad: 'x'.repeat(1000) });
    expect(socket.bufferedAmount).toBeGreaterThan(socket.drainBelow);
    await once(socket, 'drain');
    await waitFor(() => client.received.length === 110 && socket.bufferedAmount === 0, 'the burst acknowledged');
    expect(seenAtDrain.length).toBe(1);
    expect(seenAtDrain[0]).toBeLessThanOrEqual(socket.drainBelow);

    // under the mark again: still one
    for (let n = 111; n <= 120; n++) socket.send({ n });
    await waitFor(() => client.received.length === 120 && socket.bufferedAmount === 0, 'more small sends acknowledged');
    expect(seenAtDrain.length).toBe(1);

    // the next crossing: a second drain
    for (let n = 121; n <= 220; n++) socket.send({ n, pad: 'x'.repeat(1000) });
    await waitFor(() => client.received.length === 220 && socket.bufferedAmount === 0, 'the second burst acknowledged');
    expect(seenAtDrain.length).toBe(2);
    expect(sequenceOf(client.received)).toEqual(range(220));
    client.socket.close();
  });

  it('lets a producer send 20 MB to a slow reader without reaching maxBufferedBytes', async () => {
    const maxBufferedBytes = 2 * 1024 * 1024;
    const { socket, client } = await connectedPair(transport, { maxBufferedBytes, drainBelow: 256 * 1024, streamByteLimit: 1024 * 1024 }, 'slow-reader');
    const closes: string[] = [];
    socket.on('close', (reason) => closes.push(reason));
    const pad = 'x'.repeat(16 * 1024);
    const count = 1280; // 20 MB
    let highest = 0;
    let waits = 0;
    for (let n = 1; n <= count; n++) {
      expect(socket.send({ n, pad })).toBe(true);
      highest = Math.max(highest, socket.bufferedAmount);
      if (socket.bufferedAmount > socket.drainBelow) {
        waits++;
        expect(await drainOrClose(socket)).toBe('drain');
      }
    }
    await waitFor(() => client.received.length === count, 'every message', 60_000);
    expect(sequenceOf(client.received)).toEqual(range(count));
    expect(closes).toEqual([]);
    expect(highest).toBeLessThan(maxBufferedBytes);
    expect(waits).toBeGreaterThan(1);
    client.socket.close();
  }, 90_000);
});

describe.each(ALL_TRANSPORTS)('socket.volatile over %s', (transport) => {
  it('is dropped while the client is away, delivered while it is connected', async () => {
    const sockets: Socket[] = [];
    // a short pingTimeout: a poll transport whose client vanished is let go quickly
    const server = track(await startServer({ pingInterval: 1000, pingTimeout: 500 }, (s) => sockets.push(s)));
    const proxy = track(await new TcpProxy(server.port).listen());
    const client = connectClient(proxy.origin, { transports: [transport], reconnectDelay: 50, reconnectDelayMax: 200 });
    await waitFor(() => sockets.length === 1 && client.socket.state === 'open', 'the session to open');
    const socket = sockets[0];
    const events: unknown[] = [];
    client.socket.on('dropped-event', (...args: unknown[]) => void events.push(args));

    // connected: handed over as soon as the transport takes writes (a poll held, a stream open)
    await waitFor(() => socket.volatile.send({ n: 1 }), 'a volatile send to be taken');
    await waitFor(() => client.received.length === 1, 'the volatile message');

    proxy.mode = 'refuse';
    proxy.cutAll();
    await waitFor(() => !socket.connected, 'the server to see the client gone');
    expect(socket.volatile.send({ n: 'dropped' })).toBe(false);
    expect(socket.volatile.emit('dropped-event', 1)).toBe(false);
    expect(socket.send({ n: 2 })).toBe(true);

    proxy.mode = 'forward';
    await waitFor(() => client.received.length === 2, 'the queued message after the resume', 20_000);
    await waitFor(() => socket.connected && socket.volatile.send({ n: 3 }), 'a volatile send after the resume');
    await waitFor(() => client.received.length === 3, 'the volatile message after the resume');
    expect(sequenceOf(client.received)).toEqual([1, 2, 3]);
    expect(events).toEqual([]);
    expect(client.closes).toEqual([]);
    client.socket.close();
  });
});
