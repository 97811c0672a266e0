// `Ferry.WebSocket` in Chromium: the WHATWG WebSocket interface's behaviours, checked by an ES5
// page (one step after another) against a real server, with the modern bundle, the legacy bundle
// in the IE11-like profile, and the legacy bundle with the constructors IE11 lacks removed too
// (URL, Event, MessageEvent, CloseEvent, DOMException: its plain-object fallbacks).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server, type Socket } from '../../server/index.js';
import { stopPageApp } from './support/app-server.js';
import { missingBinaries, missingBinariesBanner } from './support/binaries.js';
import { checkClientBundles } from './support/bundles.js';
import { CHROMIUM_BINARY, launchChromium, openProfiledPage, PROFILES, type BrowserProfile } from './support/browser.js';

const inCI = process.env.CI === 'true';
const missing = missingBinaries().filter((binary) => binary.path === CHROMIUM_BINARY);
if (missing.length > 0) console.error(missingBinariesBanner(missing));

const ie11 = PROFILES.find((p) => p.name === 'ie11-like') as BrowserProfile;
const CASES: BrowserProfile[] = [
  PROFILES.find((p) => p.name === 'modern') as BrowserProfile,
  ie11,
  { name: 'ie11-like', bundle: 'legacy', removedGlobals: [...ie11.removedGlobals, 'URL', 'Event', 'MessageEvent', 'CloseEvent', 'DOMException'] },
];

/** The page: each step checks one behaviour and calls `next`; `window.results` lists `name: ok` or `name: FAILED …`. */
const PAGE_SCRIPT = `
var out = [];
window.results = null;
window.partial = out;
function check(name, ok, detail) { out.push(name + (ok ? ': ok' : ': FAILED ' + detail)); }
function thrown(fn) { try { fn(); return 'no error'; } catch (e) { return e.name; } }
var WS = Ferry.WebSocket;
var legacy = typeof URL !== 'function';
out.push('globals: URL ' + typeof URL + ', Event ' + typeof Event + ', DOMException ' + typeof DOMException + ': ok');
check('constants', WS.CONNECTING === 0 && WS.OPEN === 1 && WS.CLOSING === 2 && WS.CLOSED === 3 && WS.prototype.OPEN === 1, '');
check('bad scheme', thrown(function () { new WS('ftp://127.0.0.1/ferry'); }) === 'SyntaxError', '');
check('fragment', thrown(function () { new WS('/ferry#x'); }) === 'SyntaxError', '');
check('duplicate protocols', thrown(function () { new WS('/ferry', ['a', 'a']); }) === 'SyntaxError', '');
var ws = new WS('/ferry', ['chat']);
var expectedUrl = 'ws://' + location.host + '/ferry';
check('relative url resolved, http turned into ws', ws.url === expectedUrl, ws.url);
check('protocol, extensions, readyState', ws.protocol === '' && ws.extensions === '' && ws.readyState === 0, ws.protocol + ws.extensions + ws.readyState);
check('binaryType blob', ws.binaryType === 'blob', ws.binaryType);
check('send while connecting', thrown(function () { ws.send('x'); }) === 'InvalidStateError', '');
var log = [];
ws.onopen = function (e) { log.push('onopen ' + (e.target === ws) + ' ' + ws.readyState); };
ws.addEventListener('open', function (e) { log.push('listener ' + e.type); step1(); });
ws.addEventListener('close', function (e) { log.push('close ' + e.code + ' ' + e.reason + ' ' + e.wasClean + ' ' + (e.target === ws) + ' ' + ws.readyState); });
ws.onerror = function () { log.push('error'); };
function nextMessage(fn) {
  ws.addEventListener('message', function (e) { fn(e); }, { once: true });
}
function step1() {
  check('open: handler then listener', log.join(',') === 'onopen true 1,listener open', log.join(','));
  check('protocol negotiated (the server takes the first offered)', ws.protocol === 'chat', ws.protocol);
  nextMessage(function (e) {
    check('text echo', e.data === 'héllo', String(e.data));
    check('message event', e.type === 'message' && e.target === ws && e.origin === 'ws://' + location.host, e.origin);
    step2();
  });
  ws.send('héllo');
}
function step2() {
  ws.binaryType = 'arraybuffer';
  ws.binaryType = 'other';
  nextMessage(function (e) {
    var bytes = new Uint8Array(e.data);
    check('arraybuffer echo', ws.binaryType === 'arraybuffer' && e.data instanceof ArrayBuffer && bytes.length === 3 && bytes[0] === 1 && bytes[2] === 255, String(bytes.length));
    step3();
  });
  ws.send(new Uint8Array([1, 2, 255]).buffer);
}
function step3() {
  var got = [];
  ws.onmessage = function (e) {
    got.push(typeof e.data === 'string' ? e.data : new Uint8Array(e.data).join('.'));
    if (got.length < 2) return;
    ws.onmessage = null;
    check('blob then text, in order', got.join(',') === '7.8,after', got.join(','));
    step4();
  };
  ws.send(new Blob([new Uint8Array([7, 8])]));
  ws.send('after');
}
function step4() {
  check('close code', thrown(function () { ws.close(1001); }) === 'InvalidAccessError', '');
  var long = ''; for (var i = 0; i < 124; i++) long += 'x';
  check('close reason', thrown(function () { ws.close(1000, long); }) === 'SyntaxError', '');
  check('still open', ws.readyState === 1, String(ws.readyState));
  ws.close(4000, 'bye');
  check('closing', ws.readyState === 2, String(ws.readyState));
  var before = ws.bufferedAmount;
  ws.send('abcd');
  check('bufferedAmount after close', ws.bufferedAmount === before + 4, before + ' ' + ws.bufferedAmount);
  setTimeout(function wait() {
    if (ws.readyState !== 3) return setTimeout(wait, 20);
    check('close event', log.join(',') === 'onopen true 1,listener open,close 4000 bye true true 3', log.join(','));
    window.results = out;
  }, 20);
}
`;

