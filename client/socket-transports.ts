/**
 * The transport half of the client socket (client/socket.ts holds the session half): the
 * transport in use and the candidate probed to replace it, activating and promoting transports,
 * abandoning a failed probe, losing a transport and retrying (resume on a new one), watching a
 * stream's liveness, and the ClientTransportListener callbacks the transports report to. What a
 * frame means for the session, and starting, renewing and ending sessions, are the subclass's.
 */
import {
  CloseCode,
  protocolErrorReason,
  ReliableChannel,
  encodeControl,
  isPolling,
  type Frame,
  type Handshake,
  type TransportName,
} from '../protocol/index.js';
import { Emitter } from './emitter.js';
import type { ClientEnv } from './env/env.js';
import { AUTH_REFUSED } from './auth.js';
import { transportsInCloseReason } from './server-transports.js';
import { resolveConnectOptions, type ConnectOptions, type ResolvedConnectOptions } from './options.js';
import { LinkHealth, now } from './link-health.js';
import { NamedTimers } from './named-timers.js';
import { Outbox } from './outbox.js';
import { DrainWatch, transportBuffered } from './backpressure.js';
import { renewable } from './handshake-refusal.js';
import type { ClientSocketEvents, SocketState } from './socket-events.js';
import { secret } from './session-secret.js';
import { TransportMemory } from './transport-memory.js';
import { TransportPlan } from './transport-plan.js';
import { streamKind } from './transports/stream-kinds.js';
import type { ClientTransport, ClientTransportListener, SessionRef } from './transports/transport.js';
import { parseFerryUrl } from './transports/urls.js';

/**
 * One object per socket, as ClientSocket extends this: the session half reads and sets these
 * fields directly (no layer between them), so they are protected rather than private.
 */
export abstract class ClientSocketTransports extends Emitter<ClientSocketEvents> implements ClientTransportListener, SessionRef {
  state: SocketState = 'connecting';
  baseUrl: string;
  /** The app's query parameters from the Ferry URL, sent on every request. */
  query: string;
  sid = '';
  /** The session secret, in a closure (see `token`): on no enumerable property. */
  private readonly _token = secret();
  pingInterval = 20000;
  pingTimeout = 15000;
  protected readonly _env: ClientEnv;
  protected readonly _options: ResolvedConnectOptions;
  /** Where debug lines go (the `log` option, else the env's), or null: then no line is even built. */
  protected readonly _log: ((line: string) => void) | null;
  protected _handshake: Handshake | null = null;
  protected _channel = new ReliableChannel();
  protected _plan: TransportPlan;
  protected _active: ClientTransport | null = null;
  private _candidate: ClientTransport | null = null;
  protected _epoch = 0;
  protected readonly _health = new LinkHealth();
  /** The transport the liveness timer watches, and since when. */
  private _watched: ClientTransport | null = null;
  private _watchedSince = 0;
  /** Round trip of the handshake, in ms: the yardstick for probe budgets. */
  protected _rtt = 0;
  /** The transport last announced with a `transport` event. */
  protected _announced: TransportName | null = null;
  protected readonly _timers = new NamedTimers();
  protected readonly _outbox: Outbox;
  /** `bufferedAmount` and `drain` (client/backpressure.ts). */
  protected readonly _drain: DrainWatch;

  constructor(url: string, env: ClientEnv, options?: ConnectOptions) {
    super();
    const where = parseFerryUrl(url);
    this.baseUrl = where.baseUrl;
    this.query = where.query;
    this._env = env;
    this._options = resolveConnectOptions(options);
    this._log = this._options.log || env.log || null;
    const storage = this._options.storage === undefined ? env.storage : this._options.storage;
    const memory = storage && this._options.rememberFor > 0 ? new TransportMemory(storage, this.baseUrl, this._options.rememberFor) : null;
    this._plan = new TransportPlan(this._options.transports, env, memory);
    this._drain = new DrainWatch(this._options.drainBelow, () => this._channel.bufferedBytes + transportBuffered(this._active), () => this.fire('drain'));
    this._outbox = new Outbox(env, this._timers, () => {
      const t = this._active;
      if (!t || this.state === 'closed' || !this._handshake) return null;
      return { transport: t, channel: this._channel, maxMessageSize: this._handshake.maxMessageSize };
    });
  }

