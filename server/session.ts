import {
  CloseCode,
  ProtocolError,
  protocolErrorReason,
  ReliableChannel,
  encodeAck,
  encodeControl,
  type AppData,
  type Frame,
  type TransportName,
} from '../protocol/index.js';
import type { ResolvedOptions } from './options.js';
import { Socket, type HandshakeInfo, type SocketBackend } from './socket.js';
import type { Heartbeats, Pingable } from './heartbeats.js';
import type { CloseInfo, ServerTransport, TransportListener } from './transports/transport.js';

function flushSession(session: Session): void {
  session.flush();
}

/** How the session tells its owner (the server) it has ended. */
export type SessionEndHandler = (session: Session) => void;

/**
 * One client session: the reliable channel, heartbeats and the resume window, independent of the
 * transport it is on. Transports are attached and replaced; the channel and its sequence numbers
 * survive them.
 */
export class Session implements SocketBackend, TransportListener, Pingable {
  readonly id: string;
  readonly token: string;
  readonly socket: Socket;
  readonly channel = new ReliableChannel();
  transport: ServerTransport | null = null;
  transportName: TransportName;
  /** Epoch of the newest transport attached; requests from older ones are stale. */
  epoch = 0;
  closed = false;
  /** Ping interval (and longest poll hold) for this session: the server's, or shorter when the client asks. */
  heartbeat: number;

  readonly #options: ResolvedOptions;
  readonly #onEnd: SessionEndHandler;
  #flushScheduled = false;
  readonly #heartbeats: Heartbeats;
  /** The interval this session is pinged on, or 0 when it is not. */
  #pinging = 0;
  #pongTimer: NodeJS.Timeout | null = null;
  #ackTimer: NodeJS.Timeout | null = null;
  #resumeTimer: NodeJS.Timeout | null = null;
  #pingCount = 0;
  #pendingPing = 0;

  constructor(id: string, token: string, transportName: TransportName, handshake: HandshakeInfo, options: ResolvedOptions, heartbeats: Heartbeats, onEnd: SessionEndHandler) {
    this.#heartbeats = heartbeats;
    this.id = id;
    this.token = token;
    this.transportName = transportName;
    this.#options = options;
    this.#onEnd = onEnd;
    this.heartbeat = options.pingInterval;
    this.socket = new Socket(this, handshake);
    this.#startResumeWindow();
  }

  get connected(): boolean {
    return this.transport !== null;
  }

  /** Makes `transport` the session's transport; `clientAck` is the last message the client has. */
  attach(transport: ServerTransport, clientAck: number): void {
    if (this.closed) {
      transport.close({ code: CloseCode.SESSION_UNKNOWN, reason: 'session closed' });
      return;
    }
    const previous = this.transport;
    this.transport = transport;
    this.epoch = transport.epoch;
    if (previous) previous.drop(CloseCode.TRANSPORT_REPLACED, 'transport replaced');
    this.#clearTimer('resume');
    transport.bind(this);
    try {
      this.channel.acknowledge(clientAck);
    } catch (e) {
      this.#protocolError(e);
      return;
    }
    this.channel.rewind();
    this.channel.forgetAckSent();
    this.#startHeartbeat();
    const changed = this.transportName !== transport.name;
    this.transportName = transport.name;
    if (changed) this.socket.emit('transport', transport.name);
    this.flush();
  }

