/**
 * Where the Ferry server is, seen from the page: same origin or not, and whether this browser's
 * XMLHttpRequest can reach it. Written for IE8-class engines.
 */

/** `scheme://host[:port]` of an absolute http(s) URL, lower-case, default port dropped; else null. */
export function urlOrigin(url: string): string | null {
  const match = /^(https?):\/\/(?:[^\/?#@]*@)?([^\/?#]+)/i.exec(url);
  if (!match) return null;
  const scheme = match[1].toLowerCase();
  let host = match[2].toLowerCase();
  if ((scheme === 'http' && /:80$/.test(host)) || (scheme === 'https' && /:443$/.test(host))) host = host.slice(0, host.lastIndexOf(':'));
  return scheme + '://' + host;
}

/** The origin of the Ferry URL `url`, resolved against the page (a relative URL is on the page's). */
function serverOrigin(url: string): string | null {
  const absolute = /^\/\//.test(url) ? location.protocol + url : url;
  return /^[a-z][a-z0-9+.\-]*:/i.test(absolute) ? urlOrigin(absolute) : pageOrigin();
}

function pageOrigin(): string | null {
  return urlOrigin(location.protocol + '//' + location.host);
}

/** Whether this browser's XMLHttpRequest can make CORS requests (IE8/9's cannot). */
export function xhrHasCors(): boolean {
  try {
    return typeof XMLHttpRequest !== 'undefined' && 'withCredentials' in new XMLHttpRequest();
  } catch (e) {
    return false;
  }
}

/** XMLHttpRequest reaches `url` when it is same-origin, or when this XHR speaks CORS. */
export function xhrReaches(url: string): boolean {
  return typeof XMLHttpRequest !== 'undefined' && (serverOrigin(url) === pageOrigin() || xhrHasCors());
}

/**
 * The origins of a relay to the Ferry URL `base`, or null when none is needed (same origin, no
 * DOM) or possible (the page or the server has no http(s) origin).
 */
export function relayOrigins(base: string): { origin: string; pageOrigin: string } | null {
  if (typeof document === 'undefined' || typeof location === 'undefined') return null;
  const origin = serverOrigin(base);
  const page = pageOrigin();
  return origin === null || page === null || origin === page ? null : { origin: origin, pageOrigin: page };
}
