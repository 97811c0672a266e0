// (1) Echo throughput: many clients, each keeping a fixed number of messages
// in flight; counts echoes received per second across all load processes.
import { PAYLOAD } from '../targets/replies.mjs';
import { withServer, withLoads, callAll } from '../lib/fixture.mjs';
import { echoRate } from '../lib/measure.mjs';

export const metrics = [{ key: 'rate', label: 'echo throughput', unit: 'msg/s', better: 'higher' }];

export function loadHandlers(open, { clients, inFlight }) {
  let sessions = [];
  let received = 0;
  return {
    async connect() {
      sessions = await Promise.all(Array.from({ length: clients }, () => open()));
      for (const session of sessions) {
        session.onmessage = (data) => {
          received++;
          session.send(data);
        };
      }
      return sessions.length;
    },
    start() {
      for (const session of sessions) for (let i = 0; i < inFlight; i++) session.send(PAYLOAD);
      return true;
    },
    count: () => received,
    close() {
      for (const session of sessions) session.onmessage = () => {};
      for (const session of sessions) session.close();
      return true;
    },
  };
}

export async function run(target, { clients, inFlight, loadProcesses, warmupMs, durationMs }) {
  return withServer(target, {}, (server) =>
    withLoads(target, 'echo', loadProcesses, () => ({ port: server.ready.port, clients: clients / loadProcesses, inFlight }), async (loads) => {
      await callAll(loads, 'connect', {}, 30_000);
      const rate = await echoRate(loads, { warmupMs, durationMs });
      await callAll(loads, 'close').catch(() => {});
      return { rate };
    }),
  );
}
