import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { Server } from '../../server/index.js';
import { clientAddressOf, type TrustProxy } from '../../server/policies/client-address.js';
import { addressKey, inBlock, parseIp, parseIpBlock } from '../../server/policies/ip-address.js';
import { BucketTable } from '../../server/policies/token-bucket.js';
import { HandshakeRateLimit } from '../../server/policies/handshake-rate-limit.js';
import { closeAfterEach, startServer } from '../support/harness.js';
import { handshakeFrom } from '../support/address-requests.js';

const track = closeAfterEach();

function fakeRequest(peer: string, headers: Record<string, string> = {}): IncomingMessage {
  return { headers, socket: { remoteAddress: peer } } as unknown as IncomingMessage;
}

describe('client address behind proxies (trustProxy)', () => {
  const chain = { 'x-forwarded-for': '203.0.113.9, 198.51.100.7, 10.0.0.2' };
  const cases: Array<[TrustProxy, string]> = [
    [false, '10.0.0.1'],
    [0, '10.0.0.1'],
    [1, '10.0.0.2'],
    [2, '198.51.100.7'],
    [9, '203.0.113.9'],
    [true, '203.0.113.9'],
    [['10.0.0.0/8'], '198.51.100.7'],
    [['10.0.0.1'], '10.0.0.2'],
    [['192.168.0.0/16'], '10.0.0.1'],
    [['uniquelocal', '198.51.100.0/24'], '203.0.113.9'],
  ];
  it.each(cases)('trustProxy %j finds %s', (trust, expected) => {
    expect(clientAddressOf(trust)(fakeRequest('10.0.0.1', chain))).toBe(expected);
  });

  it('reads Forwarded for= only when told to, and then ignores X-Forwarded-For', () => {
    const req = fakeRequest('::1', { forwarded: 'for=192.0.2.60;proto=http, For="[2001:db8:cafe::17]:4711"', 'x-forwarded-for': '6.6.6.6' });
    expect(clientAddressOf(['loopback'], 'forwarded')(req)).toBe('2001:db8:cafe::17');
    expect(clientAddressOf(true, 'forwarded')(req)).toBe('192.0.2.60');
    expect(clientAddressOf(['loopback'])(req)).toBe('6.6.6.6');
  });

  it('stops at an entry that is not an address, at the proxy that wrote it', () => {
    expect(clientAddressOf(true)(fakeRequest('10.0.0.1', { 'x-forwarded-for': 'garbage, 198.51.100.7' }))).toBe('198.51.100.7');
    expect(clientAddressOf(true, 'forwarded')(fakeRequest('10.0.0.1', { forwarded: 'for=unknown' }))).toBe('10.0.0.1');
    expect(clientAddressOf(1)(fakeRequest('10.0.0.1', { 'x-forwarded-for': '198.51.100.7:5555' }))).toBe('198.51.100.7');
  });

  it('rejects malformed trustProxy and forwardedHeader options', () => {
    expect(() => new Server({ trustProxy: ['10.0.0.0/33'] })).toThrow(/trustProxy/);
    expect(() => new Server({ trustProxy: ['not-an-address'] })).toThrow(/trustProxy/);
    expect(() => new Server({ trustProxy: -1 })).toThrow(/trustProxy/);
    expect(() => new Server({ trustProxy: 1.5 })).toThrow(/trustProxy/);
    expect(() => new Server({ forwardedHeader: 'x-real-ip' as 'forwarded' })).toThrow(/forwardedHeader/);
    expect(() => new Server({ addressHandshakeBurst: 0.5 })).toThrow(/addressHandshakeBurst/);
    expect(() => new Server({ handshakeRate: 0 })).toThrow(/handshakeRate/);
    expect(() => new Server({ maxSessionsPerAddress: Number.NaN })).toThrow(/maxSessionsPerAddress/);
    expect(() => new Server({ provisionalResumeWindow: -1 })).toThrow(/provisionalResumeWindow/);
  });
});

