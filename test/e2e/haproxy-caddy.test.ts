// The README's HAProxy and Caddy snippets, run: a page behind each, plain HTTP and terminating TLS
// (a self-signed certificate made per run, `https://` page, plain-HTTP upstream), in the modern
// profile and the IE11-like one (the proxy drops the Sec-Fetch-* headers Chromium sends, as for
// nginx in stock-proxy.test.ts), all on default server options: both proxies pass `Host` through,
// so the page's Origin names the host the app sees, and no option is needed (without trustProxy
// the scheme is not compared, so a TLS terminator's plain-HTTP upstream is no obstacle either).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandshakeInfo, RefusalInfo } from '../../server/index.js';
import { startAppServer, type AppServer } from './support/app-server.js';
import { missingBinaries, missingBinariesBanner, type RequiredBinary } from './support/binaries.js';
import { checkClientBundles } from './support/bundles.js';
import { CHROMIUM_BINARY, launchChromium, PROFILES, type BrowserProfile, type ProfileName } from './support/browser.js';
import { runCell, type CellPlan } from './support/cell.js';
import { CADDY_BINARY, startStockCaddy } from './support/paths/caddy-stock.js';
import { HAPROXY_BINARY, startStockHaproxy, type StockProxySpec } from './support/paths/haproxy-stock.js';
import type { RunningPath } from './support/paths/index.js';
import { OPENSSL_BINARY, selfSignedCertificate, type SelfSignedCertificate } from './support/paths/nginx-stock.js';

const inCI = process.env.CI === 'true';
const missing = missingBinaries([
  { path: CHROMIUM_BINARY, debianPackage: 'chromium' },
  { path: HAPROXY_BINARY, debianPackage: 'haproxy' },
  { path: CADDY_BINARY, debianPackage: 'caddy' },
  { path: OPENSSL_BINARY, debianPackage: 'openssl' },
] satisfies readonly RequiredBinary[]);
if (missing.length > 0) console.error(missingBinariesBanner(missing));

const PLAN: CellPlan = { rounds: [{ c2s: 200, s2c: 300 }], gapsMs: [], roundBudgetMs: 15_000, timeoutMs: 30_000 };

function profile(name: ProfileName): BrowserProfile {
  const found = PROFILES.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no profile ${name}`);
  return found;
}

type ProxyName = 'haproxy' | 'caddy';
const STARTERS: Record<ProxyName, (name: string, appPort: number, spec: StockProxySpec) => Promise<RunningPath>> = {
  haproxy: startStockHaproxy,
  caddy: startStockCaddy,
};

interface ProxyCell {
  readonly proxy: ProxyName;
  readonly tls: boolean;
  readonly profile: ProfileName;
}

const CELLS: readonly ProxyCell[] = (['haproxy', 'caddy'] as const).flatMap((proxy) =>
  [false, true].flatMap((tls) => (['modern', 'ie11-like'] as const).map((name) => ({ proxy, tls, profile: name }))),
);

describe.skipIf(missing.length > 0 && !inCI)('behind the README\'s HAProxy and Caddy', () => {
  let certificate: SelfSignedCertificate;
  let browser: Browser;

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true and required binaries are missing:\n${missingBinariesBanner(missing)}`);
    checkClientBundles();
    certificate = selfSignedCertificate();
    // this launch accepts the one certificate made above, nothing else
    browser = await launchChromium(undefined, [], [`--ignore-certificate-errors-spki-list=${certificate.spkiHash}`]);
  });

  afterAll(async () => {
    await browser?.close();
    certificate?.remove();
  });

  for (const cell of CELLS) {
    const path = `${cell.proxy}-${cell.tls ? 'tls-terminating' : 'plain'}`;
    describe(`${path} × ${cell.profile}`, () => {
      let app: AppServer;
      let running: RunningPath | undefined;
      const refusals: RefusalInfo[] = [];
      const handshakes: HandshakeInfo['headers'][] = [];

      beforeAll(async () => {
        app = await startAppServer({});
        app.ferry.on('refused', (info) => refusals.push(info));
        app.ferry.on('connection', (socket) => handshakes.push(socket.handshake.headers));
        running = await STARTERS[cell.proxy](`${path}-${cell.profile}`, app.port, {
          tls: cell.tls ? certificate : undefined,
          withoutFetchMetadata: cell.profile === 'ie11-like',
        });
      });

      afterAll(async () => {
        await running?.stop();
        await app?.close();
      });

      it('every message arrives exactly once, in order, on default options', async () => {
        if (running === undefined) throw new Error(`${cell.proxy} did not start`);
        expect(running.pageOrigin.startsWith(cell.tls ? 'https://' : 'http://')).toBe(true);
        const outcome = await runCell(browser, profile(cell.profile), { name: path, running }, app, PLAN);
        console.log(
          `[e2e] ${path} × ${cell.profile}: ${outcome.pass ? 'pass' : 'FAIL'}, transports ${outcome.transports.join(' -> ') || 'none'}, ` +
            `${outcome.durationMs} ms, proxy ${JSON.stringify(outcome.proxy)}, refused ${refusals.length}`,
        );
        expect(outcome.failures, `${outcome.evidence}\nrefused: ${JSON.stringify(refusals.slice(0, 3))}`).toEqual([]);
        expect(outcome.proxy.requests ?? 0, `requests ${cell.proxy} proxied`).toBeGreaterThan(0);
        expect(refusals, JSON.stringify(refusals)).toEqual([]);
        // the modern page ends on WebSocket through the proxy: the upgrade is let in too
        if (cell.profile === 'modern') expect(outcome.serverTransports.at(-1)).toBe('websocket');
        // what the README says the proxy sends: the browser's Host, and X-Forwarded-For/-Proto
        const pageHost = new URL(running.pageOrigin).host;
        expect(handshakes.length).toBeGreaterThan(0);
        for (const headers of handshakes) {
          expect(headers.host).toBe(pageHost);
          if (headers.origin !== undefined) expect(headers.origin).toBe(running.pageOrigin);
          expect(headers['x-forwarded-for']).toBe('127.0.0.1');
          if (cell.tls) expect(headers['x-forwarded-proto']).toBe('https');
          expect(headers['sec-fetch-site']).toBe(cell.profile === 'modern' ? 'same-origin' : undefined);
        }
      });
    });
  }
});
