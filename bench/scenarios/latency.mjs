// (2) Round-trip latency: one client, one message at a time (ping-pong);
// p50 and p99 of the round trips after a warm-up.
import { PAYLOAD } from '../targets/replies.mjs';
import { percentile } from '../lib/stats.mjs';
import { roundTrip } from '../lib/session.mjs';
import { withServer, withLoads } from '../lib/fixture.mjs';

export const metrics = [
  { key: 'p50', label: 'round trip p50', unit: 'ms', better: 'lower' },
  { key: 'p99', label: 'round trip p99', unit: 'ms', better: 'lower' },
];

export function loadHandlers(open) {
  return {
    async measure({ warmup, count, timeLimitMs }) {
      const session = await open();
      const deadline = Date.now() + timeLimitMs;
      const samples = [];
      for (let i = 0; i < warmup + count && Date.now() < deadline; i++) {
        const t0 = performance.now();
        await roundTrip(session, PAYLOAD);
        if (i >= warmup) samples.push(performance.now() - t0);
      }
      session.close();
      if (samples.length < Math.min(count, 20)) throw new Error(`only ${samples.length} of ${count} round trips within ${timeLimitMs} ms`);
      return { p50: percentile(samples, 50), p99: percentile(samples, 99), samples: samples.length };
    },
  };
}

export async function run(target, { warmup, count, timeLimitMs }) {
  return withServer(target, {}, (server) =>
    withLoads(target, 'latency', 1, () => ({ port: server.ready.port }), ([load]) =>
      load.call('measure', { warmup, count, timeLimitMs }, timeLimitMs + 20_000),
    ),
  );
}
