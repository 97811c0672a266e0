// Requests across nodes over a real redis-server: acknowledged broadcasts merge every node's
// answers and name the nodes that did not reply; fetchSockets, socketsJoin, socketsLeave and
// disconnectSockets reach every node; malformed input from Redis is reported and dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterError, MemoryAdapter, Server, type Socket } from '../../../server/index.js';
import { closeAfterEach, connectClient, startServer, waitFor, type RecordingClient } from '../../support/harness.js';
import { connectMember, freshPrefix, rawRedis, startNode, type ClusterNode, type RawRedis } from '../../support/cluster-nodes.js';
import { ReplyDroppingProxy } from '../../support/reply-dropping-proxy.js';
import { REDIS_SUITES_RUN, suiteRedisServer } from '../../support/redis-server.js';

const track = closeAfterEach();

/** Sets `socket.data` to something the other nodes can see. */
function named(socket: Socket): void {
  socket.data = { name: 'user-' + socket.id.slice(0, 4), since: 1 };
}

describe('the cluster option', () => {
  it('is a TypeError together with the adapter option, or without a redis URL; bad limits are RangeErrors', () => {
    expect(() => new Server({ cluster: { redis: 'redis://127.0.0.1:1' }, adapter: new MemoryAdapter() })).toThrow(/adapter option or the cluster option/);
    expect(() => new Server({ cluster: { redis: 'http://127.0.0.1:1' } })).toThrow(TypeError);
    expect(() => new Server({ cluster: { redis: 'redis://127.0.0.1:1', nodeId: 'has space' } })).toThrow(TypeError);
    expect(() => new Server({ cluster: { redis: 'redis://127.0.0.1:1', maxQueuedBytes: -1 } })).toThrow(RangeError);
    expect(() => new Server({ cluster: { redis: 'redis://127.0.0.1:1', heartbeatInterval: 5000, nodeExpiry: 5000 } })).toThrow(RangeError);
  });
});

describe('socket operations on one process (MemoryAdapter)', () => {
  it('fetchSockets, socketsJoin, socketsLeave and disconnectSockets work with no missing nodes', async () => {
    const server = track(await startServer({}, named));
    const clients: RecordingClient[] = [];
    for (let i = 0; i < 3; i++) {
      const client = connectClient(server.origin, { transports: ['websocket'] });
      track({ close: async () => client.socket.close() });
      clients.push(client);
      await waitFor(() => server.sockets.length === i + 1 && client.socket.state === 'open', 'a connection');
    }
    const [a, b] = server.sockets;
    a.join('red');
    b.join(['red', 'blue']);
    const red = await server.ferry.in('red').fetchSockets();
    expect(red).toEqual({
      sockets: [
        { id: a.id, rooms: ['red'], data: a.data, node: 'local' },
        { id: b.id, rooms: ['red', 'blue'], data: b.data, node: 'local' },
      ],
      missingNodes: [],
    });
    expect(await server.ferry.in('blue').socketsJoin(['green'])).toEqual({ missingNodes: [] });
    expect([...b.rooms]).toEqual(['red', 'blue', 'green']);
    await server.ferry.socketsLeave('red');
    expect([...a.rooms]).toEqual([]);
    expect(() => server.ferry.socketsJoin('')).toThrow(TypeError);
    expect(await server.ferry.in('green').disconnectSockets('bye')).toEqual({ missingNodes: [] });
    await waitFor(() => clients[1].closes.length === 1, 'b to be disconnected');
    expect(clients[1].closes[0]).toContain('bye');
    expect((await server.ferry.fetchSockets()).sockets.map((s) => s.id)).toEqual([a.id, server.sockets[2].id]);
  });
});

