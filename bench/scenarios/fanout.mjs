// (8) Broadcast fan-out: N WebSocket sessions (opened by several load processes, as capacity
// opens them), then the server makes ONE library broadcast call (Ferry `ferry.send(data)`,
// Socket.IO `io.emit('message', data)`), and the time from just before that call until the last
// session's client has handed the message to the application.
//
// One clock across the processes (lib/broadcast-timing.mjs; the uncertainty, half the quickest IPC
// round trip, is reported as `clockError`). Broadcasts are numbered and each session checks it gets every number once and in
// order. After `warmup` untimed broadcasts, `broadcasts` timed ones, one at a time with `gapMs`
// between them (Ferry's clients acknowledge within 50 ms; the gap lets that traffic settle so each
// broadcast starts on a quiet server); the median is the round's figure. The sizes are measured in
// one server: the sessions for the first size are opened, measured, then topped up to the next.
// At the first size, `burst` broadcasts are also made back to back (one synchronous loop), and
// the deliveries per second until every session has all of them are reported as `burst1k`.
import { runLimited, sleep } from '../lib/limits.mjs';
import { now } from '../lib/clock.mjs';
import { withServer, withLoads } from '../lib/fixture.mjs';
import { broadcastTimer, checkAndClose, openSessions } from '../lib/broadcast-timing.mjs';
import { broadcastId } from '../targets/broadcast.mjs';

export const metrics = [
  { key: 'ms1k', label: 'broadcast to 1,000 sessions, until all have it', unit: 'ms', better: 'lower' },
  { key: 'ms10k', label: 'broadcast to 10,000 sessions, until all have it', unit: 'ms', better: 'lower' },
  { key: 'burst1k', label: 'back-to-back broadcasts to 1,000 sessions', unit: 'msg/s', better: 'higher', chart: false },
];

// The metric each session count is reported under.
const KEYS = { 1_000: 'ms1k', 10_000: 'ms10k' };

export function loadHandlers(open) {
  const sessions = [];
  const received = new Map(); // broadcast id -> sessions that have it
  const completedAt = new Map(); // broadcast id -> when the last session here got it
  let outOfOrder = 0;
  let dropped = 0;
  let openFailures = 0;
  let firstError = null;
  let waiter = null;

  function onBroadcast(session, message) {
    const id = broadcastId(message);
    if (!(id > session.last)) outOfOrder++;
    session.last = id;
    const count = (received.get(id) ?? 0) + 1;
    received.set(id, count);
    if (count === sessions.length) {
      completedAt.set(id, now());
      waiter?.();
    }
  }

  return {
    now,
    /** Opens sessions until this process holds `total`. */
    async open({ total, concurrency, timeLimitMs }) {
      const more = Math.max(0, total - sessions.length);
      const opened = await runLimited(more, concurrency, async () => {
        try {
          const session = await open(timeLimitMs);
          session.last = -1;
          session.onmessage = (message) => onBroadcast(session, message);
          session.onclose = () => dropped++;
          return session;
        } catch (error) {
          openFailures++;
          firstError ??= String(error.message ?? error);
          return null;
        }
      }, Date.now() + timeLimitMs);
      for (const session of opened) if (session) sessions.push(session);
      return { sessions: sessions.length, openFailures, firstError };
    },
    /**
     * Resolves once every session here has broadcasts from..from+count-1: the time the last of
     * them completed, or { missing } (deliveries not seen) after `timeoutMs`.
     */
    wait({ from, count, timeoutMs }) {
      return new Promise((resolve) => {
        const check = () => {
          let at = 0;
          for (let id = from; id < from + count; id++) {
            if (!completedAt.has(id)) return;
            at = Math.max(at, completedAt.get(id));
          }
          clearTimeout(timer);
          waiter = null;
          resolve({ at });
        };
        const timer = setTimeout(() => {
          waiter = null;
          let missing = 0;
          for (let id = from; id < from + count; id++) missing += sessions.length - (received.get(id) ?? 0);
          resolve({ at: NaN, missing });
        }, timeoutMs);
        waiter = check;
        check();
      });
    },
    status: () => ({ alive: sessions.filter((s) => !s.closed).length, dropped, outOfOrder }),
    close() {
      for (const session of sessions) {
        session.onclose = () => {};
        session.close();
      }
      return true;
    },
  };
}

export async function run(target, settings) {
  const { sizes, loadProcesses, warmup, broadcasts, gapMs, burst, waitTimeoutMs } = settings;
  const largest = Math.max(...sizes);
  const serverOptions = { maxSessions: largest * 2 };
  return withServer(target, serverOptions, (server) =>
    withLoads(target, 'fanout', loadProcesses, () => ({ port: server.ready.port }), async (loads) => {
      const timer = await broadcastTimer(server, loads, waitTimeoutMs);
      const result = { clockError: timer.clockError };
      for (const size of sizes) {
        const held = await openSessions(loads, Math.ceil(size / loadProcesses), settings, () => server.call('sessions'));
        const key = KEYS[size] ?? `ms${size}`;
        const times = await timer.series({ warmup, broadcasts, gapMs });
        result[key] = times.median;
        result[`${key}Max`] = times.max;
        if (size === sizes[0] && burst > 0) {
          const ms = await timer.timed(burst);
          result[size === 1_000 ? 'burst1k' : `burst${size}`] = (held * burst) / (ms / 1000);
          await sleep(gapMs);
        }
      }
      await checkAndClose(loads);
      return result;
    }, { raiseFdLimit: true }),
  { raiseFdLimit: true });
}
