// (4) Memory per idle session: the server's heap and RSS after GC, before and
// after a load process opens N sessions that each exchange one message and
// then stay idle. The server runs with --expose-gc.
import { PAYLOAD } from '../targets/replies.mjs';
import { runLimited, sleep } from '../lib/limits.mjs';
import { roundTrip } from '../lib/session.mjs';
import { withServer, withLoads } from '../lib/fixture.mjs';
import { hostsFor } from '../targets/index.mjs';

export const metrics = [
  { key: 'heap', label: 'memory per idle session, heap', unit: 'bytes', better: 'lower' },
  { key: 'rss', label: 'memory per idle session, RSS', unit: 'bytes', better: 'lower' },
];

export function loadHandlers(open) {
  let sessions = [];
  const openMany = async (count) => {
    const opened = await runLimited(count, 50, async () => {
      const session = await open();
      await roundTrip(session, PAYLOAD);
      session.onmessage = () => {};
      session.onclose = () => {};
      return session;
    });
    sessions.push(...opened);
    return opened.length;
  };
  return {
    open: ({ count }) => openMany(count),
    close() {
      for (const session of sessions) session.close();
      sessions = [];
      return true;
    },
  };
}

export async function run(target, { sessions, warmup, settleMs }) {
  const hosts = hostsFor(target, warmup + sessions);
  return withServer(target, { loopbackHosts: hosts }, (server) =>
    withLoads(target, 'memory', 1, () => ({ port: server.ready.port, hosts }), async ([load]) => {
      // Warm-up sessions stay open, so that lazy initialisation is not counted
      // and no closing session is still being torn down while measuring.
      await load.call('open', { count: warmup }, 60_000);
      await sleep(settleMs);
      const before = await server.call('memory');
      await load.call('open', { count: sessions }, 120_000);
      await sleep(settleMs);
      const held = await server.call('sessions');
      const after = await server.call('memory');
      await load.call('close');
      if (held < warmup + sessions) throw new Error(`server holds ${held} of ${warmup + sessions} sessions`);
      return { heap: (after.heapUsed - before.heapUsed) / sessions, rss: (after.rss - before.rss) / sessions };
    }),
  { gc: true });
}
