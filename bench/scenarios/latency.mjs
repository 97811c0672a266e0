// (2) Round-trip latency: one client, one message at a time (ping-pong);
// p50 and p99 of `count` round trips after `warmup` ones (steady state: the
// JIT has compiled the hot paths), and, for the record, the p99 of the first
// `count` round trips of a fresh process (`p99cold`: that mostly measures
// V8 tiering up each library's code, which shows as spikes at the same
// iteration numbers in every run).
import { PAYLOAD } from '../targets/replies.mjs';
import { percentile } from '../lib/stats.mjs';
import { roundTrip } from '../lib/session.mjs';
import { withServer, withLoads } from '../lib/fixture.mjs';

export const metrics = [
  { key: 'p50', label: 'round trip p50', unit: 'ms', better: 'lower' },
  { key: 'p99', label: 'round trip p99', unit: 'ms', better: 'lower' },
  { key: 'p99cold', label: 'round trip p99, first round trips', unit: 'ms', better: 'lower', chart: false },
];

export function loadHandlers(open) {
  return {
    async measure({ warmup, warmupMs, count, timeLimitMs }) {
      const session = await open();
      const started = Date.now();
      const deadline = started + timeLimitMs;
      const cold = [];
      const samples = [];
      // warm-up: `warmup` round trips, or `warmupMs` for the slow ones (sockjs xhr-polling)
      let warming = true;
      for (let i = 0; samples.length < count && Date.now() < deadline; i++) {
        if (warming && (i >= warmup || Date.now() - started >= warmupMs)) warming = false;
        const t0 = performance.now();
        await roundTrip(session, PAYLOAD);
        const ms = performance.now() - t0;
        if (cold.length < count) cold.push(ms);
        if (!warming) samples.push(ms);
      }
      session.close();
      if (samples.length < Math.min(count, 20)) throw new Error(`only ${samples.length} of ${count} round trips after ${warmup} warm-up ones within ${timeLimitMs} ms`);
      return { p50: percentile(samples, 50), p99: percentile(samples, 99), p99cold: percentile(cold, 99), samples: samples.length };
    },
  };
}

export async function run(target, { warmup, warmupMs, count, timeLimitMs }) {
  return withServer(target, {}, (server) =>
    withLoads(target, 'latency', 1, () => ({ port: server.ready.port }), ([load]) =>
      load.call('measure', { warmup, warmupMs, count, timeLimitMs }, timeLimitMs + 20_000),
    ),
  );
}
