// Faults during traffic, with three Ferry node processes behind a real nginx balancing round-robin
// and one real redis-server (issue 14): Redis paused, a node stopped for a deploy, a node killed,
// connections between the clients and nginx cut at random.
// Sessions whose node lived lose nothing and see nothing; those whose node went start a new
// session on a live node, promptly and with a reason; no node process crashes.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import type { TransportName } from '../../../protocol/index.js';
import { missingBinaries, missingBinariesBanner } from '../../e2e/support/binaries.js';
import { NGINX_BINARY } from '../../e2e/support/paths/nginx.js';
import { connectClient, waitFor, type RecordingClient } from '../../support/harness.js';
import { freshPrefix } from '../../support/cluster-nodes.js';
import { REDIS_SUITES_RUN, suiteRedisServer } from '../../support/redis-server.js';
import { startRoundRobinNginx, type RoundRobinNginx } from '../../support/round-robin-nginx.js';
import { startServerProcess, type ServerProcess } from '../../support/server-process-parent.js';
import { mulberry32 } from '../../support/seeded-random.js';
import { TcpProxy } from '../../support/tcp-proxy.js';

const noNginx = missingBinaries([{ path: NGINX_BINARY, debianPackage: 'nginx-light' }]);
if (noNginx.length > 0) console.warn(missingBinariesBanner(noNginx));
const RUNS = REDIS_SUITES_RUN && (noNginx.length === 0 || process.env.CI === 'true');

/** HTTP transports only: a client on a WebSocket alone cannot tell a dead node from a cut (see the README). */
const TRANSPORTS: TransportName[] = ['xhr-polling', 'eventsource', 'xhr-streaming', 'jsonp-polling', 'iframe-streaming'];

interface Deployment {
  nodes: ServerProcess[];
  nginx: RoundRobinNginx;
  /** Between the clients and nginx, when the test cuts connections. */
  proxy: TcpProxy | null;
  clients: RecordingClient[];
}

/** The node that owns `client`'s session now (its id names it). */
function owner(client: RecordingClient): string {
  return client.socket.id.split('~')[0];
}

