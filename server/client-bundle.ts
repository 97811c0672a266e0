import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The browser bundles the server hands out: `{path}/ferry.js` with the cross-origin helpers it
 * loads on first use, `{path}/ferry.legacy.js`, the relay's (relay-page.ts), and the diagnostics
 * page's (`DIAGNOSTICS_BUNDLE_FILES`).
 */
export const BUNDLE_FILES: Readonly<Record<string, string>> = {
  'ferry.js': 'ferry.js',
  'ferry-cross-origin.js': 'ferry-cross-origin.js',
  'ferry.legacy.js': 'ferry.legacy.js',
  'ferry-relay.js': 'ferry-relay.js',
  'ferry-relay.legacy.js': 'ferry-relay.legacy.js',
};

/** The diagnostics page's script (server/diagnostics/page.ts): `{path}/diagnostics.js`, only under the `diagnostics` option. */
export const DIAGNOSTICS_BUNDLE_FILES: Readonly<Record<string, string>> = {
  'diagnostics.js': 'ferry-diagnostics.js',
};

/** The file served at `{path}/{name}`, if any: the diagnostics script only when `diagnostics` is on. */
export function bundleFile(name: string, diagnostics: boolean): string | undefined {
  if (Object.hasOwn(BUNDLE_FILES, name)) return BUNDLE_FILES[name];
  return diagnostics && Object.hasOwn(DIAGNOSTICS_BUNDLE_FILES, name) ? DIAGNOSTICS_BUNDLE_FILES[name] : undefined;
}

interface LoadedBundle {
  body: Buffer;
  etag: string;
}

const cache = new Map<string, LoadedBundle>();

/** Built bundles live in dist/client; from source (tests) they are found at ../dist/client. */
function load(file: string): LoadedBundle | null {
  const cached = cache.get(file);
  if (cached) return cached;
  const candidates = [new URL(`../client/${file}`, import.meta.url), new URL(`../dist/client/${file}`, import.meta.url)];
  let loaded: LoadedBundle | null = null;
  for (const candidate of candidates) {
    try {
      const body = readFileSync(candidate);
      loaded = { body, etag: '"' + createHash('sha256').update(body).digest('base64url').slice(0, 22) + '"' };
      break;
    } catch {
      // try the next place
    }
  }
  // a miss is not cached: the bundle may be built after the server starts
  if (loaded) cache.set(file, loaded);
  return loaded;
}

/** Serves a bundle; returns false when it has not been built. */
export function serveBundle(file: string, req: IncomingMessage, res: ServerResponse): boolean {
  const bundle = load(file);
  if (!bundle) return false;
  const headers = {
    'Content-Type': 'application/javascript; charset=utf-8',
    'Cache-Control': 'public, max-age=3600',
    ETag: bundle.etag,
    'X-Content-Type-Options': 'nosniff',
  };
  if (req.headers['if-none-match'] === bundle.etag) {
    res.writeHead(304, headers);
    res.end();
    return true;
  }
  res.writeHead(200, { ...headers, 'Content-Length': bundle.body.length });
  res.end(req.method === 'HEAD' ? undefined : bundle.body);
  return true;
}