  /** Heartbeat interval this client asks of the server after seeing idle cuts (ms), or 0 for the server's. */
  get heartbeat(): number {
    return this._health.heartbeat;
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

  // ---- the session half's (client/socket.ts)

  /** Starts a new session (the auth payload fetched first). */
  protected abstract _start(): void;
  /** The server refused `refused` for a new session and named what it allows. */
  protected abstract _startOver(refused: TransportName, allowed: TransportName[]): void;
  /** The old session is gone: start a new one if allowed. */
  protected abstract _renew(reason: string): void;
  /** Ends the socket for good. */
  protected abstract _finish(reason: string): void;
  /** One inbound frame of the active transport, for the session. */
  protected abstract _receive(t: ClientTransport, frame: Frame): void;

  protected _drop(): void {
    this._timers.clearAll();
    if (this._active) this._active.close();
    if (this._candidate) this._candidate.close();
    this._active = this._candidate = null;
  }

  // ---- transports

  protected _activate(t: ClientTransport): void {
    const previous = this._active;
    this._active = t;
    this._allowImplicitSeqs(t);
    if (previous && previous !== t) previous.close();
    this._channel.rewind();
    this._outbox.queue();
  }

  /** Lets `t` send implicit seqs if the server's handshake says it takes them (PROTOCOL.md section 6). */
  protected _allowImplicitSeqs(t: ClientTransport): void {
    const handshake = this._handshake;
    if (handshake && (handshake.minor || 0) >= 1 && t.allowImplicitSeqs) t.allowImplicitSeqs();
  }

  /** Says `transport` when the working transport differs from the one last announced. */
  protected _announce(t: ClientTransport): void {
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

  onFrames(t: ClientTransport, frames: Frame[], bytes: number): void {
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
    if (this._channel.unackedInbound() > 0) this._outbox.oweAck(this._channel, bytes);
    this._drain.released();
  }

  onReply(t: ClientTransport, frames: Frame[], bytes: number): void {
    if (t !== this._active) return;
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i];
      // the server has no downstream for us, though ours looks open: it died without a signal
      if (frame.type === 'detached' && t.streaming) return this._lose(t, 'the server lost our stream', null);
      // on long-polling, what the server had waiting when no poll was held (PROTOCOL.md section 8)
      if (frame.type === 'message' || frame.type === 'event' || frame.type === 'answer') return this.onFrames(t, frames, bytes);
    }
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i];
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
    // a candidate closed because the session has ended (the server shut down during the probe) ends the session, not just the probe
    if (t === this._candidate && !(status !== null && renewable(status))) return this._abandon(t, reason);
    if (t !== this._active && t !== this._candidate) return;
    if (status === CloseCode.TRANSPORT_DISABLED && !this._handshake) return this._startOver(t.name, transportsInCloseReason(reason));
    this._lose(t, reason, status);
  }

  /** A transport of the current session, with the next epoch; a `candidate` probes before it takes over. */
  protected _create(name: TransportName, candidate?: boolean): ClientTransport {
    return this._plan.create(name, this._env, this, ++this._epoch, this, candidate === true);
  }

  private _protocolError(e: unknown): void {
    this._finish('protocol error: ' + protocolErrorReason(e, String(e)));
  }

  /** Try the next better transport than the active one, if any. */
  protected _upgrade(): void {
    const active = this._active;
    if (this._candidate || !active || this.state !== 'open') return;
    const name = this._plan.betterThan(active.name);
    if (!name) return;
    const t = this._create(name, true);
    this._candidate = t;
    const budget = Math.min(this._options.probeTimeout, Math.max(1000, 4 * this._rtt + 500));
    this._timers.set('probe', budget, () => this._abandon(t, 'no answer within ' + budget + ' ms', true));
  }

  private _promote(t: ClientTransport): void {
    if (this._log) this._log(this.sid + ' upgraded to ' + t.name);
    this._timers.clear('probe');
    this._candidate = null;
    this._plan.succeeded(t.name);
    // a WebSocket switches itself; a stream is named by epoch in the first POST on it, ahead of any message
    if (t.name === 'websocket') t.send([encodeControl({ type: 'upgrade', ack: this._channel.takeAck() })], []);
    else this._outbox.lead(t, encodeControl({ type: 'upgrade', ack: this._channel.takeAck(), epoch: t.epoch }));
    this._activate(t);
    this._announce(t);
    this._watch(t);
    this._upgrade();
  }

  /** `silent`: nothing came through in time, which for a stream means the path holds responses back. */
  private _abandon(t: ClientTransport, reason: string, silent?: boolean): void {
    if (this._log) this._log(this.sid + ' gave up the ' + t.name + ' probe: ' + reason);
    this._timers.clear('probe');
    t.close();
    this._candidate = null;
    this._plan.failed(t.name, reason);
    if (silent && streamKind(t.name)) this._plan.streamsHeldBack(t.name);
    // the session never left the active transport: it goes on, and the next choice is probed
    this._upgrade();
  }

  protected _lose(t: ClientTransport | null, reason: string, status: number | null): void {
    if (!t || this.state === 'closed') return;
    if (this._log) this._log(this.sid + ' lost ' + t.name + ': ' + reason + (status === null ? '' : ' (' + status + ')'));
    // a cluster says when the session's node is gone (PROTOCOL.md "Session ids in a cluster")
    if (status === 404) return this._renew(reason.indexOf('"node_lost"') >= 0 ? 'node lost' : 'session expired');
    if (status === CloseCode.SESSION_UNKNOWN) return this._renew(reason.indexOf('node lost') >= 0 ? 'node lost' : 'session expired');
    if (status === 403 || status === 400 || status === AUTH_REFUSED || status === CloseCode.SUBPROTOCOL_REFUSED) return this._finish(reason);
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

  protected _retry(reason: string): void {
    if (this._handshake && this._health.outage() > this._handshake.resumeWindow) return this._renew('resume window expired');
    const delay = this._health.backoff(this._options);
    if (this._log) this._log((this.sid || 'new session') + ': trying again in ' + Math.round(delay) + ' ms (' + reason + ')');
    this._timers.set('reconnect', delay, () => {
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
  protected _watch(t: ClientTransport): void {
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