/** Numbers `from`..`to` of the `{ n }` echoes `client` got, in arrival order. */
function echoed(client: RecordingClient, from: number, to: number): number[] {
  return client.received.map((m) => (m as { n: number }).n).filter((n) => n >= from && n <= to);
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Where each of `clients` stands, for a failure's message. */
function describeClients(clients: RecordingClient[], from = 0, to = 0): string {
  const line = (c: RecordingClient): string =>
    `${c.socket.id} ${c.transports.join('>')} now ${c.socket.transport} ${c.socket.state} got ${echoed(c, from, to).length} closes ${JSON.stringify(c.closes)} attempts ${JSON.stringify(c.socket.attempts.slice(-3))}`;
  return clients.map(line).join('\n');
}

/** Waits for `condition` over `clients`; on time-out the error says where those it does not hold for stand. */
async function waitForAll(clients: RecordingClient[], condition: (c: RecordingClient) => boolean, what: string, timeoutMs: number, from = 0, to = 0): Promise<void> {
  try {
    await waitFor(() => clients.every(condition), what, timeoutMs);
  } catch (error) {
    throw new Error(`${String(error)}:\n${describeClients(clients.filter((c) => !condition(c)), from, to)}`);
  }
}

async function exchange(clients: RecordingClient[], from: number, to: number, timeoutMs = 30_000): Promise<void> {
  for (const client of clients) for (const n of range(from, to)) client.socket.send({ n });
  await waitForAll(clients, (c) => echoed(c, from, to).length >= to - from + 1, `echoes ${from}..${to}`, timeoutMs, from, to);
}

describe.runIf(RUNS)('faults during traffic, three node processes behind a round-robin nginx', () => {
  const redis = suiteRedisServer();
  let deployment: Deployment | null = null;

  /**
   * Three nodes, nginx, and clients on HTTP transports until every node owns at least two sessions.
   * The nodes refresh their presence every 500 ms (expiring after 1.5 s) unless `presence` says otherwise.
   */
  async function deploy({
    transports = TRANSPORTS,
    cutter = false,
    atLeast = 0,
    presence = { heartbeatInterval: 500, nodeExpiry: 1_500 },
  }: { transports?: TransportName[]; cutter?: boolean; atLeast?: number; presence?: { heartbeatInterval?: number; nodeExpiry?: number } } = {}): Promise<Deployment> {
    if (noNginx.length > 0) throw new Error('CI=true and nginx is missing: install the Debian package nginx-light');
    const prefix = freshPrefix();
    const nodes = await Promise.all([0, 1, 2].map((i) => startServerProcess({ cluster: { redis: redis.url, prefix, nodeId: `node-${i}`, ...presence } })));
    const nginx = await startRoundRobinNginx(nodes.map((node) => node.port));
    const proxy = cutter ? await new TcpProxy(Number(new URL(nginx.origin).port)).listen() : null;
    const clients: RecordingClient[] = [];
    deployment = { nodes, nginx, proxy, clients };
    const owned = (node: string): number => clients.filter((c) => owner(c) === node).length;
    for (let i = 0; clients.length < Math.max(30, atLeast) && (clients.length < atLeast || [0, 1, 2].some((n) => owned(`node-${n}`) < 2)); i++) {
      const client = connectClient(proxy?.origin ?? nginx.origin, { transports: [transports[i % transports.length]] });
      clients.push(client);
      await waitFor(() => client.socket.state === 'open', 'a session to open');
    }
    for (const n of [0, 1, 2]) expect(owned(`node-${n}`), `sessions owned by node-${n}`).toBeGreaterThanOrEqual(2);
    return deployment;
  }

  afterEach(async () => {
    if (deployment === null) return;
    for (const client of deployment.clients) client.socket.close();
    await deployment.proxy?.close();
    await deployment.nginx.stop();
    await Promise.all(deployment.nodes.map((node) => node.close()));
    deployment = null;
  });

  it('Redis paused for 3 s (CLIENT PAUSE) during traffic: every message arrives once, in order, and no session ends', { timeout: 90_000 }, async () => {
    const { nodes, clients } = await deploy();
    await exchange(clients, 1, 30);
    const admin = createClient({ url: redis.url, RESP: 2 });
    await admin.connect();
    try {
      await admin.sendCommand(['CLIENT', 'PAUSE', '3000', 'ALL']);
      await exchange(clients, 31, 60);
    } finally {
      admin.destroy();
    }
    for (const client of clients) {
      expect(echoed(client, 1, 60)).toEqual(range(1, 60));
      expect(client.closes).toEqual([]);
    }
    for (const node of nodes) expect(node.death(), node.stderr()).toBeNull();
  });

  it('a node stopped for a deploy (ferry.close()): its clients renew on the others, the rest lose nothing', { timeout: 90_000 }, async () => {
    const { nodes, clients } = await deploy();
    await exchange(clients, 1, 20);
    const leaving = clients.filter((c) => owner(c) === 'node-2');
    const staying = clients.filter((c) => owner(c) !== 'node-2');
    await nodes[2].shutdown();
    await waitForAll(leaving, (c) => c.socket.state === 'open' && owner(c) !== 'node-2', 'the renewals', 20_000);
    // the goodbye rides on the held poll; a client whose next poll was on its way at that instant
    // hears "node lost" from that poll instead (README, "A node that stops"): one renewal either way
    for (const client of leaving) expect(client.closes.length === 1 && ['server shutting down', 'node lost'].includes(client.closes[0]), client.closes.join(', ')).toBe(true);
    expect(leaving.some((client) => client.closes[0] === 'server shutting down')).toBe(true);
    await exchange(clients, 21, 40);
    for (const client of staying) {
      expect(echoed(client, 1, 40)).toEqual(range(1, 40));
      expect(client.closes).toEqual([]);
    }
    for (const client of leaving) expect(echoed(client, 21, 40)).toEqual(range(21, 40));
    for (const node of nodes.slice(0, 2)) expect(node.death(), node.stderr()).toBeNull();
  });

  it('a node killed (SIGKILL): its clients, WebSocket-only ones too, start new sessions on live nodes before it leaves the registry, the rest lose nothing', { timeout: 90_000 }, async () => {
    // the default presence timing: the dead node stays listed for 6 s
    const { nodes, clients } = await deploy({ transports: [...TRANSPORTS, 'websocket'], presence: {} });
    await exchange(clients, 1, 20);
    // the node to kill owns a WebSocket-only session
    const victim = owner(clients.find((c) => c.transports[0] === 'websocket') as RecordingClient);
    const lost = clients.filter((c) => owner(c) === victim);
    const staying = clients.filter((c) => owner(c) !== victim);
    const killedAt = Date.now();
    await nodes[Number(victim.slice('node-'.length))].close();
    // Redis drops the dead node's subscription at once; absent for 2 s, it is dead (owner-watch.ts)
    await waitForAll(lost, (c) => c.socket.state === 'open' && owner(c) !== victim, 'the renewals', 20_000);
    const renewedWithin = Date.now() - killedAt;
    expect(renewedWithin, 'renewed before the dead node left the registry (cluster.nodeExpiry, 6 s)').toBeLessThan(6_000);
    for (const client of lost) {
      expect(client.closes.length).toBe(1);
      // a poll or a send reads the refusal's body; a stream's refusal has none to read
      expect(client.closes[0]).toMatch(/^(node lost|session expired)$/);
    }
    // a WebSocket join is answered with a close that says so (4001 "node lost")
    const told = lost.filter((c) => ['xhr-polling', 'jsonp-polling', 'websocket'].includes(c.transports[0]));
    for (const client of told) expect(client.closes[0], client.transports[0]).toBe('node lost');
    await exchange(clients, 21, 40);
    for (const client of staying) {
      expect(echoed(client, 1, 40)).toEqual(range(1, 40));
      expect(client.closes).toEqual([]);
    }
    for (const client of lost) expect(echoed(client, 21, 40)).toEqual(range(21, 40));
    for (const node of nodes.filter((_, n) => `node-${n}` !== victim)) expect(node.death(), node.stderr()).toBeNull();
    console.log(`[cluster] ${lost.length} sessions of the killed node renewed within ${renewedWithin} ms`);
  });

  it('connections between the clients and nginx cut at random during traffic, WebSocket included: every message arrives once, in order, and no session ends', { timeout: 120_000 }, async () => {
    const { nodes, proxy, clients } = await deploy({ transports: [...TRANSPORTS, 'websocket'], cutter: true, atLeast: 18 });
    const seed = Date.now() % 1_000_000;
    const random = mulberry32(seed);
    let cuts = 0;
    const cutter = setInterval(() => {
      if (proxy?.cutOne(random)) cuts++;
    }, 50);
    try {
      // 20 rounds of 10 messages each way, a little apart, so that cuts fall on every kind of request
      for (let from = 1; from <= 200; from += 10) {
        await exchange(clients, from, from + 9, 60_000);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      clearInterval(cutter);
    }
    console.log(`[cluster] ${cuts} connections cut at random (seed ${seed}) under ${clients.length} sessions`);
    expect(cuts).toBeGreaterThan(20);
    for (const client of clients) {
      expect(echoed(client, 1, 200), `${client.socket.id} (seed ${seed})`).toEqual(range(1, 200));
      expect(client.closes).toEqual([]);
    }
    for (const node of nodes) expect(node.death(), node.stderr()).toBeNull();
  });
});
