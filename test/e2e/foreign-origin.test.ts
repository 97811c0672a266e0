// A page on a foreign origin tries to create a session over JSONP and read its token, hiding where it
// comes from: a `<script referrerpolicy="no-referrer">`, a `<meta name=referrer content=no-referrer>`
// page, a sandboxed `srcdoc` frame. The sites are plain-HTTP names mapped to 127.0.0.1 (app.test,
// foreign.test), which Chromium does not treat as trustworthy, so it sends no Sec-Fetch-* headers:
// the requests arrive with no Origin, no Referer and no Sec-Fetch-Site, the case a server cannot
// tell from a non-browser client. The server records what arrived to prove it.
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

/** The app's name, a foreign site's, and a name an attacker rebinds to the app's address. */
const APP = 'app.test';
const FOREIGN = 'foreign.test';
const REBOUND = 'rebound.test';

interface Seen {
  url: string;
  host: string | undefined;
  origin: string | undefined;
  referer: string | undefined;
  secFetchSite: string | undefined;
}

const html = (head: string, body: string): string =>
  `<!DOCTYPE html><html><head><meta charset="utf-8">${head}<title>t</title></head><body>${body}</body></html>`;

/** A script tag for the JSONP handshake with callback `n`; the page records the outcome in `window.outcome`. */
function attackScript(ferry: string, n: number, attributes: string): string {
  const name = `__ferry_jsonp_${n}`;
  return (
    `<script>window.outcome = 'pending'; window.${name} = function (text) { window.outcome = 'token: ' + text; };</script>` +
    `<script ${attributes} src="${ferry}/v1/handshake?transport=jsonp-polling&amp;cb=${name}" ` +
    `onload="if (window.outcome === 'pending') window.outcome = 'loaded without a call'" onerror="window.outcome = 'error'"></script>`
  );
}

