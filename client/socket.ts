import {
  CloseCode,
  protocolErrorReason,
  ReliableChannel,
  encodeControl,
  isBytes,
  isPolling,
  utf8Length,
  isEventOrAnswerItem,
  type AppData,
  type AppItem,
  type Frame,
  type Handshake,
  type JsonValue,
  type TransportName,
} from '../protocol/index.js';
import { Emitter } from './emitter.js';
import { ClientAppEvents } from './app-events.js';
import type { ClientEnv } from './env/env.js';
import { requestHandshake } from './handshake.js';
import { AUTH_REFUSED, authFailure, authPacket, fetchAuth } from './auth.js';
import { transportsInCloseReason } from './server-transports.js';
import { resolveConnectOptions, type ConnectOptions, type ResolvedConnectOptions } from './options.js';
import { LinkHealth, now } from './link-health.js';
import { NamedTimers } from './named-timers.js';
import { Outbox } from './outbox.js';
import { DrainWatch, transportBuffered, volatileOf, type ClientVolatile } from './backpressure.js';
import { handshakeRefusalIsFinal, renewable } from './handshake-refusal.js';
import type { ClientSocketEvents, SocketState } from './socket-events.js';
import { exceedsMaxMessageSize, storedMessage } from './message-size.js';
import { secret } from './session-secret.js';
import { TransportMemory } from './transport-memory.js';
import { TransportPlan, type TransportAttempt } from './transport-plan.js';
import { streamKind } from './transports/stream-kinds.js';
import type { ClientTransport, ClientTransportListener, SessionRef } from './transports/transport.js';
import { WebSocketClientTransport } from './transports/websocket.js';
import { parseFerryUrl, routeUrl, sessionUrl, toWebSocketUrl } from './transports/urls.js';

/**
 * The client side of a session: one state machine over whichever transport works. It numbers
 * and keeps outbound messages until acknowledged, drops duplicates inbound, probes better
 * transports and switches to them, and resumes after a drop within the server's resume window.
 */
export class ClientSocket extends Emitter<ClientSocketEvents> implements ClientTransportListener, SessionRef {
  state: SocketState = 'connecting';
  baseUrl: string;
  /** The app's query parameters from the Ferry URL, sent on every request. */
  query: string;
  sid = '';
  /** The session secret, in a closure (see `token`): on no enumerable property. */
  private readonly _token = secret();
  /** A session being renewed: a handshake refused as if the server were not there yet is retried. */
  private _renewing = false;
  pingInterval = 20000;
  pingTimeout = 15000;
  private readonly _env: ClientEnv;
  private readonly _options: ResolvedConnectOptions;
  private _handshake: Handshake | null = null;
  private _channel = new ReliableChannel();
  private _plan: TransportPlan;
  private _active: ClientTransport | null = null;
  private _candidate: ClientTransport | null = null;
  private _epoch = 0;
  private readonly _health = new LinkHealth();
  /** The transport the liveness timer watches, and since when. */
  private _watched: ClientTransport | null = null;
  private _watchedSince = 0;
  /** Round trip of the handshake, in ms: the yardstick for probe budgets. */
  private _rtt = 0;
  /** The transport last announced with a `transport` event. */
  private _announced: TransportName | null = null;
  private readonly _timers = new NamedTimers();
  private readonly _outbox: Outbox;
  /** Named events and their acks (client/app-events.ts). */
  private readonly _events = new ClientAppEvents(this);
  /** `bufferedAmount` and `drain` (client/backpressure.ts). */
  private readonly _drain: DrainWatch;

  constructor(url: string, env: ClientEnv, options?: ConnectOptions) {
    super();
    const where = parseFerryUrl(url);
    this.baseUrl = where.baseUrl;
    this.query = where.query;
    this._env = env;
    this._options = resolveConnectOptions(options);
    const storage = this._options.storage === undefined ? env.storage : this._options.storage;
    const memory = storage && this._options.rememberFor > 0 ? new TransportMemory(storage, this.baseUrl, this._options.rememberFor) : null;
    this._plan = new TransportPlan(this._options.transports, env, memory);
    this._drain = new DrainWatch(this._options.drainBelow, () => this._channel.bufferedBytes + transportBuffered(this._active), () => this.fire('drain'));
    this._outbox = new Outbox(env, this._timers, () => {
      const t = this._active;
      if (!t || this.state === 'closed' || !this._handshake) return null;
      return { transport: t, channel: this._channel, maxMessageSize: this._handshake.maxMessageSize };
    });
    this._start();
  }

