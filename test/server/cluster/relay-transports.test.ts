// Any request may land on any node (issue 14): three nodes over a real redis-server behind a
// round-robin balancer that sends each request to the next node. A session lives on the node that
// made it; its polls, sends and streams that land elsewhere are relayed there over Redis. On each
// HTTP transport, messages cross both ways exactly once, in order, with no renewal.
import { describe, expect, it } from 'vitest';
import type { JsonValue, TransportName } from '../../../protocol/index.js';
import type { Socket } from '../../../server/index.js';
import { closeAfterEach, connectClient, range, waitFor } from '../../support/harness.js';
import { freshPrefix } from '../../support/cluster-nodes.js';
import { REDIS_SUITES_RUN, suiteRedisServer } from '../../support/redis-server.js';
import { RoundRobinProxy } from '../../support/round-robin-proxy.js';
import { startRelayNode, type RelayNode } from '../../support/relay-nodes.js';

const track = closeAfterEach();
const HTTP_TRANSPORTS: TransportName[] = ['xhr-polling', 'jsonp-polling', 'eventsource', 'xhr-streaming', 'iframe-streaming'];
const COUNT = 200;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Answers the client's 200 `{ n }` with 200 of its own, in batches, once all have arrived. */
function echoCount(got: Map<string, number[]>): (socket: Socket) => void {
  return (socket) => {
    const mine: number[] = [];
    got.set(socket.id, mine);
    socket.on('message', (data) => {
      mine.push((data as { n: number }).n);
      if (mine.length !== COUNT) return;
      void (async () => {
        for (let n = 1; n <= COUNT; n++) {
          socket.send({ n });
          if (n % 10 === 0) await sleep(5);
        }
      })();
    });
  };
}

describe.runIf(REDIS_SUITES_RUN)('HTTP requests relayed to the session owner behind a round-robin balancer', () => {
  const redis = suiteRedisServer();

  async function cluster(got: Map<string, number[]>): Promise<{ nodes: RelayNode[]; proxy: RoundRobinProxy }> {
    const prefix = freshPrefix();
    const nodes: RelayNode[] = [];
    for (const id of ['a', 'b', 'c']) nodes.push(track(await startRelayNode(redis.url, prefix, 'node-' + id, {}, echoCount(got))));
    const proxy = track(await new RoundRobinProxy(nodes.map((node) => node.port)).listen());
    return { nodes, proxy };
  }

  it.each(HTTP_TRANSPORTS)('%s: 200 messages each way arrive exactly once, in order, from requests that reached several nodes', async (transport) => {
    const got = new Map<string, number[]>();
    const { nodes, proxy } = await cluster(got);
    const client = connectClient(proxy.origin, { transports: [transport] });
    track({ close: async () => client.socket.close() });
    await waitFor(() => client.socket.state === 'open', 'the client to open');
    const sid = client.socket.id as string;
    expect(sid).toMatch(/^node-[abc]~/);
    for (let n = 1; n <= COUNT; n++) {
      client.socket.send({ n });
      if (n % 10 === 0) await sleep(5);
    }
    await waitFor(() => client.received.length >= COUNT, `${COUNT} messages back`, 30_000);
    await sleep(200); // a duplicate would arrive now
    expect(got.get(sid)).toEqual(range(COUNT));
    expect((client.received as JsonValue[]).map((m) => (m as { n: number }).n)).toEqual(range(COUNT));
    // one session, never renewed, owned by one node
    expect(client.socket.id).toBe(sid);
    expect(client.closes).toEqual([]);
    expect(nodes.reduce((sum, node) => sum + node.sockets.length, 0)).toBe(1);
    expect(client.socket.transport).toBe(transport);
    // its requests reached every node, and those on the others were relayed to the owner
    expect(proxy.nodesOf(sid)).toBeGreaterThanOrEqual(2);
    const reached = nodes.filter((node) => (node.requestsBySession.get(sid) ?? 0) > 0);
    expect(reached.length).toBeGreaterThanOrEqual(2);
    const owner = nodes.find((node) => node.sockets.length === 1) as RelayNode;
    expect(sid.startsWith(owner.nodeId + '~')).toBe(true);
    for (const node of nodes) expect(node.errors).toEqual([]);
  }, 60_000);

  it('websocket: a WebSocket cut and resumed through another node is relayed to the owner; 200 messages each way exactly once, in order', async () => {
    const got = new Map<string, number[]>();
    const { nodes, proxy } = await cluster(got);
    const client = connectClient(proxy.origin, { transports: ['websocket'] });
    track({ close: async () => client.socket.close() });
    await waitFor(() => client.socket.state === 'open', 'the client to open');
    const sid = client.socket.id as string;
    const owner = nodes.find((node) => node.sockets.length === 1) as RelayNode;
    for (let n = 1; n <= COUNT; n++) {
      client.socket.send({ n });
      if (n % 10 === 0) await sleep(5);
      // cut twice: each resume lands on the next node, two of three are not the owner
      if (n === 60 || n === 120) {
        const before = proxy.upgrades;
        proxy.cutUpgrades();
        await waitFor(() => proxy.upgrades > before && client.socket.state === 'open', 'the client to resume');
      }
    }
    await waitFor(() => client.received.length >= COUNT, `${COUNT} messages back`, 30_000);
    await sleep(200);
    expect(got.get(sid)).toEqual(range(COUNT));
    expect((client.received as JsonValue[]).map((m) => (m as { n: number }).n)).toEqual(range(COUNT));
    expect(client.socket.id).toBe(sid);
    expect(client.closes).toEqual([]);
    expect(client.socket.transport).toBe('websocket');
    expect(owner.sockets[0].transport).toBe('websocket');
    expect(proxy.nodesOf(sid)).toBeGreaterThanOrEqual(2);
    // every join was taken where it landed: by the owner, or by another node relaying it
    expect(proxy.refusedUpgrades).toEqual([]);
    expect(proxy.acceptedUpgrades.filter((port) => port !== owner.port).length).toBeGreaterThanOrEqual(1);
    expect(nodes.reduce((sum, node) => sum + node.sockets.length, 0)).toBe(1);
    for (const node of nodes) expect(node.errors).toEqual([]);
  }, 60_000);
});
