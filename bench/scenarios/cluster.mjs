// (10) Cross-node cost: long-polling (the Node client forced to xhr-polling) through nginx, to ONE
// Ferry node (`ferry-xhr-1node`) and round-robin over THREE nodes sharing a Redis
// (`ferry-xhr-3nodes`: the `cluster: { redis, prefix }` option, an nginx `upstream` of the three
// with nothing sticky, so about two requests in three reach a node that does not own the session
// and are relayed to its owner through Redis). Both deployments run in the same round, and the
// 3-node figures are divided by the 1-node ones of that round.
//
// Each round starts a fresh redis-server (its own temp dir, nothing persisted), then:
// - echo throughput, as scenarios/echo.mjs measures it (its load handlers): every target on a
//   fresh deployment of its own, one after the other;
// - round trip p50/p99, as scenarios/latency.mjs measures it (its load handlers): fresh
//   deployments of both targets at once, each warmed up alone, then taking turns in `sliceMs`
//   slices over the same `measureMs` of wall time; `wake` is the median first round trip of a
//   slice (after the other target's slice), reported on its own, not a goal.
// Every node, nginx and Redis is stopped (by pid) when its measurement ends, fails or times out.
// Without redis-server or nginx the scenario is skipped, loudly (`skip()`).
import { percentile } from '../lib/stats.mjs';
import { withLoads, callAll } from '../lib/fixture.mjs';
import { echoRate, interleavedSlices } from '../lib/measure.mjs';
import { withDeployment, deploymentMissing } from '../lib/deployment.mjs';
import { startRedis } from '../lib/redis.mjs';

export const metrics = [
  { key: 'rate', label: 'long-polling echo throughput through nginx', unit: 'msg/s', better: 'higher' },
  { key: 'p50', label: 'long-polling round trip p50 through nginx', unit: 'ms', better: 'lower' },
  { key: 'p99', label: 'long-polling round trip p99 through nginx', unit: 'ms', better: 'lower' },
  { key: 'wake', label: 'long-polling round trip through nginx after a pause, p50', unit: 'ms', better: 'lower', chart: false },
];

/** Why this scenario cannot run here (a missing binary), or null. */
export const skip = deploymentMissing;

/** Echo throughput on a fresh deployment of `target`, as scenarios/echo.mjs measures it. */
function echo(target, redisUrl, { clients, inFlight, loadProcesses, warmupMs, durationMs }) {
  return withDeployment(target, redisUrl, ({ port, nodes }) =>
    withLoads(target, 'echo', loadProcesses, () => ({ port, clients: clients / loadProcesses, inFlight }), async (loads) => {
      await callAll(loads, 'connect', {}, 30_000);
      // the handshakes were spread round-robin too: each node owns some of the sessions
      const perNode = await Promise.all(nodes.map((node) => node.call('sessions')));
      const rate = await echoRate(loads, { warmupMs, durationMs });
      await callAll(loads, 'close').catch(() => {});
      return { rate, fewestSessionsOnANode: Math.min(...perNode) };
    }),
  );
}

/** Runs fn(loads) with a fresh deployment and one latency load process for every target, all at once. */
function withLatencyLoads(targets, redisUrl, fn, loads = []) {
  if (loads.length === targets.length) return fn(loads);
  const target = targets[loads.length];
  return withDeployment(target, redisUrl, ({ port }) =>
    withLoads(target, 'latency', 1, () => ({ port }), ([load]) => withLatencyLoads(targets, redisUrl, fn, [...loads, load])),
  );
}

/** p50, p99 and wake for every target, interleaved as scenarios/latency.mjs's runSlices does. */
function latency(targets, redisUrl, { warmup, warmupMs, sliceMs, measureMs, minSamples }) {
  return withLatencyLoads(targets, redisUrl, async (loads) => {
    for (const load of loads) await load.call('open', {}, 20_000);
    for (const load of loads) await load.call('run', { count: warmup, maxMs: warmupMs }, warmupMs + 20_000);
    const { samples, wakes } = await interleavedSlices(loads, { sliceMs, measureMs });
    for (const load of loads) await load.call('close', {}, 5_000);
    const results = {};
    targets.forEach((target, i) => {
      results[target] =
        samples[i].length < minSamples
          ? { error: `only ${samples[i].length} round trips in ${measureMs} ms (at least ${minSamples} needed)` }
          : { p50: percentile(samples[i], 50), p99: percentile(samples[i], 99), wake: percentile(wakes[i], 50), samples: samples[i].length };
    });
    return results;
  });
}

const failed = (error) => ({ error: String(error?.message ?? error).split('\n')[0] });

/** One round for both targets: { [target]: { rate, p50, p99, wake, ... } or { error } }. */
export async function runGroup(targets, settings) {
  const redis = await startRedis();
  try {
    const results = Object.fromEntries(targets.map((target) => [target, {}]));
    for (const target of targets) {
      const measured = await echo(target, redis.url, settings.echo).catch(failed);
      Object.assign(results[target], measured);
    }
    const slices = await latency(targets, redis.url, settings.latency).catch((error) => Object.fromEntries(targets.map((t) => [t, failed(error)])));
    for (const target of targets) Object.assign(results[target], slices[target]);
    // a target with any part failed is reported failed (its error, not half its figures)
    for (const target of targets) if (results[target].error) results[target] = { error: results[target].error };
    return results;
  } finally {
    await redis.stop();
  }
}