  /**
   * The client asks for a shorter heartbeat (it saw idle connections cut on its path). Honoured
   * between 1 s and the server's pingInterval; 0 leaves it unchanged.
   */
  requestHeartbeat(ms: number): void {
    if (ms <= 0) return;
    const next = Math.max(1000, Math.min(this.#options.pingInterval, ms));
    if (next === this.heartbeat) return;
    this.heartbeat = next;
    if (this.#pinging !== 0) this.#startHeartbeat();
  }

  /** A new poll on the same transport: the client has everything up to `ack`; resend the rest. */
  restartFrom(ack: number): boolean {
    try {
      this.channel.acknowledge(ack);
      this.channel.rewind();
      return true;
    } catch (e) {
      this.#protocolError(e);
      return false;
    }
  }

  /** Frames from the client, whichever way they came. Throws ProtocolError on a broken stream. */
  receive(frames: Frame[]): void {
    this.touch();
    for (const frame of frames) {
      if (this.closed) return;
      switch (frame.type) {
        case 'message':
          if (this.channel.accept(frame.seq) === 'deliver') this.socket.emit('message', frame.data as AppData);
          break;
        case 'ack':
          this.channel.acknowledge(frame.seq);
          break;
        case 'pong':
          break;
        case 'close':
          this.end(CloseCode.NORMAL, 'client closed');
          return;
        default:
          throw new ProtocolError('unexpected "' + frame.type + '" frame from the client');
      }
    }
    if (this.channel.unackedInbound() > 0) this.#scheduleAck();
  }

  /** Any sign of life from the client. */
  touch(): void {
    this.#pendingPing = 0;
    this.#clearTimer('pong');
  }

  send(data: AppData): boolean {
    if (this.closed) return false;
    this.channel.push(data);
    if (this.channel.bufferedBytes > this.#options.maxBufferedBytes) {
      this.end(CloseCode.BUFFER_OVERFLOW, 'buffer overflow: more than ' + this.#options.maxBufferedBytes + ' bytes unacknowledged');
      return false;
    }
    this.#scheduleFlush();
    return true;
  }

  close(): void {
    this.end(CloseCode.NORMAL, 'server closed');
  }

  /** Writes what is pending (acks, pings, messages) if the transport can take it. */
  flush(): void {
    this.#flushScheduled = false;
    const transport = this.transport;
    if (!transport || !transport.writable || this.closed) return;
    const controls: string[] = [];
    if (this.channel.unackedInbound() > 0) {
      controls.push(encodeAck(this.channel.takeAck()));
      this.#clearTimer('ack');
    }
    if (this.#pendingPing > 0) controls.push(encodeControl({ type: 'ping', n: this.#pendingPing }));
    this.#pendingPing = 0;
    // one batch per write; streams and WebSockets take batches until the backlog is gone (or they
    // push back), a poll response takes one
    let entries = this.channel.hasUnwritten() ? this.channel.takeUnwritten(transport.batchBytes) : [];
    if (controls.length === 0 && entries.length === 0) return;
    transport.write(controls, entries);
    while (this.transport === transport && transport.writable && this.channel.hasUnwritten()) {
      entries = this.channel.takeUnwritten(transport.batchBytes);
      transport.write([], entries);
    }
  }

  /** The ack for a POST response: what has been received so far. */
  takeAck(): number {
    this.#clearTimer('ack');
    return this.channel.takeAck();
  }

  /** Ends the session for good. */
  end(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const name of ['ping', 'pong', 'ack', 'resume'] as const) this.#clearTimer(name);
    const transport = this.transport;
    this.transport = null;
    if (transport) transport.close({ code, reason });
    this.#onEnd(this);
    this.socket.emit('close', reason);
    this.socket.removeAllListeners();
  }

  // TransportListener

  onFrames(frames: Frame[]): void {
    try {
      this.receive(frames);
    } catch (e) {
      this.#protocolError(e);
    }
  }

  onWritable(): void {
    this.flush();
  }

  onClosed(_reason: string, fatal?: CloseInfo): void {
    this.transport = null;
    if (fatal) this.end(fatal.code, fatal.reason);
    else this.#detach();
  }

  /** Drops a transport that stopped working; the client may resume within the window. */
  dropTransport(transport: ServerTransport, code: number, reason: string): void {
    if (this.transport !== transport) return;
    transport.drop(code, reason);
    this.#detach();
  }

  #detach(): void {
    this.transport = null;
    this.#clearTimer('ping');
    this.#clearTimer('pong');
    if (!this.closed) this.#startResumeWindow();
  }

  #protocolError(e: unknown): void {
    const detail = protocolErrorReason(e, '');
    const reason = detail ? 'protocol error: ' + detail : 'protocol error';
    this.end(CloseCode.PROTOCOL_ERROR, reason);
  }

  #startResumeWindow(): void {
    this.#clearTimer('resume');
    this.#resumeTimer = setTimeout(() => this.end(CloseCode.RESUME_WINDOW_EXPIRED, 'resume window expired'), this.#options.resumeWindow);
    this.#resumeTimer.unref();
  }

  #startHeartbeat(): void {
    this.#clearTimer('ping');
    this.#clearTimer('pong');
    if (!this.transport) return;
    this.#pinging = this.heartbeat;
    this.#heartbeats.add(this.#pinging, this);
  }

  /**
   * The shared heartbeat timer calls this once per heartbeat interval. A stream or WebSocket gets
   * a ping now, and no pong in time drops the transport; a held poll is answered (empty), so no
   * poll is held longer than one interval.
   */
  ping(): void {
    const transport = this.transport;
    if (!transport) return;
    if (!transport.needsPing) {
      transport.release();
      return;
    }
    this.#pendingPing = ++this.#pingCount;
    this.flush();
    if (this.#pongTimer === null) {
      this.#pongTimer = setTimeout(() => {
        this.#pongTimer = null;
        this.dropTransport(transport, CloseCode.PING_TIMEOUT, 'ping timeout');
      }, this.#options.pingTimeout);
      this.#pongTimer.unref();
    }
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // at the end of the current operation, so sends made together go out together
    process.nextTick(flushSession, this);
  }

  #scheduleAck(): void {
    // a write is already coming (the app answered at once): it carries the ack, no timer needed
    if (this.#flushScheduled) return;
    if (this.channel.unackedInbound() >= 64) {
      this.#scheduleFlush();
      return;
    }
    if (this.#ackTimer !== null) return;
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = null;
      this.flush();
    }, this.#options.ackDelay);
    this.#ackTimer.unref();
  }

  #clearTimer(name: 'ping' | 'pong' | 'ack' | 'resume'): void {
    switch (name) {
      case 'ping':
        if (this.#pinging !== 0) this.#heartbeats.remove(this.#pinging, this);
        this.#pinging = 0;
        break;
      case 'pong':
        if (this.#pongTimer) clearTimeout(this.#pongTimer);
        this.#pongTimer = null;
        break;
      case 'ack':
        if (this.#ackTimer) clearTimeout(this.#ackTimer);
        this.#ackTimer = null;
        break;
      case 'resume':
        if (this.#resumeTimer) clearTimeout(this.#resumeTimer);
        this.#resumeTimer = null;
        break;
    }
  }
}
