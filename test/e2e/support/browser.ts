// Debian's Chromium driven by playwright-core, locked to 127.0.0.1, and the browser
// profiles the suite emulates by removing globals before any page script runs.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_BINARY = '/usr/bin/chromium';

export type ProfileName = 'modern' | 'no-websocket' | 'ie11-like';

export interface BrowserProfile {
  readonly name: ProfileName;
  /** Which client bundle the page loads. */
  readonly bundle: 'modern' | 'legacy';
  /** Globals deleted from every frame before page scripts run. */
  readonly removedGlobals: readonly string[];
}

export const PROFILES: readonly BrowserProfile[] = [
  { name: 'modern', bundle: 'modern', removedGlobals: [] },
  { name: 'no-websocket', bundle: 'modern', removedGlobals: ['WebSocket'] },
  { name: 'ie11-like', bundle: 'legacy', removedGlobals: ['WebSocket', 'EventSource', 'fetch'] },
];

/** Every name resolves to nothing except the loopback address, so no request can leave it. */
const LOCKED_DOWN_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-default-apps',
  '--disable-extensions',
];

/** Nothing resolves but 127.0.0.1 and `loopbackNames`, which resolve to it. */
function hostResolverRules(loopbackNames: readonly string[]): string {
  const mapped = loopbackNames.map((name) => `MAP ${name} 127.0.0.1, `).join('');
  return `--host-resolver-rules=${mapped}MAP * ~NOTFOUND, EXCLUDE 127.0.0.1`;
}

/**
 * Launches Chromium. playwright-core gives each launch a fresh temporary
 * `--user-data-dir` and deletes it on close (it refuses one passed in `args`).
 * With a forward proxy, `<-loopback>` stops Chromium's implicit loopback bypass,
 * so requests to 127.0.0.1 really go through the proxy. `loopbackNames` (e.g. `app.test`) resolve
 * to 127.0.0.1: plain-HTTP origins that are not "potentially trustworthy", as a real site's are.
 * `extraArgs`: more flags for this launch only (e.g. a test's own certificate's SPKI pin).
 */
export async function launchChromium(forwardProxy?: string, loopbackNames: readonly string[] = [], extraArgs: readonly string[] = []): Promise<Browser> {
  const proxyArgs = forwardProxy === undefined ? [] : [`--proxy-server=${forwardProxy}`, '--proxy-bypass-list=<-loopback>'];
  return chromium.launch({ executablePath: CHROMIUM_BINARY, args: [...LOCKED_DOWN_ARGS, hostResolverRules(loopbackNames), ...proxyArgs, ...extraArgs] });
}

function removeGlobalsScript(names: readonly string[]): string {
  const list = JSON.stringify(names);
  return `(function () {
  var names = ${list};
  for (var i = 0; i < names.length; i++) {
    try { delete window[names[i]]; } catch (e) {}
    if (names[i] in window) {
      Object.defineProperty(window, names[i], { value: undefined, configurable: true, writable: true });
    }
  }
})();`;
}

export interface ProfiledPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console lines and page errors, for failure messages. */
  readonly log: string[];
  close(): Promise<void>;
}

/** A new isolated context with the profile applied to every frame it will ever load. */
export async function openProfiledPage(browser: Browser, profile: BrowserProfile): Promise<ProfiledPage> {
  const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
  const page = await context.newPage();
  if (profile.removedGlobals.length > 0) await page.addInitScript(removeGlobalsScript(profile.removedGlobals));
  const log: string[] = [];
  page.on('console', (message) => log.push(`[console.${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => log.push(`[pageerror] ${error.message}`));
  return { context, page, log, close: () => context.close() };
}
