import type { JsonValue, TransportName } from '../../protocol/index.js';
import { now, percentile } from './stats.js';
import type { DefaultChoice, FerryGlobal } from './types.js';

/** A choice has settled once the transport has not changed for this long (or is WebSocket), ms. */
const SETTLED_MS = 2500;
/** The longest the choice may take to settle, counted from `open`, ms. */
const SETTLE_LIMIT_MS = 10000;
/** The longest the whole test may take, ms. */
const TEST_MS = 20000;
const PINGS = 5;

/**
 * What a plain `connect()` (every transport allowed, nothing remembered) ends up on and why
 * (`attempts`): it settles on WebSocket, or when no other transport has come for a while; then
 * a few round trips on it.
 */
export function testDefaultChoice(ferry: FerryGlobal, baseUrl: string, done: (choice: DefaultChoice) => void): void {
  const choice: DefaultChoice = { transport: null, attempts: [], rttP50: null, reason: '' };
  const socket = ferry.connect(baseUrl + '?diag=1', { reconnect: false, storage: null });
  let finished = false;
  let settle: ReturnType<typeof setTimeout> | null = null;
  let limit: ReturnType<typeof setTimeout> | null = null;
  let pinging = false;
  const rtts: number[] = [];
  let sent = 0;

  function finish(reason: string): void {
    if (finished) return;
    finished = true;
    clearTimeout(overall);
    if (settle !== null) clearTimeout(settle);
    if (limit !== null) clearTimeout(limit);
    choice.transport = socket.transport;
    choice.attempts = socket.attempts.slice();
    choice.rttP50 = percentile(rtts, 50);
    choice.reason = reason;
    socket.close();
    done(choice);
  }

  const overall = setTimeout(function () {
    finish(pinging ? '' : 'no transport settled within ' + TEST_MS / 1000 + ' s');
  }, TEST_MS);

  function ping(): void {
    if (rtts.length >= PINGS) return finish('');
    sent = now();
    socket.send({ d: 'ping', n: rtts.length });
  }

  function settled(): void {
    if (pinging || finished) return;
    pinging = true;
    ping();
  }

  function waitToSettle(name: TransportName | null): void {
    if (settle !== null) clearTimeout(settle);
    if (name === 'websocket') return settled();
    settle = setTimeout(settled, SETTLED_MS);
  }

  socket.on('open', function () {
    limit = setTimeout(settled, SETTLE_LIMIT_MS);
    waitToSettle(socket.transport);
  });
  socket.on('transport', waitToSettle);
  socket.on('message', function (data: JsonValue | Uint8Array) {
    const reply = data as { d?: unknown; n?: unknown } | null;
    if (!pinging || reply === null || typeof reply !== 'object' || reply.d !== 'pong' || reply.n !== rtts.length) return;
    rtts.push(now() - sent);
    ping();
  });
  socket.on('close', function (reason) {
    finish(reason);
  });
}
