// A page on one origin, its Ferry server on another: iframe streaming goes through the relay
// iframe ({path}/iframe.html), in the modern and the IE11-like profile (legacy bundle and relay).
// Plus the relay's refusals: an origin allowedOrigins does not list, and postMessage commands
// from any window but its parent at the embedded origin.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Browser, Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from './support/app-server.js';
import { missingBinaries, missingBinariesBanner } from './support/binaries.js';
import { checkClientBundles } from './support/bundles.js';
import { CHROMIUM_BINARY, launchChromium, openProfiledPage, PROFILES, type ProfileName } from './support/browser.js';
import { runCell, type CellPlan } from './support/cell.js';
import type { RunningPath } from './support/paths/index.js';

const inCI = process.env.CI === 'true';
const missing = missingBinaries().filter((binary) => binary.path === CHROMIUM_BINARY);
if (missing.length > 0) console.error(missingBinariesBanner(missing));

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const BLANK = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>blank</title></head><body></body></html>';

interface StaticServer {
  readonly origin: string;
  close(): Promise<void>;
}

/** A plain HTTP server on its own port (so its own origin): the harness page and a blank page. */
async function startPageServer(): Promise<StaticServer> {
  const files: Record<string, [string, string]> = {
    '/e2e/': ['text/html; charset=utf-8', readFileSync(FIXTURES + 'page.html', 'utf8')],
    '/e2e/harness.js': ['application/javascript; charset=utf-8', readFileSync(FIXTURES + 'harness.js', 'utf8')],
    '/blank.html': ['text/html; charset=utf-8', BLANK],
  };
  const server = http.createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
    if (file === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': file[0], 'cache-control': 'no-store' }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('page server has no TCP address');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function profile(name: ProfileName) {
  const found = PROFILES.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no profile ${name}`);
  return found;
}

function frameWhoseUrlHas(frames: Frame[], part: string): Frame | undefined {
  return frames.find((frame) => frame.url().includes(part));
}

describe.skipIf(missing.length > 0 && !inCI)('cross-origin iframe streaming through the relay', () => {
  let pageServer: StaticServer;
  let thirdParty: StaticServer;
  let app: AppServer;
  let ferryOrigin: string;
  let browser: Browser;

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true and Chromium is missing:\n${missingBinariesBanner(missing)}`);
    checkClientBundles();
    pageServer = await startPageServer();
    thirdParty = await startPageServer();
    app = await startAppServer({ allowedOrigins: [pageServer.origin] });
    ferryOrigin = `http://127.0.0.1:${app.port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await pageServer?.close();
    await thirdParty?.close();
  });

  function plan(rounds: { c2s: number; s2c: number }[]): CellPlan {
    return { rounds, gapsMs: [], roundBudgetMs: 20_000, timeoutMs: 45_000, pageParams: { server: ferryOrigin, transports: 'iframe-streaming' } };
  }

  function path(): { name: string; running: RunningPath } {
    return { name: 'cross-origin', running: { pageOrigin: pageServer.origin, diagnostics: () => `page ${pageServer.origin}, Ferry ${ferryOrigin}`, stop: async () => {} } };
  }

  for (const name of ['modern', 'ie11-like'] as const) {
    it(`${name}: hundreds of messages each way arrive exactly once, in order, over iframe-streaming`, async () => {
      const outcome = await runCell(browser, profile(name), path(), app, plan([{ c2s: 300, s2c: 500 }, { c2s: 200, s2c: 300 }]));
      console.log(`[e2e] cross-origin relay × ${name}: ${outcome.pass ? 'pass' : 'FAIL'}, transports ${outcome.transports.join(' -> ') || 'none'}, ${outcome.durationMs} ms`);
      expect(outcome.failures, outcome.evidence).toEqual([]);
      expect(outcome.transports, outcome.evidence).toEqual(['iframe-streaming']);
      expect(outcome.serverTransports, outcome.evidence).toEqual(['iframe-streaming']);
      expect(outcome.fallbacks, outcome.evidence).toEqual([]);
    });

    it(`${name}: the stream runs inside one relay iframe of the Ferry origin`, async () => {
      const opened = await openProfiledPage(browser, profile(name));
      try {
        const query = new URLSearchParams({ cell: `relay-frames/${name}/${Date.now()}`, bundle: profile(name).bundle, rounds: '20x20', server: ferryOrigin, transports: 'iframe-streaming' });
        await opened.page.goto(`${pageServer.origin}/e2e/?${query.toString()}`, { waitUntil: 'load' });
        await opened.page.waitForFunction(() => window.__ferryResults?.done === true || (window.__ferryResults?.error ?? null) !== null, undefined, { timeout: 30_000 });
        const frames = opened.page.frames();
        const relays = frames.filter((frame) => frame.url().startsWith(`${ferryOrigin}/ferry/iframe.html?o=${encodeURIComponent(pageServer.origin)}`));
        const stream = frameWhoseUrlHas(frames, '/ferry/v1/iframe?');
        expect(relays.map((frame) => frame.url()), opened.log.join('\n')).toHaveLength(1);
        expect(relays[0].url().endsWith('&legacy=1')).toBe(name === 'ie11-like');
        expect(relays[0].parentFrame()).toBe(opened.page.mainFrame());
        expect(stream?.parentFrame()).toBe(relays[0]);
        expect(stream?.url()).toContain(`&o=${encodeURIComponent(pageServer.origin)}`);
      } finally {
        await opened.close();
      }
    });
  }

  it('refuses a relay page for an origin allowedOrigins does not list (403)', async () => {
    const opened = await openProfiledPage(browser, profile('modern'));
    try {
      await opened.page.goto(`${pageServer.origin}/blank.html`);
      const src = `${ferryOrigin}/ferry/iframe.html?o=${encodeURIComponent(thirdParty.origin)}`;
      const [response] = await Promise.all([
        opened.page.waitForResponse((res) => res.url() === src),
        opened.page.evaluate((url) => {
          const iframe = document.createElement('iframe');
          iframe.src = url;
          document.body.appendChild(iframe);
        }, src),
      ]);
      expect(response.status()).toBe(403);
      expect(await response.json()).toEqual({ error: 'origin_not_allowed', message: 'the o parameter names an origin that is not allowed' });
    } finally {
      await opened.close();
    }
  });

  for (const build of ['modern', 'legacy'] as const) {
    it(`${build} relay: ignores commands from another origin, and from a same-origin window that is not its parent`, async () => {
      const opened = await openProfiledPage(browser, profile('modern'));
      try {
        const page = opened.page;
        await page.goto(`${pageServer.origin}/blank.html`);
        // the page frames the relay, a third-origin page and a page of its own origin, and records the relay's messages
        await page.evaluate(
          ({ relay, third, sibling, ferry }) => {
            const w = window as unknown as { relayHeard: string[]; relayReady: boolean };
            w.relayHeard = [];
            w.relayReady = false;
            window.addEventListener('message', (event) => {
              if (event.origin !== ferry) return;
              if (String(event.data).includes('"ready"')) w.relayReady = true;
              else w.relayHeard.push(String(event.data));
            });
            for (const [name, src] of [['relay', relay], ['third', third], ['sibling', sibling]]) {
              const iframe = document.createElement('iframe');
              iframe.name = name;
              iframe.src = src;
              document.body.appendChild(iframe);
            }
          },
          {
            relay: `${ferryOrigin}/ferry/iframe.html?o=${encodeURIComponent(pageServer.origin)}${build === 'legacy' ? '&legacy=1' : ''}`,
            third: `${thirdParty.origin}/blank.html`,
            sibling: `${pageServer.origin}/blank.html`,
            ferry: ferryOrigin,
          },
        );
        await page.waitForFunction(() => (window as unknown as { relayReady: boolean }).relayReady, undefined, { timeout: 10_000 });
        const command = (id: string) => JSON.stringify({ relay: 1, type: 'request', id, method: 'GET', url: 'v1/poll', body: null, timeout: 5000 });
        const post = async (name: string, id: string) => {
          const frame = page.frames().find((candidate) => candidate.name() === name);
          if (frame === undefined) throw new Error(`no ${name} frame`);
          await frame.waitForLoadState('load');
          expect(frame.url()).toContain('/blank.html');
          await frame.evaluate((text) => (window.parent.frames as unknown as Record<string, Window>)['relay'].postMessage(text, '*'), command(id));
        };
        await post('third', '1');
        await post('sibling', '2');
        await page.waitForTimeout(1_000);
        // the parent itself, at the embedded origin: answered (a poll without sid is a 400)
        await page.evaluate((text) => (window.frames as unknown as Record<string, Window>)['relay'].postMessage(text, '*'), command('3'));
        await page.waitForFunction(() => (window as unknown as { relayHeard: string[] }).relayHeard.length > 0, undefined, { timeout: 10_000 });
        await page.waitForTimeout(500);
        const heard = await page.evaluate(() => (window as unknown as { relayHeard: string[] }).relayHeard.map((text) => JSON.parse(text)));
        expect(heard, opened.log.join('\n')).toHaveLength(1);
        expect(heard[0]).toMatchObject({ relay: 1, type: 'response', id: '3', status: 400, error: null });
      } finally {
        await opened.close();
      }
    });
  }
});
