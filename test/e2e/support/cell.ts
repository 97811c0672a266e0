// One cell of the matrix: a browser profile on a network path. Opens the harness page,
// waits for it to finish its rounds, and checks both directions exactly-once and in order.
import type { Browser, Page } from 'playwright-core';
import type { AppServer, ServerCellRecord } from './app-server.js';
import { openProfiledPage, type BrowserProfile } from './browser.js';
import type { RunningPath } from './paths/index.js';
import { sleep } from './processes.js';
import { describeSequence } from './sequence.js';

export interface Round {
  readonly c2s: number;
  readonly s2c: number;
}

export interface CellPlan {
  readonly rounds: readonly Round[];
  /** Idle time between consecutive rounds, in ms. */
  readonly gapsMs: readonly number[];
  /** A round (its echoes and its burst) slower than this fails the cell: it is not realtime. */
  readonly roundBudgetMs: number;
  readonly timeoutMs: number;
  /** More query parameters for the page (fixtures/harness.js), e.g. `server`, `transports`. */
  readonly pageParams?: Readonly<Record<string, string>>;
}

/** Mirror of the client's `socket.attempts`: why each transport was or was not used. */
export interface TransportAttempt {
  transport: string;
  outcome: 'used' | 'failed';
  reason: string;
}

/** Mirror of `window.__ferryResults` in fixtures/harness.js. */
export interface PageResults {
  cell: string;
  bundle: string;
  firstMessageMs: number | null;
  /** From `connect()` to the first echo of the page's own messages. */
  firstEchoMs: number | null;
  session: string | null;
  transports: string[];
  opens: number;
  reconnects: number;
  /** `longestGapMs`: the longest the page waited for its next message during the round (from its start). */
  rounds: { startedMs: number; finishedMs: number | null; longestGapMs: number; echoes: number[]; burst: number[] }[];
  closes: string[];
  errors: string[];
  done: boolean;
  error: string | null;
  attempts?: TransportAttempt[];
}

declare global {
  interface Window {
    __ferryResults?: PageResults;
    __ferrySocket?: { attempts?: TransportAttempt[] };
  }
}

export interface CellOutcome {
  readonly profile: string;
  readonly path: string;
  /** The traffic the cell ran, in words (see `describePlan`). */
  readonly traffic: string;
  readonly pass: boolean;
  readonly transports: string[];
  readonly serverTransports: string[];
  readonly firstMessageMs: number | null;
  readonly firstEchoMs: number | null;
  /** The longest the page waited for its next message during any round: a stall in delivery shows here. */
  readonly longestGapMs: number | null;
  /** Distinct reasons the client gave for not using a transport. */
  readonly fallbacks: string[];
  readonly durationMs: number;
  /** What the proxy counted during this cell (`RunningPath.counters`), e.g. connections cut. */
  readonly proxy: Record<string, number>;
  readonly failures: string[];
  /** Page console, proxy evidence and the raw records, for a failing cell. */
  readonly evidence: string;
}

const SETTLE_MS = 750; // late duplicates have this long to show up after the page reports done
const NAVIGATION_ATTEMPTS = 3;

