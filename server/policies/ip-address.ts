import { isIPv4, isIPv6 } from 'node:net';

/** An IP address as bytes: 4 for IPv4 (IPv4-mapped IPv6 addresses included), 16 for IPv6. */
export type IpBytes = Uint8Array;

function ipv4Bytes(text: string): IpBytes | null {
  if (!isIPv4(text)) return null;
  return Uint8Array.from(text.split('.'), Number);
}

function ipv6Bytes(text: string): IpBytes | null {
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (!isIPv6(text)) return null;
  // a dotted IPv4 tail (`::ffff:1.2.3.4`) becomes two hex groups
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) >= 0) {
    const v4 = ipv4Bytes(text.slice(lastColon + 1));
    if (v4 === null) return null;
    text = text.slice(0, lastColon + 1) + ((v4[0] << 8) | v4[1]).toString(16) + ':' + ((v4[2] << 8) | v4[3]).toString(16);
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (part: string | undefined): string[] => (part ? part.split(':') : []);
  const front = groups(head);
  const back = groups(tail);
  const all = tail === undefined ? front : [...front, ...new Array<string>(8 - front.length - back.length).fill('0'), ...back];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return bytes;
}

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Parses an IPv4 or IPv6 address (a zone id is ignored); IPv4-mapped IPv6 comes back as IPv4. Null when it is neither. */
export function parseIp(text: string): IpBytes | null {
  const v4 = ipv4Bytes(text);
  if (v4 !== null) return v4;
  const v6 = ipv6Bytes(text);
  if (v6 !== null && MAPPED_PREFIX.every((byte, i) => v6[i] === byte)) return v6.slice(12);
  return v6;
}

/** An address block: the first `bits` bits of `bytes`. */
export interface IpBlock {
  readonly bytes: IpBytes;
  readonly bits: number;
}

/** Parses `10.0.0.0/8`, `2001:db8::/32` or a single address (a block of one). Throws RangeError when malformed. */
export function parseIpBlock(text: string): IpBlock {
  const slash = text.indexOf('/');
  const bytes = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (bytes === null) throw new RangeError(`not an IP address or CIDR block: "${text}"`);
  if (slash < 0) return { bytes, bits: bytes.length * 8 };
  const suffix = text.slice(slash + 1);
  const bits = /^[0-9]{1,3}$/.test(suffix) ? Number(suffix) : NaN;
  // a mapped IPv6 block (`::ffff:10.0.0.0/104`) is read as the IPv4 block it covers
  const mapped = bytes.length === 4 && text.includes(':');
  const length = mapped ? bits - 96 : bits;
  if (!(length >= 0 && length <= bytes.length * 8)) throw new RangeError(`bad prefix length in "${text}"`);
  return { bytes, bits: length };
}

export function inBlock(address: IpBytes, block: IpBlock): boolean {
  if (address.length !== block.bytes.length) return false;
  const whole = block.bits >> 3;
  for (let i = 0; i < whole; i++) if (address[i] !== block.bytes[i]) return false;
  const rest = block.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (address[whole] & mask) === (block.bytes[whole] & mask);
}

/**
 * The key the per-address limits count a client under: an IPv4 address itself, an IPv6
 * address's /64 (one subscriber gets a whole /64, so per-address limits on single IPv6 addresses
 * would be no limit at all). Anything unparseable shares the key `unknown`.
 */
export function addressKey(address: string | undefined): string {
  const bytes = address === undefined ? null : parseIp(address);
  if (bytes === null) return 'unknown';
  if (bytes.length === 4) {
    const key = bytes.join('.');
    // the address itself when it is already in this form: the session keeps that string anyway
    return key === address ? address : key;
  }
  const groups: string[] = [];
  for (let i = 0; i < 8; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(':') + '::/64';
}
