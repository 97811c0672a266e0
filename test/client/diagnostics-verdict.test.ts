import { describe, expect, it } from 'vitest';
import { verdict } from '../../client/diagnostics/verdict.js';
import { emptyResult } from '../../client/diagnostics/transport-test.js';
import { percentile } from '../../client/diagnostics/stats.js';
import type { DefaultChoice, TransportResult } from '../../client/diagnostics/types.js';
import type { TransportName } from '../../protocol/index.js';

function ok(name: TransportName, delivery: TransportResult['delivery'] = null): TransportResult {
  return { ...emptyResult(name, 'ok', ''), firstMessageMs: 20, rttP50: 4, rttP95: 9, pushKiBps: 9000, delivery };
}

function choice(transport: TransportName | null, rttP50: number | null, reason = ''): DefaultChoice {
  return { transport, attempts: [], rttP50, reason };
}

describe('the diagnostics verdict', () => {
  it('an open network: WebSocket works, streams stream, Ferry uses WebSocket', () => {
    const results = [ok('websocket'), ok('eventsource', 'streamed'), ok('xhr-streaming', 'streamed'), ok('iframe-streaming', 'streamed'), ok('xhr-polling'), ok('jsonp-polling')];
    expect(verdict(results, choice('websocket', 3.4))).toEqual([
      'WebSocket works on this network.',
      'Streaming works: messages arrive as they are sent (Server-Sent Events, XHR streaming, iframe streaming).',
      'Ferry uses WebSocket; a message makes the round trip in 3 ms.',
    ]);
  });

  it('a proxy that refuses WebSocket: blocked, with the reason, and the stream Ferry picked', () => {
    const results = [emptyResult('websocket', 'failed', 'websocket error'), ok('eventsource', 'streamed'), ok('xhr-polling')];
    const lines = verdict(results, choice('eventsource', 41));
    expect(lines[0]).toBe('WebSocket is blocked on this network (websocket error).');
    expect(lines[2]).toBe('Ferry uses Server-Sent Events; a message makes the round trip in 41 ms.');
  });

  it('a buffering proxy: streams held back or bunched are called buffered, and Ferry long-polls', () => {
    const results = [
      emptyResult('websocket', 'failed', 'could not connect within 6 s'),
      emptyResult('eventsource', 'no-data', 'connected, but nothing came back'),
      ok('xhr-streaming', 'buffered'),
      emptyResult('iframe-streaming', 'no-data', 'connected, but nothing came back'),
      ok('xhr-polling'),
    ];
    const lines = verdict(results, choice('xhr-polling', 12));
    expect(lines[1]).toBe('Streaming responses are buffered on the way (a proxy holds them until they complete), so Ferry does not stream here: Server-Sent Events, XHR streaming, iframe streaming.');
    expect(lines[2]).toBe('Ferry uses long-polling; a message makes the round trip in 12 ms.');
  });

  it('says what is missing from the browser, and when nothing connects at all', () => {
    const lines = verdict([emptyResult('websocket', 'unavailable', 'this browser has no WebSocket'), emptyResult('eventsource', 'failed', 'refused')], choice(null, null, 'handshake failed'));
    expect(lines).toEqual(['This browser cannot use WebSocket (this browser has no WebSocket).', 'Streaming fails on this network (Server-Sent Events).', 'Ferry could not connect here (handshake failed).']);
  });

  it('the idle test: cut after so long, stayed open, or could not run', () => {
    const idle = (cutAfterMs: number | null, reason = '') => ({ transport: 'websocket' as const, idleMs: 35_000, cutAfterMs, reason });
    expect(verdict([], null, idle(8200, 'websocket closed'))).toEqual(['An idle WebSocket connection is cut after about 8 s here; Ferry reconnects and resumes the session.']);
    expect(verdict([], null, idle(null))).toEqual(['An idle WebSocket connection stayed open for 35 s.']);
    expect(verdict([], null, idle(null, 'the session did not start within 8 s'))).toEqual(['The idle test could not run (the session did not start within 8 s).']);
  });

  it('percentiles by nearest rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 95)).toBe(19);
  });
});
