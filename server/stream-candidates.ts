import { CloseCode, type Frame } from '../protocol/index.js';
import type { ServerMetrics } from './metrics.js';
import type { Session } from './session.js';
import type { CloseInfo, ServerTransport, TransportListener } from './transports/transport.js';

/** One stream on probation: whose it is, and when it stops waiting. */
interface Waiting {
  readonly transport: ServerTransport;
  readonly deadline: NodeJS.Timeout;
}

/**
 * Streams opened to replace a session's transport that have not taken it over yet (PROTOCOL.md
 * section 9, "HTTP candidate"). Such a stream writes its prelude and empty packet at once, so the
 * client learns whether the path lets a stream flow, while the session keeps delivering on its
 * current transport: messages never go into a response that a buffering proxy is holding. The
 * client's `["upgrade",ack,epoch]` (by POST) hands the session over. A session has at most one
 * candidate (a newer one replaces it), which waits at most `pingTimeout`; the few bytes of its
 * prelude are all it holds. Kept here, not on the session, because candidates are rare and short:
 * 10,000 idle sessions would each pay for a field.
 */
export class StreamCandidates {
  readonly #waiting = new Map<Session, Waiting>();
  readonly #metrics: ServerMetrics;
  readonly #timeout: number;

  constructor(metrics: ServerMetrics, timeout: number) {
    this.#metrics = metrics;
    this.#timeout = timeout;
  }

  /** `transport` probes the path for `session`: held until the client's `upgrade`, a newer candidate, or the timeout. */
  offer(session: Session, transport: ServerTransport): void {
    this.#discard(session, CloseCode.TRANSPORT_REPLACED, 'replaced by a newer candidate', null);
    const deadline = setTimeout(() => this.#discard(session, CloseCode.PROTOCOL_ERROR, 'no upgrade within pingTimeout', 'probe_timeout'), this.#timeout);
    deadline.unref();
    this.#waiting.set(session, { transport, deadline });
    const candidates = this;
    const listener: TransportListener = {
      onFrames(_frames: Frame[]) {},
      onWritable() {},
      onClosed() {
        // the client gave the probe up (or the connection died) before its `upgrade`
        if (candidates.#waiting.get(session)?.transport !== transport) return;
        candidates.#forget(session);
        candidates.#metrics.transportFailed(session, transport.name, 'probe_abandoned');
      },
    };
    transport.bind(listener);
  }

  /** The candidate of `session` with `epoch`, handed over (no longer waiting), or null when there is none. */
  take(session: Session, epoch: number): ServerTransport | null {
    const waiting = this.#waiting.get(session);
    if (waiting === undefined || waiting.transport.epoch !== epoch) return null;
    this.#forget(session);
    return waiting.transport;
  }

  /** The session has ended: its candidate carries the goodbye, as its transport does (the client may have switched to it already). */
  ended(session: Session, final: CloseInfo): void {
    const waiting = this.#waiting.get(session);
    if (waiting === undefined) return;
    this.#forget(session);
    waiting.transport.close(final);
  }

  #discard(session: Session, code: number, reason: string, failure: 'probe_timeout' | null): void {
    const waiting = this.#waiting.get(session);
    if (waiting === undefined) return;
    this.#forget(session);
    waiting.transport.drop(code, reason);
    if (failure !== null) this.#metrics.transportFailed(session, waiting.transport.name, failure);
  }

  #forget(session: Session): void {
    const waiting = this.#waiting.get(session);
    if (waiting === undefined) return;
    clearTimeout(waiting.deadline);
    this.#waiting.delete(session);
  }
}
