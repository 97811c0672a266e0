import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CloseCode, type JsonValue, type TransportName } from '../../protocol/index.js';
import { DIAGNOSTICS_LIFETIME_MS, DiagnosticsResponder, type DiagnosticsPeer } from '../../server/diagnostics/responder.js';
import { finalClose } from '../../server/final-close.js';
import { resolveOptions } from '../../server/options.js';
import { DiagnosticsRateLimit } from '../../server/policies/diagnostics-rate-limit.js';
import { SessionRegistry } from '../../server/session-registry.js';
import type { HandshakeInfo, Socket } from '../../server/socket.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A push budget no test reaches (the session holds nothing in these fakes). */
const BUDGET = 1 << 20;

/** A session as the responder sees it: what it sent, and how it was ended. */
function peer(headers: HandshakeInfo['headers'] = {}, transport: TransportName = 'websocket') {
  const sent: JsonValue[] = [];
  const ends: Array<{ code: number; reason: string }> = [];
  const fake: DiagnosticsPeer & { bufferedAmount: number } = {
    handshake: { headers, address: '127.0.0.1', query: {} },
    transport,
    bufferedAmount: 0,
    send: (data) => {
      if (ends.length > 0) return false;
      sent.push(data);
      return true;
    },
    end: (code, reason) => void ends.push({ code, reason }),
  };
  return { fake, sent, ends };
}

