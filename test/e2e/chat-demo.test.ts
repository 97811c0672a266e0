// The chat demo (examples/chat) in the modern and IE11-like profiles: the page must show
// the transport it is really on, mark a sent line stored once the server's ack arrives, and
// deliver a channel's lines to the pages that joined it and to no other. `npm run compat` writes docs/screenshots/ from here (a test run, test/e2e/artifacts/).
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
    chatSocket?: { transport: string | null; close(): void };
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

/**
 * Sends `text` to `channel` from the composer, waits for the server's answer to mark the line,
 * and returns what it says: `stored <id>` (the ack arrived, ✓ and the id shown) or `failed: …`.
 */
async function say(page: Page, text: string, channel = '#general'): Promise<string> {
  await page.selectOption('#channel', channel);
  await page.fill('#input', text);
  await page.click('#send');
  const outcome = await page.waitForFunction(
    (expected) => {
      for (const line of Array.from(document.querySelectorAll('#log .line--own'))) {
        if (line.querySelector('.line__text')?.textContent !== expected) continue;
        const state = line.querySelector('.line__state');
        const id = line.getAttribute('data-id');
        if (line.classList.contains('line--stored')) return state?.textContent === `\u2713 ${id}` ? `stored ${id}` : `marked ${state?.textContent}`;
        if (line.classList.contains('line--failed')) return `failed: ${state?.getAttribute('title')}`;
      }
      return false;
    },
    text,
    { timeout: 15_000 },
  );
  return (await outcome.jsonValue()) as string;
}

/** Waits until someone else's line with `text` is on the page. */
async function receives(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (expected) => Array.from(document.querySelectorAll('#log .line__text')).some((node) => node.textContent === expected),
    text,
    { timeout: 15_000 },
  );
}

/** The text of every line on the page. */
async function lineTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => Array.from(document.querySelectorAll('#log .line__text'), (node) => node.textContent ?? ''));
}

/** Clicks the channel's Join and waits until the server's answer turns it into Leave. */
async function joinChannel(page: Page, channel: string): Promise<void> {
  const toggle = `#channels button[data-channel="${channel}"]`;
  expect(await page.textContent(toggle)).toBe('Join');
  await page.click(toggle);
  await page.waitForFunction((selector) => document.querySelector(selector)?.textContent === 'Leave', toggle, { timeout: 15_000 });
}

describe.skipIf(missing.length > 0 && !inCI)('chat demo in Chromium', () => {
  let demo: Daemon;
  let browser: Browser;
  let origin: string;
  let startDemo: () => Promise<void>;
  const pages: ProfiledPage[] = [];

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true and Chromium is missing:\n${missingBinariesBanner(missing)}`);
    await waitForDemo();
    checkClientBundles(); // the demo serves the same dist/client bundles
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1' };
    startDemo = async () => {
      demo = startDaemon('chat demo', process.execPath, [DEMO_SERVER], REPO_ROOT, env);
      await waitForPort(port, demo);
    };
    await startDemo();
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
    expect(await say(opened.page, 'Hello from a modern browser over WebSocket'), opened.log.join('\n')).toMatch(/^stored \d+$/);
  });

  it('ie11-like profile: legacy bundle on long-polling, shown as such', async () => {
    const opened = await openProfiledPage(browser, profile('ie11-like'));
    pages.push(opened);
    await opened.page.goto(`${origin}/?legacy=1&transports=xhr-polling&name=grace`);
    const transport = await shownTransport(opened.page, 'xhr-polling');
    expect(transport, opened.log.join('\n')).toEqual({ shown: 'xhr-polling', actual: 'xhr-polling' });
    const scripts = await opened.page.evaluate(() => Array.from(document.scripts, (script) => script.src));
    expect(scripts.some((src) => src.endsWith('/ferry/ferry.legacy.js'))).toBe(true);
    expect(await say(opened.page, 'Hello from an IE11-class browser over long-polling'), opened.log.join('\n')).toMatch(/^stored \d+$/);
    // The modern page is in #general too.
    await receives(pages[0]!.page, 'Hello from an IE11-class browser over long-polling');
  });

  it('both profiles: a line in #random reaches the pages that joined it, not the others', async () => {
    expect(pages).toHaveLength(2);
    const [modern, ie11] = pages as [ProfiledPage, ProfiledPage];
    // A third page that stays in #general only.
    const outsider = await openProfiledPage(browser, profile('modern'));
    try {
      await outsider.page.goto(`${origin}/?name=carol`);
      await shownTransport(outsider.page, 'websocket');
      await joinChannel(modern.page, '#random');
      await joinChannel(ie11.page, '#random');
      for (const [from, to, text] of [
        [modern, ie11, 'In #random from the modern page'],
        [ie11, modern, 'In #random from the IE11-like page'],
      ] as const) {
        expect(await say(from.page, text, '#random'), from.log.join('\n')).toMatch(/^stored \d+$/);
        await receives(to.page, text);
        // The server sends each page its lines in order: once the outsider has the #general line
        // said after it, the #random line would have come before it if it were coming at all.
        const marker = `${text}, then in #general`;
        expect(await say(from.page, marker), from.log.join('\n')).toMatch(/^stored \d+$/);
        await receives(outsider.page, marker);
        expect(await lineTexts(outsider.page)).not.toContain(text);
        expect(await lineTexts(outsider.page)).toContain(marker);
      }
    } finally {
      // Leaving now, not when the server's resume window runs out (the screenshots count 2 people).
      await outsider.page.evaluate(() => window.chatSocket?.close()).catch(() => undefined);
      await outsider.close();
    }
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

  it('a line said while the server is down shows \u2717 not stored; after a restart the page has a new session and lines are stored again', async () => {
    expect(pages).toHaveLength(2);
    const modern = pages[0]!;
    const status = (): Promise<string | null> => modern.page.textContent('#status');
    // A crash: no goodbye, so the page keeps its session and tries to resume it.
    await demo.kill();
    await modern.page.waitForFunction(() => document.getElementById('status')?.textContent === 'reconnecting', undefined, { timeout: 15_000 });
    // The line waits for the session to resume; the page gives up on its answer after 10 s.
    expect(await say(modern.page, 'Said while the server is down'), modern.log.join('\n')).toMatch(/^failed: .*no answer to "say" within 10000 ms/);
    expect(await modern.page.textContent('#log .line--failed .line__state')).toBe('\u2717 not stored');
    await startDemo();
    // The new server does not know the old session: the page starts a new one and says hello again.
    await modern.page.waitForFunction(() => document.getElementById('status')?.textContent === 'open', undefined, { timeout: 20_000 });
    expect(await status()).toBe('open');
    expect(await say(modern.page, 'Said after the restart'), modern.log.join('\n')).toMatch(/^stored \d+$/);
  });
});
