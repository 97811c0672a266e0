import type { IncomingMessage } from 'node:http';
import { RequestError } from '../http-errors.js';
import type { OriginPolicy } from '../options.js';
import { ownSite, type PublicSite } from './public-site.js';

/**
 * Which page a request comes from, and whether `allowedOrigins` lets it in.
 *
 * `Sec-Fetch-Site: same-origin` comes first: the browser sets it (no page can) when the page's
 * origin is the URL's, so it settles the question whatever `Host` says: behind a reverse proxy
 * that does not forward `Host`, or one that terminates TLS, `Origin` names the public site and
 * `Host` the upstream. (A page on a name rebound to this server is same-origin to the browser
 * too: that is `allowedHosts`' job, which runs before this check.)
 *
 * Otherwise browsers send `Origin` on WebSocket upgrades, POSTs and CORS requests, and it must be
 * allowed: listed, or the request's own site (its `Host`, or what a trusted proxy reports:
 * public-site.ts). A GET from a page (a poll, an iframe, a script tag) may carry none; then
 * `Sec-Fetch-Site` (when present) must say `same-origin`, or the Referer's origin must be allowed.
 * A request with none of these headers is taken for a non-browser client, which an origin check
 * cannot constrain.
 *
 * That last rule does not hold for a request whose answer a foreign page could use: a page can
 * hide all three headers (`referrerpolicy="no-referrer"`, a `no-referrer` meta tag, a sandboxed
 * frame; over plain HTTP, or in IE11 and older Safari, no Fetch Metadata at all). Such a request
 * must prove its origin: `Origin`, `Sec-Fetch-Site: same-origin`, or a Referer. Such are the
 * script-readable ones (the JSONP handshake and polls): any page can run the script and read the
 * session's token and messages. (A cross-site form POST to the handshake can create a session but
 * cannot read its answer, so it learns no token.)
 */

/** Why a request must prove its origin (see above), or null when it need not. */
export type ProofNeeded = 'script' | null;

/** The origin a request must be allowed under, `null` when it needs no check, `undefined` when it proves nothing. */
export function requestOrigin(req: IncomingMessage, mustProve = false): string | null | undefined {
  const site = req.headers['sec-fetch-site'];
  if (site === 'same-origin') return null;
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== '') return origin;
  const referer = req.headers.referer;
  if (mustProve) return typeof referer === 'string' && referer !== '' ? refererOrigin(referer) : undefined;
  if (site === 'none' || site === undefined) return null;
  return typeof referer === 'string' && referer !== '' ? refererOrigin(referer) : 'null';
}

function refererOrigin(referer: string): string {
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/** Whether `policy` allows `origin`; `site` is where the request went (by default its Host header). */
export function isOriginAllowed(policy: OriginPolicy, origin: string | null, req: IncomingMessage, site: PublicSite = ownSite(req)): boolean {
  if (origin === null) return true;
  if (policy === '*') return true;
  if (typeof policy === 'function') return policy(origin);
  if (policy === 'same-origin') return sameOrigin(origin, site);
  return policy.includes(origin) || sameOrigin(origin, site);
}

/** Whether `origin` is the site's: the same host and port, and the same scheme when the site's is known. */
function sameOrigin(origin: string, site: PublicSite): boolean {
  if (!site.host) return false;
  try {
    const page = new URL(origin);
    if (site.scheme !== undefined && page.protocol !== site.scheme + ':') return false;
    // parsed with the page's scheme, so that a default port written out (`app.example:443`) matches
    return page.host === new URL(page.protocol + '//' + site.host).host;
  } catch {
    return false;
  }
}

function shown(text: string): string {
  return text.length > 100 ? text.slice(0, 100) + '…' : text;
}

/** Says what was compared, and what to do about it. */
function notAllowed(origin: string, site: PublicSite): string {
  const here = site.host ? ` (this request is for ${site.scheme === undefined ? '' : site.scheme + '://'}${shown(site.host)})` : '';
  return (
    `origin ${shown(origin)} is not allowed${here}. Behind a reverse proxy? Forward the Host header, ` +
    'or set trustProxy so that its X-Forwarded-Host/X-Forwarded-Proto are believed, or list the origin in allowedOrigins'
  );
}

const UNPROVEN: Record<'script', string> = {
  script:
    'this request must show which page made it, and it carries no Origin, no Sec-Fetch-Site: same-origin and no Referer. ' +
    'JSONP needs the page to send its Referer (no referrerpolicy="no-referrer"); use xhr-polling, or let the page send its Referer.',
};

/**
 * Checks one request against `allowedOrigins`; returns the page origin that gets CORS headers
 * (null: none), or throws `origin_not_allowed`. With `allowedOrigins: '*'` nothing needs proof.
 */
export function checkOrigin(policy: OriginPolicy, req: IncomingMessage, proof: ProofNeeded, site: PublicSite = ownSite(req)): string | null {
  const origin = requestOrigin(req, proof !== null);
  if (origin === undefined) {
    if (policy === '*' || proof === null) return null;
    throw new RequestError('origin_not_allowed', UNPROVEN[proof]);
  }
  if (!isOriginAllowed(policy, origin, req, site)) throw new RequestError('origin_not_allowed', notAllowed(origin ?? 'null', site));
  return origin === 'null' ? null : origin;
}
