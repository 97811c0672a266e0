// Redis misbehaving under cross-node broadcasts, on a real redis-server: paused, killed and
// restarted, gone for longer than a publish may wait, a full queue, entries trimmed while a node
// was away. Nothing is lost or doubled silently: a broadcast arrives exactly once, or its Promise
// rejects and it never arrives, and a possible loss is reported.
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../protocol/index.js';
import { ClusterError } from '../../../server/index.js';
import { closeAfterEach, waitFor, type RecordingClient } from '../../support/harness.js';
import { connectMember, freshPrefix, rawRedis, startNode, type ClusterNode, type RawRedis } from '../../support/cluster-nodes.js';
import { ReplyDroppingProxy } from '../../support/reply-dropping-proxy.js';
import { REDIS_SUITES_RUN, suiteRedisServer } from '../../support/redis-server.js';

const track = closeAfterEach();

function closable(client: RecordingClient): RecordingClient & { close(): Promise<void> } {
  return Object.assign(client, { close: async () => client.socket.close() });
}

/** The `n` of the `{ from, n }` messages `client` got from node `from`, in arrival order. */
function numbersFrom(client: RecordingClient, from: number): number[] {
  return client.received.flatMap((m) => (typeof m === 'object' && m !== null && (m as { from?: unknown }).from === from ? [(m as { n: number }).n] : []));
}

