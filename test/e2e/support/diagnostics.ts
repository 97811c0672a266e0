// The diagnostics page ({path}/diagnostics) on one network path: loads it in Chromium, waits for
// its report and checks the verdict against what the path is known to do.
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import type { DiagnosticsReport } from '../../../client/diagnostics/types.js';
import { openProfiledPage, type BrowserProfile } from './browser.js';
import type { PathName } from './paths/index.js';
import { SCREENSHOTS_DIR } from './results.js';

/** The page runs six forced transports and a default connect(): at most ~15 s each, plus the 20 s choice and the 35 s idle test. */
const REPORT_TIMEOUT_MS = 180_000;

/** The path where the page also runs its idle test (`?idle=1`): nginx cuts idle connections there. */
export const IDLE_TEST_PATH: PathName = 'nginx-idle-timeout';

/** The path whose page goes into the README (WebSocket blocked, a stream in use: the page's point). */
export const SCREENSHOT_PATH: PathName = 'squid-no-connect';

/** Loads the diagnostics page at `pageOrigin` in `profile` and returns its report; saves a screenshot when asked. */
export async function runDiagnosticsPage(browser: Browser, profile: BrowserProfile, pageOrigin: string, screenshot: string | null, query = ''): Promise<DiagnosticsReport> {
  const { page, log, close } = await openProfiledPage(browser, profile);
  try {
    await page.setViewportSize({ width: 1000, height: 860 });
    await page.goto(`${pageOrigin}/ferry/diagnostics${query}`, { waitUntil: 'load', timeout: 15_000 });
    await page
      .waitForFunction(() => (window as unknown as { __ferryDiagnostics?: unknown }).__ferryDiagnostics !== undefined, undefined, { timeout: REPORT_TIMEOUT_MS, polling: 250 })
      .catch((e: Error) => {
        throw new Error(`${e.message}\npage log:\n${log.join('\n')}`);
      });
    const report = (await page.evaluate(() => (window as unknown as { __ferryDiagnostics: unknown }).__ferryDiagnostics)) as DiagnosticsReport;
    if (screenshot !== null) {
      mkdirSync(SCREENSHOTS_DIR, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOTS_DIR}${screenshot}`, fullPage: true });
    }
    return report;
  } finally {
    await close();
  }
}

/** One line of the report for the suite's log and the compatibility table. */
export function describeReport(report: DiagnosticsReport): string {
  const outcomes = report.transports.map((r) => `${r.transport} ${r.outcome}${r.delivery ? ` (${r.delivery})` : ''}`).join(', ');
  return `${report.verdict.join(' ')} [${outcomes}; connect() chose ${report.choice?.transport ?? 'nothing'}]`;
}

/**
 * What the verdict must say on each path (modern profile). random-cut resets connections at
 * random, so there only a complete report is required.
 */
export function verdictProblems(path: PathName, report: DiagnosticsReport): string[] {
  const problems: string[] = [];
  const headline = report.verdict[0] ?? '';
  const text = report.verdict.join(' ');
  const chose = report.choice?.transport ?? null;
  const expect = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what);
  };
  expect(report.transports.length === 6, `six transports tested, not ${report.transports.length}`);
  expect(report.verdict.length >= 2, 'a verdict of at least two sentences');
  switch (path) {
    case 'direct':
    case 'nginx-idle-timeout':
      expect(headline === 'WebSocket works on this network.', `headline says WebSocket works: "${headline}"`);
      expect(chose === 'websocket', `connect() chose websocket, not ${chose}`);
      if (path === IDLE_TEST_PATH) {
        // nginx drops a connection idle for 8 s (the page sees it a few seconds later); the server pings every 20 s
        const cut = report.idle?.cutAfterMs ?? null;
        expect(cut !== null && cut >= 6000 && cut <= 16_000, `the idle test saw the cut within a few seconds after 8 s, not ${cut} ms`);
        expect(/An idle WebSocket connection is cut after about \d+ s here/.test(text), `the verdict says idle connections are cut: "${text}"`);
      } else expect(report.idle === null, 'no idle test unless asked for');
      break;
    case 'squid-no-connect':
    case 'ws-blackhole':
      expect(headline.startsWith('WebSocket is blocked on this network'), `headline says WebSocket is blocked: "${headline}"`);
      expect(/^Streaming works/m.test(report.verdict.join('\n')), `streaming works here: "${text}"`);
      expect(chose !== null && chose !== 'websocket', `connect() chose a fallback, not ${chose}`);
      break;
    case 'nginx-no-upgrade-buffering':
      expect(headline.startsWith('WebSocket is blocked on this network'), `headline says WebSocket is blocked: "${headline}"`);
      expect(/Streaming responses are buffered on the way/.test(text), `streams are called buffered: "${text}"`);
      expect(chose === 'xhr-polling', `connect() chose xhr-polling, not ${chose}`);
      break;
    case 'random-cut':
      break;
  }
  return problems;
}

/**
 * The page in a browser without WebSocket, EventSource and fetch (the ie11-like profile), on the
 * direct path: it must load the ES5 bundle, say what the browser lacks, and stream over XHR.
 */
export function legacyProblems(report: DiagnosticsReport): string[] {
  const problems: string[] = [];
  const outcome = (name: string): string | undefined => report.transports.find((r) => r.transport === name)?.outcome;
  if (report.bundle !== 'legacy') problems.push(`the ES5 bundle was loaded, not ${report.bundle}`);
  if (outcome('websocket') !== 'unavailable' || outcome('eventsource') !== 'unavailable') problems.push('WebSocket and EventSource are reported unavailable');
  if (outcome('xhr-streaming') !== 'ok' || outcome('xhr-polling') !== 'ok' || outcome('jsonp-polling') !== 'ok') problems.push('XHR streaming, long-polling and JSONP work');
  if (report.verdict[0] !== 'This browser cannot use WebSocket (this browser has no WebSocket).') problems.push(`headline: "${report.verdict[0]}"`);
  if (report.choice?.transport !== 'xhr-streaming') problems.push(`connect() chose xhr-streaming, not ${report.choice?.transport}`);
  return problems;
}
