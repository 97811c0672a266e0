import { serverLog } from './debug-log.js';
import { CloseCode, encodeControl, type TransportName } from '../protocol/index.js';
import { Socket, type HandshakeInfo } from './socket.js';
import type { Pingable } from './heartbeats.js';
import type { Session } from './session.js';
import type { SessionHost } from './session-host.js';
import type { ServerTransport } from './transports/transport.js';

/*
 * A session's liveness, the half of `Session` (server/session.ts) that decides how long it lives:
 * heartbeats (pings through the shared heartbeat groups, the pong deadline), the resume window
 * while no transport is attached, and the provisional/established state that sets its length and
 * the eviction order. It also owns the state both halves share: the attached transport, the
 * session's host and its packed `flags`. What it needs of the delivery half (writing, dropping a
 * transport, ending) is abstract here and lives in `Session`.
 */

/** Bits of a session's `flags` (one field instead of several: every idle session pays for each). */
export const CLOSED = 1;
export const FLUSH_SCHEDULED = 2;
/** A ping (numbered `#pingCount`) goes out with the next write. */
const PING_OWED = 4;
/** `bufferedAmount` was seen above `drainBelow` (queued past it, or read so by the app): `drain` is owed when it falls back. */
export const ABOVE_DRAIN = 8;
/** Has carried an application message, either way: no longer provisional (never evicted, the full resume window). */
const ESTABLISHED = 64;
/** The last transport was lost (counted in the metrics' transport failures): the next one attached is a resume. */
const TRANSPORT_LOST = 128;

/**
 * The liveness of one client session (see the top of this file); `Session` is its only subclass.
 * Its fields are exactly the session's liveness fields, not extra ones: a session's memory is its
 * fields, and 10,000 idle sessions pay for each. Helpers are `protected`/`private`, not `#`,
 * because a `#` method gives every instance a brand slot.
 */
export abstract class LiveSession extends Socket implements Pingable {
  /** The transport attached now, or null while the client reconnects. */
  attached: ServerTransport | null = null;
  /** Ping interval (and longest poll hold) for this session: the server's, or shorter when the client asks. */
  heartbeat: number;

  readonly #host: SessionHost;
  #flags = 0;
  /**
   * The one deadline a session has besides its ack: while a transport is attached, the pong the
   * last ping asked for ('pong'); while none is, the end of the resume window ('resume'). Never
   * both, so one field (every field is paid for by every idle session).
   */
  #deadline: NodeJS.Timeout | null = null;
  #pingCount = 0;

  protected constructor(handshake: HandshakeInfo, host: SessionHost) {
    super(handshake);
    this.#host = host;
    this.heartbeat = host.options.pingInterval;
  }

  /** Writes what is pending (acks, pings, messages) if the transport can take it. */
  abstract flush(): void;

  /** Drops a transport that stopped working; the client may resume within the window. */
  abstract dropTransport(transport: ServerTransport, code: number, reason: string): void;

  /** Ends the session for good. */
  abstract end(code: number, reason: string): void;

  /** This session as the host knows it (`Session` returns itself). */
  protected abstract readonly asSession: Session;

  /** Whoever keeps the session (the registry): options, shared timers, the memory budget. A getter, so it costs a session nothing. */
  protected get host(): SessionHost {
    return this.#host;
  }

  /** The session's packed bits (`CLOSED`, `FLUSH_SCHEDULED`, `ABOVE_DRAIN` are the delivery half's). */
  protected get flags(): number {
    return this.#flags;
  }

  protected set flags(value: number) {
    this.#flags = value;
  }

