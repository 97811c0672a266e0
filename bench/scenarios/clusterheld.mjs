// (12) Long-polling sessions held by THREE nodes behind nginx round-robin (`ferry-xhr-3nodes`:
// the `cluster` option on one Redis, nothing sticky, so about two polls and sends in three reach a
// node that does not own the session and are relayed to its owner through Redis). Load processes
// open their share of the sessions through nginx, then hold them as scenarios/capacity.mjs does
// (its load handlers and its judgement): heartbeats every `pingInterval`, an echo probe per session
// every `probeIntervalMs`; held only if no session dropped, every probe came back, and probe p99
// and every node's worst event-loop delay stayed under `onTimeMs`.
//
// nginx runs `nginxWorkers` workers: a held poll is two connections in nginx (client and node),
// and one process may hold no more files than the machine's limit (20,000 here).
// Each round starts a fresh redis-server; without it or nginx the scenario is skipped, loudly.
import { withLoads } from '../lib/fixture.mjs';
import { withDeployment, deploymentMissing } from '../lib/deployment.mjs';
import { startRedis } from '../lib/redis.mjs';
import { holdSessions } from './capacity.mjs';

export { loadHandlers } from './capacity.mjs';

export const metrics = [
  { key: 'held', label: 'long-polling sessions held over 3 nodes behind nginx', unit: 'sessions', better: 'higher' },
  { key: 'attempted', label: 'long-polling sessions attempted over 3 nodes', unit: 'sessions', better: 'higher', chart: false },
];

export const skip = deploymentMissing;

export async function run(target, settings) {
  const { sessions, loadProcesses, pingInterval, pingTimeout, nginxWorkers, nginxConnections } = settings;
  const share = Math.ceil(sessions / loadProcesses);
  const redis = await startRedis();
  try {
    const serverOptions = { maxSessions: share * loadProcesses * 2, pingInterval, pingTimeout };
    const deployment = { serverOptions, nginxOptions: { workers: nginxWorkers, connections: nginxConnections }, raiseFdLimit: true };
    return await withDeployment(target, redis.url, ({ port, nodes }) =>
      // (`fewestOnAServer`: the handshakes were spread round-robin too, so every node owns a share)
      withLoads(target, 'clusterheld', loadProcesses, () => ({ port }), (loads) => holdSessions(loads, nodes, share, settings), { raiseFdLimit: true }),
    deployment);
  } finally {
    await redis.stop();
  }
}
