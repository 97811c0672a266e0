// A query on the Ferry URL (`Ferry.connect(base + '/ferry?token=abc')`) in a real browser: it
// reaches the server with the handshake (socket.handshake.query) and rides on every Ferry request
// the page makes, same-origin on every transport, and cross-origin through the lazily loaded
// helpers (JSONP) and the relay iframe (iframe streaming), in the modern and IE11-like profiles.
import http from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransportName } from '../../protocol/index.js';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from '../../server/index.js';
import { missingBinaries, missingBinariesBanner } from './support/binaries.js';
import { checkClientBundles } from './support/bundles.js';
import { CHROMIUM_BINARY, launchChromium, openProfiledPage, PROFILES, type BrowserProfile } from './support/browser.js';

const inCI = process.env.CI === 'true';
const missing = missingBinaries().filter((binary) => binary.path === CHROMIUM_BINARY);
if (missing.length > 0) console.error(missingBinariesBanner(missing));

/** A page that connects to `ferryUrl` with one transport, sends one message and records the echo. */
function pageHtml(bundleUrl: string, ferryUrl: string, transport: TransportName): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>query</title></head><body>
<script src="${bundleUrl}"></script>
<script>
  window.outcome = 'pending';
  var socket = Ferry.connect(${JSON.stringify(ferryUrl)}, { transports: [${JSON.stringify(transport)}], rememberFor: 0 });
  socket.on('open', function () { socket.send({ hello: 'query' }); });
  socket.on('message', function (data) { window.outcome = JSON.stringify(data) + ' via ' + socket.transport; });
  socket.on('close', function (reason) { window.outcome = 'closed: ' + reason; });
</script></body></html>`;
}

/** Which requests must carry the app's query: the protocol routes, the helpers bundle and the relay page. */
const MUST_CARRY = /\/ferry\/(v1\/|iframe\.html|ferry-cross-origin\.js)/;

function bundleOf(profile: BrowserProfile): string {
  return profile.bundle === 'legacy' ? 'ferry.legacy.js' : 'ferry.js';
}

const SAME_ORIGIN: Record<string, TransportName[]> = {
  modern: ['websocket', 'eventsource', 'xhr-streaming', 'iframe-streaming', 'xhr-polling', 'jsonp-polling'],
  'ie11-like': ['iframe-streaming', 'xhr-polling', 'jsonp-polling'],
};
const CROSS_ORIGIN: Record<string, TransportName[]> = {
  modern: ['iframe-streaming', 'jsonp-polling'],
  'ie11-like': ['iframe-streaming', 'jsonp-polling'],
};

describe.skipIf(missing.length > 0 && !inCI)('the Ferry URL query in the browser', () => {
  let ferry: { http: http.Server; origin: string };
  let ferryServer: Server;
  const sockets: Socket[] = [];
  let pages: http.Server;
  let pagesOrigin: string;
  let browser: Browser;
  let page = '';
  const seen: string[] = [];

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true and Chromium is missing:\n${missingBinariesBanner(missing)}`);
    checkClientBundles();
    // the app's HTTP server serves the same-origin page; Ferry passes it every other path
    const app = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
    });
    ferryServer = new Server({ path: '/ferry', allowedOrigins: (origin) => origin.startsWith('http://127.0.0.1:') });
    ferryServer.attach(app);
    // added after attach, so it sees the Ferry requests too (attach takes over the listeners it finds)
    app.prependListener('request', (req) => seen.push(req.url ?? ''));
    ferryServer.on('connection', (socket) => {
      sockets.push(socket);
      socket.on('message', (data) => socket.send(data));
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    ferry = { http: app, origin: `http://127.0.0.1:${(app.address() as AddressInfo).port}` };
    ferry.http.on('upgrade', (req) => seen.push(req.url ?? ''));
    pages = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page));
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    const address = pages.address();
    if (address === null || typeof address === 'string') throw new Error('page server has no TCP address');
    pagesOrigin = `http://127.0.0.1:${address.port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await ferryServer?.close();
    if (ferry) {
      ferry.http.closeAllConnections();
      await new Promise<void>((resolve) => ferry.http.close(() => resolve()));
    }
    await new Promise<void>((resolve) => (pages ? pages.close(() => resolve()) : resolve()));
  });

  const cases: Array<[string, 'same' | 'cross', TransportName]> = [];
  for (const profile of PROFILES.filter((p) => p.name !== 'no-websocket')) {
    for (const t of SAME_ORIGIN[profile.name]) cases.push([profile.name, 'same', t]);
    for (const t of CROSS_ORIGIN[profile.name]) cases.push([profile.name, 'cross', t]);
  }

  it.each(cases)('%s, %s-origin page, %s: the query reaches the handshake and every Ferry request; the session works', async (profileName, where, transport) => {
    const profile = PROFILES.find((p) => p.name === profileName) as BrowserProfile;
    const before = sockets.length;
    seen.length = 0;
    page = pageHtml(`${ferry.origin}/ferry/${bundleOf(profile)}`, `${ferry.origin}/ferry?token=abc%2Bdef&tenant=7`, transport);
    const opened = await openProfiledPage(browser, profile);
    try {
      await opened.page.goto(where === 'same' ? `${ferry.origin}/page` : `${pagesOrigin}/`, { waitUntil: 'domcontentloaded' });
      await opened.page.waitForFunction(() => (window as unknown as { outcome: string }).outcome !== 'pending', undefined, { timeout: 20_000 });
      const outcome = await opened.page.evaluate(() => (window as unknown as { outcome: string }).outcome);
      expect(outcome, opened.log.join('\n')).toBe(`{"hello":"query"} via ${transport}`);
    } finally {
      await opened.close();
    }
    expect(sockets.length).toBe(before + 1);
    expect(sockets[before].handshake.query).toEqual({ token: 'abc+def', tenant: '7' });
    const carrying = seen.filter((url) => MUST_CARRY.test(url));
    expect(carrying.length).toBeGreaterThan(0);
    for (const url of carrying) expect(url).toContain('token=abc%2Bdef&tenant=7');
    if (where === 'cross' && transport === 'iframe-streaming') expect(carrying.some((url) => url.includes('/ferry/iframe.html?'))).toBe(true);
    if (where === 'cross' && transport === 'jsonp-polling' && profile.bundle === 'modern') {
      expect(carrying.some((url) => url.includes('/ferry/ferry-cross-origin.js?'))).toBe(true);
    }
  });
});
