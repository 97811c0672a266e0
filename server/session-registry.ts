import { serverLog } from './debug-log.js';
import { selectProtocol } from './subprotocols.js';
import { randomFillSync, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PROTOCOL_MINOR, PROTOCOL_VERSION, type Handshake, type TransportName } from '../protocol/index.js';
import { RequestError } from './http-errors.js';
import type { ResolvedOptions } from './options.js';
import { AckTicker } from './ack-ticker.js';
import { Heartbeats } from './heartbeats.js';
import { MemoryBudget } from './memory-budget.js';
import { SessionAdmission, type Admission } from './policies/session-admission.js';
import { ProvisionalSessions } from './provisional-sessions.js';
import { Session } from './session.js';
import { Rooms } from './rooms/rooms.js';
import type { SessionHost } from './session-host.js';
import type { AppErrorSink } from './app-errors.js';
import { HandshakeAuth } from './auth/handshake-auth.js';
import type { Socket } from './socket.js';
import { ServerMetrics } from './metrics.js';
import { StreamCandidates } from './stream-candidates.js';
import { finalClose } from './final-close.js';
import { DiagnosticsSession } from './diagnostics/diagnostics-session.js';

/**
 * Creates, finds and authenticates sessions. Session ids are public; tokens are 192-bit secrets
 * from the CSPRNG, compared in constant time. The one place that knows where sessions live.
 */
export class SessionRegistry {
  /** Closing with a drain: no new sessions (`stopAdmitting`). */
  #draining = false;
  /** The app's sessions: the only ones rooms, broadcasts and `ferry.sockets()` see. */
  readonly #sessions = new Map<string, Session>();
  /** Diagnostics sessions (server/diagnostics/): sessions like the others for everything but the app. */
  readonly #diagnostics = new Map<string, Session>();
  readonly #options: ResolvedOptions;
  readonly #onConnection: (socket: Socket) => void;
  readonly #onAppError: AppErrorSink;

  readonly #heartbeats = new Heartbeats();
  readonly #random = new RandomPool();
  /** The per-client policies every new session passes (address, rate limits, per-address cap). */
  readonly #admission: SessionAdmission;
  /** Sessions that have carried no message yet, idlest first: evicted to make room when full. */
  readonly #provisional = new ProvisionalSessions<Session>();
  /** Shared by every session: what each would otherwise keep three references for. */
  readonly #host: SessionHost;
  /** Rooms and broadcast over the sessions of this registry (server/rooms/). */
  readonly rooms: Rooms;
  /** The handshake middleware (`ferry.use`): run between `admit` and `create` (server/auth/). */
  readonly auth: HandshakeAuth;
  /** The server's counters (server/metrics.ts), shared with every session through the host. */
  readonly metrics: ServerMetrics;
  /**
   * Put before every new session id: `{nodeId}~` in a cluster (set by the Server), so that any
   * node can tell which node owns a session (server/cluster/relay/). Empty on a single node.
   */
  idPrefix = '';

  constructor(options: ResolvedOptions, onConnection: (socket: Socket) => void, onAppError: AppErrorSink, metrics: ServerMetrics = new ServerMetrics()) {
    this.#onAppError = onAppError;
    this.metrics = metrics;
    this.#options = options;
    this.#onConnection = onConnection;
    const sessions = this.#sessions;
    const diagnostics = this.#diagnostics;
    const admission = (this.#admission = new SessionAdmission(options));
    const provisional = this.#provisional;
    const candidates = new StreamCandidates(metrics, options.pingTimeout);
    const rooms = (this.rooms = new Rooms(options.adapter, sessions, (error) => onAppError(error, null)));
    this.auth = new HandshakeAuth(options.authTimeout, (error) => onAppError(error, null));
    this.#host = {
      options,
      heartbeats: this.#heartbeats,
      acks: new AckTicker(options.ackDelay),
      memory: new MemoryBudget(options.maxTotalBufferedBytes, () => this.sessions()),
      rooms,
      metrics,
      candidates,
      sessionEnded(session) {
        candidates.ended(session, finalClose(session));
        sessions.delete(session.id);
        diagnostics.delete(session.id);
        provisional.delete(session);
        // membership is part of the session: kept across reconnects, dropped when it ends
        rooms.leaveAll(session);
        // the key is derived again from the address the session keeps: no field in every session for it
        admission.ended(session.handshake.address);
      },
      sessionActive(session) {
        provisional.touch(session);
      },
      sessionEstablished(session) {
        provisional.delete(session);
      },
      appError: onAppError,
    };
  }

  /** Surfaces the app's own bug on the server's `error` event (no socket: none was made). */
  appError(error: unknown): void {
    this.#onAppError(error, null);
  }

  /** Live sessions, diagnostics ones included. */
  get size(): number {
    return this.#sessions.size + this.#diagnostics.size;
  }

  /** Streams probing the path for a session (server/stream-candidates.ts). */
  get candidates(): StreamCandidates {
    return this.#host.candidates;
  }

  /** The live sessions, diagnostics ones included (for the metrics' gauges and the memory budget, walked when needed). */
  *sessions(): IterableIterator<Session> {
    yield* this.#sessions.values();
    yield* this.#diagnostics.values();
  }

