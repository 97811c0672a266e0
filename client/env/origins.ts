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

const DEFAULT_PORT: { [protocol: string]: string } = { 'http:': ':80', 'https:': ':443' };

function hostOf(authority: string, protocol: string): string {
  const host = authority.slice(authority.lastIndexOf('@') + 1).toLowerCase();
  const port = DEFAULT_PORT[protocol];
  return port && host.slice(host.length - port.length) === port ? host.slice(0, host.length - port.length) : host;
}

/** Whether `url` is on the page's origin (a relative URL is). */
function sameOrigin(url: string): boolean {
  const match = /^([a-z][a-z0-9+.\-]*:)?\/\/([^\/?#]*)/i.exec(url);
  if (!match) return true;
  const protocol = (match[1] || location.protocol).toLowerCase();
  return protocol === location.protocol && hostOf(match[2], protocol) === hostOf(location.host, location.protocol);
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
  return typeof XMLHttpRequest !== 'undefined' && (sameOrigin(url) || xhrHasCors());
}

/**
 * The origins of a relay to the Ferry `base` URL, or null when none is needed (same origin, no
 * DOM) or possible (the page or the server has no http(s) origin).
 */
export function relayOrigins(base: string): { origin: string; pageOrigin: string } | null {
  if (typeof document === 'undefined' || typeof location === 'undefined') return null;
  const origin = urlOrigin(base);
  const pageOrigin = urlOrigin(location.protocol + '//' + location.host);
  return origin === null || pageOrigin === null || origin === pageOrigin ? null : { origin: origin, pageOrigin: pageOrigin };
}
