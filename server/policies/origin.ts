import type { IncomingMessage } from 'node:http';
import { RequestError } from '../http-errors.js';
import type { OriginPolicy } from '../options.js';

/**
 * Which page a request comes from, and whether `allowedOrigins` lets it in.
 *
 * Browsers send `Origin` on WebSocket upgrades, POSTs and CORS requests. A GET from a page (a
 * poll, an iframe, a script tag) may carry none; then `Sec-Fetch-Site` (when present) must say
 * `same-origin`, or the Referer's origin must be allowed. A request with none of these headers is
 * taken for a non-browser client, which an origin check cannot constrain.
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
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== '') return origin;
  const site = req.headers['sec-fetch-site'];
  if (site === 'same-origin') return null;
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

export function isOriginAllowed(policy: OriginPolicy, origin: string | null, req: IncomingMessage): boolean {
  if (origin === null) return true;
  if (policy === '*') return true;
  if (typeof policy === 'function') return policy(origin);
  if (policy === 'same-origin') return sameOrigin(origin, req);
  return policy.includes(origin) || sameOrigin(origin, req);
}

function sameOrigin(origin: string, req: IncomingMessage): boolean {
  const host = req.headers.host;
  if (!host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
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
export function checkOrigin(policy: OriginPolicy, req: IncomingMessage, proof: ProofNeeded): string | null {
  const origin = requestOrigin(req, proof !== null);
  if (origin === undefined) {
    if (policy === '*' || proof === null) return null;
    throw new RequestError('origin_not_allowed', UNPROVEN[proof]);
  }
  if (!isOriginAllowed(policy, origin, req)) throw new RequestError('origin_not_allowed', `origin ${origin} is not allowed`);
  return origin === 'null' ? null : origin;
}
