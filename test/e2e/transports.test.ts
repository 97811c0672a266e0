// Every browser profile on every network path: the page connects, messages flow both ways,
// and each one arrives exactly once and in order. Writes the compatibility table at the end.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from './support/app-server.js';
import { missingBinaries, missingBinariesBanner } from './support/binaries.js';
import { launchChromium, PROFILES } from './support/browser.js';
import { runCell, type CellOutcome, type CellPlan } from './support/cell.js';
import { NETWORK_PATHS, type PathName, type RunningPath } from './support/paths/index.js';
import { NGINX_IDLE_TIMEOUT_S } from './support/paths/nginx.js';
import { cutSeed } from './support/paths/random-cut.js';
import { regenerateTable, writeResults, type ResultsMeta } from './support/results.js';

const BUNDLES = ['ferry.js', 'ferry.legacy.js'].map((name) => new URL(`../../dist/client/${name}`, import.meta.url));
const inCI = process.env.CI === 'true';
const missing = missingBinaries();
if (missing.length > 0) console.error(missingBinariesBanner(missing));

const STANDARD_PLAN: CellPlan = { rounds: [{ c2s: 300, s2c: 500 }], gapsMs: [], timeoutMs: 60_000 };

/** Three silent gaps, each longer than nginx's idle timeout, with traffic around them. */
const IDLE_GAP_MS = (NGINX_IDLE_TIMEOUT_S + 1) * 1000;
const IDLE_PLAN: CellPlan = {
  rounds: [{ c2s: 300, s2c: 500 }, { c2s: 50, s2c: 100 }, { c2s: 50, s2c: 100 }, { c2s: 50, s2c: 100 }],
  gapsMs: [IDLE_GAP_MS, IDLE_GAP_MS, IDLE_GAP_MS],
  timeoutMs: 100_000,
};

function planFor(path: PathName): CellPlan {
  return path === 'nginx-idle-timeout' ? IDLE_PLAN : STANDARD_PLAN;
}

describe.skipIf(missing.length > 0 && !inCI)('Ferry in Chromium across network paths', () => {
  const outcomes: CellOutcome[] = [];
  let app: AppServer;
  let browser: Browser;

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true and required binaries are missing:\n${missingBinariesBanner(missing)}`);
    const absent = BUNDLES.filter((bundle) => !existsSync(bundle));
    if (absent.length > 0) throw new Error(`missing ${absent.map((url) => url.pathname).join(', ')}: run \`npm run build\` first`);
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
    writeResults(meta, outcomes);
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
            `[e2e] ${path.name} × ${profile.name}: ${outcome.pass ? 'pass' : 'FAIL'}, transports ${outcome.transports.join(' -> ') || 'none'}, first message ${outcome.firstMessageMs ?? '-'} ms, ${outcome.durationMs} ms`,
          );
          expect(outcome.failures, outcome.evidence).toEqual([]);
        });
      }
    });
  }
});
