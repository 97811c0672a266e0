// (11) Cross-node broadcast: 1,000 and then 10,000 WebSocket sessions spread evenly over THREE
// server processes that share one Redis, then ONE library broadcast call on the first node (Ferry
// `ferry.send(data)` with its `cluster: { redis, prefix }` option; Socket.IO `io.emit('message',
// data)` with its Redis adapter, @socket.io/redis-adapter), and the time from just before that call
// until the last session on any node has handed the message to the application. A third of the
// sessions are on the node that broadcasts; the other two thirds get the message through Redis
// (Ferry: a Redis stream each node reads; Socket.IO: pub/sub).
//
// Every session is one WebSocket (both libraries' clients forced to it), so Socket.IO needs no
// sticky sessions here: a session never makes a second request that could land elsewhere. The
// load processes connect straight to the nodes (load process i to node i mod 3), so no proxy's
// cost is in the figure. Each round starts a fresh redis-server (its own temp dir, nothing
// persisted) and fresh nodes; timing, numbering and checks are those of scenarios/fanout.mjs
// (lib/broadcast-timing.mjs). Without redis-server the scenario is skipped, loudly (`skip()`).
import { withServers, withLoads, sum } from '../lib/fixture.mjs';
import { broadcastTimer, checkAndClose, openSessions } from '../lib/broadcast-timing.mjs';
import { redisBinary, startRedis } from '../lib/redis.mjs';

export { loadHandlers } from './fanout.mjs';

export const metrics = [
  { key: 'ms1k', label: 'broadcast to 1,000 sessions over 3 nodes, until all have it', unit: 'ms', better: 'lower' },
  { key: 'ms10k', label: 'broadcast to 10,000 sessions over 3 nodes, until all have it', unit: 'ms', better: 'lower' },
];

const KEYS = { 1_000: 'ms1k', 10_000: 'ms10k' };

/** Why this scenario cannot run here (a missing binary), or null. */
export function skip() {
  return redisBinary() ? null : 'missing redis-server (apt-get install redis-server)';
}

let deployments = 0;

export async function run(target, settings) {
  const { sizes, loadProcesses, warmup, broadcasts, gapMs, waitTimeoutMs } = settings;
  const nodeCount = 3;
  if (loadProcesses % nodeCount !== 0) throw new Error(`loadProcesses (${loadProcesses}) must be a multiple of ${nodeCount}`);
  const redis = await startRedis();
  try {
    const options = { maxSessions: Math.max(...sizes) * 2, cluster: { redis: redis.url, prefix: `bench-${process.pid}-${++deployments}` } };
    return await withServers(target, options, nodeCount, (nodes) =>
      withLoads(target, 'clusterfanout', loadProcesses, (i) => ({ port: nodes[i % nodeCount].ready.port }), async (loads) => {
        const timer = await broadcastTimer(nodes[0], loads, waitTimeoutMs);
        const result = { clockError: timer.clockError };
        const sessionCount = async () => sum(await Promise.all(nodes.map((node) => node.call('sessions'))));
        for (const size of sizes) {
          await openSessions(loads, Math.ceil(size / loadProcesses), settings, sessionCount);
          const times = await timer.series({ warmup, broadcasts, gapMs });
          const key = KEYS[size] ?? `ms${size}`;
          result[key] = times.median;
          result[`${key}Max`] = times.max;
        }
        await checkAndClose(loads);
        return result;
      }, { raiseFdLimit: true }),
    { raiseFdLimit: true });
  } finally {
    await redis.stop();
  }
}
