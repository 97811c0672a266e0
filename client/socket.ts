/**
 * The session half of the client socket (client/socket-transports.ts holds the transport half):
 * the public members, starting a session (auth, handshake), adopting a handshake, renewing a
 * lost session and ending one, sending (`send`, `emit`, events' items) and what each inbound
 * frame means (`_receive`).
 */
import {
  CloseCode,
  ReliableChannel,
  encodeControl,
  isBytes,
  utf8Length,
  isEventOrAnswerItem,
  type AppData,
  type AppItem,
  type Frame,
  type Handshake,
  type JsonValue,
  type TransportName,
} from '../protocol/index.js';
import { ClientAppEvents } from './app-events.js';
import type { ClientEnv } from './env/env.js';
import { requestHandshake } from './handshake.js';
import { AUTH_REFUSED, authFailure, authPacket, fetchAuth, type AuthRefusal } from './auth.js';
import type { ConnectOptions } from './options.js';
import { now } from './link-health.js';
import { volatileOf, type ClientVolatile } from './backpressure.js';
import type { CloseInfo } from './socket-events.js';
import { handshakeRefusalIsFinal, renewable } from './handshake-refusal.js';
import { exceedsMaxMessageSize, storedMessage } from './message-size.js';
import { ClientSocketTransports } from './socket-transports.js';
import type { TransportAttempt } from './transport-plan.js';
import { streamKind } from './transports/stream-kinds.js';
import type { ClientTransport } from './transports/transport.js';
import { WebSocketClientTransport } from './transports/websocket.js';
import { MINOR_PARAM, protocolsParam, routeUrl, sessionUrl, toWebSocketUrl } from './transports/urls.js';

/**
 * The client side of a session: one state machine over whichever transport works. It numbers
 * and keeps outbound messages until acknowledged, drops duplicates inbound, and starts, resumes
 * (within the server's resume window) and renews sessions. Probing better transports and switching
 * to them is its base's (client/socket-transports.ts).
 */
export class ClientSocket extends ClientSocketTransports {
  /** A session being renewed: a handshake refused as if the server were not there yet is retried. */
  private _renewing = false;
  /** Named events and their acks (client/app-events.ts). */
  private readonly _events = new ClientAppEvents(this);

  constructor(url: string, env: ClientEnv, options?: ConnectOptions) {
    super(url, env, options);
    this._start();
  }

  /** Public session id, once known. */
  get id(): string {
    return this.sid;
  }

  /** The subprotocol the server picked from `protocols`; '' when none were offered, or before the session opens. */
  get protocol(): string {
    return this._handshake && this._handshake.protocol ? this._handshake.protocol : '';
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
    this._goodbye();
    this._finish('client closed');
  }

  /** Tells the server the session ends (it ends it normally). */
  private _goodbye(): void {
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
  }

  // ---- starting and renewing sessions

  /** `auth`: the payload's JSON text (client/auth.ts), fetched first for every new session. */
  protected _start(auth?: string): void {
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
      requestHandshake(this._env, this, first, this._options.protocols, this._options.connectTimeout, auth, (error, handshake, status, offered, refusal) => {
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
        if (status === AUTH_REFUSED) return this._finish(error || 'unauthorized', undefined, refusal);
        // 429: a rate limit or the per-address cap, which time lifts: tried again after the backoff
        if (handshakeRefusalIsFinal(status, this._renewing)) return this._finish('handshake refused: ' + error);
        this._retry('handshake failed: ' + error);
      });
    });
  }

  private _openDirectWebSocket(auth: string): void {
    this._epoch = 1;
    this._activate(new WebSocketClientTransport(this._env, toWebSocketUrl(routeUrl(this, 'v1/ws', (MINOR_PARAM + protocolsParam(this._options.protocols)).slice(1))), 1, this, authPacket(auth)));
    this._timers.set('connect', this._options.connectTimeout, () => this._lose(this._active, 'handshake timed out', null));
  }

  /** The server refused `refused` for a new session and named what it allows: start over on one of those, or end. */
  protected _startOver(refused: TransportName, allowed: TransportName[]): void {
    const none = this._plan.serverRefused(refused, allowed);
    if (none !== null) return this._finish(none);
    this._drop();
    this._start();
  }

  /** Adopts a new session's handshake, then says `open` (the first transport is already in place). */
  private _established(handshake: Handshake, first: ClientTransport | null): void {
    this._timers.clear('connect');
    this._handshake = handshake;
    // a direct WebSocket was in place before the handshake came on it
    if (this._active) this._allowImplicitSeqs(this._active);
    this.sid = handshake.sid;
    this.token = handshake.token;
    if (this._log) this._log(handshake.sid + ' opened on ' + (first ? first.name : 'websocket') + (handshake.protocol ? ', subprotocol ' + handshake.protocol : ''));
    const offered = this._options.protocols;
    if (offered.length > 0 && (typeof handshake.protocol !== 'string' || offered.indexOf(handshake.protocol) < 0)) {
      // as a browser fails a WebSocket whose server picked none of its subprotocols: for good
      if (first) first.close();
      this._goodbye();
      return this._finish('handshake refused: the server picked none of the subprotocols offered (' + offered.join(', ') + ')');
    }
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
  protected _renew(reason: string, code?: number): void {
    if (this._log) this._log(this.sid + ' ended (' + reason + ')' + (this._options.reconnect ? ': starting a new session' : ''));
    this._drop();
    this._events.end(reason);
    if (!this._options.reconnect || this.state === 'closed') {
      this.state = 'closed';
      this.fire('close', reason, { renewing: false, code: code });
      return;
    }
    this.state = 'connecting';
    this._renewing = true;
    this.fire('close', reason, { renewing: true, code: code });
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

  /** `refusal`: the app's middleware refused the handshake (its `data` goes to the `close` listeners). */
  protected _finish(reason: string, code?: number, refusal?: AuthRefusal): void {
    if (this.state === 'closed') return;
    if (this._log) this._log((this.sid || 'socket') + ' closed for good: ' + reason);
    this._drop();
    this.state = 'closed';
    this._events.end(reason);
    const info: CloseInfo = { renewing: false, code: code };
    if (refusal && refusal.data !== undefined) info.data = refusal.data;
    this.fire('close', reason, info);
  }

  protected _receive(t: ClientTransport, frame: Frame): void {
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
        if (renewable(frame.code)) this._renew(frame.reason, frame.code);
        else this._finish(frame.reason, frame.code);
        break;
      default:
        break;
    }
  }
}

