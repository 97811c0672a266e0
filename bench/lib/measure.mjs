// The measuring loops the scenarios share: an echo rate over a window, and round-trip samples
// taken in slices that alternate between targets (so every target sees the same machine noise).
import { callAll, sum } from './fixture.mjs';
import { sleep } from './limits.mjs';

/** Starts the echo load processes, waits `warmupMs`, then counts echoes for `durationMs`: echoes per second. */
export async function echoRate(loads, { warmupMs, durationMs }) {
  await callAll(loads, 'start');
  await sleep(warmupMs);
  const before = sum(await callAll(loads, 'count'));
  const t0 = performance.now();
  await sleep(durationMs);
  const after = sum(await callAll(loads, 'count'));
  const seconds = (performance.now() - t0) / 1000;
  return (after - before) / seconds;
}

/**
 * Runs the latency load processes in turn, one `sliceMs` slice each, until `measureMs` has passed:
 * every round trip per load (`samples[i]`), and the first of each slice (`wakes[i]`, the round trip
 * after an idle moment).
 */
export async function interleavedSlices(loads, { sliceMs, measureMs }) {
  const samples = loads.map(() => []);
  const wakes = loads.map(() => []);
  const end = Date.now() + measureMs;
  while (Date.now() < end) {
    for (let i = 0; i < loads.length; i++) {
      const slice = await loads[i].call('run', { count: 1e9, maxMs: sliceMs }, 20_000);
      for (const ms of slice) samples[i].push(ms);
      wakes[i].push(slice[0]);
    }
  }
  return { samples, wakes };
}
