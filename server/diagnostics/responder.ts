import { CloseCode, type JsonValue, type TransportName } from '../../protocol/index.js';
import type { HandshakeInfo } from '../socket.js';

/**
 * What the server answers on a diagnostics session (PROTOCOL.md section 3, "Diagnostics
 * sessions"): the page measures round trips, sees what the server saw of its requests, and whether
 * responses arrive streamed or held back by a proxy. Every answer is of a fixed size and every
 * request has a quota, so a client cannot make the server send more than these per session;
 * anything else ends the session.
 */

/** How long a diagnostics session lives, in ms. */
export const DIAGNOSTICS_LIFETIME_MS = 60_000;

/** Requests of each kind one session may make. */
export const DIAGNOSTICS_QUOTAS = { ping: 50, info: 4, trickle: 2, push: 2 } as const;

type RequestKind = keyof typeof DIAGNOSTICS_QUOTAS;

/** A trickle: this many ticks, this far apart (the first at once). */
const TICKS = 4;
const TICK_INTERVAL_MS = 150;
/** A push: this many chunks of this many ASCII characters (256 KiB), then `pushed`. */
const CHUNKS = 64;
const CHUNK_CHARS = 4096;
/** Header values in `info` are cut to this many characters. */
const HEADER_CHARS = 512;

/** One chunk's data, made once: its content says nothing, its size is the point. */
const CHUNK_DATA = 'ferry diagnostics push '.repeat(Math.ceil(CHUNK_CHARS / 23)).slice(0, CHUNK_CHARS);

/** Says a quota is used up, per kind. */
const OVER_QUOTA: Readonly<Record<RequestKind, string>> = {
  ping: 'too many pings',
  info: 'too many info requests',
  trickle: 'too many trickles',
  push: 'too many pushes',
};

/** The session as the responder uses it (the server's Session is one). */
export interface DiagnosticsPeer {
  readonly handshake: HandshakeInfo;
  /** The transport the session is on now. */
  readonly transport: TransportName;
  /** What the session holds unacknowledged: a push waits while it is above its budget. */
  readonly bufferedAmount: number;
  /** Queues a message; false once the session has ended. */
  send(data: JsonValue): boolean;
  /** Ends the session for good. */
  end(code: number, reason: string): void;
}

/**
 * The server side of one diagnostics session: its messages come to `receive`, and `stop` must be
 * called when the session ends (it clears the session's timers). Ends the session itself after
 * `DIAGNOSTICS_LIFETIME_MS`, or at the first message it does not take. Never throws.
 */
export class DiagnosticsResponder {
  readonly #peer: DiagnosticsPeer;
  readonly #transports: readonly TransportName[];
  /** A push stops sending while the session holds more than this (bytes), until `drained`. */
  readonly #pushBudget: number;
  readonly #used: Record<RequestKind, number> = { ping: 0, info: 0, trickle: 0, push: 0 };
  /** The lifetime and the pending ticks: a handful at most (two trickles). */
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopped = false;
  /** The next chunk of the push in progress, or -1 when none is. */
  #pushing = -1;
  /** Pushes asked for and not started yet (the second waits for the first). */
  #pushesWaiting = 0;

  /**
   * `transports`: the server's enabled transports (reported by `info`). `pushBudget`: what a push
   * may leave the session holding, in bytes (half its `maxBufferedBytes`: a push never ends it).
   */
  constructor(peer: DiagnosticsPeer, transports: readonly TransportName[], pushBudget: number) {
    this.#peer = peer;
    this.#transports = transports;
    this.#pushBudget = pushBudget;
    this.#later(DIAGNOSTICS_LIFETIME_MS, () => this.#end(CloseCode.NORMAL, 'time is up'));
  }

  /** A message from the client. */
  receive(data: JsonValue | Uint8Array): void {
    if (this.#stopped) return;
    const kind = requestKind(data);
    if (kind === null) return this.#end(CloseCode.PROTOCOL_ERROR, 'not a diagnostics request');
    if (this.#used[kind] >= DIAGNOSTICS_QUOTAS[kind]) return this.#end(CloseCode.PROTOCOL_ERROR, OVER_QUOTA[kind]);
    this.#used[kind]++;
    switch (kind) {
      case 'ping': {
        const n = (data as { n?: unknown }).n;
        if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return this.#end(CloseCode.PROTOCOL_ERROR, 'a ping needs n, a non-negative integer');
        this.#peer.send({ d: 'pong', n });
        return;
      }
      case 'info':
        this.#peer.send(this.#info());
        return;
      case 'trickle':
        this.#tick(0);
        return;
      case 'push':
        this.#pushesWaiting++;
        if (this.#pushing < 0) this.#push();
        return;
    }
  }

  /** The session's `drain`: a push that waited goes on. */
  drained(): void {
    if (!this.#stopped && this.#pushing >= 0) this.#push();
  }

  /** The session has ended: no more timers, nothing more sent. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #info(): JsonValue {
    const { address, headers } = this.#peer.handshake;
    return {
      d: 'info',
      address: address ?? null,
      via: header(headers, 'via'),
      forwarded: header(headers, 'forwarded'),
      xForwardedFor: header(headers, 'x-forwarded-for'),
      userAgent: header(headers, 'user-agent'),
      transport: this.#peer.transport,
      transports: [...this.#transports],
    };
  }

  #tick(i: number): void {
    if (!this.#peer.send({ d: 'tick', i }) || i + 1 >= TICKS) return;
    this.#later(TICK_INTERVAL_MS, () => this.#tick(i + 1));
  }

  /**
   * Sends the push's chunks while the session holds no more than the push budget, then `pushed`;
   * past it, the session's `drain` (`drained`) goes on. So a push never takes a session to its
   * `maxBufferedBytes`, however low the app has set it.
   */
  #push(): void {
    for (;;) {
      if (this.#pushing < 0) {
        if (this.#pushesWaiting === 0) return;
        this.#pushesWaiting--;
        this.#pushing = 0;
      }
      while (this.#pushing < CHUNKS) {
        if (this.#peer.bufferedAmount > this.#pushBudget) return;
        if (!this.#peer.send({ d: 'chunk', i: this.#pushing, data: CHUNK_DATA })) return;
        this.#pushing++;
      }
      this.#pushing = -1;
      if (!this.#peer.send({ d: 'pushed' })) return;
    }
  }

  /** Runs `fn` in `ms` unless stopped first. */
  #later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#stopped) fn();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }

  #end(code: number, reason: string): void {
    this.stop();
    this.#peer.end(code, 'diagnostics: ' + reason);
  }
}

/** The request `data` makes, or null when it is none (not an object with a known `d`). */
function requestKind(data: JsonValue | Uint8Array): RequestKind | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data) || data instanceof Uint8Array) return null;
  const kind = (data as { d?: unknown }).d;
  return kind === 'ping' || kind === 'info' || kind === 'trickle' || kind === 'push' ? kind : null;
}

/** A request header's value (repeated ones joined), cut to `HEADER_CHARS`; null when absent. */
function header(headers: HandshakeInfo['headers'], name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  const text = typeof value === 'string' ? value : value.join(', ');
  return text.length > HEADER_CHARS ? text.slice(0, HEADER_CHARS) : text;
}
