import { CloseCode, type AppItem, type HttpErrorCode, type TransportName } from '../protocol/index.js';
import type { Session } from './session.js';
import { serverLog } from './debug-log.js';
import type { Socket } from './socket.js';

/*
 * The server's operational counters (`ferry.metrics()`, `ferry.metricsHandler()`): one small
 * object per Server. Sessions count into it through their shared host, so no session carries a
 * field for it; a message costs one or two integer additions and allocates nothing. Gauges
 * (sessions, buffered bytes, pending messages) are not kept at all: they are computed by walking
 * the sessions when a snapshot is taken.
 */

/** Why a transport of a live session was lost (the session itself goes on, waiting for a resume). */
export type TransportFailureReason =
  /** A stream or WebSocket did not answer a ping within `pingTimeout`. */
  | 'ping_timeout'
  /** A polling client did not poll again within `pingTimeout`. */
  | 'poll_timeout'
  /** The connection of a stream or WebSocket closed without a goodbye (reset, proxy cut, client gone). */
  | 'connection_lost'
  /** The client closed its WebSocket with 4012: it gave it up (usually falling back to another transport). */
  | 'closed_by_client'
  /** A WebSocket joining a session (the upgrade probe) sent no `upgrade` within `pingTimeout`. */
  | 'probe_timeout'
  /** A WebSocket joining a session closed before its `upgrade` (the client gave up the probe, or the connection died). */
  | 'probe_abandoned'
  /** A probing client did not read the probe answers (they would have piled up in the server's buffer). */
  | 'probe_unread'
  /** A probing WebSocket sent something other than `probe` or `upgrade`. */
  | 'probe_protocol_error';

/** Why a session ended, as counted in `sessionsEnded` (from its close code). */
export type SessionEndReason =
  /** The client said goodbye (a `close` frame, or its WebSocket closed with 1000). */
  | 'closed_by_client'
  /** The app closed it (`socket.close()`). */
  | 'closed_by_server'
  /** `ferry.close()` (4000). */
  | 'server_shutdown'
  /** Its resume window ran out with no transport attached (4010). */
  | 'expired'
  /** The client broke the protocol (4004). */
  | 'protocol_error'
  /** The client sent a packet over `maxMessageSize` (4005). */
  | 'message_too_large'
  /** It held more than `maxBufferedBytes`, or was shed under `maxTotalBufferedBytes` (4006). */
  | 'over_budget'
  /** The server was full and ended it to make room; it had carried no message (4013). */
  | 'evicted'
  /** Any other close code. */
  | 'other';

/** Every request refusal: the codes of refusals for policy or a limit (as opposed to a client's mistake). */
const REFUSAL_CODES: ReadonlySet<HttpErrorCode> = new Set<HttpErrorCode>([
  'origin_not_allowed',
  'host_not_allowed',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'too_many_address_sessions',
  'too_many_sessions',
  'transport_disabled',
  'payload_too_large',
  'request_timeout',
]);

/** A counter per key of a small fixed set: a key's first count adds it, later ones only add. */
export class Tally<K extends string | number> {
  readonly counts = new Map<K, number>();

  add(key: K, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  /** A copy as a plain object, keys never counted left out. */
  record(): Partial<Record<K, number>> {
    const out: Partial<Record<K, number>> = {};
    for (const [key, n] of this.counts) out[key] = n;
    return out;
  }
}

/** What the `transport-failed` event tells the app. */
export interface TransportFailure {
  /** The session's id (`socket.id`). */
  readonly id: string;
  /** The transport that was lost (for a probe, the WebSocket that tried to join). */
  readonly transport: TransportName;
  readonly reason: TransportFailureReason;
}

/** What the `session-expired` event tells the app. */
export interface SessionExpiry {
  /** The session's id (`socket.id`). */
  readonly id: string;
  /** The close code's reason (`'resume window expired'`). */
  readonly reason: string;
  /** The transport it was on last. */
  readonly transport: TransportName;
}

/** How the metrics reach the server's listeners (`transport-failed`, `session-expired`). */
export interface MetricsEvents {
  listening(event: 'transport-failed' | 'session-expired'): boolean;
  fire(event: 'transport-failed', info: TransportFailure): void;
  fire(event: 'session-expired', info: SessionExpiry): void;
  /** A listener threw: the app's error (server/app-errors.ts). */
  appError(error: unknown, socket: Socket | null): void;
}

const NO_EVENTS: MetricsEvents = { listening: () => false, fire: () => {}, appError: () => {} };

const LOST_REASONS: Readonly<Record<string, TransportFailureReason>> = {
  'ping timeout': 'ping_timeout',
  'poll timeout': 'poll_timeout',
  'stream closed': 'connection_lost',
  'websocket closed': 'connection_lost',
  'websocket closed by client': 'closed_by_client',
};

const END_REASONS: Readonly<Record<number, SessionEndReason>> = {
  [CloseCode.SERVER_SHUTDOWN]: 'server_shutdown',
  [CloseCode.RESUME_WINDOW_EXPIRED]: 'expired',
  [CloseCode.PROTOCOL_ERROR]: 'protocol_error',
  [CloseCode.MESSAGE_TOO_LARGE]: 'message_too_large',
  [CloseCode.BUFFER_OVERFLOW]: 'over_budget',
  [CloseCode.EVICTED]: 'evicted',
};

/** The counters of one Server (see the top of this file). Plain fields: sessions add to them directly. */
export class ServerMetrics {
  readonly #events: MetricsEvents;
  /** Sessions created, by the transport they started on. */
  readonly handshakes = new Tally<TransportName>();
  /** Handshakes (a POST/JSONP handshake, or a WebSocket without `sid`) answered with an error, by its code. */
  readonly handshakesRefused = new Tally<HttpErrorCode>();
  /** Probes promoted (`upgrade`), keyed `from→to`. */
  readonly upgrades = new Tally<string>();
  readonly transportFailures = new Map<TransportName, Tally<TransportFailureReason>>();
  resumes = 0;
  readonly sessionsEnded = new Tally<SessionEndReason>();
  messagesIn = 0;
  messagesOut = 0;
  eventsIn = 0;
  eventsOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly refusals = new Tally<HttpErrorCode>();
  readonly httpErrors = new Tally<HttpErrorCode>();
  readonly closeCodes = new Tally<number>();
  /** Cluster: requests and WebSocket joins this node relayed to their session's owner, and those it served as owner. */
  relayedOut = 0;
  relayedIn = 0;

