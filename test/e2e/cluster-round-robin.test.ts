// Chromium against three Ferry node processes behind a real nginx balancing round-robin (no
// ip_hash, no hash, no cookie), sharing one real redis-server (issue 14): in each profile the
// page's session is served by several nodes, and 200 messages each way arrive exactly once, in
// order. The page loads the bundle through the balancer too.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingBinaries, missingBinariesBanner } from './support/binaries.js';
import { checkClientBundles } from './support/bundles.js';
import { CHROMIUM_BINARY, launchChromium, openProfiledPage, PROFILES } from './support/browser.js';
import { NGINX_BINARY } from './support/paths/nginx.js';
import { freshPrefix } from '../support/cluster-nodes.js';
import { missingRedisBanner, redisServerMissing, startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startRoundRobinNginx, type RoundRobinNginx } from '../support/round-robin-nginx.js';
import { startServerProcess, type ServerProcess } from '../support/server-process-parent.js';

const inCI = process.env.CI === 'true';
const missingBins = missingBinaries().filter((binary) => binary.path === CHROMIUM_BINARY || binary.path === NGINX_BINARY);
const missing = missingBins.length > 0 || redisServerMissing();
if (missingBins.length > 0) console.error(missingBinariesBanner(missingBins));
if (redisServerMissing()) console.error(missingRedisBanner());

/** ES5: sends 200 `{ n }` in four batches, each after the last one's echoes; `window.result` at the end. */
const PAGE_SCRIPT = `
var got = [];
var transports = [];
window.result = null;
var socket = Ferry.connect('/ferry');
function batch(from) { for (var i = from; i < from + 50; i++) socket.send({ n: i }); }
socket.on('transport', function (name) { transports.push(name); });
socket.on('open', function () { batch(1); });
socket.on('message', function (data) {
  got.push(data.n);
  if (got.length === 200) window.result = { got: got, sid: socket.id, transports: transports };
  else if (got.length % 50 === 0) batch(got.length + 1);
});
`;

function page(bundle: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><script src="/ferry/${bundle}"></script><script>${PAGE_SCRIPT}</script></body></html>`;
}

describe.skipIf(missing && !inCI)('Chromium across three nodes behind a round-robin nginx', () => {
  let redis: RedisServer;
  const nodes: Record<string, ServerProcess[]> = {};
  const balancers: Record<string, RoundRobinNginx> = {};
  let browser: Browser;

  beforeAll(async () => {
    if (missing) throw new Error('CI=true and chromium, nginx or redis-server is missing: install the Debian packages chromium, nginx-light and redis-server');
    checkClientBundles();
    redis = await startRedisServer();
    // one cluster per bundle (the page each node serves names it)
    for (const bundle of ['ferry.js', 'ferry.legacy.js']) {
      const prefix = freshPrefix();
      nodes[bundle] = await Promise.all([0, 1, 2].map((i) => startServerProcess({ cluster: { redis: redis.url, prefix, nodeId: `node-${i}` } }, [], page(bundle))));
      balancers[bundle] = await startRoundRobinNginx(nodes[bundle].map((node) => node.port));
    }
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    for (const balancer of Object.values(balancers)) await balancer.stop();
    for (const list of Object.values(nodes)) await Promise.all(list.map((node) => node.close()));
    await redis?.close();
  });

  it.each(PROFILES.map((profile) => [profile.name, profile] as const))('%s: every message arrives exactly once, in order, from several nodes', { timeout: 60_000 }, async (_name, profile) => {
    const bundle = profile.bundle === 'legacy' ? 'ferry.legacy.js' : 'ferry.js';
    const balancer = balancers[bundle];
    const opened = await openProfiledPage(browser, profile);
    try {
      await opened.page.goto(`${balancer.origin}/page`, { waitUntil: 'domcontentloaded' });
      const done = await opened.page
        .waitForFunction(() => (window as unknown as { result: unknown }).result !== null, undefined, { timeout: 40_000 })
        .then(() => true, () => false);
      expect(done, 'the page did not finish\n' + opened.log.join('\n') + '\n' + balancer.log()).toBe(true);
      const result = (await opened.page.evaluate(() => (window as unknown as { result: { got: number[]; sid: string; transports: string[] } }).result));
      expect(result.got).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      const served = balancer.nodesBySession().get(result.sid)?.size ?? 0;
      console.log(`[e2e] cluster × ${profile.name}: transports ${result.transports.join(' -> ')}, session served by ${served} nodes`);
      expect(served, `nodes that served ${result.sid}`).toBeGreaterThanOrEqual(2);
      for (const node of nodes[bundle]) expect(node.death()).toBeNull();
    } finally {
      await opened.close();
    }
  });
});
