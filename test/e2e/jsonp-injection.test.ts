// Hostile payloads through real <script> tags in Chromium: JSONP poll and handshake responses,
// the client on jsonp-polling (modern and legacy bundles), and the iframe stream's script chunks.
// Every payload would run `top.pwned=1` or `alert(1)` if it escaped its string; none may.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server, type Socket } from '../../server/index.js';
import { missingBinaries, missingBinariesBanner } from './support/binaries.js';
import { checkClientBundles } from './support/bundles.js';
import { CHROMIUM_BINARY, launchChromium, openProfiledPage, PROFILES, type ProfiledPage, type ProfileName } from './support/browser.js';

const inCI = process.env.CI === 'true';
const missing = missingBinaries().filter((binary) => binary.path === CHROMIUM_BINARY);
if (missing.length > 0) console.error(missingBinariesBanner(missing));

const HOSTILE = [
  '</script><script>top.pwned=1</script>',
  '</SCRIPT ><img src=x onerror="top.pwned=1">',
  '"); top.pwned=1; //',
  '\\"); top.pwned=1; //',
  '\u2028top.pwned=1\u2029',
  'line\u2028separator\u2029paragraph',
  '<!--<script>top.pwned=1//',
  '--></script><script>top.pwned=1</script>',
  ']]>"); alert(1); ("',
  "'); alert(1); ('",
  '&lt;script&gt;&amp;',
];

const PAGE = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>jsonp</title></head><body></body></html>';

interface Listening {
  server: http.Server;
  origin: string;
}