  constructor(events: MetricsEvents = NO_EVENTS) {
    this.#events = events;
  }

  /** An app item (message, event or answer: protocol/app-items.ts) was queued for a session. */
  queued(item: AppItem): void {
    if (typeof item === 'string') {
      // an event (`e…`) or an answer (`r…`); a message's JSON text never starts with a letter other than t/f/n
      const first = item.charCodeAt(0);
      if (first === 101 || first === 114) this.eventsOut++;
      else this.messagesOut++;
      this.bytesOut += item.length;
    } else {
      this.messagesOut++;
      this.bytesOut += item.byteLength;
    }
  }

  /** A request was answered with `code`; `handshake` when it asked for a new session. */
  refused(code: HttpErrorCode, handshake: boolean): void {
    this.httpErrors.add(code);
    if (REFUSAL_CODES.has(code)) this.refusals.add(code);
    if (handshake) this.handshakesRefused.add(code);
    if (serverLog.refused.enabled) serverLog.refused('%s%s', code, handshake ? ' (a handshake)' : '');
  }

  /** A direct WebSocket's handshake was refused after the upgrade (no session): closed with `code` for `reason`. */
  refusedWebSocket(reason: HttpErrorCode, code: number): void {
    this.handshakesRefused.add(reason);
    if (REFUSAL_CODES.has(reason)) this.refusals.add(reason);
    this.closeCodes.add(code);
    if (serverLog.refused.enabled) serverLog.refused('%s (a direct WebSocket, closed with %d)', reason, code);
  }

  upgraded(session: Session, from: TransportName, to: TransportName): void {
    this.upgrades.add(from + '→' + to);
    if (serverLog.transport.enabled) serverLog.transport('%s upgraded %s → %s', session.id, from, to);
  }

  /**
   * The transport `name` of `session` was lost or dropped for `reason` (a transport's own close
   * reason, or a TransportFailureReason). False when that is no failure (a stream ended at its byte
   * limit and reopened): nothing is counted then.
   */
  transportFailed(session: Session, name: TransportName, reason: string, code = 0): boolean {
    const failure = LOST_REASONS[reason] ?? (reason.startsWith('probe_') ? (reason as TransportFailureReason) : undefined);
    if (failure === undefined) return false;
    let tally = this.transportFailures.get(name);
    if (tally === undefined) this.transportFailures.set(name, (tally = new Tally()));
    tally.add(failure);
    if (code !== 0) this.closeCodes.add(code);
    if (serverLog.transport.enabled) serverLog.transport('%s lost %s: %s%s', session.id, name, failure, code === 0 ? '' : ` (${code})`);
    if (this.#events.listening('transport-failed')) {
      try {
        this.#events.fire('transport-failed', { id: session.id, transport: name, reason: failure });
      } catch (e) {
        this.#events.appError(e, session);
      }
    }
    return true;
  }

  sessionEnded(session: Session, code: number, reason: string): void {
    const label = code === CloseCode.NORMAL ? (reason === 'client closed' ? 'closed_by_client' : 'closed_by_server') : (END_REASONS[code] ?? 'other');
    this.sessionsEnded.add(label);
    this.closeCodes.add(code);
    if (serverLog.session.enabled) serverLog.session('%s ended: %d %s', session.id, code, reason);
    if (label !== 'expired' || !this.#events.listening('session-expired')) return;
    try {
      this.#events.fire('session-expired', { id: session.id, reason, transport: session.transport });
    } catch (e) {
      this.#events.appError(e, session);
    }
  }
}
