// (8) Broadcast fan-out: N WebSocket sessions (opened by several load processes, as capacity
// opens them), then the server makes ONE library broadcast call (Ferry `ferry.send(data)`,
// Socket.IO `io.emit('message', data)`), and the time from just before that call until the last
// session's client has handed the message to the application.
//
// One clock: the server notes the time before the call, each load process the time its own last
// session got the message, every process on the epoch scale at sub-millisecond resolution
// (lib/clock.mjs), each corrected by its offset from the runner's clock as measured over IPC
// before the broadcasts (the uncertainty, half the quickest IPC round trip, is reported as
// `clockError`). Broadcasts are numbered and each session checks it gets every number once and in
// order. After `warmup` untimed broadcasts, `broadcasts` timed ones, one at a time with `gapMs`
// between them (Ferry's clients acknowledge within 50 ms; the gap lets that traffic settle so each
// broadcast starts on a quiet server); the median is the round's figure. The sizes are measured in
// one server: the sessions for the first size are opened, measured, then topped up to the next.
// At the first size, `burst` broadcasts are also made back to back (one synchronous loop), and
// the deliveries per second until every session has all of them are reported as `burst1k`.
import { runLimited, sleep } from '../lib/limits.mjs';
import { median } from '../lib/stats.mjs';
import { now, clockOffset } from '../lib/clock.mjs';
import { withServer, withLoads, callAll, sum } from '../lib/fixture.mjs';
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
  const { sizes, loadProcesses, concurrency, openTimeLimitMs, warmup, broadcasts, gapMs, burst, waitTimeoutMs } = settings;
  const largest = Math.max(...sizes);
  const serverOptions = { maxSessions: largest * 2 };
  return withServer(target, serverOptions, (server) =>
    withLoads(target, 'fanout', loadProcesses, () => ({ port: server.ready.port }), async (loads) => {
      const workers = [server, ...loads];
      const clocks = [];
      for (const worker of workers) clocks.push(await clockOffset(worker));
      const [serverClock, ...loadClocks] = clocks;
      let nextId = 0;

      /** Broadcasts `count` messages at once; ms from the call until every session had them all. */
      async function timed(count) {
        const from = nextId;
        nextId += count;
        const waiting = callAll(loads, 'wait', { from, count, timeoutMs: waitTimeoutMs }, waitTimeoutMs + 10_000);
        const t0 = (await server.call('broadcast', { from, count })) - serverClock.offset;
        const answers = await waiting;
        const missing = sum(answers.map((a) => a.missing ?? 0));
        if (missing > 0) throw new Error(`${missing} deliveries of broadcasts ${from}..${from + count - 1} missing after ${waitTimeoutMs} ms`);
        return Math.max(...answers.map((a, i) => a.at - loadClocks[i].offset)) - t0;
      }

      const result = { clockError: Math.max(...clocks.map((c) => c.error)) };
      for (const size of sizes) {
        const share = Math.ceil(size / loadProcesses);
        const opening = await callAll(loads, 'open', { total: share, concurrency, timeLimitMs: openTimeLimitMs }, openTimeLimitMs + 30_000);
        const held = sum(opening.map((o) => o.sessions));
        const serverSessions = await server.call('sessions');
        if (held < share * loadProcesses || serverSessions < held) {
          const firstError = opening.map((o) => o.firstError).find(Boolean);
          throw new Error(`opened ${held} of ${share * loadProcesses} sessions (server: ${serverSessions})${firstError ? `: ${firstError}` : ''}`);
        }
        for (let i = 0; i < warmup; i++) {
          await timed(1);
          await sleep(gapMs);
        }
        const times = [];
        for (let i = 0; i < broadcasts; i++) {
          times.push(await timed(1));
          await sleep(gapMs);
        }
        const key = KEYS[size] ?? `ms${size}`;
        result[key] = median(times);
        result[`${key}Max`] = Math.max(...times);
        if (size === sizes[0] && burst > 0) {
          const ms = await timed(burst);
          result[size === 1_000 ? 'burst1k' : `burst${size}`] = (held * burst) / (ms / 1000);
          await sleep(gapMs);
        }
      }
      const status = await callAll(loads, 'status');
      await callAll(loads, 'close').catch(() => {});
      const dropped = sum(status.map((s) => s.dropped));
      const outOfOrder = sum(status.map((s) => s.outOfOrder));
      if (dropped > 0 || outOfOrder > 0) throw new Error(`${dropped} sessions dropped, ${outOfOrder} broadcasts out of order or repeated`);
      return result;
    }, { raiseFdLimit: true }),
  { raiseFdLimit: true });
}
