// (6) Concurrent sessions one server process holds: several load processes
// open their share of N sessions, then hold them while probing each with an
// echo every probeIntervalMs. Held means: still open at the end, none dropped
// by heartbeat timeouts, probes answered (p99 within onTimeMs), and the
// server's event loop never late by more than onTimeMs.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PAYLOAD } from '../targets/replies.mjs';
import { percentile } from '../lib/stats.mjs';
import { runLimited, sleep } from '../lib/limits.mjs';
import { withServer, withLoads, callAll, sum } from '../lib/fixture.mjs';
import { TARGETS, hostsFor } from '../targets/index.mjs';

export const metrics = [
  { key: 'held', label: 'concurrent sessions held', unit: 'sessions', better: 'higher' },
  { key: 'attempted', label: 'concurrent sessions attempted', unit: 'sessions', better: 'higher', chart: false },
];

const TICK_MS = 100;

export function loadHandlers(open) {
  let sessions = [];
  let dropped = 0;
  const dropReasons = new Map();
  let openFailures = 0;
  let firstError = null;
  let prober = null;
  const rtts = [];
  // A busy load process delays probes too; its own event-loop delay tells
  // whether a slow probe was the server's doing or the client's.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  return {
    async open({ count, concurrency, timeLimitMs }) {
      const opened = await runLimited(count, concurrency, async () => {
        try {
          const session = await open(timeLimitMs);
          session.probeAt = 0;
          session.onmessage = () => {
            if (session.probeAt) rtts.push(performance.now() - session.probeAt);
            session.probeAt = 0;
          };
          session.onclose = (reason) => {
            dropped++;
            // why sessions dropped, by reason (the first few kinds): what a failed hold reports
            const why = String(reason).slice(0, 120);
            if (dropReasons.has(why) || dropReasons.size < 5) dropReasons.set(why, (dropReasons.get(why) ?? 0) + 1);
          };
          return session;
        } catch (error) {
          openFailures++;
          firstError ??= String(error.message ?? error);
          return null;
        }
      }, Date.now() + timeLimitMs);
      sessions = opened.filter(Boolean);
      return { opened: sessions.length, openFailures, firstError };
    },
    startProbes({ probeIntervalMs }) {
      const slots = Math.max(1, Math.round(probeIntervalMs / TICK_MS));
      let tick = 0;
      loop.enable();
      prober = setInterval(() => {
        const slot = tick++ % slots;
        for (let i = slot; i < sessions.length; i += slots) {
          const session = sessions[i];
          if (session.closed || session.probeAt) continue;
          session.probeAt = performance.now();
          session.send(PAYLOAD);
        }
      }, TICK_MS);
      return true;
    },
    stopProbes() {
      clearInterval(prober);
      loop.disable();
      const unanswered = sessions.filter((s) => s.probeAt && performance.now() - s.probeAt > 1_000).length;
      const alive = sessions.filter((s) => !s.closed).length;
      return { alive, dropped, dropReasons: Object.fromEntries(dropReasons), unanswered, probes: rtts.length, probeP99: percentile(rtts, 99), loopDelayMax: loop.max / 1e6 };
    },
    close() {
      for (const session of sessions) {
        session.onclose = () => {};
        session.close();
      }
      return true;
    },
  };
}

/**
 * Opens `share` sessions in every load process, holds them for `holdMs` while probing each every
 * `probeIntervalMs`, and judges whether they were held on time. `servers`: the server processes
 * (their session counts add up; the worst event-loop delay of any counts).
 */
export async function holdSessions(loads, servers, share, { concurrency, openTimeLimitMs, holdMs, probeIntervalMs, onTimeMs }) {
  const opening = await callAll(loads, 'open', { count: share, concurrency, timeLimitMs: openTimeLimitMs }, openTimeLimitMs + 30_000);
  const opened = sum(opening.map((o) => o.opened));
  await Promise.all(servers.map((server) => server.call('loopDelay')));
  await callAll(loads, 'startProbes', { probeIntervalMs });
  await sleep(holdMs);
  const held = await callAll(loads, 'stopProbes');
  const loops = await Promise.all(servers.map((server) => server.call('loopDelay')));
  const perServer = await Promise.all(servers.map((server) => server.call('sessions')));
  const serverSessions = sum(perServer);
  await callAll(loads, 'close').catch(() => {});
  const probeP99 = Math.max(...held.map((h) => h.probeP99));
  const alive = sum(held.map((h) => h.alive));
  const dropped = sum(held.map((h) => h.dropped));
  const unanswered = sum(held.map((h) => h.unanswered));
  const loopDelayMax = Math.max(...loops.map((loop) => loop.max));
  const onTime = dropped === 0 && unanswered === 0 && probeP99 <= onTimeMs && loopDelayMax <= onTimeMs;
  return {
    held: onTime ? Math.min(alive, serverSessions) : 0,
    attempted: share * loads.length,
    loadProcesses: loads.length,
    opened,
    alive,
    serverSessions,
    fewestOnAServer: Math.min(...perServer),
    dropped,
    unanswered,
    probeP99,
    loopDelayMax,
    clientLoopDelayMax: Math.max(...held.map((h) => h.loopDelayMax)),
    onTime,
    firstError: opening.map((o) => o.firstError).find(Boolean) ?? null,
    dropReasons: held.map((h) => h.dropReasons).filter((r) => Object.keys(r).length > 0),
  };
}

export async function run(target, settings) {
  const { sessions, loadProcesses, pingInterval, pingTimeout } = settings;
  const share = Math.ceil(sessions[TARGETS[target].family] / loadProcesses);
  const hosts = hostsFor(target, share);
  const serverOptions = { maxSessions: share * loadProcesses * 2, pingInterval, pingTimeout, loopbackHosts: hosts };
  return withServer(target, serverOptions, (server) =>
    withLoads(target, 'capacity', loadProcesses, () => ({ port: server.ready.port, hosts }), (loads) => holdSessions(loads, [server], share, settings), { raiseFdLimit: true }),
  { raiseFdLimit: true });
}