describe.skipIf(missing.length > 0 && !inCI)('Ferry.WebSocket in Chromium', () => {
  let app: http.Server;
  let ferry: Server;
  let origin = '';
  let browser: Browser;
  let bundle = '';
  const sockets: Socket[] = [];
  const received: unknown[] = [];

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true and Chromium is missing:\n${missingBinariesBanner(missing)}`);
    checkClientBundles();
    app = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><script src="/ferry/${bundle}"></script><script>${PAGE_SCRIPT}</script></body></html>`);
    });
    ferry = new Server({ path: '/ferry' });
    ferry.attach(app);
    ferry.on('connection', (socket) => {
      sockets.push(socket);
      socket.on('message', (data) => {
        received.push(data);
        socket.send(data);
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(() => stopPageApp({ browser, ferry, app }));

  it.each(CASES.map((profile) => [`${profile.name} (${profile.bundle}${profile.removedGlobals.includes('URL') ? ', no URL/Event constructors' : ''})`, profile] as const))(
    '%s: the WebSocket behaviours hold',
    async (_label, profile) => {
      bundle = profile.bundle === 'legacy' ? 'ferry.legacy.js' : 'ferry.js';
      received.length = 0;
      const opened = await openProfiledPage(browser, profile);
      try {
        await opened.page.goto(`${origin}/page`, { waitUntil: 'domcontentloaded' });
        const done = await opened.page
          .waitForFunction(() => (window as unknown as { results: unknown }).results !== null, undefined, { timeout: 20_000 })
          .then(() => true, () => false);
        const results = (await opened.page.evaluate(() => (window as unknown as { partial?: string[] }).partial)) ?? [];
        expect(done, 'the page did not finish: ' + results.join('; ') + '\n' + opened.log.join('\n')).toBe(true);
        expect(results.filter((r) => !r.endsWith(': ok')), opened.log.join('\n')).toEqual([]);
        expect(results).toHaveLength(21);
        const bare = profile.removedGlobals.includes('URL');
        expect(results[0]).toBe(bare ? 'globals: URL undefined, Event undefined, DOMException undefined: ok' : 'globals: URL function, Event function, DOMException function: ok');
      } finally {
        await opened.close();
      }
      // what the server app got: the text as sent, the bytes as a Buffer, and nothing after close()
      expect(received.map((d) => (typeof d === 'string' ? d : Buffer.isBuffer(d) ? [...d] : d))).toEqual(['héllo', [1, 2, 255], [7, 8], 'after']);
    },
  );
});