describe('the diagnostics responder', () => {
  it('answers 50 pings, each with its n, and ends the session at the 51st', () => {
    const { fake, sent, ends } = peer();
    const responder = new DiagnosticsResponder(fake, ['websocket'], BUDGET);
    for (let n = 0; n < 50; n++) responder.receive({ d: 'ping', n: n * 1000 });
    expect(sent).toEqual(Array.from({ length: 50 }, (_, n) => ({ d: 'pong', n: n * 1000 })));
    expect(ends).toEqual([]);
    responder.receive({ d: 'ping', n: 50 });
    expect(ends).toEqual([{ code: CloseCode.PROTOCOL_ERROR, reason: 'diagnostics: too many pings' }]);
    expect(sent).toHaveLength(50);
    responder.receive({ d: 'ping', n: 51 });
    expect(ends).toHaveLength(1);
  });

  it.each([
    ['info', 4, 'too many info requests'],
    ['trickle', 2, 'too many trickles'],
    ['push', 2, 'too many pushes'],
  ])('takes %s %i times and ends the session at the next', (d, quota, reason) => {
    const { fake, ends } = peer();
    const responder = new DiagnosticsResponder(fake, ['websocket'], BUDGET);
    for (let i = 0; i < quota; i++) responder.receive({ d });
    expect(ends).toEqual([]);
    responder.receive({ d });
    expect(ends).toEqual([{ code: CloseCode.PROTOCOL_ERROR, reason: 'diagnostics: ' + reason }]);
    responder.stop();
  });

  it.each<[string, JsonValue | Uint8Array]>([
    ['a string', 'ping'],
    ['a number', 7],
    ['null', null],
    ['an array', [{ d: 'ping', n: 1 }]],
    ['bytes', new Uint8Array([1, 2, 3])],
    ['an object without d', { n: 1 }],
    ['an unknown d', { d: 'pong', n: 1 }],
    ['a ping without n', { d: 'ping' }],
    ['a ping with a negative n', { d: 'ping', n: -1 }],
    ['a ping with a fractional n', { d: 'ping', n: 1.5 }],
    ['a ping with n as a string', { d: 'ping', n: '1' }],
  ])('ends the session, sending nothing, for %s', (_name, message) => {
    const { fake, sent, ends } = peer();
    const responder = new DiagnosticsResponder(fake, ['websocket'], BUDGET);
    responder.receive(message);
    expect(sent).toEqual([]);
    expect(ends).toHaveLength(1);
    expect(ends[0].code).toBe(CloseCode.PROTOCOL_ERROR);
    expect(ends[0].reason).toMatch(/^diagnostics: /);
  });

  it('info reports the address, the forwarding headers (joined, cut to 512 characters), the transport and the server’s transports', () => {
    const { fake, sent } = peer(
      { via: '1.1 proxy.example', 'x-forwarded-for': ['203.0.113.9', '10.0.0.1'], 'user-agent': 'u'.repeat(600) },
      'xhr-polling',
    );
    const responder = new DiagnosticsResponder(fake, ['websocket', 'xhr-polling'], BUDGET);
    responder.receive({ d: 'info' });
    expect(sent).toEqual([
      {
        d: 'info',
        address: '127.0.0.1',
        via: '1.1 proxy.example',
        forwarded: null,
        xForwardedFor: '203.0.113.9, 10.0.0.1',
        userAgent: 'u'.repeat(512),
        transport: 'xhr-polling',
        transports: ['websocket', 'xhr-polling'],
      },
    ]);
    responder.stop();
  });

  it('push sends 64 chunks of 4096 ASCII characters, then pushed', () => {
    const { fake, sent } = peer();
    const responder = new DiagnosticsResponder(fake, ['websocket'], BUDGET);
    responder.receive({ d: 'push' });
    expect(sent).toHaveLength(65);
    sent.slice(0, 64).forEach((chunk, i) => {
      const { d, i: index, data } = chunk as { d: string; i: number; data: string };
      expect([d, index]).toEqual(['chunk', i]);
      expect(data).toMatch(/^[\x20-\x7e]{4096}$/);
    });
    expect(sent[64]).toEqual({ d: 'pushed' });
    responder.stop();
  });

  it('push waits while the session holds more than its budget, and goes on at drain; a second push follows the first', () => {
    const { fake, sent } = peer();
    // the session holds what was sent and not acknowledged: each chunk about 4 KiB
    const send = fake.send;
    fake.send = (data) => {
      fake.bufferedAmount += JSON.stringify(data).length;
      return send(data);
    };
    const responder = new DiagnosticsResponder(fake, ['websocket'], 10_000);
    responder.receive({ d: 'push' });
    responder.receive({ d: 'push' });
    // 0, 4 KiB and 8 KiB held are at or under the budget: three chunks, then a wait
    expect(sent).toHaveLength(3);
    let drains = 0;
    while (sent.length < 130 && drains < 100) {
      fake.bufferedAmount = 0;
      responder.drained();
      drains++;
    }
    expect(sent).toHaveLength(130);
    expect(sent[64]).toEqual({ d: 'pushed' });
    expect(sent[65]).toMatchObject({ d: 'chunk', i: 0 });
    expect(sent[129]).toEqual({ d: 'pushed' });
    expect(drains).toBeGreaterThan(20);
    responder.stop();
  });

  it('trickle sends four ticks 150 ms apart, the first at once, and none once stopped', () => {
    vi.useFakeTimers();
    const { fake, sent } = peer();
    const responder = new DiagnosticsResponder(fake, ['websocket'], BUDGET);
    responder.receive({ d: 'trickle' });
    expect(sent).toEqual([{ d: 'tick', i: 0 }]);
    vi.advanceTimersByTime(149);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([{ d: 'tick', i: 0 }, { d: 'tick', i: 1 }]);
    vi.advanceTimersByTime(300);
    expect(sent).toEqual([0, 1, 2, 3].map((i) => ({ d: 'tick', i })));
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(4);
    responder.receive({ d: 'trickle' });
    responder.stop();
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(5);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends the session after 60 s, with 1000 "diagnostics: time is up"', () => {
    vi.useFakeTimers();
    const { fake, ends } = peer();
    new DiagnosticsResponder(fake, ['websocket'], BUDGET);
    vi.advanceTimersByTime(DIAGNOSTICS_LIFETIME_MS - 1);
    expect(ends).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(DIAGNOSTICS_LIFETIME_MS).toBe(60_000);
    expect(ends).toEqual([{ code: CloseCode.NORMAL, reason: 'diagnostics: time is up' }]);
  });

  it('once stopped (the session ended), ends nothing and keeps no timer', () => {
    vi.useFakeTimers();
    const { fake, ends } = peer();
    const responder = new DiagnosticsResponder(fake, ['websocket'], BUDGET);
    responder.stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(DIAGNOSTICS_LIFETIME_MS * 2);
    responder.receive({ d: 'ping', n: 1 });
    expect(ends).toEqual([]);
  });
});