async function listen(server: http.Server): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function pageServer(): http.Server {
  return http.createServer((req, res) => {
    res.writeHead(req.url === '/page.html' ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(req.url === '/page.html' ? PAGE : 'not found');
  });
}

/** The message payloads in a packet's text. */
function messages(packetText: string): unknown[] {
  return (JSON.parse(packetText) as unknown[][]).filter((frame) => frame[0] === 'm').map((frame) => frame[2]);
}

function profile(name: ProfileName) {
  const found = PROFILES.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no profile ${name}`);
  return found;
}

describe.skipIf(missing.length > 0 && !inCI)('hostile payloads in Chromium script tags', () => {
  let browser: Browser;
  let ferry: Server;
  let ferrySite: Listening; // Ferry, plus a same-origin page for the iframe stream
  let otherSite: Listening; // a page on another origin: the JSONP case
  const serverGot: unknown[][] = [];
  const pages: ProfiledPage[] = [];

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true and Chromium is missing:\n${missingBinariesBanner(missing)}`);
    checkClientBundles();
    otherSite = await listen(pageServer());
    ferry = new Server({ path: '/ferry', allowedOrigins: [otherSite.origin] });
    const ferryHttp = pageServer();
    ferry.attach(ferryHttp);
    ferry.on('connection', (socket: Socket) => {
      const got: unknown[] = [];
      serverGot.push(got);
      HOSTILE.forEach((text) => socket.send(text));
      socket.on('message', (data) => {
        got.push(data);
        socket.send(data);
      });
    });
    ferrySite = await listen(ferryHttp);
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const opened of pages) await opened.close().catch(() => undefined);
    await browser?.close();
    await ferry?.close();
    for (const site of [ferrySite, otherSite]) {
      site?.server.closeAllConnections();
      await new Promise((resolve) => site?.server.close(resolve));
    }
  });

  /** A page in `profileName` at `origin`; dialogs (alerts, from any frame) are recorded and dismissed. */
  async function open(profileName: ProfileName, origin: string): Promise<{ page: Page; log: string[]; dialogs: string[] }> {
    const opened = await openProfiledPage(browser, profile(profileName));
    pages.push(opened);
    const dialogs: string[] = [];
    opened.page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await opened.page.goto(`${origin}/page.html`);
    return { page: opened.page, log: opened.log, dialogs };
  }

  it('JSONP handshake and poll through <script> tags: exact strings, no injected code', async () => {
    const { page, log, dialogs } = await open('modern', otherSite.origin);
    const result = await page.evaluate(async (base) => {
      const w = window as unknown as Record<string, unknown>;
      function load(url: string, callback: string): Promise<string> {
        return new Promise((resolve, reject) => {
          w[callback] = (text: string) => resolve(text);
          const script = document.createElement('script');
          script.src = url + '&cb=' + callback;
          script.onerror = () => reject(new Error('script failed: ' + url));
          document.head.appendChild(script);
        });
      }
      const hs = JSON.parse(await load(base + '/v1/handshake?transport=jsonp-polling', '__ferry_jsonp_1')) as { sid: string; token: string };
      const packet = await load(base + '/v1/jsonp?sid=' + encodeURIComponent(hs.sid) + '&t=' + encodeURIComponent(hs.token) + '&e=1&ack=0', '__ferry_jsonp_2');
      await new Promise((resolve) => setTimeout(resolve, 300)); // time for anything injected to run
      return { packet, pwned: w.pwned, scripts: document.scripts.length };
    }, `${ferrySite.origin}/ferry`);
    expect(messages(result.packet)).toEqual(HOSTILE);
    expect(result.pwned).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(result.scripts).toBe(2); // exactly the two tags the page made
    expect(log.filter((line) => line.startsWith('[pageerror]'))).toEqual([]);
  });

  it('a refused callback name gets a JSON 400, which the browser will not run', async () => {
    const { page, dialogs } = await open('modern', otherSite.origin);
    const outcome = await page.evaluate(async (url) => {
      return new Promise<string>((resolve) => {
        const script = document.createElement('script');
        script.src = url;
        script.onload = () => resolve('load');
        script.onerror = () => resolve('error');
        document.head.appendChild(script);
      });
    }, `${ferrySite.origin}/ferry/v1/handshake?transport=jsonp-polling&cb=${encodeURIComponent('alert(1);top.pwned=1;x')}`);
    expect(outcome).toBe('error');
    expect(await page.evaluate(() => (window as unknown as { pwned?: unknown }).pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  it.each([
    ['modern', 'ferry.js'],
    ['ie11-like', 'ferry.legacy.js'],
  ] as const)('%s page on %s: the client on jsonp-polling carries hostile strings both ways exactly', async (profileName, bundle) => {
    const { page, log, dialogs } = await open(profileName, otherSite.origin);
    const sessionsBefore = serverGot.length;
    const result = await page.evaluate(
      async ({ base, bundleUrl, hostile }) => {
        const w = window as unknown as Record<string, unknown>;
        await new Promise<void>((resolve, reject) => {
          const script = document.createElement('script');
          script.src = bundleUrl;
          script.onload = () => resolve();
          script.onerror = () => reject(new Error('bundle failed to load'));
          document.head.appendChild(script);
        });
        type Sock = { on(event: string, fn: (x: unknown) => void): void; send(x: unknown): void; transport: string | null };
        const socket = (w.Ferry as { connect(url: string, o: unknown): Sock }).connect(base, { transports: ['jsonp-polling'] });
        const received: unknown[] = [];
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('received only ' + received.length)), 20000);
          socket.on('open', () => hostile.forEach((text) => socket.send(text)));
          socket.on('message', (data) => {
            received.push(data);
            if (received.length === 2 * hostile.length) {
              clearTimeout(timer);
              resolve();
            }
          });
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        return { received, transport: socket.transport, pwned: w.pwned, leftover: document.getElementsByTagName('script').length };
      },
      { base: `${ferrySite.origin}/ferry`, bundleUrl: `${ferrySite.origin}/ferry/${bundle}`, hostile: HOSTILE },
    );
    expect(result.received, log.join('\n')).toEqual([...HOSTILE, ...HOSTILE]);
    expect(result.transport).toBe('jsonp-polling');
    expect(serverGot[sessionsBefore]).toEqual(HOSTILE);
    expect(result.pwned).toBeUndefined();
    expect(dialogs).toEqual([]);
    // the bundle's tag plus at most the one poll in flight: finished script tags are removed
    expect(result.leftover).toBeLessThanOrEqual(2);
  });

  it('iframe streaming (/v1/iframe) with the same payloads: exact strings, no injected code', async () => {
    const { page, log, dialogs } = await open('modern', ferrySite.origin);
    const packets = await page.evaluate(async (count) => {
      const w = window as unknown as Record<string, unknown>;
      const hs = (await (await fetch('/ferry/v1/handshake', { method: 'POST' })).json()) as { sid: string; token: string };
      const got: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('stream delivered ' + got.join(' | '))), 15000);
        w.__ferry_iframe_7 = (packet: string) => {
          got.push(packet);
          if (got.join('').split('["m",').length - 1 >= count) {
            clearTimeout(timer);
            resolve();
          }
        };
        const iframe = document.createElement('iframe');
        iframe.src = '/ferry/v1/iframe?sid=' + encodeURIComponent(hs.sid) + '&t=' + encodeURIComponent(hs.token) + '&e=1&ack=0&c=7';
        document.body.appendChild(iframe);
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      return got;
    }, HOSTILE.length);
    expect(packets.flatMap(messages)).toEqual(HOSTILE);
    expect(await page.evaluate(() => (window as unknown as { pwned?: unknown }).pwned)).toBeUndefined();
    const stream = page.frames().find((frame) => frame.url().includes('/ferry/v1/iframe'));
    expect(stream).toBeDefined();
    expect(await stream!.evaluate(() => [(window as unknown as { pwned?: unknown }).pwned, document.scripts.length])).toEqual([undefined, 1 + packets.length]);
    expect(dialogs).toEqual([]);
    expect(log.filter((line) => line.startsWith('[pageerror]'))).toEqual([]);
  });
});
