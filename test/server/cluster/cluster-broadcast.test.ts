// Rooms and broadcast across nodes sharing one real redis-server (issue 14): every member on every
// node gets each broadcast exactly once, in order per sender; targets resolve on each node.
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../protocol/index.js';
import { closeAfterEach, waitFor, type RecordingClient } from '../../support/harness.js';
import { connectMember, freshPrefix, startNode, type ClusterNode } from '../../support/cluster-nodes.js';
import { REDIS_SUITES_RUN, suiteRedisServer } from '../../support/redis-server.js';

const track = closeAfterEach();

interface Sent {
  readonly from: number;
  readonly n: number;
}

/** The messages `client` got from each sender node, in arrival order (markers left out). */
function bySender(client: RecordingClient): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const message of client.received) {
    if (typeof message !== 'object' || message === null || message instanceof Uint8Array || Array.isArray(message)) continue;
    const { from, n } = message as unknown as Sent;
    if (typeof from !== 'number') continue;
    const list = map.get(from) ?? [];
    list.push(n);
    map.set(from, list);
  }
  return map;
}

describe.runIf(REDIS_SUITES_RUN)('rooms and broadcast across nodes', () => {
  const redis = suiteRedisServer();

  async function cluster(n: number): Promise<ClusterNode[]> {
    const prefix = freshPrefix();
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < n; i++) nodes.push(track(await startNode(redis.url, { prefix, nodeId: 'node-' + i })));
    return nodes;
  }

  it('a broadcast from each node reaches every member on every node exactly once, in order per sender', async () => {
    const nodes = await cluster(3);
    const ROOMS = ['r0', 'r1', 'r2', 'r3', 'r4'];
    const members: Array<{ client: RecordingClient; rooms: string[] }> = [];
    for (let i = 0; i < 30; i++) {
      const rooms = [ROOMS[i % 5], ROOMS[(i + 2) % 5]];
      const client = await connectMember(nodes[i % 3], rooms);
      track({ close: async () => client.socket.close() });
      members.push({ client, rooms });
    }
    // each node sends 40 broadcasts: to one room, to two rooms (members of both get it once), to everyone
    const plan: Array<{ from: number; n: number; rooms: string[] }> = [];
    const sends: Array<void | Promise<void>> = [];
    for (let n = 1; n <= 40; n++) {
      for (let from = 0; from < 3; from++) {
        const rooms = n % 10 === 0 ? [] : n % 3 === 0 ? [ROOMS[n % 5], ROOMS[(n + 1) % 5]] : [ROOMS[(n + from) % 5]];
        plan.push({ from, n, rooms });
        const data: JsonValue = { from, n };
        sends.push(rooms.length === 0 ? nodes[from].ferry.send(data) : nodes[from].ferry.to(rooms).send(data));
      }
    }
    await Promise.all(sends);
    const expected = members.map(({ rooms }) => {
      const map = new Map<number, number[]>();
      for (const sent of plan) {
        if (sent.rooms.length > 0 && !sent.rooms.some((room) => rooms.includes(room))) continue;
        map.set(sent.from, [...(map.get(sent.from) ?? []), sent.n]);
      }
      return map;
    });
    const total = (map: Map<number, number[]>): number => [...map.values()].reduce((sum, list) => sum + list.length, 0);
    await waitFor(() => members.every(({ client }, i) => total(bySender(client)) >= total(expected[i])), 'every member to get its broadcasts');
    // a marker from each node after everything: anything sent twice would have arrived before it
    await Promise.all(nodes.map((node, i) => node.ferry.send('end-' + i)));
    await waitFor(() => members.every(({ client }) => nodes.every((_, i) => client.received.includes('end-' + i))), 'the markers');
    members.forEach(({ client }, i) => expect(bySender(client)).toEqual(expected[i]));
    for (const node of nodes) expect(node.errors).toEqual([]);
  });

  it('events and binary messages cross nodes too', async () => {
    const nodes = await cluster(2);
    const client = await connectMember(nodes[1], ['room']);
    track({ close: async () => client.socket.close() });
    const events: JsonValue[][] = [];
    client.socket.on('news', (...args: unknown[]) => {
      // the handler's last argument is its answer callback
      events.push(args.filter((arg) => typeof arg !== 'function') as JsonValue[]);
    });
    await nodes[0].ferry.to('room').emit('news', 'hello', { n: 1 });
    await nodes[0].ferry.to('room').send(new Uint8Array([0, 1, 2, 255]));
    await waitFor(() => events.length === 1 && client.received.length === 1, 'the event and the bytes');
    expect(events).toEqual([['hello', { n: 1 }]]);
    expect([...(client.received[0] as Uint8Array)]).toEqual([0, 1, 2, 255]);
  });

  it('except and to(socket.id) resolve on every node', async () => {
    const nodes = await cluster(3);
    const clients: RecordingClient[] = [];
    for (let i = 0; i < 6; i++) {
      const client = await connectMember(nodes[i % 3], i < 3 ? ['red'] : ['blue']);
      track({ close: async () => client.socket.close() });
      clients.push(client);
    }
    const ids = clients.map((c) => c.socket.id as string);
    await nodes[0].ferry.to(ids[4]).send('direct to 4');
    await nodes[1].ferry.to('red').except(ids[2]).send('red but 2');
    await nodes[2].ferry.except('red').send('all but red');
    await nodes[0].ferry.to(['red', ids[5]]).except(ids[0]).send('red and 5, not 0');
    await nodes[1].ferry.send('end');
    await waitFor(() => clients.every((c) => c.received.at(-1) === 'end'), 'the marker');
    const got = clients.map((c) => c.received.filter((m) => m !== 'end'));
    expect(got).toEqual([
      ['red but 2'],
      ['red but 2', 'red and 5, not 0'],
      ['red and 5, not 0'],
      ['all but red'],
      ['direct to 4', 'all but red'],
      ['all but red', 'red and 5, not 0'],
    ]);
  });
});