  /** Throws `too_many_sessions` when full. */
  assertCapacity(): void {
    if (this.#draining) throw new RequestError('too_many_sessions', 'server shutting down: try another node');
    if (this.size >= this.#options.maxSessions) {
      throw new RequestError('too_many_sessions', `the server holds its maximum of ${this.#options.maxSessions} sessions`);
    }
    if (!this.#host.memory.accepting) {
      throw new RequestError('too_many_sessions', 'the server is near maxTotalBufferedBytes for all sessions; try again later');
    }
  }

  /**
   * The one check every way of creating a session goes through, before anything is created (for
   * a WebSocket, before the upgrade): the per-client policies (server/policies/session-admission.ts),
   * then room in the table, made by evicting the idlest provisional session when it is full.
   * Throws the RequestError to answer with.
   */
  admit(req: IncomingMessage, diagnostics = false): Admission {
    const admission = this.#admission.admit(req, diagnostics);
    this.#makeRoom();
    this.assertCapacity();
    return admission;
  }

  /** When the table is full, ends the idlest sessions that have carried no message (4013) until there is room. */
  #makeRoom(): void {
    while (this.size >= this.#options.maxSessions) {
      if (!this.#provisional.evictIdlest()) return;
    }
  }

  /**
   * Creates the session `admit` let in (checked again: a WebSocket upgrade, or the handshake
   * middleware, comes some time after), with `data` (what the middleware set) as its `socket.data`.
   * A diagnostics session is kept apart and never reaches the app: no `connection`, and its
   * subprotocol is the client's first (the app's `handleProtocols` is not asked).
   */
  create(transport: TransportName, admission: Admission, data?: Record<string, unknown>): Session {
    this.#makeRoom();
    this.assertCapacity();
    this.#admission.assertRoomFor(admission.key);
    let id = this.idPrefix + this.#random.take(12);
    while (this.#sessions.has(id) || this.#diagnostics.has(id)) id = this.idPrefix + this.#random.take(12);
    const diagnostics = admission.diagnostics;
    const protocol = selectProtocol(admission.offered, diagnostics ? undefined : this.#options.handleProtocols, admission.info);
    const token = this.#random.take(24);
    const session = new (diagnostics ? DiagnosticsSession : Session)(id, token, transport, admission.info, this.#host);
    if (protocol !== '') (session as { protocol: string }).protocol = protocol;
    if (data !== undefined) (session as { data: unknown }).data = data;
    this.#admission.opened(admission.key);
    this.#provisional.add(session);
    (diagnostics ? this.#diagnostics : this.#sessions).set(id, session);
    this.metrics.handshakes.add(transport);
    if (serverLog.session.enabled) {
      serverLog.session('%s created on %s from %s%s%s', id, transport, admission.info.address, protocol === '' ? '' : ', subprotocol ' + protocol, diagnostics ? ' (diagnostics)' : '');
    }
    if (diagnostics) return session;
    try {
      this.#onConnection(session);
    } catch (e) {
      // the app's `connection` listener threw: its bug, not the client's; the session goes on
      this.#host.appError(e, session);
    }
    return session;
  }

  handshake(session: Session): Handshake {
    const o = this.#options;
    return {
      v: PROTOCOL_VERSION,
      minor: PROTOCOL_MINOR,
      sid: session.id,
      token: session.token,
      pingInterval: o.pingInterval,
      pingTimeout: o.pingTimeout,
      resumeWindow: o.resumeWindow,
      maxMessageSize: o.maxMessageSize,
      transports: o.transports,
      ...(session.protocol === '' ? {} : { protocol: session.protocol }),
    };
  }

  /** The session a request names, if its token is right. */
  authenticate(sid: string | null, token: string | null): Session {
    if (!sid || !token) throw new RequestError('bad_request', 'sid and t (token) parameters are required');
    const session = this.#sessions.get(sid) ?? this.#diagnostics.get(sid);
    if (!session || session.closed) throw new RequestError('unknown_session', 'no such session (it may have expired)');
    const given = Buffer.from(token);
    const expected = Buffer.from(session.token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new RequestError('invalid_token', 'the token does not match this session');
    }
    return session;
  }

  /** Takes no new session from now on (`ferry.close({ drainTimeout })`): handshakes get 503. */
  stopAdmitting(): void {
    this.#draining = true;
  }

  /** Whether every session's outbound messages have been acknowledged (nothing would be lost by ending them now). */
  drained(): boolean {
    for (const session of this.sessions()) if (session.channel.bufferedBytes > 0) return false;
    return true;
  }

  endAll(code: number, reason: string): void {
    this.auth.stop();
    for (const session of [...this.sessions()]) session.end(code, reason);
    this.#heartbeats.stop();
    this.#host.acks.stop();
  }
}

/**
 * CSPRNG bytes drawn 4 KiB at a time and handed out once each, as base64url text: one system call
 * per ~110 sessions instead of two per session. No byte is ever handed out twice.
 */
class RandomPool {
  readonly #pool = Buffer.alloc(4096);
  #used = this.#pool.length;

  take(bytes: number): string {
    if (this.#used + bytes > this.#pool.length) {
      randomFillSync(this.#pool);
      this.#used = 0;
    }
    const text = this.#pool.toString('base64url', this.#used, this.#used + bytes);
    this.#used += bytes;
    return text;
  }
}