describe.runIf(REDIS_SUITES_RUN)('requests across nodes', () => {
  const redis = suiteRedisServer();
  let raw: RawRedis;

  beforeAll(async () => {
    raw = await rawRedis(redis.url);
  });

  afterAll(() => {
    raw?.destroy();
  });

  async function cluster(n: number): Promise<{ prefix: string; nodes: ClusterNode[] }> {
    const prefix = freshPrefix();
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < n; i++) nodes.push(track(await startNode(redis.url, { prefix, nodeId: 'node-' + i, requestTimeout: 1500 }, named)));
    return { prefix, nodes };
  }

  /** A node present in the registry whose process answers nothing (stopped): subscribed, or not even that. */
  async function stuckNode(prefix: string, nodeId: string, subscribed: boolean): Promise<void> {
    await raw.sendCommand(['ZADD', prefix + ':nodes', String(Date.now() + 60_000), nodeId]);
    if (!subscribed) return;
    const listener = await rawRedis(redis.url);
    track({ close: async () => listener.destroy() });
    await listener.subscribe(prefix + ':node:' + nodeId, () => {});
  }

  it('emitWithAck merges the answers of every node and names the nodes that did not reply', async () => {
    const { prefix, nodes } = await cluster(3);
    const clients: RecordingClient[] = [];
    for (let i = 0; i < 6; i++) clients.push(track(closable(await connectMember(nodes[i % 3], ['room']))));
    const ids = clients.map((c) => c.socket.id as string);
    const all = await nodes[0].ferry.to('room').timeout(1000).emitWithAck('ask');
    expect(all.answers.map((a) => a.value).sort()).toEqual([...ids].sort());
    expect(all.answers.map((a) => a.id).sort()).toEqual([...ids].sort());
    expect(all.missing).toEqual([]);
    expect(all.missingNodes).toEqual([]);
    // a real node whose link to Redis stops delivering (its presence still fresh): it hears nothing
    const proxy = track(await ReplyDroppingProxy.start(redis.port));
    const cut = track(await startNode(proxy.url, { prefix, nodeId: 'node-cut' }, named));
    const cutClient = track(closable(await connectMember(cut, ['room'])));
    const withCut = await nodes[0].ferry.to('room').timeout(1000).emitWithAck('ask');
    expect(withCut.answers.map((a) => a.id).sort()).toEqual([...ids, cutClient.socket.id].sort());
    proxy.dropReplies = true;
    await stuckNode(prefix, 'stuck-listening', true);
    await stuckNode(prefix, 'stuck-gone', false);
    // a node closed gracefully leaves the registry: it is not missing, its sockets are gone
    await nodes[2].close();
    const some = await nodes[1].ferry.to('room').timeout(500).emitWithAck('ask');
    expect(some.answers.map((a) => a.id).sort()).toEqual([ids[0], ids[1], ids[3], ids[4]].sort());
    expect(some.missing).toEqual([]);
    expect(some.missingNodes?.sort()).toEqual(['node-cut', 'stuck-gone', 'stuck-listening']);
    for (const node of nodes) expect(node.errors).toEqual([]);
  });

  it('fetchSockets, socketsJoin, socketsLeave and disconnectSockets reach every node', async () => {
    const { prefix, nodes } = await cluster(3);
    const a = track(closable(await connectMember(nodes[0], ['red'])));
    const b = track(closable(await connectMember(nodes[1], ['red', 'blue'])));
    const c = track(closable(await connectMember(nodes[2], ['blue'])));
    const [idA, idB, idC] = [a, b, c].map((x) => x.socket.id as string);
    const dataOf = (id: string): unknown => nodes.flatMap((n) => n.sockets).find((s) => s.id === id)?.data;

    const red = await nodes[2].ferry.in('red').fetchSockets();
    expect(red.missingNodes).toEqual([]);
    expect(red.sockets.sort((x, y) => x.node.localeCompare(y.node))).toEqual([
      { id: idA, rooms: ['red'], data: dataOf(idA), node: 'node-0' },
      { id: idB, rooms: ['red', 'blue'], data: dataOf(idB), node: 'node-1' },
    ]);
    expect((await nodes[0].ferry.fetchSockets()).sockets.map((s) => s.id).sort()).toEqual([idA, idB, idC].sort());

    expect(await nodes[0].ferry.in('blue').socketsJoin('green')).toEqual({ missingNodes: [] });
    await nodes[0].ferry.to('green').send('to green');
    await nodes[0].ferry.send('end');
    await waitFor(() => [a, b, c].every((x) => x.received.at(-1) === 'end'), 'the marker');
    expect([a, b, c].map((x) => x.received)).toEqual([['end'], ['to green', 'end'], ['to green', 'end']]);

    expect(await nodes[1].ferry.socketsLeave(['green', 'red'])).toEqual({ missingNodes: [] });
    expect((await nodes[1].ferry.in(['green', 'red']).fetchSockets()).sockets).toEqual([]);
    expect((await nodes[1].ferry.in('blue').fetchSockets()).sockets.map((s) => s.id).sort()).toEqual([idB, idC].sort());

    await stuckNode(prefix, 'stuck', true);
    const timed = await nodes[0].ferry.in('blue').timeout(300).disconnectSockets('moved');
    expect(timed.missingNodes).toEqual(['stuck']);
    await waitFor(() => b.closes.length === 1 && c.closes.length === 1, 'b and c to be disconnected');
    expect([b.closes[0], c.closes[0]]).toEqual([expect.stringContaining('moved'), expect.stringContaining('moved')]);
    expect(a.closes).toEqual([]);
    for (const node of nodes) expect(node.errors).toEqual([]);
  });

  it('malformed stream entries and channel messages are reported and dropped; the node goes on', async () => {
    const { prefix, nodes } = await cluster(2);
    const client = track(closable(await connectMember(nodes[1], ['room'])));
    const key = prefix + ':broadcast';
    const target = JSON.stringify({ rooms: ['room'], except: [], volatile: false });
    const entry = (fields: Record<string, string>): Promise<unknown> => raw.sendCommand(['XADD', key, '*', ...Object.entries(fields).flat()]);
    const valid = { node: 'intruder', run: 'r1', seq: '1', target, text: '"ok"' };
    await entry({ foo: 'bar' });
    await entry({ ...valid, target: '{"rooms":' });
    await entry({ ...valid, target: JSON.stringify({ rooms: [''], except: [], volatile: false }) });
    await entry({ ...valid, text: '{"not json' });
    await entry({ ...valid, text: 'r1,null' });
    await entry({ ...valid, text: 'e"message",[]' });
    await entry({ ...valid, seq: '-3' });
    await entry({ ...valid, base64: 'AAA' });
    const channel = prefix + ':node:node-1';
    await raw.sendCommand(['PUBLISH', channel, 'not json']);
    await raw.sendCommand(['PUBLISH', channel, JSON.stringify({ type: 'request', id: 1, from: 'intruder', op: 'fetch', args: { target: 5 } })]);
    await raw.sendCommand(['PUBLISH', channel, JSON.stringify({ type: 'request', id: 2, from: 'intruder', op: 'join', args: { target: JSON.parse(target) as object, rooms: [7] } })]);
    await raw.sendCommand(['PUBLISH', channel, JSON.stringify({ type: 'request', id: 3, from: '../x', op: 'fetch', args: {} })]);
    await raw.sendCommand(['PUBLISH', channel, JSON.stringify({ type: 'reply', id: 99, from: 'node-0', result: 1 })]);
    // 8 bad entries and 4 bad messages above (the reply to an unknown request is ignored); then
    // the one good entry, and the nodes still work
    await entry(valid);
    await entry(valid); // the same run and seq again: a resent entry, dropped
    await nodes[0].ferry.to('room').send('after');
    await waitFor(() => client.received.length === 2, 'the good entry and the broadcast after');
    expect(client.received).toEqual(['ok', 'after']);
    await waitFor(() => nodes[1].errors.length >= 12, 'the reports');
    expect(nodes[1].errors.every((e) => e instanceof ClusterError && e.code === 'ERR_FERRY_CLUSTER_BAD_INPUT')).toBe(true);
    expect(nodes[1].errors.length).toBe(12);
    expect(nodes[0].errors.every((e) => e instanceof ClusterError && e.code === 'ERR_FERRY_CLUSTER_BAD_INPUT')).toBe(true);
    expect((await nodes[0].ferry.fetchSockets()).sockets.map((s) => s.id)).toEqual([client.socket.id]);
    expect([...nodes[1].sockets[0].rooms]).toEqual(['room']);
  });
});

function closable(client: RecordingClient): RecordingClient & { close(): Promise<void> } {
  return Object.assign(client, { close: async () => client.socket.close() });
}
