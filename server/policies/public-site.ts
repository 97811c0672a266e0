import type { IncomingMessage } from 'node:http';
import { peerIsTrusted, type ForwardedHeader, type TrustProxy } from './client-address.js';

/**
 * The site a browser sent a request to: the host and scheme of the URL it used. Without a trusted
 * proxy that is the `Host` header, scheme unknown. Behind a proxy that does not forward `Host`
 * (nginx's plain `proxy_pass`), or one that terminates TLS, the request's own `Host` and scheme are
 * the proxy's upstream's; under `trustProxy`, when the socket's peer is a trusted proxy, the host
 * and scheme it reports are believed instead: `X-Forwarded-Host` / `X-Forwarded-Proto`, or with
 * `forwardedHeader: 'forwarded'` the `host=` / `proto=` of RFC 7239's `Forwarded`. When a header
 * holds a list, the last entry counts (the one the proxy nearest the server wrote).
 */
export interface PublicSite {
  /** As a Host header names it (`app.example`, `app.example:8443`); undefined when unknown. */
  readonly host: string | undefined;
  /** `http` or `https` when a trusted proxy said which; undefined when unknown (hosts alone are compared). */
  readonly scheme: 'http' | 'https' | undefined;
}

export type PublicSiteOf = (req: IncomingMessage) => PublicSite;

/** A host, or a host and port, as a Host header writes it: a name, IPv4 or bracketed IPv6. */
const HOST_VALUE = /^(?:[a-z0-9_.-]+|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/i;

function lastEntry(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const entry = value.slice(value.lastIndexOf(',') + 1).trim();
  return entry === '' ? undefined : entry;
}

function asHost(value: string | undefined): string | undefined {
  return value !== undefined && value.length <= 300 && HOST_VALUE.test(value) ? value.toLowerCase() : undefined;
}

function asScheme(value: string | undefined): 'http' | 'https' | undefined {
  const scheme = value?.toLowerCase();
  return scheme === 'http' || scheme === 'https' ? scheme : undefined;
}

/** `host=` and `proto=` of a `Forwarded` header (RFC 7239): from the last element that has each. */
function forwardedPairs(value: string | string[] | undefined): { host?: string; proto?: string } {
  const found: { host?: string; proto?: string } = {};
  if (typeof value !== 'string') return found;
  for (const element of value.split(',')) {
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim().toLowerCase();
      const text = pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (name === 'host' || name === 'proto') found[name] = text;
    }
  }
  return found;
}

/** Makes the function that finds a request's public site under `trustProxy` (see PublicSite). */
export function publicSiteOf(trust: TrustProxy, header: ForwardedHeader = 'x-forwarded-for'): PublicSiteOf {
  const trusted = peerIsTrusted(trust);
  return (req) => {
    const own = req.headers.host;
    if (!trusted(req)) return { host: own, scheme: undefined };
    const reported =
      header === 'forwarded'
        ? forwardedPairs(req.headers.forwarded)
        : { host: lastEntry(req.headers['x-forwarded-host']), proto: lastEntry(req.headers['x-forwarded-proto']) };
    return { host: asHost(reported.host) ?? own, scheme: asScheme(reported.proto) };
  };
}

/** The site of a request as its `Host` header names it (no proxy believed). */
export function ownSite(req: IncomingMessage): PublicSite {
  return { host: req.headers.host, scheme: undefined };
}
