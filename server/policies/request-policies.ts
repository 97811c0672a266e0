import type { IncomingMessage } from 'node:http';
import { JSONP_CALLBACK_PATTERN } from '../../protocol/index.js';
import type { ResolvedOptions } from '../options.js';
import { CorsHeaders, NO_CORS } from './cors.js';
import { checkHost } from './hosts.js';
import { checkOrigin, type ProofNeeded } from './origin.js';
import { publicSiteOf } from './public-site.js';

/**
 * Every check a request passes before a route sees it, in one place: the HTTP routes and the
 * WebSocket upgrade each make one call. A policy is a small function with one job; it refuses by
 * throwing a RequestError, and may hand back response headers (the origin check's CORS headers).
 * To add one (a rate limit), write it beside these and list it in `requestPolicies`.
 */

/** What a policy knows about a request. */
export interface PolicyRequest {
  readonly req: IncomingMessage;
  /** The route under the Ferry path, e.g. `/v1/handshake`. */
  readonly route: string;
  readonly params: URLSearchParams;
  /** A WebSocket upgrade, rather than an HTTP request. */
  readonly upgrade: boolean;
  /** The request would create a session: a handshake, or an upgrade without `sid`. */
  readonly createsSession: boolean;
  /**
   * The answer is a script any page can run and read: the JSONP handshake and polls with a valid
   * callback name (an invalid one gets a JSON 400, which no page can run).
   */
  readonly scriptReadable: boolean;
  /**
   * For an upgrade that joins a session: the `Origin` of the handshake that created the session
   * the request names, when its token is right (see session-origin.ts).
   */
  readonly sessionOrigin?: () => string | undefined;
}

export type ResponseHeaders = Readonly<Record<string, string>>;

/** One check. Throws a RequestError to refuse; may return headers every answer to the request carries. */
export type RequestPolicy = (request: PolicyRequest) => ResponseHeaders | void;

/** Admits a request (returning the headers the policies want on its answer) or throws its refusal. */
export type Admit = (req: IncomingMessage, route: string, params: URLSearchParams, upgrade: boolean, sessionOrigin?: () => string | undefined) => ResponseHeaders;

export function describeRequest(req: IncomingMessage, route: string, params: URLSearchParams, upgrade: boolean, sessionOrigin?: () => string | undefined): PolicyRequest {
  const get = req.method === 'GET' || req.method === 'HEAD';
  const callback = params.get('cb');
  return {
    req,
    route,
    params,
    upgrade,
    createsSession: upgrade ? route === '/v1/ws' && !params.has('sid') : route === '/v1/handshake',
    scriptReadable: !upgrade && get && callback !== null && JSONP_CALLBACK_PATTERN.test(callback) && (route === '/v1/jsonp' || route === '/v1/handshake'),
    sessionOrigin,
  };
}

/**
 * Why this request must prove its origin, if it must: only when a foreign page could read its
 * answer (JSONP). A cross-site form POST to the handshake creates a session whose answer the page
 * cannot read, so it learns no token; every other request carries a token.
 */
function proofNeeded(request: PolicyRequest): ProofNeeded {
  return request.scriptReadable ? 'script' : null;
}

/** `allowedHosts`: the Host header (or the host a trusted proxy reports) names this app (DNS rebinding). */
export function hostPolicy(options: ResolvedOptions): RequestPolicy {
  const siteOf = publicSiteOf(options.trustProxy, options.forwardedHeader);
  return ({ req }) => checkHost(options.allowedHosts, req, siteOf(req).host);
}

/** `allowedOrigins`: the page is allowed; its answer gets CORS headers. */
export function originPolicy(options: ResolvedOptions): RequestPolicy {
  const cors = new CorsHeaders(options.credentials);
  const siteOf = publicSiteOf(options.trustProxy, options.forwardedHeader);
  return (request) => {
    let origin: string | null;
    try {
      origin = checkOrigin(options.allowedOrigins, request.req, proofNeeded(request), siteOf(request.req));
    } catch (e) {
      if (fromSessionPage(request)) return NO_CORS;
      throw e;
    }
    return origin === null ? NO_CORS : cors.get(origin);
  };
}

/**
 * A WebSocket upgrade joining a session, from the page that created it: its `Origin` is exactly the
 * one the session's handshake carried, and it holds the session's token. Chromium sends no
 * Sec-Fetch-Site on WebSocket upgrades, so behind a proxy that does not forward Host the upgrade
 * after a same-origin handshake has nothing else to show. The handshake passed the origin check
 * with that Origin (a browser sets it; no page can), and only that page could read the token.
 */
function fromSessionPage(request: PolicyRequest): boolean {
  const origin = request.req.headers.origin;
  return request.upgrade && typeof origin === 'string' && origin !== '' && request.sessionOrigin?.() === origin;
}

/** Runs `policies` in order and merges the headers they return (none: the shared empty object). */
export function composePolicies(policies: readonly RequestPolicy[]): RequestPolicy {
  return (request) => {
    let headers: ResponseHeaders = NO_CORS;
    for (const policy of policies) {
      const returned = policy(request);
      if (returned && returned !== NO_CORS) headers = headers === NO_CORS ? returned : { ...headers, ...returned };
    }
    return headers;
  };
}

/** The Admit of Ferry's own routes, from the composed policies (`check`). */
export function admitFerryRoutes(check: RequestPolicy): Admit {
  return (req, route, params, upgrade, sessionOrigin) => check(describeRequest(req, route, params, upgrade, sessionOrigin)) ?? NO_CORS;
}

/** Ferry's policies, host first (a rebound page is refused whatever it claims to be). */
export function requestPolicies(options: ResolvedOptions): RequestPolicy {
  return composePolicies([hostPolicy(options), originPolicy(options)]);
}