  /** Ended for good. */
  get closed(): boolean {
    return (this.#flags & CLOSED) !== 0;
  }

  /**
   * The client asks for a shorter heartbeat (it saw idle connections cut on its path). Honoured
   * between 1 s and the server's pingInterval; 0 leaves it unchanged.
   */
  requestHeartbeat(ms: number): void {
    if (ms <= 0) return;
    const next = Math.max(1000, Math.min(this.#host.options.pingInterval, ms));
    if (next === this.heartbeat) return;
    // pinged (a member of the heartbeat group for `heartbeat`) exactly while a transport is attached
    const pinging = this.attached !== null;
    if (pinging) this.clearTimer('ping');
    this.heartbeat = next;
    if (pinging) this.startHeartbeat();
  }

  /** Any sign of life from the client. */
  touch(): void {
    this.#flags &= ~PING_OWED;
    this.active();
    // a POST may arrive while no transport is attached: then the deadline is the resume window
    if (this.attached !== null) this.clearTimer('pong');
  }

  /**
   * The shared heartbeat timer calls this once per heartbeat interval. A stream or WebSocket gets
   * a ping now, and no pong in time drops the transport; a held poll is answered (empty), so no
   * poll is held longer than one interval.
   */
  ping(): void {
    const transport = this.attached;
    if (!transport) return;
    if (!transport.needsPing) {
      transport.release();
      return;
    }
    this.#pingCount++;
    this.#flags |= PING_OWED;
    this.flush();
    if (this.#deadline === null) {
      this.#deadline = setTimeout(() => {
        this.#deadline = null;
        this.dropTransport(transport, CloseCode.PING_TIMEOUT, 'ping timeout');
      }, this.#host.options.pingTimeout);
      this.#deadline.unref();
    }
  }

  /** For a write: the ping frame owed (then no longer owed), or null when none is. */
  protected takeOwedPing(): string | null {
    const owed = (this.#flags & PING_OWED) !== 0;
    this.#flags &= ~PING_OWED;
    return owed ? encodeControl({ type: 'ping', n: this.#pingCount }) : null;
  }

  /** The transport is gone: no heartbeat; the resume window runs (unless the session ended). */
  protected detach(): void {
    this.attached = null;
    this.clearTimer('ping');
    this.clearTimer('pong');
    if (!this.closed) this.startResumeWindow();
  }

  /** The transport `name` was lost for `reason` (not replaced): counted and reported (server/metrics.ts); the next attach is a resume. */
  protected transportLost(name: TransportName, reason: string, code?: number): void {
    if (this.#host.metrics.transportFailed(this.asSession, name, reason, code)) this.#flags |= TRANSPORT_LOST;
  }

  /** A transport is being attached: a resume when the last one was lost. */
  protected countResume(): void {
    if ((this.#flags & TRANSPORT_LOST) === 0) return;
    this.#flags &= ~TRANSPORT_LOST;
    this.#host.metrics.resumes++;
    if (serverLog.transport.enabled) serverLog.transport('%s resumed', this.asSession.id);
  }

  /** A sign of life: a provisional session moves to the back of the eviction order. */
  protected active(): void {
    if ((this.#flags & ESTABLISHED) === 0) this.#host.sessionActive(this.asSession);
  }

  /** The first application message, either way: the session is established. */
  protected establish(): void {
    if ((this.#flags & ESTABLISHED) !== 0) return;
    this.#flags |= ESTABLISHED;
    this.#host.sessionEstablished(this.asSession);
    // a provisional resume window that is running gets the full length
    if (this.attached === null && !this.closed) this.startResumeWindow();
  }

  protected startResumeWindow(): void {
    this.clearTimer('resume');
    const o = this.#host.options;
    // a session that never carried a message is kept for less: bare handshakes from a flood age out fast
    const window = (this.#flags & ESTABLISHED) !== 0 ? o.resumeWindow : Math.min(o.resumeWindow, o.provisionalResumeWindow);
    this.#deadline = setTimeout(() => this.end(CloseCode.RESUME_WINDOW_EXPIRED, 'resume window expired'), window);
    this.#deadline.unref();
  }

  protected startHeartbeat(): void {
    this.clearTimer('ping');
    this.clearTimer('pong');
    if (!this.attached) return;
    this.#host.heartbeats.add(this.heartbeat, this);
  }

  protected clearTimer(name: 'ping' | 'pong' | 'ack' | 'resume'): void {
    switch (name) {
      case 'ping':
        // harmless when not a member; `heartbeat` only changes while out of the group
        this.#host.heartbeats.remove(this.heartbeat, this);
        break;
      case 'ack':
        this.#host.acks.delete(this);
        break;
      case 'pong':
      case 'resume':
        if (this.#deadline) clearTimeout(this.#deadline);
        this.#deadline = null;
        break;
    }
  }
}
