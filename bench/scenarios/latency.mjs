// (2) Round-trip latency: one client per target, one message at a time
// (ping-pong). Every target's server and client run at once, each in its own
// process, and the targets take turns in slices (`sliceMs`) for the same
// `measureMs` of wall time: a burst of machine noise lands on all of them
// alike, which per-target runs a second apart cannot promise. p50 and p99 are
// over every round trip a target made in that window. The first round trip of
// a slice follows a pause (the other targets' slices) and is slower: slices
// are long enough that these are well under 1% of the samples (short ones
// made p99 the latency after a pause), and their median is reported on its
// own as `wake`.
//
// Before that, each target warms up alone: `warmup` round trips (or
// `warmupMs` for the slow ones), so the measured window is the steady state.
// The p99 of the first `coldCount` of those is reported as `p99cold`, not a
// goal: it mostly shows V8 compiling each library's code.
import { PAYLOAD } from '../targets/replies.mjs';
import { percentile } from '../lib/stats.mjs';
import { roundTrip } from '../lib/session.mjs';
import { interleavedSlices } from '../lib/measure.mjs';
import { withServer, withLoads } from '../lib/fixture.mjs';

export const metrics = [
  { key: 'p50', label: 'round trip p50', unit: 'ms', better: 'lower' },
  { key: 'p99', label: 'round trip p99', unit: 'ms', better: 'lower' },
  { key: 'p99cold', label: 'round trip p99, first round trips', unit: 'ms', better: 'lower', chart: false },
  { key: 'wake', label: 'round trip after a pause, p50', unit: 'ms', better: 'lower', chart: false },
];

export function loadHandlers(open) {
  let session = null;
  return {
    async open() {
      session = await open();
      return true;
    },
    /** Round trips until `count` are done or `maxMs` has passed (at least one); their durations. */
    async run({ count, maxMs }) {
      const started = performance.now();
      const samples = [];
      while (samples.length < count && (samples.length === 0 || performance.now() - started < maxMs)) {
        const t0 = performance.now();
        await roundTrip(session, PAYLOAD);
        samples.push(performance.now() - t0);
      }
      return samples;
    },
    close() {
      session?.close();
      return true;
    },
  };
}

/**
 * Runs fn(loads) with a server (given `serverOptions`) and a load process running `scenario` for
 * every target, all at once.
 */
function withAll(scenario, serverOptions, targets, fn, loads = []) {
  if (loads.length === targets.length) return fn(loads);
  const target = targets[loads.length];
  return withServer(target, serverOptions, (server) =>
    withLoads(target, scenario, 1, () => ({ port: server.ready.port }), ([load]) => withAll(scenario, serverOptions, targets, fn, [...loads, load])),
  );
}

/** One round for all `targets` together; resolves { [target]: result }. */
export function runGroup(targets, settings) {
  return runSlices('latency', {}, targets, settings);
}

/**
 * The interleaved-slices measurement for any scenario whose load handlers have open(), run({
 * count, maxMs }) (resolving with round-trip durations) and close(), as this one's do; ackrtt
 * uses it too.
 */
export async function runSlices(scenario, serverOptions, targets, { warmup, warmupMs, coldCount, sliceMs, measureMs, minSamples }) {
  return withAll(scenario, serverOptions, targets, async (loads) => {
    for (const load of loads) await load.call('open', {}, 20_000);
    const cold = [];
    for (const load of loads) cold.push(await load.call('run', { count: warmup, maxMs: warmupMs }, warmupMs + 20_000));
    const { samples, wakes } = await interleavedSlices(loads, { sliceMs, measureMs });
    for (const load of loads) await load.call('close', {}, 5_000);
    const results = {};
    targets.forEach((target, i) => {
      if (samples[i].length < minSamples) {
        results[target] = { error: `only ${samples[i].length} round trips in ${measureMs} ms (at least ${minSamples} needed)` };
        return;
      }
      results[target] = {
        p50: percentile(samples[i], 50),
        p99: percentile(samples[i], 99),
        p99cold: percentile(cold[i].slice(0, coldCount), 99),
        wake: percentile(wakes[i], 50),
        samples: samples[i].length,
      };
    });
    return results;
  });
}
