// Backpressure across the relay (issue 14): a client that does not read a relayed stream stops its
// owner from sending more than about a socket's worth (the edge confirms bytes only once written
// to the client), and the stream flows again when the client reads.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Handshake } from '../../../protocol/index.js';
import { closeAfterEach, waitFor } from '../../support/harness.js';
import { freshPrefix, rawRedis } from '../../support/cluster-nodes.js';
import { REDIS_SUITES_RUN, suiteRedisServer } from '../../support/redis-server.js';
import { startRelayNode } from '../../support/relay-nodes.js';

const track = closeAfterEach();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const MiB = 1024 * 1024;

describe.runIf(REDIS_SUITES_RUN)('backpressure on a relayed stream', () => {
  const redis = suiteRedisServer();

  it('a client that does not read holds the owner back; reading lets everything through', async () => {
    const prefix = freshPrefix();
    const options = { maxBufferedBytes: 64 * MiB, streamByteLimit: 64 * MiB };
    const a = track(await startRelayNode(redis.url, prefix, 'node-a', options));
    const b = track(await startRelayNode(redis.url, prefix, 'node-b', options));
    // what the owner relays to node b, counted on b's channel
    let relayed = 0;
    const watcher = await rawRedis(redis.url);
    track({ close: async () => watcher.destroy() });
    await watcher.subscribe(prefix + ':relay:node-b', (text: string) => {
      const message = JSON.parse(text) as { t: string; s?: string };
      if (message.t === 'data' && message.s !== undefined) relayed += Buffer.byteLength(message.s);
    });
    const made = await fetch(`${a.origin}/ferry/v1/handshake?transport=xhr-streaming`, { method: 'POST' });
    const hs = (await made.json()) as Handshake;
    const url = `${b.origin}/ferry/v1/xhr-stream?sid=${encodeURIComponent(hs.sid)}&t=${encodeURIComponent(hs.token)}&e=1&ack=0`;
    let received = 0;
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(url, resolve).on('error', reject));
    track({ close: async () => void response.destroy() });
    expect(response.statusCode).toBe(200);
    response.pause(); // the client stops reading
    response.on('data', (chunk: Buffer) => (received += chunk.length));
    await waitFor(() => a.sockets[0]?.transport === 'xhr-streaming', 'the relayed stream to attach');
    const total = 16 * MiB;
    const chunk = 'x'.repeat(64 * 1024);
    // one message per tick: each is written on its own while the stream takes writes
    for (let sent = 0; sent < total; sent += chunk.length) {
      a.sockets[0].send(chunk);
      await sleep(1);
    }
    await sleep(1_500);
    // the kernel's socket buffers take a few MiB; the rest waits on the owner
    expect(relayed).toBeGreaterThan(0);
    expect(relayed).toBeLessThan(8 * MiB);
    response.resume();
    await waitFor(() => received > total, 'the whole stream once the client reads', 30_000);
    expect(relayed).toBeGreaterThan(total);
  }, 60_000);
});
