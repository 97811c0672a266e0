// (5) Session setup rate: open a session, send a first message, wait for its
// echo, close; a few lanes in parallel; sessions completed per second.
import { PAYLOAD } from '../targets/replies.mjs';
import { runLimited } from '../lib/limits.mjs';
import { roundTrip } from '../lib/session.mjs';
import { withServer, withLoads } from '../lib/fixture.mjs';

export const metrics = [{ key: 'rate', label: 'session setup rate', unit: 'sessions/s', better: 'higher' }];

export function loadHandlers(open) {
  return {
    async measure({ total, concurrency, timeLimitMs }) {
      const t0 = performance.now();
      let failures = 0;
      const done = await runLimited(total, concurrency, async () => {
        try {
          const session = await open();
          await roundTrip(session, PAYLOAD);
          session.close();
          return true;
        } catch {
          failures++;
          return false;
        }
      }, Date.now() + timeLimitMs);
      const completed = done.filter(Boolean).length;
      if (failures > total / 100) throw new Error(`${failures} of ${total} sessions failed to set up`);
      return { rate: completed / ((performance.now() - t0) / 1000), completed };
    },
  };
}

export async function run(target, { total, concurrency, timeLimitMs }) {
  return withServer(target, {}, (server) =>
    withLoads(target, 'setup', 1, () => ({ port: server.ready.port }), ([load]) =>
      load.call('measure', { total, concurrency, timeLimitMs }, timeLimitMs + 20_000),
    ),
  );
}