describe('address keys and blocks', () => {
  it('groups IPv6 by /64 and treats IPv4-mapped addresses as IPv4', () => {
    expect(addressKey('2001:db8:0:1::a')).toBe(addressKey('2001:db8:0:1:ffff:1:2:3'));
    expect(addressKey('2001:db8:0:1::a')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:db8:0:2::a')).not.toBe(addressKey('2001:db8:0:1::a'));
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
    expect(addressKey('nonsense')).toBe('unknown');
  });

  it('matches CIDR blocks of both families', () => {
    const ip = (text: string) => parseIp(text)!;
    expect(inBlock(ip('172.31.255.1'), parseIpBlock('172.16.0.0/12'))).toBe(true);
    expect(inBlock(ip('172.32.0.1'), parseIpBlock('172.16.0.0/12'))).toBe(false);
    expect(inBlock(ip('::ffff:10.1.2.3'), parseIpBlock('10.0.0.0/8'))).toBe(true);
    expect(inBlock(ip('fd12::1'), parseIpBlock('fc00::/7'))).toBe(true);
    expect(inBlock(ip('fe80::1'), parseIpBlock('fc00::/7'))).toBe(false);
    expect(inBlock(ip('10.0.0.1'), parseIpBlock('::/0'))).toBe(false);
  });
});

describe('rate-limit memory is bounded', () => {
  it('the per-address table never holds more than its cap, and forgets buckets that have filled up again', () => {
    let now = 0;
    const table = new BucketTable({ burst: 5, perSecond: 1 }, 100);
    for (let i = 0; i < 10_000; i++) table.bucket(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, now).take();
    expect(table.size).toBe(100);
    now += 10_000; // every bucket is full again
    for (let i = 0; i < 60; i++) table.bucket('192.0.2.1', now);
    expect(table.size).toBeLessThan(2);
  });

  it('a spread of addresses cannot outrun the server-wide bucket', () => {
    let now = 0;
    const limit = new HandshakeRateLimit({ perAddress: { burst: 2, perSecond: 1 }, global: { burst: 10, perSecond: 5 } }, () => now, 50);
    let allowed = 0;
    for (let i = 0; i < 1000; i++) if (limit.take(`198.51.100.${i % 250}:${i}`).wait === 0) allowed++;
    expect(allowed).toBe(10);
    now += 1000;
    expect(limit.take('203.0.113.1').wait).toBe(0);
    expect(limit.addresses).toBeLessThanOrEqual(50);
  });
});

describe('trustProxy on a real server', () => {
  it('off: X-Forwarded-For is ignored, for the address and for the limits', async () => {
    const server = track(await startServer({ addressHandshakeBurst: 2, addressHandshakeRate: 0.1 }));
    expect((await handshakeFrom(server.port, '127.0.0.2', undefined, { 'X-Forwarded-For': '198.51.100.1' })).status).toBe(200);
    expect((await handshakeFrom(server.port, '127.0.0.2', undefined, { 'X-Forwarded-For': '198.51.100.2' })).status).toBe(200);
    expect((await handshakeFrom(server.port, '127.0.0.2', undefined, { 'X-Forwarded-For': '198.51.100.3' })).status).toBe(429);
    expect(server.sockets.map((s) => s.handshake.address)).toEqual(['127.0.0.2', '127.0.0.2']);
  });

  it('on: believed from a trusted proxy only; IPv6 clients share their /64', async () => {
    const server = track(await startServer({ trustProxy: ['127.0.0.2'], addressHandshakeBurst: 1, addressHandshakeRate: 0.1 }));
    const via = (from: string, client: string) => handshakeFrom(server.port, from, undefined, { 'X-Forwarded-For': `6.6.6.6, ${client}` });
    expect((await via('127.0.0.2', '198.51.100.1')).status).toBe(200);
    expect((await via('127.0.0.2', '198.51.100.2')).status).toBe(200);
    expect((await via('127.0.0.2', '198.51.100.1')).status).toBe(429);
    expect((await via('127.0.0.2', '2001:db8:0:1::a')).status).toBe(200);
    expect((await via('127.0.0.2', '2001:db8:0:1::b')).status).toBe(429);
    expect((await via('127.0.0.2', '2001:db8:0:2::a')).status).toBe(200);
    // not a trusted proxy: its header is the client's own claim
    expect((await via('127.0.0.3', '198.51.100.3')).status).toBe(200);
    expect((await via('127.0.0.3', '198.51.100.4')).status).toBe(429);
    expect(server.sockets.map((s) => s.handshake.address)).toEqual(['198.51.100.1', '198.51.100.2', '2001:db8:0:1::a', '2001:db8:0:2::a', '127.0.0.3']);
  });
});
