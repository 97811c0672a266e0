import type { HttpErrorCode, TransportName } from '../protocol/index.js';
import type { ServerMetrics, SessionEndReason, TransportFailureReason } from './metrics.js';
import type { Session } from './session.js';

/** A session's transport for the gauges: its attached transport, or `'none'` while it has none (between transports, waiting for a resume). */
export type SessionTransportLabel = TransportName | 'none';

/**
 * A snapshot of the server's metrics (`ferry.metrics()`): a plain object, made on each call.
 * Gauges describe this moment; counters count since the Server was created and only grow. Every
 * `Partial<Record<…>>` leaves out the keys never counted. Renewals (a client starting a new
 * session because its old one is gone) are not counted: a new handshake does not name the old
 * session, so the server cannot tell a renewal from a new client. The nearest signs are
 * `httpErrors.unknown_session` (requests naming a session that is gone) and `sessionsEnded`.
 */
export interface FerryMetrics {
  /** Gauge: live sessions (connected, or waiting to be resumed). */
  sessions: {
    total: number;
    /** By the transport attached now; `'none'` for sessions between transports (reconnecting, or a poll not yet back). */
    byTransport: Partial<Record<SessionTransportLabel, number>>;
  };
  /** Gauge: bytes the server holds for all sessions: unacknowledged outbound messages plus what their transports have not written out (the measure `maxBufferedBytes` limits). */
  bufferedBytes: number;
  /** Gauge: outbound messages, events and answers sent or queued but not yet acknowledged by their clients, all sessions together. */
  pendingMessages: number;
  /** Counter: handshakes accepted (sessions created), in total and by the transport the session started on. */
  handshakes: { total: number; byTransport: Partial<Record<TransportName, number>> };
  /** Counter: handshakes answered with an error (HTTP, or a refused upgrade without `sid`), by error code (`origin_not_allowed`, `rate_limited`, `too_many_sessions`, `unauthorized`…). */
  handshakesRefused: Partial<Record<HttpErrorCode, number>>;
  /** Counter: upgrades (a probed WebSocket promoted to the session's transport), keyed `from→to`, e.g. `'xhr-polling→websocket'`. */
  upgrades: Partial<Record<`${TransportName}→${TransportName}`, number>>;
  /**
   * Counter: transports lost while their session went on (the client may resume it), and upgrade
   * probes that failed, by transport and reason. Not counted: a transport replaced by a newer one,
   * a stream reopened at `streamByteLimit`, a session's end.
   */
  transportFailures: Partial<Record<TransportName, Partial<Record<TransportFailureReason, number>>>>;
  /** Counter: sessions resumed: a transport attached to a session whose previous transport was lost (counted in `transportFailures`). */
  resumes: number;
  /** Counter: sessions ended, by reason. */
  sessionsEnded: Partial<Record<SessionEndReason, number>>;
  /** Counter: application messages received from clients and delivered to the app (duplicates after a resume not counted). */
  messagesIn: number;
  /** Counter: application messages queued for clients (a broadcast counts once per recipient; resends not counted). */
  messagesOut: number;
  /** Counter: events and event answers received from clients and delivered (`socket.on(name)`, acks). */
  eventsIn: number;
  /** Counter: events and event answers queued for clients (once per recipient). */
  eventsOut: number;
  /** Counter: bytes of the packets received from clients (HTTP send bodies and WebSocket messages, framing and acks included). */
  bytesIn: number;
  /** Counter: payload bytes of what `messagesOut` and `eventsOut` count (a message's JSON text or binary bytes; framing, acks and resends not included). */
  bytesOut: number;
  /** Counter: requests refused for policy or a limit (origin, host, auth, rate limits, session limits, disabled transport, size and time limits), by error code; any route. */
  refusals: Partial<Record<HttpErrorCode, number>>;
  /** Counter: every HTTP error answer (and refused WebSocket upgrade), by error code: refusals and clients' mistakes (`unknown_session`, `stale_transport`, `malformed_packet`…). */
  httpErrors: Partial<Record<HttpErrorCode, number>>;
  /** Counter: close codes the server ended sessions with, and dropped failing transports with (4004 protocol error, 4006 over budget, 4007 ping timeout…), keyed by code. */
  closeCodes: Partial<Record<number, number>>;
  /** Counter, cluster only (0 otherwise): requests and WebSocket joins for other nodes' sessions that this node relayed to their owner (`out`), and those it served for other nodes as owner (`in`). The relay's own refusals are in `httpErrors` (`node_unavailable`, `node_timeout`, `node_lost`). */
  relayed: { out: number; in: number };
}

/** Builds the snapshot: counters copied, gauges computed by walking `sessions`. */
export function metricsSnapshot(metrics: ServerMetrics, sessions: Iterable<Session>): FerryMetrics {
  let total = 0;
  let bufferedBytes = 0;
  let pendingMessages = 0;
  const byTransport: Partial<Record<SessionTransportLabel, number>> = {};
  for (const session of sessions) {
    total++;
    const transport = session.attached;
    const label: SessionTransportLabel = transport === null ? 'none' : transport.name;
    byTransport[label] = (byTransport[label] ?? 0) + 1;
    // not `session.bufferedAmount`: reading that may owe the app a `drain`
    bufferedBytes += session.channel.bufferedBytes + (transport === null ? 0 : transport.bufferedAmount);
    pendingMessages += session.channel.unackedCount();
  }
  const handshakes = metrics.handshakes.record();
  let handshakeTotal = 0;
  for (const n of metrics.handshakes.counts.values()) handshakeTotal += n;
  const transportFailures: FerryMetrics['transportFailures'] = {};
  for (const [name, tally] of metrics.transportFailures) transportFailures[name] = tally.record();
  return {
    sessions: { total, byTransport },
    bufferedBytes,
    pendingMessages,
    handshakes: { total: handshakeTotal, byTransport: handshakes },
    handshakesRefused: metrics.handshakesRefused.record(),
    upgrades: metrics.upgrades.record() as FerryMetrics['upgrades'],
    transportFailures,
    resumes: metrics.resumes,
    sessionsEnded: metrics.sessionsEnded.record(),
    messagesIn: metrics.messagesIn,
    messagesOut: metrics.messagesOut,
    eventsIn: metrics.eventsIn,
    eventsOut: metrics.eventsOut,
    bytesIn: metrics.bytesIn,
    bytesOut: metrics.bytesOut,
    refusals: metrics.refusals.record(),
    httpErrors: metrics.httpErrors.record(),
    closeCodes: metrics.closeCodes.record(),
    relayed: { out: metrics.relayedOut, in: metrics.relayedIn },
  };
}
