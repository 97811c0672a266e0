// On a slow path (a TCP proxy that holds every chunk 150 ms each way: a 300 ms round trip) the
// page's first echo arrives within two round trips of `Ferry.connect()`: one for the handshake,
// one for the message and its echo. Nothing may wait for a probe, a second poll or a transport
// switch, although the app greets each session first (its welcome takes the first poll).
// jsonp-polling is the exception, and is held to four: its code loads on demand in the modern
// bundle (a round trip), and a form post's reply cannot be read, so the echo waits for the poll
// after the one the welcome took.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startAppServer, type AppServer } from './support/app-server.js';
import { missingBinaries, missingBinariesBanner } from './support/binaries.js';
import { checkClientBundles } from './support/bundles.js';
import { CHROMIUM_BINARY, launchChromium, PROFILES } from './support/browser.js';
import { runCell, type CellPlan } from './support/cell.js';

const inCI = process.env.CI === 'true';
const missing = missingBinaries().filter((binary) => binary.path === CHROMIUM_BINARY);
if (missing.length > 0) console.error(missingBinariesBanner(missing));

const ONE_WAY_MS = 150;
const ROUND_TRIP_MS = 2 * ONE_WAY_MS;
/** Room for the page's and the server's own work on a busy 2-core machine: half a round trip, so one more round trip fails. */
const SLACK_MS = ROUND_TRIP_MS / 2;

/** What each cell forces (`transports`; null: the default list), and the round trips its first echo may take. */
const CHOICES: readonly [string | null, number][] = [
  [null, 2],
  ['websocket', 2],
  ['eventsource', 2],
  ['xhr-streaming', 2],
  ['iframe-streaming', 2],
  ['xhr-polling', 2],
  ['jsonp-polling', 4],
];

describe.skipIf(missing.length > 0 && !inCI)('the first echo on a path with a 300 ms round trip', () => {
  let app: AppServer;
  let proxy: TcpProxy;
  let browser: Browser;

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true and required binaries are missing:\n${missingBinariesBanner(missing)}`);
    checkClientBundles();
    app = await startAppServer();
    proxy = await new TcpProxy(app.port).listen();
    proxy.delayMs = ONE_WAY_MS;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await app?.close();
  });

  const modern = PROFILES.find((profile) => profile.name === 'modern');
  if (modern === undefined) throw new Error('no modern profile');

  for (const [choice, roundTrips] of CHOICES) {
    it(`${choice ?? 'default transports'}: within ${roundTrips} round trips of connect()`, async () => {
      const plan: CellPlan = {
        rounds: [{ c2s: 20, s2c: 20 }],
        gapsMs: [],
        roundBudgetMs: 15_000,
        timeoutMs: 30_000,
        ...(choice === null ? {} : { pageParams: { transports: choice } }),
      };
      const running = { pageOrigin: proxy.origin, diagnostics: () => `delaying proxy: ${ONE_WAY_MS} ms each way`, stop: async () => {} };
      const outcome = await runCell(browser, modern, { name: 'delayed-300ms', running }, app, plan);
      console.log(`[e2e] ${ROUND_TRIP_MS} ms round trip, ${choice ?? 'default'}: first echo ${outcome.firstEchoMs ?? '-'} ms, transports ${outcome.transports.join(' -> ')}`);
      expect(outcome.failures, outcome.evidence).toEqual([]);
      if (choice !== null) expect(outcome.transports).toEqual([choice]);
      expect(outcome.firstEchoMs).not.toBeNull();
      expect(outcome.firstEchoMs as number).toBeGreaterThanOrEqual(2 * ROUND_TRIP_MS); // the proxy really delayed it
      expect(outcome.firstEchoMs as number).toBeLessThan(roundTrips * ROUND_TRIP_MS + SLACK_MS);
    });
  }
});
