// A page behind a stock reverse proxy, with the server on default options: nginx's plain
// `proxy_pass` (Host not forwarded: the app sees `Host: 127.0.0.1:<app port>` while the page's
// Origin is nginx's), and nginx terminating TLS for an `https://` page in front of a plain-HTTP
// upstream. Each in the modern profile and the IE11-like one, as a browser without Fetch Metadata
// (the proxy drops the Sec-Fetch-* headers Chromium sends; see paths/nginx-stock.ts).
//
// The modern profile needs no option anywhere: `Sec-Fetch-Site: same-origin` is the proof. A
// browser without Fetch Metadata gives the server nothing to tell its page from a foreign one
// behind the plain proxy, so there it needs `allowedOrigins` (or a proxy that forwards Host);
// behind the TLS proxy, which reports the public host and scheme, it needs `trustProxy`.
// Separate from the matrix (transports.test.ts), whose app server allows every origin.
import { accessSync, constants } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefusalInfo, ServerOptions } from '../../server/index.js';
import { startAppServer, type AppServer } from './support/app-server.js';
import { missingBinaries, missingBinariesBanner } from './support/binaries.js';
import { checkClientBundles } from './support/bundles.js';
import { launchChromium, PROFILES, type BrowserProfile, type ProfileName } from './support/browser.js';
import { runCell, type CellPlan } from './support/cell.js';
import type { RunningPath } from './support/paths/index.js';
import { OPENSSL_BINARY, selfSignedCertificate, startStockNginx, type SelfSignedCertificate } from './support/paths/nginx-stock.js';

const inCI = process.env.CI === 'true';
const missing = missingBinaries().filter((binary) => !binary.path.includes('squid'));
const hasOpenssl = (() => {
  try {
    accessSync(OPENSSL_BINARY, constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();
if (missing.length > 0) console.error(missingBinariesBanner(missing));
if (!hasOpenssl) console.error(`${OPENSSL_BINARY} is missing: apt-get install -y openssl (the TLS proxy's certificate)`);

const PLAN: CellPlan = { rounds: [{ c2s: 200, s2c: 300 }], gapsMs: [], roundBudgetMs: 15_000, timeoutMs: 30_000 };

function profile(name: ProfileName): BrowserProfile {
  const found = PROFILES.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no profile ${name}`);
  return found;
}

interface ProxyCell {
  readonly path: 'nginx-default-proxy-pass' | 'nginx-tls-terminating';
  readonly profile: ProfileName;
  /** The server's options: {} is the defaults; `page` is the page's origin, known once nginx listens. */
  readonly options: (page: () => string) => ServerOptions;
  /** In words, for the test's name: which options the cell needs. */
  readonly needs: string;
  /** The cell shows a refusal instead: the page gets no session, and the app a `refused` event saying what to do. */
  readonly refused?: true;
}

const CELLS: readonly ProxyCell[] = [
  { path: 'nginx-default-proxy-pass', profile: 'modern', options: () => ({}), needs: 'default options' },
  {
    path: 'nginx-default-proxy-pass',
    profile: 'ie11-like',
    options: (page) => ({ allowedOrigins: (origin) => origin === page() }),
    needs: 'allowedOrigins naming the public origin',
  },
  // without Fetch Metadata and without the option, nothing tells the page from a foreign one
  { path: 'nginx-default-proxy-pass', profile: 'ie11-like', options: () => ({}), needs: 'default options', refused: true },
  { path: 'nginx-tls-terminating', profile: 'modern', options: () => ({}), needs: 'default options' },
  { path: 'nginx-tls-terminating', profile: 'ie11-like', options: () => ({ trustProxy: ['loopback'] }), needs: "trustProxy: ['loopback']" },
];

describe.skipIf((missing.length > 0 || !hasOpenssl) && !inCI)('behind a stock reverse proxy', () => {
  let certificate: SelfSignedCertificate;
  let browser: Browser;

  beforeAll(async () => {
    if (missing.length > 0 || !hasOpenssl) throw new Error(`CI=true and required binaries are missing:\n${missingBinariesBanner(missing)}${hasOpenssl ? '' : `\n${OPENSSL_BINARY}`}`);
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
    describe(`${cell.path} × ${cell.profile}`, () => {
      let app: AppServer;
      let running: RunningPath | undefined;
      const refusals: RefusalInfo[] = [];

      beforeAll(async () => {
        app = await startAppServer(cell.options(() => running?.pageOrigin ?? ''));
        app.ferry.on('refused', (info) => refusals.push(info));
        const ie11 = cell.profile === 'ie11-like';
        running = await startStockNginx(`${cell.path}-${cell.profile}`, app.port, {
          tls: cell.path === 'nginx-tls-terminating' ? certificate : undefined,
          withoutFetchMetadata: ie11,
        });
      });

      afterAll(async () => {
        await running?.stop();
        await app?.close();
      });

      if (cell.refused) {
        it(`on ${cell.needs}: refused, and the app is told what to do`, async () => {
          if (running === undefined) throw new Error('nginx did not start');
          const outcome = await runCell(browser, profile(cell.profile), { name: cell.path, running }, app, PLAN);
          expect(outcome.pass).toBe(false);
          expect(outcome.failures.join('\n')).toMatch(/handshake refused: origin .* is not allowed/);
          expect(refusals[0]).toMatchObject({ reason: 'origin_not_allowed', origin: running.pageOrigin, host: `127.0.0.1:${app.port}`, transport: 'xhr-polling' });
          expect(refusals[0]?.message).toMatch(/trustProxy .* allowedOrigins/);
        });
        return;
      }

      it(`every message arrives exactly once, in order, on ${cell.needs}`, async () => {
        if (running === undefined) throw new Error('nginx did not start');
        const outcome = await runCell(browser, profile(cell.profile), { name: cell.path, running }, app, PLAN);
        console.log(
          `[e2e] ${cell.path} × ${cell.profile}: ${outcome.pass ? 'pass' : 'FAIL'}, transports ${outcome.transports.join(' -> ') || 'none'}, ` +
            `${outcome.durationMs} ms, proxy ${JSON.stringify(outcome.proxy)}, refused ${refusals.length}`,
        );
        expect(outcome.failures, `${outcome.evidence}\nrefused: ${JSON.stringify(refusals.slice(0, 3))}`).toEqual([]);
        expect(outcome.proxy.requests ?? 0, 'requests nginx proxied').toBeGreaterThan(0);
        expect(refusals, JSON.stringify(refusals)).toEqual([]);
        // the modern page ends on WebSocket through the proxy: the upgrade is let in too
        if (cell.profile === 'modern') expect(outcome.serverTransports.at(-1)).toBe('websocket');
      });
    });
  }
});