function serve(pages: Record<string, () => string>): http.Server {
  return http.createServer((req, res) => {
    const url = req.url ?? '';
    const found = Object.hasOwn(pages, url);
    res.writeHead(found ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(found ? pages[url]() : 'not found');
  });
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function profile(name: ProfileName) {
  const found = PROFILES.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no profile ${name}`);
  return found;
}

describe.skipIf(missing.length > 0 && !inCI)('a foreign page cannot get a session over JSONP', () => {
  let browser: Browser;
  let ferry: Server;
  let appHttp: http.Server;
  let foreignHttp: http.Server;
  let appPort = 0;
  let foreignPort = 0;
  const seen: Seen[] = [];
  const connections: Socket[] = [];
  const pages: ProfiledPage[] = [];
  /** A session made without a browser, whose token a foreign page has somehow learnt. */
  let known = { sid: '', token: '' };

  const ferryUrl = () => `http://${APP}:${appPort}/ferry`;

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true and Chromium is missing:\n${missingBinariesBanner(missing)}`);
    checkClientBundles();
    appHttp = serve({ '/app.html': () => html('', '') });
    ferry = new Server({ path: '/ferry', allowedHosts: [APP] });
    ferry.attach(appHttp);
    ferry.on('connection', (socket) => {
      connections.push(socket);
      socket.on('message', (data) => socket.send(data));
    });
    appHttp.on('request', (req: http.IncomingMessage) => {
      const h = req.headers;
      seen.push({ url: req.url ?? '', host: h.host, origin: h.origin, referer: h.referer, secFetchSite: h['sec-fetch-site'] as string | undefined });
    });
    appPort = await listen(appHttp);
    foreignHttp = serve({
      '/script-tag.html': () => html('', attackScript(ferryUrl(), 1, 'referrerpolicy="no-referrer"')),
      '/meta.html': () => html('<meta name="referrer" content="no-referrer">', attackScript(ferryUrl(), 2, '')),
      '/sandboxed.html': () => {
        const inner = attackScript(ferryUrl(), 3, '') + '<script>setTimeout(function () { parent.postMessage(String(window.outcome), "*"); }, 1500);</script>';
        return html(
          '<script>window.outcome = "pending"; addEventListener("message", function (e) { window.outcome = e.data; });</script>',
          `<iframe sandbox="allow-scripts" srcdoc="${inner.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"></iframe>`,
        );
      },
      '/poll.html': () => {
        const name = '__ferry_jsonp_4';
        const url = `${ferryUrl()}/v1/jsonp?sid=${encodeURIComponent(known.sid)}&amp;t=${encodeURIComponent(known.token)}&amp;e=1&amp;ack=0&amp;cb=${name}`;
        return html(
          '',
          `<script>window.outcome = 'pending'; window.${name} = function (text) { window.outcome = 'read: ' + text; };</script>` +
            `<script referrerpolicy="no-referrer" src="${url}" onerror="window.outcome = 'error'"></script>`,
        );
      },
    });
    foreignPort = await listen(foreignHttp);
    browser = await launchChromium(undefined, [APP, FOREIGN, REBOUND]);
  });

  afterAll(async () => {
    for (const opened of pages) await opened.close().catch(() => undefined);
    await browser?.close();
    await ferry?.close();
    for (const server of [appHttp, foreignHttp]) {
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    }
  });

  async function open(url: string, profileName: ProfileName = 'modern'): Promise<Page> {
    const opened = await openProfiledPage(browser, profile(profileName));
    pages.push(opened);
    await opened.page.goto(url);
    return opened.page;
  }

  /** The page's `window.outcome` once it is no longer pending. */
  async function outcome(page: Page): Promise<string> {
    await page.waitForFunction(() => (window as unknown as { outcome?: string }).outcome !== 'pending', undefined, { timeout: 10_000 });
    return page.evaluate(() => String((window as unknown as { outcome?: string }).outcome));
  }

  it.each([
    ['<script referrerpolicy="no-referrer">', '/script-tag.html', 1],
    ['a <meta name=referrer content=no-referrer> page', '/meta.html', 2],
    ['a sandboxed srcdoc iframe', '/sandboxed.html', 3],
  ] as const)('%s: the request arrives with no Origin, Referer or Sec-Fetch-Site, and gets no token', async (_label, path, n) => {
    const sessionsBefore = ferry.sessionCount;
    const page = await open(`http://${FOREIGN}:${foreignPort}${path}`);
    expect(await outcome(page)).toBe('error');
    const requests = seen.filter((request) => request.url.includes(`cb=__ferry_jsonp_${n}`));
    // the browser did make the request, and it carried nothing that names the page
    expect(requests).toHaveLength(1);
    expect(requests[0]).toEqual({ url: expect.any(String), host: `${APP}:${appPort}`, origin: undefined, referer: undefined, secFetchSite: undefined });
    expect(ferry.sessionCount).toBe(sessionsBefore);
    expect(connections).toHaveLength(0);
  });

  it('a JSONP poll of a session made another way reads nothing from a foreign page', async () => {
    const res = await fetch(`http://127.0.0.1:${appPort}/ferry/v1/handshake`, { method: 'POST' });
    known = (await res.json()) as { sid: string; token: string };
    connections[0].send('private');
    const page = await open(`http://${FOREIGN}:${foreignPort}/poll.html`);
    expect(await outcome(page)).toBe('error');
    const poll = seen.filter((request) => request.url.includes('cb=__ferry_jsonp_4'));
    expect(poll).toHaveLength(1);
    expect(poll[0]).toMatchObject({ origin: undefined, referer: undefined, secFetchSite: undefined });
    connections[0].close();
    connections.length = 0;
  });

  it('a page on a name rebound to the app (DNS rebinding) is refused by allowedHosts', async () => {
    const sessionsBefore = ferry.sessionCount;
    const page = await open(`http://${REBOUND}:${appPort}/app.html`);
    const answer = await page.evaluate(async () => {
      const res = await fetch('/ferry/v1/handshake', { method: 'POST' });
      return { status: res.status, body: (await res.json()) as { error: string } };
    });
    expect(answer).toEqual({ status: 403, body: { error: 'host_not_allowed', message: expect.stringContaining(REBOUND) } });
    expect(ferry.sessionCount).toBe(sessionsBefore);
  });

  it('the app’s own page still connects over jsonp-polling (legacy bundle), proving itself by its Referer', async () => {
    const page = await open(`http://${APP}:${appPort}/app.html`, 'ie11-like');
    const echoed = await page.evaluate(async (base) => {
      const w = window as unknown as Record<string, unknown>;
      await new Promise<void>((resolve, reject) => {
        const script = document.createElement('script');
        script.src = base + '/ferry.legacy.js';
        script.onload = () => resolve();
        script.onerror = () => reject(new Error('bundle failed to load'));
        document.head.appendChild(script);
      });
      type Sock = { on(event: string, fn: (x: unknown) => void): void; send(x: unknown): void; close(): void; transport: string | null };
      const socket = (w.Ferry as { connect(url: string, o: unknown): Sock }).connect(base, { transports: ['jsonp-polling'] });
      const data = await new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no echo')), 15_000);
        socket.on('open', () => socket.send('hello'));
        socket.on('message', (x) => {
          clearTimeout(timer);
          resolve(x);
        });
      });
      const transport = socket.transport;
      socket.close();
      return { data, transport };
    }, ferryUrl());
    expect(echoed).toEqual({ data: 'hello', transport: 'jsonp-polling' });
    const handshake = seen.find((request) => request.url.startsWith('/ferry/v1/handshake?transport=jsonp-polling') && request.referer?.startsWith(`http://${APP}:`));
    expect(handshake).toMatchObject({ origin: undefined, secFetchSite: undefined, referer: `http://${APP}:${appPort}/app.html` });
  });
});
