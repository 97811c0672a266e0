import { PROTOCOL_MINOR, isFerryQueryParam } from '../../protocol/index.js';
import type { FerryLocation, SessionRef } from './transport.js';

/**
 * Splits the Ferry URL the app passed to `connect` into its path (no trailing slash, no fragment)
 * and its query, which is kept and sent on every request (apps pass auth this way). Throws when
 * the query uses a name Ferry's own parameters need.
 */
export function parseFerryUrl(url: string): FerryLocation {
  const hash = url.indexOf('#');
  const bare = hash < 0 ? url : url.slice(0, hash);
  const q = bare.indexOf('?');
  const query = q < 0 ? '' : bare.slice(q + 1).replace(/^&+|&+$/g, '');
  const parts = query === '' ? [] : query.split('&');
  for (let i = 0; i < parts.length; i++) {
    let name = parts[i].split('=')[0].replace(/\+/g, ' ');
    try {
      name = decodeURIComponent(name);
    } catch (e) {
      // a malformed escape is the server's to judge; only the name matters here
    }
    // `diag=1` is how the diagnostics page (client/diagnostics/) asks for a diagnostics session
    if (isFerryQueryParam(name) && name !== 'diag') throw new Error('ferry: the query parameter "' + name + '" on the Ferry URL is one of Ferry\'s own; give it another name');
  }
  return { baseUrl: (q < 0 ? bare : bare.slice(0, q)).replace(/\/+$/, ''), query: query };
}

/** `url` with `query` ('a=1&b=2', or '' for none) added to its query string. */
export function addQuery(url: string, query: string): string {
  if (query === '') return url;
  return url + (url.indexOf('?') < 0 ? '?' : '&') + query;
}

/** `{base}/{path}?{params}` followed by the app's own query parameters. */
export function routeUrl(where: FerryLocation, path: string, params: string): string {
  return addQuery(where.baseUrl + '/' + path + (params === '' ? '' : '?' + params), where.query);
}

/** The `protocols` query parameter offering `protocols` (with a leading `&`), or '' for none. */
export function protocolsParam(protocols: string[]): string {
  return protocols.length === 0 ? '' : '&protocols=' + encodeURIComponent(protocols.join(','));
}

/** `{base}/v1/{route}?sid=…&t=…` plus extra query parameters, then the app's. */
export function sessionUrl(session: SessionRef, route: string, extra: string): string {
  const hb = session.heartbeat > 0 ? '&hb=' + session.heartbeat : '';
  return routeUrl(session, 'v1/' + route, 'sid=' + encodeURIComponent(session.sid) + '&t=' + encodeURIComponent(session.token) + extra + hb);
}

/** The WebSocket URL that joins an existing session with transport epoch `epoch` (announcing this client's revision). */
export function joinWebSocketUrl(session: SessionRef, epoch: number): string {
  return toWebSocketUrl(sessionUrl(session, 'ws', '&e=' + epoch + MINOR_PARAM));
}

/** The `minor` query parameter of a WebSocket URL: this client takes implicit seqs (PROTOCOL.md section 6). */
export const MINOR_PARAM = '&minor=' + PROTOCOL_MINOR;

export function toWebSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}
