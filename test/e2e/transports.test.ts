// Every browser profile on every network path: the page connects, messages flow both ways,
// and each one arrives exactly once and in order. Writes the compatibility table at the end.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from './support/app-server.js';
import { missingBinaries, missingBinariesBanner } from './support/binaries.js';
import { checkClientBundles } from './support/bundles.js';
import { launchChromium, PROFILES, type BrowserProfile } from './support/browser.js';
import { runCell, type CellOutcome, type CellPlan } from './support/cell.js';
import { NETWORK_PATHS, type PathName, type RunningPath } from './support/paths/index.js';
import { NGINX_IDLE_TIMEOUT_S } from './support/paths/nginx.js';
import { cutSeed } from './support/paths/random-cut.js';
import { regenerateTable, writeResults, type ResultsMeta } from './support/results.js';
import { describeReport, IDLE_TEST_PATH, legacyProblems, runDiagnosticsPage, SCREENSHOT_PATH, verdictProblems } from './support/diagnostics.js';

const inCI = process.env.CI === 'true';
const missing = missingBinaries();
if (missing.length > 0) console.error(missingBinariesBanner(missing));

const ROUND_BUDGET_MS = 15_000;
const MODERN = PROFILES.find((profile) => profile.name === 'modern') as BrowserProfile;
const IE11_LIKE = PROFILES.find((profile) => profile.name === 'ie11-like') as BrowserProfile;
const STANDARD_PLAN: CellPlan = { rounds: [{ c2s: 300, s2c: 500 }], gapsMs: [], roundBudgetMs: ROUND_BUDGET_MS, timeoutMs: 30_000 };

/** Three silent gaps, each longer than nginx's idle timeout, with traffic around them. */
const IDLE_GAP_MS = (NGINX_IDLE_TIMEOUT_S + 1) * 1000;
const IDLE_PLAN: CellPlan = {
  rounds: [{ c2s: 300, s2c: 500 }, { c2s: 50, s2c: 100 }, { c2s: 50, s2c: 100 }, { c2s: 50, s2c: 100 }],
  gapsMs: [IDLE_GAP_MS, IDLE_GAP_MS, IDLE_GAP_MS],
  roundBudgetMs: ROUND_BUDGET_MS,
  timeoutMs: 3 * IDLE_GAP_MS + 4 * ROUND_BUDGET_MS,
};

/** Traffic every 1.2 s for ~8 s: long enough for upgrade probes to settle and for the
 * random-cut proxy (1–4 s connection lifetimes) to cut connections mid-session. */
const SUSTAINED_PLAN: CellPlan = {
  rounds: [{ c2s: 300, s2c: 500 }, ...Array.from({ length: 6 }, () => ({ c2s: 50, s2c: 100 }))],
  gapsMs: Array.from({ length: 6 }, () => 1_200),
  roundBudgetMs: ROUND_BUDGET_MS,
  timeoutMs: 60_000,
};

/** The proxy counter that shows a path's proxy really carried (and disturbed) the cell. */
const PATH_PROOF: Partial<Record<PathName, [counter: string, meaning: string]>> = {
  'squid-no-connect': ['proxied', 'requests squid proxied: the browser must not bypass it'],
  'nginx-no-upgrade-buffering': ['requests', 'requests nginx proxied'],
  'nginx-idle-timeout': ['requests', 'requests nginx proxied'],
  'ws-blackhole': ['httpRequests', 'requests the blackhole proxy forwarded'],
  'random-cut': ['cuts', 'connections cut during the cell'],
};

/** Paths that cut connections: there a wait for the next message may include a reconnect. */
const CUTS_CONNECTIONS: ReadonlySet<PathName> = new Set<PathName>(['nginx-idle-timeout', 'random-cut']);
/** Elsewhere the page never waits longer for its next message during a round (no stall while a transport is probed). */
const LONGEST_GAP_MS = 500;

