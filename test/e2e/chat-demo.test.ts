// The chat demo (examples/chat) in the modern and IE11-like profiles: the page must show
// the transport it is really on. `npm run compat` writes docs/screenshots/ from here (a test run, test/e2e/artifacts/).
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingBinaries, missingBinariesBanner } from './support/binaries.js';
import { checkClientBundles } from './support/bundles.js';
import { CHROMIUM_BINARY, launchChromium, openProfiledPage, PROFILES, type ProfiledPage, type ProfileName } from './support/browser.js';
import { freePort, sleep, startDaemon, waitForPort, type Daemon } from './support/processes.js';
import { SCREENSHOTS_DIR } from './support/results.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO_SERVER = `${REPO_ROOT}examples/chat/server.mjs`;
const SCREENSHOTS = SCREENSHOTS_DIR;
const DEMO_WAIT_MS = 60_000;
const inCI = process.env.CI === 'true';
const missing = missingBinaries().filter((binary) => binary.path === CHROMIUM_BINARY);
if (missing.length > 0) console.error(missingBinariesBanner(missing));

declare global {
  interface Window {
    chatSocket?: { transport: string | null };
  }
}

function profile(name: ProfileName) {
  const found = PROFILES.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no profile ${name}`);
  return found;
}

async function waitForDemo(): Promise<void> {
  const deadline = Date.now() + DEMO_WAIT_MS;
  while (!existsSync(DEMO_SERVER)) {
    if (Date.now() > deadline) throw new Error(`${DEMO_SERVER} did not appear within ${DEMO_WAIT_MS} ms`);
    await sleep(1_000);
  }
}

/**
 * Waits until the page is open and shows `expected` (a modern page starts on long-polling and
 * upgrades), then returns what it shows next to what the client is really on.
 */
async function shownTransport(page: Page, expected: string): Promise<{ shown: string; actual: string | null | undefined }> {
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'open', undefined, { timeout: 30_000 });
  await page
    .waitForFunction((name) => document.getElementById('transport')?.textContent === name, expected, { timeout: 15_000 })
    .catch(() => undefined); // the assertion below reports what the page shows instead
  return page.evaluate(() => ({
    shown: document.getElementById('transport')?.textContent ?? '',
    actual: window.chatSocket?.transport,
  }));
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill('#input', text);
  await page.click('#send');
  await page.waitForFunction((expected) => document.getElementById('log')?.textContent?.includes(expected) === true, text, { timeout: 15_000 });
}

describe.skipIf(missing.length > 0 && !inCI)('chat demo in Chromium', () => {
  let demo: Daemon;
  let browser: Browser;
  let origin: string;
  const pages: ProfiledPage[] = [];

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true and Chromium is missing:\n${missingBinariesBanner(missing)}`);
    await waitForDemo();
    checkClientBundles(); // the demo serves the same dist/client bundles
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1' };
    demo = startDaemon('chat demo', process.execPath, [DEMO_SERVER], REPO_ROOT, env);
    await waitForPort(port, demo);
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    for (const opened of pages) await opened.close().catch(() => undefined);
    await browser?.close();
    await demo?.stop();
  });

  it('modern profile: shows websocket, the transport it is on', async () => {
    const opened = await openProfiledPage(browser, profile('modern'));
    pages.push(opened);
    await opened.page.goto(`${origin}/?name=ada`);
    const transport = await shownTransport(opened.page, 'websocket');
    expect(transport, opened.log.join('\n')).toEqual({ shown: 'websocket', actual: 'websocket' });
    await say(opened.page, 'Hello from a modern browser over WebSocket');
  });

  it('ie11-like profile: legacy bundle on long-polling, shown as such', async () => {
    const opened = await openProfiledPage(browser, profile('ie11-like'));
    pages.push(opened);
    await opened.page.goto(`${origin}/?legacy=1&transports=xhr-polling&name=grace`);
    const transport = await shownTransport(opened.page, 'xhr-polling');
    expect(transport, opened.log.join('\n')).toEqual({ shown: 'xhr-polling', actual: 'xhr-polling' });
    const scripts = await opened.page.evaluate(() => Array.from(document.scripts, (script) => script.src));
    expect(scripts.some((src) => src.endsWith('/ferry/ferry.legacy.js'))).toBe(true);
    await say(opened.page, 'Hello from an IE11-class browser over long-polling');
  });

  it('saves screenshots of both pages, each still showing its transport', async () => {
    expect(pages).toHaveLength(2);
    const [modern, ie11] = pages as [ProfiledPage, ProfiledPage];
    // Both people are in the room; wait until each page lists the other before the picture.
    for (const opened of pages) {
      await opened.page.waitForFunction(() => document.getElementById('count')?.textContent === '2', undefined, { timeout: 15_000 });
    }
    expect(await shownTransport(modern.page, 'websocket')).toEqual({ shown: 'websocket', actual: 'websocket' });
    expect(await shownTransport(ie11.page, 'xhr-polling')).toEqual({ shown: 'xhr-polling', actual: 'xhr-polling' });
    await modern.page.screenshot({ path: `${SCREENSHOTS}chat-modern.png` });
    await ie11.page.screenshot({ path: `${SCREENSHOTS}chat-ie11.png` });
  });
});
