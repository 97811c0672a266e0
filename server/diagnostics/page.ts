import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * `{path}/diagnostics`: a page with nothing in it but a place for its script, which is
 * `{path}/diagnostics.js` (the built `ferry-diagnostics.js`, server/client-bundle.ts) and does all
 * the work. The page is the same for every request, so nothing of the request reaches it.
 */
const PAGE =
  '<!DOCTYPE html>\n' +
  '<meta charset="utf-8">\n' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
  '<title>Ferry diagnostics</title>\n' +
  '<body>\n' +
  '<div id="ferry-diagnostics">Loading the diagnostics…</div>\n' +
  '<noscript>The diagnostics need JavaScript.</noscript>\n' +
  // relative: the page is `{path}/diagnostics`, so this is `{path}/diagnostics.js`; after the div it fills
  '<script src="diagnostics.js"></script>\n' +
  '</body>\n';

const PAGE_BYTES = Buffer.from(PAGE, 'utf8');

/** No inline script; the script may talk to the server over every transport, and frame its iframe stream. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-src 'self'; form-action 'self'";

export const DIAGNOSTICS_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
};

/** Answers `GET` or `HEAD {path}/diagnostics` (the caller has checked the method and the option). */
export function serveDiagnosticsPage(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { ...DIAGNOSTICS_PAGE_HEADERS, 'Content-Length': PAGE_BYTES.length });
  res.end(req.method === 'HEAD' ? undefined : PAGE_BYTES);
  req.resume();
}
