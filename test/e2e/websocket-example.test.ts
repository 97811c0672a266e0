// examples/websocket: a page written for the browser's WebSocket, moved to Ferry by one line. In
// Chromium, the page as written (Ferry.WebSocket, the ES5 bundle) against the example's server, in
// the modern profile and in one without WebSocket and EventSource; and the original line
// (`new WebSocket(url)`) against a plain `ws` server with the same handler. Every page gets every
// note, in each setup.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingBinaries, missingBinariesBanner } from './support/binaries.js';
import { checkClientBundles } from './support/bundles.js';
import { CHROMIUM_BINARY, launchChromium, openProfiledPage, PROFILES, type ProfiledPage, type ProfileName } from './support/browser.js';
import { freePort, startDaemon, waitForPort, type Daemon } from './support/processes.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/websocket/', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const THE_LINE = 'var ws = new Ferry.WebSocket(url); // was: new WebSocket(url)';
const inCI = process.env.CI === 'true';
const missing = missingBinaries().filter((binary) => binary.path === CHROMIUM_BINARY);
if (missing.length > 0) console.error(missingBinariesBanner(missing));

function profile(name: ProfileName) {
  const found = PROFILES.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no profile ${name}`);
  return found;
}

async function share(page: Page, text: string): Promise<void> {
  await page.waitForFunction(() => document.getElementById('state')?.textContent === 'open', undefined, { timeout: 20_000 });
  await page.fill('#input', text);
  await page.click('button');
}

async function notes(page: Page, count: number): Promise<string[]> {
  await page.waitForFunction((n) => document.querySelectorAll('#log li').length >= n, count, { timeout: 20_000 });
  return page.evaluate(() => Array.from(document.querySelectorAll('#log li'), (li) => li.textContent ?? ''));
}

/** Two pages in `profiles` at `origin`: each shares a note, and both must list both notes. */
async function exchange(browser: Browser, origin: string, profiles: ProfileName[]): Promise<Array<{ opened: ProfiledPage; seen: string[] }>> {
  const pages: ProfiledPage[] = [];
  try {
    for (const name of profiles) {
      const opened = await openProfiledPage(browser, profile(name));
      pages.push(opened);
      await opened.page.goto(`${origin}/`);
    }
    for (let i = 0; i < pages.length; i++) await share(pages[i].page, `note ${i} from ${profiles[i]}`);
    const result = [];
    for (const opened of pages) result.push({ opened, seen: (await notes(opened.page, pages.length)).sort() });
    return result;
  } finally {
    for (const opened of pages) await opened.close();
  }
}

describe.skipIf(missing.length > 0 && !inCI)('the WebSocket example in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true and Chromium is missing:\n${missingBinariesBanner(missing)}`);
    checkClientBundles();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('the page differs from a plain WebSocket page by its one constructor line', () => {
    const page = readFileSync(`${EXAMPLE}public/page.js`, 'utf8');
    expect(page.split('\n').filter((line) => line.includes('Ferry.'))).toEqual([`  ${THE_LINE}`]);
  });

  it('as written, on Ferry: a modern page and one without WebSocket or EventSource share notes', async () => {
    const port = await freePort();
    const daemon: Daemon = startDaemon('websocket example', process.execPath, [`${EXAMPLE}server.mjs`], REPO_ROOT, { ...process.env, PORT: String(port), HOST: '127.0.0.1' });
    try {
      await waitForPort(port, daemon);
      const result = await exchange(browser, `http://127.0.0.1:${port}`, ['modern', 'ie11-like']);
      for (const { opened, seen } of result) expect(seen, opened.log.join('\n')).toEqual(['note 0 from modern', 'note 1 from ie11-like']);
    } finally {
      await daemon.stop();
    }
  });

  it('the original line on the browser\'s WebSocket, against a plain ws server with the same handler, behaves the same', async () => {
    const html = readFileSync(`${EXAMPLE}public/index.html`, 'utf8').replace(/<script src="\/ferry\/[^"]*"><\/script>/, '');
    const script = readFileSync(`${EXAMPLE}public/page.js`, 'utf8').replace(THE_LINE, 'var ws = new WebSocket(url);');
    expect(script).not.toContain('Ferry.');
    const server = http.createServer((req, res) => {
      const js = req.url === '/page.js';
      res.writeHead(200, { 'Content-Type': js ? 'application/javascript' : 'text/html; charset=utf-8' });
      res.end(js ? script : html);
    });
    const wss = new WebSocketServer({ server, path: '/ferry' });
    wss.on('connection', (ws) => {
      ws.on('message', (data, isBinary) => {
        const text = String(data);
        if (isBinary || text.length === 0 || text.length > 200) return;
        for (const other of wss.clients) other.send(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const result = await exchange(browser, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ['modern', 'modern']);
      for (const { opened, seen } of result) expect(seen, opened.log.join('\n')).toEqual(['note 0 from modern', 'note 1 from modern']);
    } finally {
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