function planFor(path: PathName): CellPlan {
  if (path === 'nginx-idle-timeout') return IDLE_PLAN;
  if (path === 'ws-blackhole' || path === 'random-cut') return SUSTAINED_PLAN;
  return STANDARD_PLAN;
}

describe.skipIf(missing.length > 0 && !inCI)('Ferry in Chromium across network paths', () => {
  const outcomes: CellOutcome[] = [];
  /** The diagnostics page's verdict on each path, for the table. */
  const verdicts: Record<string, string> = {};
  let app: AppServer;
  let browser: Browser;

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true and required binaries are missing:\n${missingBinariesBanner(missing)}`);
    checkClientBundles();
    app = await startAppServer();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (outcomes.length === 0) return;
    const meta: ResultsMeta = {
      chromium: browser?.version() ?? 'unknown',
      randomCutSeed: cutSeed(),
      profiles: PROFILES.map((profile) => profile.name),
      paths: NETWORK_PATHS.map((path) => path.name),
    };
    writeResults(meta, outcomes, verdicts);
    regenerateTable(meta, outcomes);
  });

  for (const path of NETWORK_PATHS) {
    describe(path.name, () => {
      let running: RunningPath;
      let pathBrowser: Browser;

      beforeAll(async () => {
        running = await path.start(app.port);
        // A forward proxy is a launch flag, so that path gets a browser of its own.
        pathBrowser = running.browserProxy === undefined ? browser : await launchChromium(running.browserProxy);
      });

      afterAll(async () => {
        if (pathBrowser !== undefined && pathBrowser !== browser) await pathBrowser.close();
        await running?.stop();
      });

      for (const profile of PROFILES) {
        it(`${profile.name}: every message arrives exactly once, in order`, async () => {
          const outcome = await runCell(pathBrowser, profile, { name: path.name, running }, app, planFor(path.name));
          outcomes.push(outcome);
          console.log(
            `[e2e] ${path.name} × ${profile.name}: ${outcome.pass ? 'pass' : 'FAIL'}, transports ${outcome.transports.join(' -> ') || 'none'}, first message ${outcome.firstMessageMs ?? '-'} ms, longest wait ${outcome.longestGapMs ?? '-'} ms, ${outcome.durationMs} ms, proxy ${JSON.stringify(outcome.proxy)}`,
          );
          expect(outcome.failures, outcome.evidence).toEqual([]);
          // A cell whose proxy never touched the traffic would prove nothing about that path.
          const [counter, meaning] = PATH_PROOF[path.name] ?? [];
          if (counter !== undefined) expect(outcome.proxy[counter] ?? 0, meaning).toBeGreaterThan(0);
          if (!CUTS_CONNECTIONS.has(path.name)) expect(outcome.longestGapMs, 'the longest wait for a message during a round').toBeLessThan(LONGEST_GAP_MS);
        });
      }

      it('diagnostics page: its verdict says what this path does', async () => {
        const screenshot = path.name === SCREENSHOT_PATH ? 'diagnostics.png' : null;
        const report = await runDiagnosticsPage(pathBrowser, MODERN, running.pageOrigin, screenshot, path.name === IDLE_TEST_PATH ? '?idle=1' : '');
        verdicts[path.name] = describeReport(report);
        console.log(`[e2e] ${path.name} diagnostics: ${verdicts[path.name]}`);
        expect(verdictProblems(path.name, report), JSON.stringify(report)).toEqual([]);
      });

      if (path.name === 'direct') {
        it('diagnostics page in the ie11-like profile: the ES5 bundle, and what the browser lacks', async () => {
          const report = await runDiagnosticsPage(pathBrowser, IE11_LIKE, running.pageOrigin, null);
          console.log(`[e2e] ${path.name} diagnostics (ie11-like): ${describeReport(report)}`);
          expect(legacyProblems(report), JSON.stringify(report)).toEqual([]);
        });
      }
    });
  }
});
