// The timing of library broadcasts, shared by the fan-out scenarios (scenarios/fanout.mjs on one
// server, scenarios/clusterfanout.mjs over three nodes): sessions opened by load processes running
// scenarios/fanout.mjs's load handlers, numbered broadcasts made by one server process, and the
// time from just before the broadcast call until the last session anywhere has the message.
import { now, clockOffset } from './clock.mjs';
import { callAll, sum } from './fixture.mjs';
import { sleep } from './limits.mjs';
import { median } from './stats.mjs';

/**
 * Has every load process open sessions until it holds `share`; throws unless all of them did and
 * the servers (`sessionCount()`: their total) hold at least as many. Resolves the sessions held.
 */
export async function openSessions(loads, share, { concurrency, openTimeLimitMs }, sessionCount) {
  const opening = await callAll(loads, 'open', { total: share, concurrency, timeLimitMs: openTimeLimitMs }, openTimeLimitMs + 30_000);
  const held = sum(opening.map((o) => o.sessions));
  const serverSessions = await sessionCount();
  if (held < share * loads.length || serverSessions < held) {
    const firstError = opening.map((o) => o.firstError).find(Boolean);
    throw new Error(`opened ${held} of ${share * loads.length} sessions (servers: ${serverSessions})${firstError ? `: ${firstError}` : ''}`);
  }
  return held;
}

/**
 * A timer of `caster`'s broadcasts as the sessions of `loads` receive them. One clock: the caster
 * notes the time before its call, each load process the time its own last session got the
 * message, every process on the epoch scale (lib/clock.mjs), each corrected by its offset from the
 * runner's clock as measured over IPC now (the uncertainty is `clockError`).
 */
export async function broadcastTimer(caster, loads, waitTimeoutMs) {
  const clocks = [];
  for (const worker of [caster, ...loads]) clocks.push(await clockOffset(worker));
  const [casterClock, ...loadClocks] = clocks;
  let nextId = 0;

  /** Broadcasts `count` messages at once; ms from the call until every session had them all. */
  async function timed(count) {
    const from = nextId;
    nextId += count;
    const waiting = callAll(loads, 'wait', { from, count, timeoutMs: waitTimeoutMs }, waitTimeoutMs + 10_000);
    const t0 = (await caster.call('broadcast', { from, count })) - casterClock.offset;
    const answers = await waiting;
    const missing = sum(answers.map((a) => a.missing ?? 0));
    if (missing > 0) throw new Error(`${missing} deliveries of broadcasts ${from}..${from + count - 1} missing after ${waitTimeoutMs} ms`);
    return Math.max(...answers.map((a, i) => a.at - loadClocks[i].offset)) - t0;
  }

  /** `warmup` untimed broadcasts, then the median and the longest of `broadcasts` timed ones, `gapMs` apart. */
  async function series({ warmup, broadcasts, gapMs }) {
    for (let i = 0; i < warmup; i++) {
      await timed(1);
      await sleep(gapMs);
    }
    const times = [];
    for (let i = 0; i < broadcasts; i++) {
      times.push(await timed(1));
      await sleep(gapMs);
    }
    return { median: median(times), max: Math.max(...times) };
  }

  return { timed, series, clockError: Math.max(...clocks.map((c) => c.error)) };
}

/** Throws if any session was dropped or got a broadcast out of order or twice; closes them all. */
export async function checkAndClose(loads) {
  const status = await callAll(loads, 'status');
  await callAll(loads, 'close').catch(() => {});
  const dropped = sum(status.map((s) => s.dropped));
  const outOfOrder = sum(status.map((s) => s.outOfOrder));
  if (dropped > 0 || outOfOrder > 0) throw new Error(`${dropped} sessions dropped, ${outOfOrder} broadcasts out of order or repeated`);
}