  /** Heartbeat interval this client asks of the server after seeing idle cuts (ms), or 0 for the server's. */
  get heartbeat(): number {
    return this._health.heartbeat;
  }

  /** Public session id, once known. */
  get id(): string {
    return this.sid;
  }

  /** The transport in use, or null before the first one is up. */
  get transport(): TransportName | null {
    return this._active ? this._active.name : null;
  }

  /** Why each transport was not used, newest last. */
  get attempts(): TransportAttempt[] {
    return this._plan.attempts;
  }

  /** Unacknowledged outbound bytes plus the WebSocket's own buffer: see public-socket.ts. */
  get bufferedAmount(): number {
    return this._drain.amount();
  }

  get drainBelow(): number {
    return this._drain.mark;
  }

  get volatile(): ClientVolatile {
    return volatileOf(this, () => this.state === 'open' && this._active !== null);
  }

  /** Queues a message; delivered exactly once, in order. Throws when it is too large or the buffer is full. */
  send(data: JsonValue | Uint8Array | ArrayBuffer): boolean {
    if (this.state === 'closed') return false;
    const value: AppData = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    const max = this._handshake ? this._handshake.maxMessageSize - 64 : Infinity;
    const size = isBytes(value) ? Math.ceil((value.byteLength * 4) / 3) + 32 : 0;
    if (size > max) throw new RangeError('ferry: message exceeds the server maxMessageSize');
    if (this._channel.bufferedBytes > this._options.maxBufferedBytes) throw new Error('ferry: send buffer is full (maxBufferedBytes)');
    this._channel.push(value);
    // the frame adds `["m",seq,` and `]` (at most 24 bytes) to the JSON text
    const json = this._channel.lastJson();
    if (json !== null && json.length * 3 + 24 > max && utf8Length(json) + 24 > max) {
      this._channel.dropLast();
      throw new RangeError('ferry: message exceeds the server maxMessageSize');
    }
    this._outbox.queue();
    this._drain.amount();
    return true;
  }

  /** Sends a named event (a trailing function asks for an answer): see public-socket.ts. */
  emit(event: string, ...args: unknown[]): boolean {
    return this._events.emit(event, args, 0);
  }

  emitWithAck(event: string, ...args: unknown[]): Promise<JsonValue> {
    return this._events.emitWithAck(event, args, 0);
  }

  timeout(ms: number): unknown {
    return this._events.timeout(ms);
  }

  /** Numbers and queues an encoded event or answer (client/app-events.ts); throws as `send` does. */
  queueItem(item: AppItem): boolean {
    if (this.state === 'closed') return false;
    if (this._handshake && exceedsMaxMessageSize(this._handshake.maxMessageSize)(item)) throw new RangeError('ferry: event exceeds the server maxMessageSize');
    if (this._channel.bufferedBytes > this._options.maxBufferedBytes) throw new Error('ferry: send buffer is full (maxBufferedBytes)');
    this._channel.pushItem(item);
    this._outbox.queue();
    this._drain.amount();
    return true;
  }

  /** The session items go into now (a renewed session has a new channel). */
  sessionMark(): unknown {
    return this._channel;
  }

  /** Ends the session; the server is told. */
  close(): void {
    if (this.state === 'closed') return;
    const t = this._active;
    // a WebSocket closed with 1000 is the goodbye; over HTTP the goodbye is its own request,
    // which tearing the transport down must not abort
    if (t && t.name === 'websocket' && t.writable) t.close(true);
    else if (this._handshake && this._env.xhrReachesServer) {
      const bye = encodeControl({ type: 'close', code: CloseCode.NORMAL, reason: 'client closed' });
      try {
        this._env.request('POST', sessionUrl(this, 'send', ''), '[' + bye + ']', 5000, () => {});
      } catch (e) {
        // best effort: the server ends the session by its own timeouts anyway
      }
    }
    this._finish('client closed');
  }

  /** The session secret, for the transports' URLs; internal, like every member not in public-socket.ts. */
  get token(): string {
    return this._token.get();
  }

  set token(value: string) {
    this._token.set(value);
  }

  takeAck(): number {
    return this._channel.takeAck();
  }

