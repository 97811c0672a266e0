import type { JsonValue, TransportName } from '../../protocol/index.js';
import type { ClientSocket } from '../public-socket.js';
import { now, percentile } from './stats.js';
import { isStream } from './verdict.js';
import type { FerryGlobal, ServerView, TransportResult } from './types.js';

/** Pings whose round trips give p50 and p95. */
const PINGS = 20;
/** How long the first answer may take before the transport counts as held back or failed, ms. */
const FIRST_ANSWER_MS = 6000;
/** The longest one transport's test may take, ms. */
const TEST_MS = 15000;
/** Four ticks 150 ms apart span 450 ms; held back and released together they span far less. */
const STREAMED_SPREAD_MS = 250;

type Reply = { [key: string]: JsonValue };
/** Handles one reply of the step in progress; true when the step is over. */
type Step = (reply: Reply) => boolean;

/** Whether this browser has what `name` needs (the server's list is learnt from its refusal). */
export function browserLacks(name: TransportName): string {
  if (name === 'websocket' && typeof WebSocket === 'undefined') return 'this browser has no WebSocket';
  if (name === 'eventsource' && typeof EventSource === 'undefined') return 'this browser has no EventSource';
  return '';
}

export function emptyResult(name: TransportName, outcome: TransportResult['outcome'], reason: string): TransportResult {
  return { transport: name, outcome: outcome, reason: reason, connectMs: null, firstMessageMs: null, rttP50: null, rttP95: null, pushKiBps: null, delivery: null };
}

/**
 * Runs the tests of one transport, forced, on a diagnostics session: time to open and to the first
 * answer, 20 round trips, for a stream whether messages arrive as sent, and a 256 KiB push. With
 * `wantInfo` it also asks what the server saw of the request (proxy headers, address).
 */
export function testTransport(ferry: FerryGlobal, baseUrl: string, name: TransportName, wantInfo: boolean, done: (result: TransportResult, info: ServerView | null) => void): void {
  const lacking = browserLacks(name);
  if (lacking) return done(emptyResult(name, 'unavailable', lacking), null);
  const result = emptyResult(name, 'failed', '');
  const started = now();
  let info: ServerView | null = null;
  let step: Step | null = null;
  let opened = false;
  let finished = false;
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  let socket: ClientSocket;
  try {
    socket = ferry.connect(baseUrl + '?diag=1', { transports: [name], reconnect: false, storage: null });
  } catch (e) {
    return done(emptyResult(name, 'unavailable', String((e as Error).message || e)), null);
  }

  function finish(outcome: TransportResult['outcome'], reason: string): void {
    if (finished) return;
    finished = true;
    for (let i = 0; i < timers.length; i++) clearTimeout(timers[i]);
    result.outcome = outcome;
    result.reason = reason;
    socket.close();
    done(result, info);
  }

  /** Why the client gave this transport up, if it did (its `attempts`). */
  function failedAttempt(): string {
    const attempts = socket.attempts;
    for (let i = attempts.length - 1; i >= 0; i--) if (attempts[i].transport === name && attempts[i].outcome === 'failed') return attempts[i].reason;
    return '';
  }

  function send(message: Reply, next: Step): void {
    step = next;
    socket.send(message);
  }

  timers.push(
    setTimeout(function () {
      if (result.firstMessageMs === null) {
        if (opened) finish('no-data', 'connected, but nothing came back within ' + FIRST_ANSWER_MS / 1000 + ' s: something on the way holds the responses back');
        else finish('failed', failedAttempt() || 'could not connect within ' + FIRST_ANSWER_MS / 1000 + ' s');
      }
    }, FIRST_ANSWER_MS),
  );
  timers.push(
    setTimeout(function () {
      finish('failed', 'the test did not finish within ' + TEST_MS / 1000 + ' s');
    }, TEST_MS),
  );

  socket.on('open', function () {
    opened = true;
    result.connectMs = Math.round(now() - started);
    send({ d: 'ping', n: 0 }, function (reply) {
      if (reply.d !== 'pong') return false;
      result.firstMessageMs = Math.round(now() - started);
      pings([], 1);
      return true;
    });
  });
  socket.on('message', function (data) {
    const current = step;
    if (current === null || typeof data !== 'object' || data === null || data instanceof Uint8Array) return;
    // a step that is over has usually started the next one already
    if (current(data as Reply) && step === current) step = null;
  });
  socket.on('close', function (reason) {
    finish(opened && result.firstMessageMs === null ? 'no-data' : 'failed', reason);
  });

  function pings(rtts: number[], n: number): void {
    if (n > PINGS) {
      result.rttP50 = percentile(rtts, 50);
      result.rttP95 = percentile(rtts, 95);
      return wantInfo ? askInfo() : trickle();
    }
    const sent = now();
    send({ d: 'ping', n: n }, function (reply) {
      if (reply.d !== 'pong' || reply.n !== n) return false;
      rtts.push(now() - sent);
      pings(rtts, n + 1);
      return true;
    });
  }

  function askInfo(): void {
    send({ d: 'info' }, function (reply) {
      if (reply.d !== 'info') return false;
      info = serverView(reply);
      trickle();
      return true;
    });
  }

  function trickle(): void {
    if (!isStream(name)) return push();
    const arrivals: number[] = [];
    send({ d: 'trickle' }, function (reply) {
      if (reply.d !== 'tick') return false;
      arrivals.push(now());
      if (arrivals.length < 4) return false;
      result.delivery = arrivals[3] - arrivals[0] >= STREAMED_SPREAD_MS ? 'streamed' : 'buffered';
      push();
      return true;
    });
  }

  function push(): void {
    const sent = now();
    let chunks = 0;
    send({ d: 'push' }, function (reply) {
      if (reply.d === 'chunk') chunks++;
      if (reply.d !== 'pushed') return false;
      const seconds = Math.max(now() - sent, 1) / 1000;
      result.pushKiBps = Math.round((chunks * 4) / seconds);
      finish('ok', '');
      return true;
    });
  }
}

function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

function serverView(reply: Reply): ServerView {
  const transports = reply.transports;
  return {
    address: text(reply.address),
    via: text(reply.via),
    forwarded: text(reply.forwarded),
    xForwardedFor: text(reply.xForwardedFor),
    userAgent: text(reply.userAgent),
    transports: transports instanceof Array ? (transports.filter((t) => typeof t === 'string') as TransportName[]) : [],
  };
}