export async function runCell(browser: Browser, profile: BrowserProfile, path: { name: string; running: RunningPath }, app: AppServer, plan: CellPlan): Promise<CellOutcome> {
  const cell = `${path.name}/${profile.name}/${Date.now()}`;
  const query = new URLSearchParams({
    cell,
    bundle: profile.bundle,
    rounds: plan.rounds.map((round) => `${round.c2s}x${round.s2c}`).join(','),
    gaps: plan.gapsMs.join(','),
    budget: String(plan.roundBudgetMs),
    ...plan.pageParams,
  });
  const url = `${path.running.pageOrigin}/e2e/?${query.toString()}`;
  const started = Date.now();
  const countersBefore = path.running.counters?.() ?? {};
  const failures: string[] = [];
  const opened = await openProfiledPage(browser, profile);
  let results: PageResults | undefined;
  try {
    await navigate(opened.page, url);
    try {
      await opened.page.waitForFunction(() => {
        const r = window.__ferryResults;
        return r !== undefined && (r.done || r.error !== null);
      }, undefined, { timeout: plan.timeoutMs, polling: 250 });
      await sleep(SETTLE_MS);
    } catch {
      failures.push(`page did not finish within ${plan.timeoutMs} ms`);
    }
    results = await opened.page.evaluate(() => {
      const page = window.__ferryResults;
      const attempts = window.__ferrySocket?.attempts;
      return page === undefined ? undefined : { ...page, attempts: attempts === undefined ? [] : attempts.slice() };
    });
  } catch (error) {
    failures.push(`page failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await opened.close().catch(() => undefined);
  }
  const record = app.record(cell);
  failures.push(...verify(plan, results, record));
  return {
    profile: profile.name,
    path: path.name,
    traffic: describePlan(plan),
    pass: failures.length === 0,
    transports: results?.transports ?? [],
    serverTransports: record?.transports ?? [],
    firstMessageMs: results?.firstMessageMs ?? null,
    firstEchoMs: results?.firstEchoMs ?? null,
    longestGapMs: results === undefined || results.rounds.length === 0 ? null : Math.max(...results.rounds.map((round) => round.longestGapMs)),
    fallbacks: fallbackReasons(results?.attempts ?? []),
    durationMs: Date.now() - started,
    proxy: counterDelta(countersBefore, path.running.counters?.() ?? {}),
    failures,
    evidence: [
      `url: ${url}`,
      `page results: ${summarizePage(results)}`,
      `server record: ${JSON.stringify(record === undefined ? null : { ...record, received: record.received.map((r) => r.length) })}`,
      path.running.diagnostics(),
      `page log (tail):\n${opened.log.slice(-40).join('\n')}`,
    ].join('\n'),
  };
}

export function describePlan(plan: CellPlan): string {
  const rounds = plan.rounds.map((round) => `${round.c2s} echoed + ${round.s2c} pushed`);
  const gaps = plan.gapsMs.length === 0 ? '' : `, ${[...new Set(plan.gapsMs)].map((gap) => `${gap / 1000} s`).join('/')} idle between rounds`;
  const shown = rounds.length > 2 ? `${rounds[0]}, then ${rounds.length - 1} × (${rounds[1]})` : rounds.join(', then ');
  return `${plan.rounds.length} round${plan.rounds.length === 1 ? '' : 's'}: ${shown}${gaps}; each round within ${plan.roundBudgetMs / 1000} s`;
}

async function navigate(page: Page, url: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await page.goto(url, { waitUntil: 'load', timeout: 15_000 });
      return;
    } catch (error) {
      // Only the random-cut path can drop the page load itself; that is not Ferry's to survive.
      if (attempt >= NAVIGATION_ATTEMPTS) throw error;
    }
  }
}

function verify(plan: CellPlan, results: PageResults | undefined, record: ServerCellRecord | undefined): string[] {
  if (results === undefined) return ['page published no results'];
  const failures: string[] = [];
  if (results.error !== null) failures.push(`page error: ${results.error}`);
  if (record === undefined && results.rounds.length === 0) {
    failures.push('no message was exchanged: the page never opened a session the server heard from');
    return failures;
  }
  if (record === undefined) failures.push('server never received the hello message');
  if (record !== undefined && record.sessions.length !== 1) failures.push(`server saw ${record.sessions.length} sessions, expected 1`);
  const started = results.rounds.length;
  if (started < plan.rounds.length) failures.push(`rounds ${started}..${plan.rounds.length - 1} never started`);
  plan.rounds.slice(0, started).forEach((round, index) => {
    const page = results.rounds[index];
    const problems = [
      describeSequence(`round ${index} client->server as received by the server`, record?.received[index] ?? [], round.c2s),
      describeSequence(`round ${index} echoes as received by the page`, page?.echoes ?? [], round.c2s),
      describeSequence(`round ${index} server burst as received by the page`, page?.burst ?? [], round.s2c),
    ];
    for (const problem of problems) if (problem !== undefined) failures.push(problem);
    if (page !== undefined && page.finishedMs !== null && page.finishedMs - page.startedMs > plan.roundBudgetMs) {
      failures.push(`round ${index} took ${page.finishedMs - page.startedMs} ms, over the ${plan.roundBudgetMs} ms budget`);
    }
  });
  return failures;
}

function counterDelta(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, value] of Object.entries(after)) delta[name] = value - (before[name] ?? 0);
  return delta;
}

function fallbackReasons(attempts: readonly TransportAttempt[]): string[] {
  const reasons = attempts.filter((attempt) => attempt.outcome === 'failed').map((attempt) => `${attempt.transport}: ${attempt.reason}`);
  return [...new Set(reasons)];
}

function summarizePage(results: PageResults | undefined): string {
  if (results === undefined) return 'none';
  const rounds = results.rounds.map((round) => ({
    startedMs: round.startedMs,
    finishedMs: round.finishedMs,
    echoes: round.echoes.length,
    burst: round.burst.length,
  }));
  return JSON.stringify({ ...results, rounds });
}