  takeAckAfter(frames: Frame[]): number {
    return this._channel.takeAckAfter(frames);
  }

  // ---- starting and renewing sessions

  /** `auth`: the payload's JSON text (client/auth.ts), fetched first for every new session. */
  private _start(auth?: string): void {
    this.state = 'connecting';
    if (auth === undefined) {
      const limit = this._options.connectTimeout;
      return fetchAuth(this._options.auth, limit, (json, error) => {
        if (this.state === 'closed') return;
        if (error) return this._finish(authFailure(error, (e) => this.fire('error', e)));
        // a token service that did not answer: asked again after the backoff, like a failed handshake
        if (json === null) return this._retry('the auth option did not call back within ' + limit + ' ms');
        this._start(json);
      });
    }
    if (this._plan.websocketOnly()) return this._openDirectWebSocket(auth);
    const first = this._plan.startTransport();
    if (!first) return this._finish('no usable transport');
    this._timers.set('connect', 0, () => {
      const started = now();
      requestHandshake(this._env, this, first, this._options.connectTimeout, auth, (error, handshake, status, offered) => {
        if (this.state === 'closed') return;
        if (handshake) {
          this._rtt = now() - started;
          // sid and token first: the transport's requests carry them
          this.sid = handshake.sid;
          this.token = handshake.token;
          this._established(handshake, this._create(first));
          // the handshake proved HTTP works: probe for something better without waiting for a poll
          this._upgrade();
          return;
        }
        if (offered) return this._startOver(first, offered);
        if (status === AUTH_REFUSED) return this._finish(error || 'unauthorized');
        // 429: a rate limit or the per-address cap, which time lifts: tried again after the backoff
        if (handshakeRefusalIsFinal(status, this._renewing)) return this._finish('handshake refused: ' + error);
        this._retry('handshake failed: ' + error);
      });
    });
  }

  private _openDirectWebSocket(auth: string): void {
    this._epoch = 1;
    this._activate(new WebSocketClientTransport(this._env, toWebSocketUrl(routeUrl(this, 'v1/ws', '')), 1, this, authPacket(auth)));
    this._timers.set('connect', this._options.connectTimeout, () => this._lose(this._active, 'handshake timed out', null));
  }

  /** The server refused `refused` for a new session and named what it allows: start over on one of those, or end. */
  private _startOver(refused: TransportName, allowed: TransportName[]): void {
    const none = this._plan.serverRefused(refused, allowed);
    if (none !== null) return this._finish(none);
    this._drop();
    this._start();
  }

  /** Adopts a new session's handshake, then says `open` (the first transport is already in place). */
  private _established(handshake: Handshake, first: ClientTransport | null): void {
    this._timers.clear('connect');
    this._handshake = handshake;
    this.sid = handshake.sid;
    this.token = handshake.token;
    // the secret is kept in the closure only, not in the handshake kept on the socket
    handshake.token = '';
    this.pingInterval = handshake.pingInterval;
    this.pingTimeout = handshake.pingTimeout;
    this._renewing = false;
    // messages queued before the limit was known: those too large are refused before any is numbered
    const refused = this._channel.refuseUnsent(exceedsMaxMessageSize(handshake.maxMessageSize));
    this._plan.restrictTo(handshake.transports);
    this.state = 'open';
    this._health.connected();
    if (first) this._activate(first);
    const active = this._active;
    // polling and a direct WebSocket have already carried a response; a stream waits for its first packet
    if (active && !streamKind(active.name)) this._announce(active);
    this.fire('open');
    for (let i = 0; i < refused.length; i++) {
      const item = refused[i];
      if (isEventOrAnswerItem(item)) this._events.refused(item as string, 'it exceeds the server maxMessageSize');
      else this.fire('dropped', storedMessage(item), 'message exceeds the server maxMessageSize');
    }
    this._outbox.queue();
  }

  /** The old session is gone: say so, then start a new one if allowed. */
  private _renew(reason: string): void {
    this._drop();
    this._events.end(reason);
    if (!this._options.reconnect || this.state === 'closed') {
      this.state = 'closed';
      this.fire('close', reason, { renewing: false });
      return;
    }
    this.state = 'connecting';
    this._renewing = true;
    this.fire('close', reason, { renewing: true });
    if (this.state !== 'connecting') return; // the app closed the socket in its handler
    this._announced = null;
    this._handshake = null;
    this._channel = new ReliableChannel();
    this._drain.reset();
    this._plan.reset();
    this._epoch = 0;
    this.sid = this.token = '';
    this._health.restart();
    this.state = 'connecting';
    this._timers.set('reconnect', this._health.backoff(this._options), () => this._start());
  }

