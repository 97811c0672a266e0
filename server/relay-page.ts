import type { IncomingMessage, ServerResponse } from 'node:http';
import { RELAY_ORIGIN_ELEMENT, scriptSafeJsonString } from '../protocol/index.js';
import { RequestError } from './http-errors.js';
import type { ResolvedOptions } from './options.js';
import { isOriginAllowed } from './policies/origin.js';

/**
 * `{path}/iframe.html?o=<page origin>`: the relay page a page on another origin frames to reach
 * Ferry through same-origin requests (client/relay/). The page embeds only an origin that passed
 * both the syntax check and `allowedOrigins`, and only that origin may frame it.
 */

/** A serialized http(s) origin: lower-case host name or IPv4 address, optional port. Nothing else. */
const ORIGIN = /^https?:\/\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::[0-9]{1,5})?$/;

/**
 * The `o` parameter as an origin the server allows, or a RequestError. `o` must be exactly the
 * origin's serialization (`new URL(o).origin === o`), so it is safe in a header and in HTML.
 */
export function allowedParentOrigin(raw: string | null, options: ResolvedOptions, req: IncomingMessage): string {
  if (raw === null || !ORIGIN.test(raw) || !isCanonical(raw)) {
    throw new RequestError('bad_request', 'the o parameter must be the origin of the framing page, e.g. https://app.example');
  }
  if (!isOriginAllowed(options.allowedOrigins, raw, req)) {
    throw new RequestError('origin_not_allowed', 'the o parameter names an origin that is not allowed');
  }
  return raw;
}

function isCanonical(origin: string): boolean {
  try {
    return new URL(origin).origin === origin;
  } catch {
    return false;
  }
}

/**
 * The page: the parent origin as a JSON data block (not executed), then the relay script. With
 * `legacy` only the ES5 relay is loaded; otherwise `type="module"` / `nomodule` pick one.
 */
export function relayPageHtml(path: string, parentOrigin: string, legacy: boolean): string {
  const modern = path + '/ferry-relay.js';
  const es5 = path + '/ferry-relay.legacy.js';
  const scripts = legacy
    ? '<script src="' + es5 + '"></script>'
    : '<script type="module" src="' + modern + '"></script><script nomodule src="' + es5 + '"></script>';
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="X-UA-Compatible" content="IE=edge"><title>ferry relay</title>' +
    '<script type="application/json" id="' + RELAY_ORIGIN_ELEMENT + '">' + scriptSafeJsonString(parentOrigin) + '</script>' +
    '</head><body>' + scripts + '</body></html>\n'
  );
}

export function relayPageHeaders(parentOrigin: string): Record<string, string> {
  return {
    'Content-Security-Policy':
      "default-src 'none'; script-src 'self'; connect-src 'self'; frame-src 'self'; child-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors " +
      parentOrigin,
    // browsers without CSP frame-ancestors (IE) honour this; the others ignore it next to the CSP
    'X-Frame-Options': 'ALLOW-FROM ' + parentOrigin,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Type': 'text/html; charset=utf-8',
  };
}

/** Answers `GET {path}/iframe.html`; throws a RequestError for a missing, malformed or refused `o`. */
export function serveRelayPage(req: IncomingMessage, res: ServerResponse, params: URLSearchParams, options: ResolvedOptions, cors: Record<string, string>): void {
  const parentOrigin = allowedParentOrigin(params.get('o'), options, req);
  const body = relayPageHtml(options.path, parentOrigin, params.get('legacy') === '1');
  res.writeHead(200, { ...cors, ...relayPageHeaders(parentOrigin), 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
  req.resume();
}
