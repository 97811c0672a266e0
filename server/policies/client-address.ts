import type { IncomingMessage } from 'node:http';
import { inBlock, parseIp, parseIpBlock, type IpBlock } from './ip-address.js';

/**
 * Which proxies in front of the server are believed when they say who the client is, in the
 * spirit of Express's `trust proxy`:
 * - `false`: none; the client is the socket's peer.
 * - `true`: every hop; the client is the leftmost address of the forwarding header (anyone can
 *   write that header, so only behind a proxy that replaces it).
 * - a number n: the n hops nearest the server are proxies; the client is the address the n-th one
 *   saw.
 * - a list of addresses and CIDR blocks (`['10.0.0.0/8', '::1']`, or `'loopback'`): hops from
 *   these are proxies; the client is the nearest hop that is not one.
 */
export type TrustProxy = boolean | number | readonly string[];

/** The header a trusted proxy adds the address it saw to. Only that one is read. */
export type ForwardedHeader = 'x-forwarded-for' | 'forwarded';

/** The address of the client behind a request, as the trusted proxies report it. */
export type ClientAddress = (req: IncomingMessage) => string | undefined;

const NAMED_BLOCKS: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** Checks a `trustProxy` value; throws RangeError naming what is wrong. */
export function checkTrustProxy(trust: TrustProxy): void {
  trustTest(trust);
}

/** Whether the hop at `distance` (0: the socket's peer) with address `hop` is a trusted proxy. */
type TrustTest = (hop: string, distance: number) => boolean;

function trustTest(trust: TrustProxy): TrustTest {
  if (typeof trust === 'boolean') return () => trust;
  if (typeof trust === 'number') {
    if (!Number.isInteger(trust) || trust < 0) throw new RangeError(`ferry: option trustProxy must be a boolean, a hop count (integer ≥ 0) or a list of addresses, got ${trust}`);
    return (_hop, distance) => distance < trust;
  }
  if (!Array.isArray(trust)) throw new RangeError('ferry: option trustProxy must be a boolean, a hop count or a list of addresses');
  const blocks: IpBlock[] = [];
  for (const entry of trust as readonly unknown[]) {
    if (typeof entry !== 'string') throw new RangeError('ferry: option trustProxy lists addresses as strings');
    try {
      for (const text of NAMED_BLOCKS[entry] ?? [entry]) blocks.push(parseIpBlock(text));
    } catch (e) {
      throw new RangeError(`ferry: option trustProxy: ${(e as Error).message}`);
    }
  }
  return (hop) => {
    const bytes = parseIp(hop);
    return bytes !== null && blocks.some((block) => inBlock(bytes, block));
  };
}

/**
 * Whether a request's socket peer is a trusted proxy (distance 0): then what it says about the
 * request (`X-Forwarded-Host`, `X-Forwarded-Proto`, `Forwarded`) is believed (public-site.ts).
 */
export function peerIsTrusted(trust: TrustProxy): (req: IncomingMessage) => boolean {
  if (trust === false || trust === 0) return () => false;
  const trusted = trustTest(trust);
  return (req) => {
    const peer = req.socket.remoteAddress;
    return peer !== undefined && trusted(peer, 0);
  };
}

/** The hops a request names, client first: the header's entries, as written (unparseable ones too). */
function forwardedHops(req: IncomingMessage, header: ForwardedHeader): string[] {
  const value = req.headers[header];
  if (typeof value !== 'string' || value === '') return [];
  const hops: string[] = [];
  for (const element of value.split(',')) {
    if (header === 'x-forwarded-for') {
      hops.push(bareAddress(element.trim()));
      continue;
    }
    // Forwarded: for=192.0.2.60;proto=http, for="[2001:db8::17]:4711"
    const pair = element.split(';').find((p) => p.trim().toLowerCase().startsWith('for='));
    hops.push(pair === undefined ? '' : bareAddress(pair.trim().slice(4).replace(/^"(.*)"$/, '$1')));
  }
  return hops;
}

/** `[2001:db8::1]:443` → `2001:db8::1`, `192.0.2.1:80` → `192.0.2.1`; anything else as it is. */
function bareAddress(text: string): string {
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    return end < 0 ? text : text.slice(1, end);
  }
  const colon = text.indexOf(':');
  return colon >= 0 && colon === text.lastIndexOf(':') ? text.slice(0, colon) : text;
}

/**
 * Makes the function that finds a request's client address. Walks from the server outwards: the
 * socket's peer, then the header's entries right to left, while each hop is a trusted proxy; the
 * first hop that is not is the client. An entry that is not an IP address (`unknown`, an
 * obfuscated name, garbage) ends the walk at the proxy that wrote it.
 */
export function clientAddressOf(trust: TrustProxy, header: ForwardedHeader = 'x-forwarded-for'): ClientAddress {
  if (trust === false || trust === 0) return (req) => req.socket.remoteAddress;
  const trusted = trustTest(trust);
  return (req) => {
    let client = req.socket.remoteAddress;
    if (client === undefined) return undefined;
    const hops = forwardedHops(req, header);
    for (let distance = 0; distance < hops.length; distance++) {
      if (!trusted(client, distance)) return client;
      const next = hops[hops.length - 1 - distance];
      if (parseIp(next) === null) return client;
      client = next;
    }
    return client;
  };
}