  private _finish(reason: string): void {
    if (this.state === 'closed') return;
    this._drop();
    this.state = 'closed';
    this._events.end(reason);
    this.fire('close', reason, { renewing: false });
  }

  private _drop(): void {
    this._timers.clearAll();
    if (this._active) this._active.close();
    if (this._candidate) this._candidate.close();
    this._active = this._candidate = null;
  }

  // ---- transports

  private _activate(t: ClientTransport): void {
    const previous = this._active;
    this._active = t;
    if (previous && previous !== t) previous.close();
    this._channel.rewind();
    this._outbox.queue();
  }

  /** Says `transport` when the working transport differs from the one last announced. */
  private _announce(t: ClientTransport): void {
    if (t !== this._active || !this._handshake || this._announced === t.name) return;
    this._announced = t.name;
    this.fire('transport', t.name);
  }

  onOpen(t: ClientTransport): void {
    if (t === this._candidate) {
      if (t.name === 'websocket') {
        t.send([encodeControl({ type: 'probe', nonce: String(this._epoch) })], []);
      } else {
        this._promote(t);
      }
      return;
    }
    if (t !== this._active) return;
    if (t.name !== 'websocket') this._announce(t);
    if (this.state === 'reconnecting' && (t.name !== 'websocket' || this._handshake)) {
      if (t.name === 'websocket') t.send([encodeControl({ type: 'upgrade', ack: this._channel.takeAck() })], []);
      this.state = 'open';
      this._health.connected();
      this._announce(t);
      this.fire('reconnect');
      this._outbox.queue();
    }
    this._watch(t);
    this._upgrade();
  }

  onFrames(t: ClientTransport, frames: Frame[]): void {
    if (t === this._candidate) {
      if (frames.length > 0 && frames[0].type === 'probe') this._promote(t);
      return;
    }
    if (t !== this._active) return;
    this._health.received();
    this._watch(t);
    try {
      for (let i = 0; i < frames.length; i++) {
        if (this._active !== t) return;
        this._receive(t, frames[i]);
      }
    } catch (e) {
      return this._protocolError(e);
    }
    if (this._channel.unackedInbound() > 0) this._outbox.oweAck(this._channel);
    this._drain.released();
  }

