// (3) Server push throughput: a few clients each ask for a burst of messages
// at once; messages delivered per second of wall time, from the requests
// until the last client has its whole burst. An untimed warm-up burst first,
// so that what is timed is the steady state, not V8 compiling the code.
import { pushCommand, END } from '../targets/replies.mjs';
import { withServer, withLoads } from '../lib/fixture.mjs';

export const metrics = [{ key: 'rate', label: 'push throughput', unit: 'msg/s', better: 'higher' }];

// A burst that delivers nothing for stallMs has stalled; it fails early.
function burst(session, count, timeLimitMs, stallMs) {
  return new Promise((resolve, reject) => {
    let received = 0;
    let lastAt = Date.now();
    const timer = setTimeout(() => reject(new Error(`burst: ${received} of ${count} after ${timeLimitMs} ms`)), timeLimitMs);
    const watchdog = setInterval(() => {
      if (Date.now() - lastAt < stallMs) return;
      clearInterval(watchdog);
      clearTimeout(timer);
      reject(new Error(`burst stalled: ${received} of ${count}, nothing for ${stallMs} ms`));
    }, 500);
    session.onmessage = (data) => {
      lastAt = Date.now();
      if (data !== END) return void received++;
      clearTimeout(timer);
      clearInterval(watchdog);
      if (received === count) resolve(received);
      else reject(new Error(`burst: ${received} of ${count} before the end marker`));
    };
    session.onclose = (reason) => {
      clearTimeout(timer);
      clearInterval(watchdog);
      reject(new Error(`burst: closed after ${received} of ${count}: ${reason}`));
    };
    session.send(pushCommand(count));
  });
}

export function loadHandlers(open) {
  return {
    async measure({ clients, count, warmup, timeLimitMs, stallMs }) {
      const sessions = await Promise.all(Array.from({ length: clients }, () => open()));
      if (warmup > 0) await Promise.all(sessions.map((session) => burst(session, warmup, timeLimitMs, stallMs)));
      const t0 = performance.now();
      try {
        await Promise.all(sessions.map((session) => burst(session, count, timeLimitMs, stallMs)));
        return { rate: (clients * count) / ((performance.now() - t0) / 1000) };
      } finally {
        for (const session of sessions) session.close();
      }
    },
  };
}

export async function run(target, { clients, count, warmup, timeLimitMs, stallMs }) {
  return withServer(target, {}, (server) =>
    withLoads(target, 'push', 1, () => ({ port: server.ready.port }), ([load]) =>
      load.call('measure', { clients, count, warmup, timeLimitMs, stallMs }, 2 * timeLimitMs + 20_000),
    ),
  );
}
