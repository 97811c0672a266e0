import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { RequestError } from '../http-errors.js';

/**
 * `allowedHosts`: the names the app is served under, checked against every request's `Host`
 * header. It defends against DNS rebinding: a page on `attacker.example` whose name is made to
 * resolve to this server talks to it as a same-origin page, and its requests say
 * `Host: attacker.example`. IP addresses and `localhost` are always allowed, since no attacker can
 * rebind them (their pages would be this server's own).
 *
 * `'*'`: any Host. A list: those names, and an entry `.app.example` allows `app.example` and every
 * name under it. A function gets the host name (lower case, no port, no trailing dot).
 */
export type HostPolicy = '*' | readonly string[] | ((hostname: string) => boolean);

/** A host name, or a leading dot and a domain: letters, digits, `-`, `_`, dot-separated. */
const HOST_ENTRY = /^\.?[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$/;

/** Validates the option (for resolveOptions): a list gets lower-cased and frozen. */
export function resolveHostPolicy(policy: HostPolicy): HostPolicy {
  if (policy === '*' || typeof policy === 'function') return policy;
  if (!Array.isArray(policy)) throw new RangeError(`ferry: option allowedHosts must be '*', a list of host names or a function, got ${String(policy)}`);
  return Object.freeze(
    policy.map((entry: unknown) => {
      const name = typeof entry === 'string' ? entry.toLowerCase().replace(/\.$/, '') : '';
      if (!HOST_ENTRY.test(name)) {
        throw new RangeError(`ferry: allowedHosts entries are host names such as 'app.example' or '.app.example' (no scheme, port or path), got ${JSON.stringify(entry)}`);
      }
      return name;
    }),
  );
}

/** The host name of a Host header: lower case, without port or trailing dot; IPv6 keeps its brackets. */
export function hostName(header: string): string {
  const host = header.toLowerCase();
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:[0-9]*$/, '');
  return name.replace(/\.$/, '');
}

function alwaysAllowed(name: string): boolean {
  return name === 'localhost' || isIP(name) !== 0 || (name.startsWith('[') && isIP(name.slice(1, -1)) === 6);
}

export function isHostAllowed(policy: HostPolicy, name: string): boolean {
  if (policy === '*' || alwaysAllowed(name)) return true;
  if (typeof policy === 'function') return policy(name);
  return policy.some((entry) => (entry.startsWith('.') ? name === entry.slice(1) || name.endsWith(entry) : name === entry));
}

/**
 * Throws `host_not_allowed` unless the request's Host (or `header`: the host a trusted proxy
 * reports) is one the app serves. A request without a Host header (HTTP/1.0) is no browser's, and
 * passes.
 */
export function checkHost(policy: HostPolicy, req: IncomingMessage, header: string | undefined = req.headers.host): void {
  if (policy === '*' || header === undefined || header === '') return;
  const name = hostName(header);
  if (!isHostAllowed(policy, name)) {
    const shown = name.length > 100 ? name.slice(0, 100) + '…' : name;
    throw new RequestError('host_not_allowed', `this server does not serve the host name ${JSON.stringify(shown)} (allowedHosts)`);
  }
}