function codes(node: ClusterNode): string[] {
  return node.errors.map((e) => (e instanceof ClusterError ? e.code : e.message));
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(REDIS_SUITES_RUN)('cross-node broadcasts when Redis fails', () => {
  // what Redis acknowledged survives its SIGKILL (as a production Redis with AOF would keep it)
  const redis = suiteRedisServer(['--appendonly', 'yes', '--appendfsync', 'always']);

  async function cluster(options: Array<{ publishTimeout?: number; maxQueuedBytes?: number }>): Promise<ClusterNode[]> {
    const prefix = freshPrefix();
    const nodes: ClusterNode[] = [];
    for (const [i, extra] of options.entries()) nodes.push(track(await startNode(redis.url, { prefix, nodeId: 'node-' + i, ...extra })));
    return nodes;
  }

  /** Sends `{ from, n }` for each n from each node (one every few ms), collecting the Promises. */
  async function broadcastRange(nodes: ClusterNode[], from: number, to: number, sends: Array<void | Promise<void>>): Promise<void> {
    for (let n = from; n <= to; n++) {
      nodes.forEach((node, i) => sends.push(node.ferry.to('room').send({ from: i, n } as JsonValue)));
      await sleep(5);
    }
  }

  it('Redis paused (CLIENT PAUSE 3000 ALL) during broadcasts: each arrives exactly once, in order, after it resumes', async () => {
    const nodes = await cluster([{}, {}]);
    const clients = [track(closable(await connectMember(nodes[0], ['room']))), track(closable(await connectMember(nodes[1], ['room'])))];
    const pauser = await rawRedis(redis.url);
    track({ close: async () => pauser.destroy() });
    const sends: Array<void | Promise<void>> = [];
    await broadcastRange(nodes, 1, 30, sends);
    await pauser.sendCommand(['CLIENT', 'PAUSE', '3000', 'ALL']);
    const pausedAt = Date.now();
    await broadcastRange(nodes, 31, 60, sends);
    // nothing crossed while paused
    expect(numbersFrom(clients[1], 0).every((n) => n <= 30)).toBe(true);
    await Promise.all(sends);
    expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(2_500);
    await waitFor(() => clients.every((c) => numbersFrom(c, 0).length >= 60 && numbersFrom(c, 1).length >= 60), 'every broadcast');
    await Promise.all(nodes.map((node, i) => node.ferry.to('room').send('end-' + i)));
    await waitFor(() => clients.every((c) => c.received.includes('end-0') && c.received.includes('end-1')), 'the markers');
    for (const client of clients) for (const from of [0, 1]) expect(numbersFrom(client, from)).toEqual(range(1, 60));
    for (const node of nodes) expect(node.errors).toEqual([]);
  });

  it('redis-server killed and restarted while broadcasting: what was queued or in flight arrives once, in order', async () => {
    const nodes = await cluster([{ publishTimeout: 30_000 }, { publishTimeout: 30_000 }]);
    const clients = [track(closable(await connectMember(nodes[0], ['room']))), track(closable(await connectMember(nodes[1], ['room'])))];
    const sends: Array<void | Promise<void>> = [];
    const settled: string[] = [];
    const watch = (from: number, to: number): void => {
      for (const sent of sends.slice(-(to - from + 1) * 2)) void Promise.resolve(sent).then(() => settled.push('ok'), (e: Error) => settled.push(e.message));
    };
    await broadcastRange(nodes, 1, 30, sends);
    watch(1, 30);
    const killing = redis.kill();
    await broadcastRange(nodes, 31, 60, sends);
    watch(31, 60);
    await killing;
    await sleep(300);
    await broadcastRange(nodes, 61, 70, sends);
    watch(61, 70);
    expect(nodes[0].adapter.queuedBytes).toBeGreaterThan(0);
    await redis.start();
    await broadcastRange(nodes, 71, 80, sends);
    await Promise.all(sends);
    await waitFor(() => clients.every((c) => numbersFrom(c, 0).length >= 80 && numbersFrom(c, 1).length >= 80), 'every broadcast', 15_000);
    await Promise.all(nodes.map((node, i) => node.ferry.to('room').send('end-' + i)));
    await waitFor(() => clients.every((c) => c.received.includes('end-0') && c.received.includes('end-1')), 'the markers');
    for (const client of clients) for (const from of [0, 1]) expect(numbersFrom(client, from)).toEqual(range(1, 80));
    expect(settled.every((s) => s === 'ok')).toBe(true);
    // the outage was reported (once per outage), and no gap: the stream survived with AOF
    for (const node of nodes) expect(new Set(codes(node))).toEqual(new Set(['ERR_FERRY_CLUSTER_CONNECTION']));
  });

  it('a broadcast whose XADD was run but whose reply was lost is sent again, and the other nodes drop the duplicate', async () => {
    const proxy = track(await ReplyDroppingProxy.start(redis.port));
    const prefix = freshPrefix();
    const sender = track(await startNode(proxy.url, { prefix, nodeId: 'sender' }));
    const receiver = track(await startNode(redis.url, { prefix, nodeId: 'receiver' }));
    const client = track(closable(await connectMember(receiver, ['room'])));
    const sends: Array<void | Promise<void>> = [];
    const send = (from: number, to: number): void => {
      for (let n = from; n <= to; n++) sends.push(sender.ferry.to('room').send({ from: 0, n }));
    };
    send(1, 5);
    await Promise.all(sends);
    proxy.dropReplies = true;
    send(6, 10);
    // Redis ran them (the receiver has them) but the sender never heard back
    await waitFor(() => numbersFrom(client, 0).length === 10, 'the receiver to get 6 to 10');
    expect(sender.adapter.queuedBytes).toBeGreaterThan(0);
    proxy.cutAll();
    proxy.dropReplies = false;
    send(11, 15);
    await Promise.all(sends);
    await sender.ferry.to('room').send('end');
    await waitFor(() => client.received.includes('end'), 'the marker');
    expect(numbersFrom(client, 0)).toEqual(range(1, 15));
  });

  it('a broadcast that outlives publishTimeout rejects, is delivered locally only, and is never sent later', async () => {
    const nodes = await cluster([{ publishTimeout: 400 }, {}]);
    const local = track(closable(await connectMember(nodes[0], ['room'])));
    const remote = track(closable(await connectMember(nodes[1], ['room'])));
    await redis.kill();
    // a broadcast written to a connection not yet known to be dead is in doubt, and never times out
    await waitFor(() => !nodes[0].adapter.connected, 'the node to see Redis gone');
    await sleep(100); // all three connections, not only the first to notice
    const started = Date.now();
    const lost = nodes[0].ferry.to('room').send('lost');
    const failure = await Promise.resolve(lost).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ClusterError);
    expect((failure as ClusterError).code).toBe('ERR_FERRY_CLUSTER_UNAVAILABLE');
    expect((failure as Error).message).toMatch(/publishTimeout.*will not be sent later/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(nodes[0].adapter.queuedBytes).toBe(0);
    // reported on `error` too, for an app that did not await the broadcast
    await waitFor(() => codes(nodes[0]).includes('ERR_FERRY_CLUSTER_UNDELIVERED'), 'the undelivered report');
    expect(nodes[0].errors.find((e) => (e as ClusterError).code === 'ERR_FERRY_CLUSTER_UNDELIVERED')?.message).toMatch(/^ferry: 1 broadcast reached this node only/);
    await redis.start();
    await nodes[0].ferry.to('room').send('after');
    await waitFor(() => remote.received.length >= 1 && local.received.length >= 2, 'the broadcast after');
    await nodes[1].ferry.to('room').send('end');
    await waitFor(() => remote.received.includes('end'), 'the marker');
    expect(local.received.slice(0, 2)).toEqual(['lost', 'after']);
    expect(remote.received).toEqual(['after', 'end']);
  });

  it('the bounded queue rejects a broadcast that does not fit at once, and never sends it', async () => {
    const nodes = await cluster([{ maxQueuedBytes: 2_000 }, {}]);
    const remote = track(closable(await connectMember(nodes[1], ['room'])));
    await redis.kill();
    await waitFor(() => !nodes[0].adapter.connected, 'the node to see Redis gone');
    await sleep(100); // all three connections, not only the first to notice
    const text = 'x'.repeat(300);
    const results: Array<Promise<string>> = [];
    for (let n = 1; n <= 8; n++) {
      const sent = Promise.resolve(nodes[0].ferry.to('room').send({ n, text }));
      results.push(sent.then(() => 'ok', (e: Error) => (e instanceof ClusterError ? e.code + ' ' + e.message : e.message)));
    }
    // the ones that do not fit are rejected before Redis is back
    const early = await Promise.race([Promise.all(results.slice(4)), sleep(1_000).then(() => null)]);
    expect(early).not.toBeNull();
    for (const message of early ?? []) expect(message).toMatch(/^ERR_FERRY_CLUSTER_UNAVAILABLE .*maxQueuedBytes is 2000/);
    expect(nodes[0].adapter.queuedBytes).toBeLessThanOrEqual(2_000);
    // the four refused in one tick make one report, with their count
    await waitFor(() => codes(nodes[0]).includes('ERR_FERRY_CLUSTER_UNDELIVERED'), 'the undelivered report');
    const reports = nodes[0].errors.filter((e) => (e as ClusterError).code === 'ERR_FERRY_CLUSTER_UNDELIVERED');
    expect(reports.map((e) => e.message.slice(0, 40))).toEqual(['ferry: 4 broadcasts reached this node on']);
    await redis.start();
    expect(await Promise.all(results.slice(0, 4))).toEqual(['ok', 'ok', 'ok', 'ok']);
    await nodes[0].ferry.to('room').send('end');
    await waitFor(() => remote.received.includes('end'), 'the marker');
    expect(remote.received.map((m) => (m === 'end' ? m : (m as { n: number }).n))).toEqual([1, 2, 3, 4, 'end']);
  });

  it('entries a node had not read, trimmed while its reader was away, or a stream gone, are reported as a gap', async () => {
    const nodes = await cluster([{}]);
    const client = track(closable(await connectMember(nodes[0], [])));
    const raw: RawRedis = await rawRedis(redis.url);
    track({ close: async () => raw.destroy() });
    const key = nodes[0].adapter.options.prefix + ':broadcast';
    const readerId = async (): Promise<string> => {
      const line = String(await raw.sendCommand(['CLIENT', 'LIST'])).split('\n').find((l) => l.includes(' name=ferry-node-0-reader '));
      const id = /^id=(\d+) /.exec(line ?? '')?.[1];
      if (id === undefined) throw new Error('no reader connection');
      return id;
    };
    const entry = (seq: number): string[] => ['node', 'other', 'run', 'r', 'seq', String(seq), 'target', '{"rooms":[],"except":[],"volatile":false}', 'text', String(seq)];
    const gaps = (): Error[] => nodes[0].errors.filter((e) => (e as ClusterError).code === 'ERR_FERRY_CLUSTER_GAP');
    // one pipeline: the reader's connection goes, then entries it never saw are added and trimmed
    await Promise.all([raw.sendCommand(['CLIENT', 'KILL', 'ID', await readerId()]), raw.sendCommand(['XADD', key, '*', ...entry(1)]), raw.sendCommand(['XADD', key, 'MAXLEN', '1', '*', ...entry(2)])]);
    await waitFor(() => gaps().length === 1, 'the gap to be reported');
    expect(gaps()[0].message).toMatch(/had not read \(1\) were trimmed or deleted while it was away/);
    // it reads on from the first entry left
    await waitFor(() => client.received.includes(2), 'the entry left');
    expect(client.received).toEqual([2]);
    // the stream deleted while the reader is away (a Redis that restarted without its data)
    await Promise.all([raw.sendCommand(['CLIENT', 'KILL', 'ID', await readerId()]), raw.sendCommand(['DEL', key])]);
    await waitFor(() => gaps().length === 2, 'the second gap to be reported');
    expect(gaps()[1].message).toMatch(/is gone/);
    // and reads the new stream from its start
    await raw.sendCommand(['XADD', key, '*', ...entry(3)]);
    await waitFor(() => client.received.includes(3), 'an entry of the new stream');
    expect(client.received).toEqual([2, 3]);
  });
});
