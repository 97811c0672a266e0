// The real sockjs-client (its own dist bundle, unmodified) in Chromium against Ferry's SockJS
// endpoint, each of its browser transports forced in turn: 300 messages each way, exactly once and
// in order, and the page's session is an ordinary Ferry socket on the matching transport. The
// iframe-based transports load the endpoint's iframe.html, which loads sockjs-client again from
// the `sockjsUrl` option.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server, type Socket } from '../../server/index.js';
import { stopPageApp } from './support/app-server.js';
import { missingBinaries, missingBinariesBanner } from './support/binaries.js';
import { CHROMIUM_BINARY, launchChromium, openProfiledPage, PROFILES, type BrowserProfile } from './support/browser.js';

const inCI = process.env.CI === 'true';
const missing = missingBinaries().filter((binary) => binary.path === CHROMIUM_BINARY);
if (missing.length > 0) console.error(missingBinariesBanner(missing));

const SOCKJS_CLIENT = readFileSync(createRequire(import.meta.url).resolve('sockjs-client/dist/sockjs.min.js'), 'utf8');
const modern = PROFILES.find((p) => p.name === 'modern') as BrowserProfile;

/** sockjs-client's transports that run in Chromium (xdr-* are IE's), and the Ferry transport each session is reported on. */
const TRANSPORTS: Array<[string, string]> = [
  ['websocket', 'websocket'],
  ['xhr-streaming', 'xhr-streaming'],
  ['xhr-polling', 'xhr-polling'],
  ['eventsource', 'eventsource'],
  ['iframe-eventsource', 'eventsource'],
  ['iframe-htmlfile', 'iframe-streaming'],
  ['iframe-xhr-polling', 'xhr-polling'],
  ['jsonp-polling', 'jsonp-polling'],
];

const COUNT = 300;

/** The page: opens SockJS on the forced transport, sends COUNT messages, records what comes down. */
const PAGE_SCRIPT = `
var params = new URLSearchParams(location.search);
window.result = { opened: false, transport: null, received: [], closed: null };
var sock = new SockJS('/echo', null, { transports: [params.get('t')] });
sock.onopen = function () {
  window.result.opened = true;
  window.result.transport = sock.transport;
  for (var i = 0; i < ${COUNT}; i++) sock.send('up ' + i);
};
sock.onmessage = function (e) { window.result.received.push(e.data); };
sock.onclose = function (e) { window.result.closed = e.code + ' ' + e.reason; };
`;

describe.skipIf(missing.length > 0 && !inCI)('sockjs-client in Chromium against the SockJS endpoint', () => {
  let app: http.Server;
  let ferry: Server;
  let origin: string;
  let browser: Browser;
  const sockets: Socket[] = [];
  const received = new Map<Socket, unknown[]>();

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true and Chromium is missing:\n${missingBinariesBanner(missing)}`);
    app = http.createServer((req, res) => {
      if (req.url === '/sockjs.min.js') {
        res.writeHead(200, { 'content-type': 'application/javascript; charset=utf-8' });
        return res.end(SOCKJS_CLIENT);
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><script src="/sockjs.min.js"></script><script>${PAGE_SCRIPT}</script></body></html>`);
    });
    ferry = new Server({ path: '/ferry' });
    ferry.attach(app);
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    ferry.sockjs({ prefix: '/echo', sockjsUrl: `${origin}/sockjs.min.js` });
    ferry.on('connection', (socket) => {
      sockets.push(socket);
      const got: unknown[] = [];
      received.set(socket, got);
      socket.on('message', (data) => got.push(data));
      for (let i = 0; i < COUNT; i++) socket.send(`down ${i}`);
    });
    browser = await launchChromium();
  });

  afterAll(() => stopPageApp({ browser, ferry, app }));

  it.each(TRANSPORTS)('forced %s: 300 messages each way, exactly once and in order', async (transport, ferryTransport) => {
    const before = sockets.length;
    const opened = await openProfiledPage(browser, modern);
    try {
      await opened.page.goto(`${origin}/page?t=${transport}`, { waitUntil: 'domcontentloaded' });
      const done = await opened.page
        .waitForFunction((n) => (window as unknown as { result: { received: unknown[] } }).result.received.length >= n, COUNT, { timeout: 20_000 })
        .then(() => true, () => false);
      const result = (await opened.page.evaluate(() => (window as unknown as { result: unknown }).result)) as {
        opened: boolean;
        transport: string | null;
        received: string[];
        closed: string | null;
      };
      expect(done, `the page got ${result.received.length} messages, closed: ${result.closed}\n${opened.log.join('\n')}`).toBe(true);
      expect(result.transport).toBe(transport);
      expect(result.received).toEqual(Array.from({ length: COUNT }, (_, i) => `down ${i}`));
      expect(sockets.length).toBe(before + 1);
      const socket = sockets[before];
      await expect.poll(() => received.get(socket)?.length, { timeout: 10_000 }).toBe(COUNT);
      expect(received.get(socket)).toEqual(Array.from({ length: COUNT }, (_, i) => `up ${i}`));
      expect(socket.transport).toBe(ferryTransport);
      expect(result.closed).toBeNull();
    } finally {
      await opened.close();
    }
  });
});
