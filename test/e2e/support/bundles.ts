// The browser bundles come from `npm run build` (dist/client). The suite runs the server from
// source, so a stale build would test yesterday's client against today's server: say so loudly.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLES = ['dist/client/ferry.js', 'dist/client/ferry.legacy.js'];
const CLIENT_SOURCES = ['client', 'protocol'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Throws when a bundle is missing; warns when one is older than the client sources. */
export function checkClientBundles(): void {
  const absent = BUNDLES.filter((bundle) => !existsSync(join(REPO_ROOT, bundle)));
  if (absent.length > 0) throw new Error(`missing ${absent.join(', ')}: run \`npm run build\` before the e2e suite`);
  const sources = Math.max(...CLIENT_SOURCES.map((dir) => newestSource(join(REPO_ROOT, dir))));
  const stale = BUNDLES.filter((bundle) => statSync(join(REPO_ROOT, bundle)).mtimeMs < sources);
  if (stale.length > 0) {
    console.warn(`[e2e] WARNING: ${stale.join(', ')} older than client/ or protocol/ sources; run \`npm run build\``);
  }
}