describe('the diagnostics rate limit', () => {
  it('lets an address open 30 at once, then one every 2 s (30 a minute); other addresses are apart', () => {
    let now = 0;
    const limit = new DiagnosticsRateLimit(() => now);
    for (let i = 0; i < 30; i++) {
      expect(limit.wait('a')).toBe(0);
      limit.take('a');
    }
    expect(limit.wait('a')).toBe(2000);
    expect(limit.wait('b')).toBe(0);
    now += 1999;
    expect(limit.wait('a')).toBe(1);
    now += 1;
    expect(limit.wait('a')).toBe(0);
    limit.take('a');
    expect(limit.wait('a')).toBe(2000);
  });

  it('keeps a bounded table however many addresses ask', () => {
    const limit = new DiagnosticsRateLimit(() => 0, { burst: 30, perSecond: 0.5 }, 100);
    for (let i = 0; i < 1000; i++) limit.take('address ' + i);
    expect(limit.addresses).toBeLessThanOrEqual(100);
  });
});

describe('a diagnostics session in the registry', () => {
  /** A handshake request from 127.0.0.1, as the registry reads one. */
  function handshakeRequest(): IncomingMessage {
    return { headers: {}, url: '/ferry/v1/handshake?diag=1', socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
  }

  it('is not the app’s, ends after 60 s while an ordinary session lives on', () => {
    vi.useFakeTimers();
    const connected: Socket[] = [];
    const options = resolveOptions({ diagnostics: true, resumeWindow: 120_000, provisionalResumeWindow: 120_000 });
    const registry = new SessionRegistry(options, (socket) => connected.push(socket), (error) => {
      throw error;
    });
    const ordinary = registry.create('xhr-polling', registry.admit(handshakeRequest()));
    const diagnostics = registry.create('xhr-polling', registry.admit(handshakeRequest(), true));
    expect(connected).toEqual([ordinary]);
    expect(registry.size).toBe(2);
    expect(registry.rooms.everyone().sockets()).toEqual([ordinary]);
    expect(registry.authenticate(diagnostics.id, diagnostics.token)).toBe(diagnostics);
    vi.advanceTimersByTime(DIAGNOSTICS_LIFETIME_MS);
    expect(diagnostics.closed).toBe(true);
    expect(finalClose(diagnostics)).toEqual({ code: CloseCode.NORMAL, reason: 'diagnostics: time is up' });
    expect(ordinary.closed).toBe(false);
    expect(registry.size).toBe(1);
    registry.endAll(CloseCode.SERVER_SHUTDOWN, 'test over');
  });

  it('clears its trickle and lifetime timers when it ends early', () => {
    vi.useFakeTimers();
    const options = resolveOptions({ diagnostics: true });
    const registry = new SessionRegistry(options, () => {}, (error) => {
      throw error;
    });
    const session = registry.create('xhr-polling', registry.admit(handshakeRequest(), true));
    session.receive([{ type: 'message', seq: 1, data: { d: 'trickle' } }]);
    expect(registry.metrics.messagesOut).toBe(1);
    session.close();
    // what the session's end leaves (an ack tick) runs out; nothing of the responder's is left
    vi.advanceTimersByTime(1000);
    expect(vi.getTimerCount()).toBe(0);
    registry.endAll(CloseCode.SERVER_SHUTDOWN, 'test over');
  });
});