  onReply(t: ClientTransport, frames: Frame[]): void {
    if (t !== this._active) return;
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i];
      // the server has no downstream for us, though ours looks open: it died without a signal
      if (frame.type === 'detached' && t.streaming) return this._lose(t, 'the server lost our stream', null);
      if (frame.type === 'ack') {
        try {
          this._channel.acknowledge(frame.seq);
        } catch (e) {
          return this._protocolError(e);
        }
      }
    }
    this._drain.released();
  }

  onStreamEnd(t: ClientTransport): void {
    if (t === this._active && this._handshake) this._health.learnFromDrop(this.pingInterval, this.pingTimeout);
  }

  onWritable(t: ClientTransport): void {
    if (t === this._active) this._outbox.queue();
  }

  onError(t: ClientTransport, reason: string, status: number | null): void {
    if (t === this._candidate) return this._abandon(t, reason);
    if (t !== this._active) return;
    if (status === 409 && this._candidate) return; // the candidate has taken over server-side
    if (status === CloseCode.TRANSPORT_DISABLED && !this._handshake) return this._startOver(t.name, transportsInCloseReason(reason));
    this._lose(t, reason, status);
  }

  private _receive(t: ClientTransport, frame: Frame): void {
    switch (frame.type) {
      case 'message':
        if (this._channel.accept(frame.seq) === 'deliver') this.fire('message', frame.data as JsonValue | Uint8Array);
        break;
      case 'event':
        if (this._channel.accept(frame.seq) === 'deliver') this._events.receiveEvent(this, frame.name, frame.args, frame.ackId);
        break;
      case 'answer':
        if (this._channel.accept(frame.seq) === 'deliver') this._events.receiveAnswer(frame.ackId, frame.value, frame.error);
        break;
      case 'ack':
        this._channel.acknowledge(frame.seq);
        break;
      case 'ping':
        this._outbox.owePong(frame.n);
        break;
      case 'open':
        if (!this._handshake) {
          this._established(frame.handshake, null);
          this._watch(t);
        }
        break;
      case 'close':
        if (renewable(frame.code)) this._renew(frame.reason);
        else this._finish(frame.reason);
        break;
      default:
        break;
    }
  }

  /** A transport of the current session, with the next epoch. */
  private _create(name: TransportName): ClientTransport {
    return this._plan.create(name, this._env, this, ++this._epoch, this);
  }

  private _protocolError(e: unknown): void {
    this._finish('protocol error: ' + protocolErrorReason(e, String(e)));
  }

  /** Try the next better transport than the active one, if any. */
  private _upgrade(): void {
    const active = this._active;
    if (this._candidate || !active || this.state !== 'open') return;
    const name = this._plan.betterThan(active.name);
    if (!name) return;
    const t = this._create(name);
    this._candidate = t;
    const budget = Math.min(this._options.probeTimeout, Math.max(1000, 4 * this._rtt + 500));
    this._timers.set('probe', budget, () => this._abandon(t, 'no answer within ' + budget + ' ms'));
  }

  private _promote(t: ClientTransport): void {
    this._timers.clear('probe');
    this._candidate = null;
    this._plan.succeeded(t.name);
    if (t.name === 'websocket') t.send([encodeControl({ type: 'upgrade', ack: this._channel.takeAck() })], []);
    this._activate(t);
    this._announce(t);
    this._watch(t);
    this._upgrade();
  }

  private _abandon(t: ClientTransport, reason: string): void {
    this._timers.clear('probe');
    t.close();
    this._candidate = null;
    this._plan.failed(t.name, reason);
    const active = this._active;
    // an HTTP candidate takes the session over on arrival: the old transport is stale now
    if (active && t.name !== 'websocket') this._activate(this._create(active.name));
    else this._upgrade();
  }

  private _lose(t: ClientTransport | null, reason: string, status: number | null): void {
    if (!t || this.state === 'closed') return;
    if (status === 404 || status === CloseCode.SESSION_UNKNOWN) return this._renew('session expired');
    if (status === 403 || status === 400 || status === AUTH_REFUSED) return this._finish(reason);
    if (status === 1009) return this._finish('message too large');
    if (status !== null && renewable(status)) return this._renew(reason);
    // a WebSocket or stream that went silent (blackholed, or held by a buffering proxy) is not tried again
    if (reason === 'ping timeout') this._plan.failed(t.name, 'stopped carrying frames');
    if (this._handshake) this._health.learnFromDrop(this.pingInterval, this.pingTimeout);
    this._drop();
    if (!this._handshake) return this._retry(reason);
    if (this.state !== 'reconnecting') {
      this.state = 'reconnecting';
      this._health.lost();
      this.fire('reconnecting', reason);
    }
    this._retry(reason);
  }

  private _retry(reason: string): void {
    if (this._handshake && this._health.outage() > this._handshake.resumeWindow) return this._renew('resume window expired');
    this._timers.set('reconnect', this._health.backoff(this._options), () => {
      if (!this._handshake) return this._start();
      const name = this._plan.resumeTransport();
      if (!name) return this._finish('no usable transport: ' + reason);
      this._activate(this._create(name));
    });
  }

  /**
   * Streams prove they are alive by the server's pings; silence past the deadline drops them. One
   * timer per deadline, re-armed for the rest when it finds something arrived meanwhile: no timer
   * is set and cleared for every packet.
   */
  private _watch(t: ClientTransport): void {
    if (isPolling(t.name) || t !== this._active) return;
    if (this._watched === t && this._timers.has('liveness')) return;
    this._watched = t;
    this._watchedSince = now();
    this._armLiveness(t, this._health.deadline(this.pingInterval, this.pingTimeout));
  }

  private _armLiveness(t: ClientTransport, ms: number): void {
    this._timers.set('liveness', ms, () => {
      if (t !== this._active) {
        this._watched = null;
        return;
      }
      const left = this._health.deadline(this.pingInterval, this.pingTimeout) - this._health.silence(this._watchedSince);
      if (left > 0) this._armLiveness(t, left);
      else this._lose(t, 'ping timeout', null);
    });
  }
}
