import {
  CloseCode,
  ProtocolError,
  protocolErrorReason,
  ReliableChannel,
  encodeAck,
  encodeControl,
  messageItem,
  type AppData,
  type AppItem,
  type Frame,
  type TransportName,
} from '../protocol/index.js';
import type { EventEmitter } from 'eventemitter3';
import { Socket, type HandshakeInfo, type SocketEvents } from './socket.js';
import type { Pingable } from './heartbeats.js';
import type { BudgetHolder } from './memory-budget.js';
import type { SessionHost } from './session-host.js';
import type { Rooms } from './rooms/rooms.js';
import type { CloseInfo, ServerTransport, TransportListener } from './transports/transport.js';

/** Bits of a session's `#flags` (one field instead of three: every idle session pays for each). */
const CLOSED = 1;
const FLUSH_SCHEDULED = 2;
/** A ping (numbered `#pingCount`) goes out with the next write. */
const PING_OWED = 4;
/** Has carried an application message, either way: no longer provisional (never evicted, the full resume window). */
const ESTABLISHED = 64;
/** `bufferedAmount` was seen above `drainBelow` (queued past it, or read so by the app): `drain` is owed when it falls back. */
const ABOVE_DRAIN = 8;

function flushSession(session: Session): void {
  session.flush();
}

function drainSession(session: Session): void {
  session.drained();
}

/**
 * One client session: the reliable channel, heartbeats and the resume window, independent of the
 * transport it is on. Transports are attached and replaced; the channel and its sequence numbers
 * survive them. The session is the application's `Socket` too (typed as one, so its other
 * members stay out of the public API). Its fields are few and packed (flags, one deadline timer)
 * because 10,000 idle sessions pay for each; its helper methods are `private`, not `#`, because a
 * `#` method gives every instance a brand slot.
 */
export class Session extends Socket implements TransportListener, Pingable, BudgetHolder {
  readonly id: string;
  readonly #token: string;
  readonly channel = new ReliableChannel();
  /** The transport attached now, or null while the client reconnects. */
  attached: ServerTransport | null = null;
  /** The name of the attached transport, or of the last one. */
  transport: TransportName;
  /** Epoch of the newest transport attached; requests from older ones are stale. */
  epoch = 0;
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

  constructor(id: string, token: string, transportName: TransportName, handshake: HandshakeInfo, host: SessionHost) {
    super(handshake);
    this.#host = host;
    this.id = id;
    this.#token = token;
    this.transport = transportName;
    this.heartbeat = host.options.pingInterval;
    this.startResumeWindow();
  }

  /** @internal Rooms and broadcast (server/rooms/rooms.ts), shared by all sessions. */
  protected get roomService(): Rooms {
    return this.#host.rooms;
  }

  /** @internal The session's secret (the handshake returns it to the client). Not an own property, so logging a socket does not print it. */
  get token(): string {
    return this.#token;
  }

  /** Ended for good. */
  get closed(): boolean {
    return (this.#flags & CLOSED) !== 0;
  }

  get connected(): boolean {
    return this.attached !== null;
  }

  get bufferedAmount(): number {
    const transport = this.attached;
    const amount = this.channel.bufferedBytes + (transport === null ? 0 : transport.bufferedAmount);
    // whoever saw it above the mark (the app, or queueItem's budget check) is owed a `drain`
    if (amount > this.#host.options.drainBelow) this.#flags |= ABOVE_DRAIN;
    return amount;
  }

  get drainBelow(): number {
    return this.#host.options.drainBelow;
  }

  /** Makes `transport` the session's transport; `clientAck` is the last message the client has. */
  attach(transport: ServerTransport, clientAck: number): void {
    if (this.closed) {
      transport.close({ code: CloseCode.SESSION_UNKNOWN, reason: 'session closed' });
      return;
    }
    const previous = this.attached;
    this.attached = transport;
    this.epoch = transport.epoch;
    if (previous) previous.drop(CloseCode.TRANSPORT_REPLACED, 'transport replaced');
    this.clearTimer('resume');
    this.active();
    transport.bind(this);
    try {
      this.acknowledge(clientAck);
    } catch (e) {
      this.protocolError(e);
      return;
    }
    this.channel.rewind();
    this.channel.forgetAckSent();
    this.startHeartbeat();
    const changed = this.transport !== transport.name;
    this.transport = transport.name;
    if (changed) this.tell('transport', transport.name);
    this.flush();
    this.released();
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

  /** A new poll on the same transport: the client has everything up to `ack`; resend the rest. */
  restartFrom(ack: number): boolean {
    this.active();
    try {
      this.acknowledge(ack);
      this.channel.rewind();
      this.released();
      return true;
    } catch (e) {
      this.protocolError(e);
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
          if (this.channel.accept(frame.seq) === 'deliver') {
            this.establish();
            // delivered even when the app's listener throws: the rest of the batch goes on
            this.tell('message', frame.data as AppData);
          }
          break;
        case 'event':
        case 'answer':
          if (this.channel.accept(frame.seq) !== 'deliver') break;
          this.establish();
          if (frame.type === 'event') this.receiveEvent(frame);
          else this.receiveAnswer(frame.ackId, frame.value, frame.error);
          break;
        case 'ack':
          this.acknowledge(frame.seq);
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
    if (this.channel.unackedInbound() > 0) this.scheduleAck();
    this.released();
  }

  /** Any sign of life from the client. */
  touch(): void {
    this.#flags &= ~PING_OWED;
    this.active();
    // a POST may arrive while no transport is attached: then the deadline is the resume window
    if (this.attached !== null) this.clearTimer('pong');
  }

  protected queue(data: AppData): boolean {
    if (this.closed) return false;
    return this.queueItem(messageItem(data));
  }

  /** Numbers and queues an item already encoded (protocol/app-items.ts; a broadcast encodes once). False once closed or shed. */
  override queueItem(item: AppItem): boolean {
    if (this.closed) return false;
    const before = this.channel.bufferedBytes;
    this.channel.pushItem(item);
    // past the process-wide cap the largest sessions are shed, which may be this one
    this.#host.memory.charge(this.channel.bufferedBytes - before);
    if (this.closed || this.overBudget()) return false;
    this.establish();
    this.scheduleFlush();
    return true;
  }

  /** Ends the session for holding too much (the process-wide budget sheds it). */
  shed(reason: string): void {
    this.end(CloseCode.BUFFER_OVERFLOW, reason);
  }

  close(): void {
    this.end(CloseCode.NORMAL, 'server closed');
  }

  /** Writes what is pending (acks, pings, messages) if the transport can take it. */
  flush(): void {
    this.#flags &= ~FLUSH_SCHEDULED;
    const transport = this.attached;
    if (!transport || !transport.writable || this.closed) return;
    const controls: string[] = [];
    if (this.channel.unackedInbound() > 0) {
      controls.push(encodeAck(this.channel.takeAck()));
      this.clearTimer('ack');
    }
    if ((this.#flags & PING_OWED) !== 0) controls.push(encodeControl({ type: 'ping', n: this.#pingCount }));
    this.#flags &= ~PING_OWED;
    // one batch per write; streams and WebSockets take batches until the backlog is gone (or they
    // push back), a poll response takes one
    let entries = this.channel.hasUnwritten() ? this.channel.takeUnwritten(transport.batchBytes) : [];
    if (controls.length === 0 && entries.length === 0) return;
    transport.write(controls, entries);
    while (this.attached === transport && transport.writable && this.channel.hasUnwritten()) {
      entries = this.channel.takeUnwritten(transport.batchBytes);
      transport.write([], entries);
    }
    // the transport pushed back: its buffer now counts against the budget until it drains
    if (this.attached === transport && !transport.writable) this.overBudget();
  }

  /** The ack for a POST response: what has been received so far. */
  takeAck(): number {
    this.clearTimer('ack');
    return this.channel.takeAck();
  }

  /** Ends the session for good. */
  end(code: number, reason: string): void {
    if (this.closed) return;
    this.#flags |= CLOSED;
    for (const name of ['ping', 'pong', 'ack', 'resume'] as const) this.clearTimer(name);
    const transport = this.attached;
    this.attached = null;
    if (transport) transport.close({ code, reason });
    // nothing will be resent: the messages' memory goes now, whoever still holds the socket
    const held = this.channel.bufferedBytes;
    this.channel.clear();
    this.#host.memory.charge(-held);
    this.#host.sessionEnded(this);
    this.endEvents(reason);
    this.tell('close', reason);
    this.removeAllListeners();
  }

  // TransportListener

  onFrames(frames: Frame[]): void {
    try {
      this.receive(frames);
    } catch (e) {
      this.protocolError(e);
    }
  }

  onWritable(): void {
    this.flush();
    this.released();
  }

  /** @internal (server/backpressure.ts) After a release: `drain`, owed since it was seen above the mark, at the end of this operation. */
  drained(): void {
    if (!this.closed) this.tell('drain');
  }

  protected writableNow(): boolean {
    return this.attached !== null && this.attached.writable && !this.closed;
  }

  /** @internal For the rooms adapter's volatile broadcasts (server/rooms/adapter.ts RoomMember). */
  get takingWrites(): boolean {
    return this.writableNow();
  }

  onClosed(_reason: string, fatal?: CloseInfo): void {
    this.attached = null;
    if (fatal) this.end(fatal.code, fatal.reason);
    else this.detach();
  }

  /** Drops a transport that stopped working; the client may resume within the window. */
  dropTransport(transport: ServerTransport, code: number, reason: string): void {
    if (this.attached !== transport) return;
    transport.drop(code, reason);
    this.detach();
  }

  private detach(): void {
    this.attached = null;
    this.clearTimer('ping');
    this.clearTimer('pong');
    if (!this.closed) this.startResumeWindow();
  }

  /**
   * Past `maxBufferedBytes` (unacknowledged messages plus the transport's own buffer) the session
   * ends, and its transport is destroyed if the client is not reading, releasing both at once.
   */
  private overBudget(): boolean {
    const max = this.#host.options.maxBufferedBytes;
    if (this.bufferedAmount <= max) return false;
    this.end(CloseCode.BUFFER_OVERFLOW, 'buffer overflow: the session holds more than ' + max + ' bytes (unacknowledged messages and its transport buffer)');
    return true;
  }

  /** The client has everything up to `seq` (throws ProtocolError past what was ever sent). */
  private acknowledge(seq: number): void {
    const before = this.channel.bufferedBytes;
    this.channel.acknowledge(seq);
    this.#host.memory.charge(this.channel.bufferedBytes - before);
  }

  /** Bytes were released (acknowledged, or written out): owes `drain` if it was seen above the mark and is at or under it now. */
  private released(): void {
    if ((this.#flags & ABOVE_DRAIN) === 0 || this.bufferedAmount > this.#host.options.drainBelow) return;
    this.#flags &= ~ABOVE_DRAIN;
    process.nextTick(drainSession, this);
  }

  /** Calls the app's listeners; what they throw is the app's bug: reported (server/app-errors.ts), the session goes on. */
  private tell<E extends EventEmitter.EventNames<SocketEvents>>(event: E, ...args: EventEmitter.EventArgs<SocketEvents, E>): void {
    try {
      this.fire(event, ...args);
    } catch (e) {
      this.#host.appError(e, this);
    }
  }

  protected override reportAppError(error: unknown): void {
    this.#host.appError(error, this);
  }

  private protocolError(e: unknown): void {
    const detail = protocolErrorReason(e, '');
    const reason = detail ? 'protocol error: ' + detail : 'protocol error';
    this.end(CloseCode.PROTOCOL_ERROR, reason);
  }

  /** A sign of life: a provisional session moves to the back of the eviction order. */
  private active(): void {
    if ((this.#flags & ESTABLISHED) === 0) this.#host.sessionActive(this);
  }

  /** The first application message, either way: the session is established. */
  private establish(): void {
    if ((this.#flags & ESTABLISHED) !== 0) return;
    this.#flags |= ESTABLISHED;
    this.#host.sessionEstablished(this);
    // a provisional resume window that is running gets the full length
    if (this.attached === null && !this.closed) this.startResumeWindow();
  }

  private startResumeWindow(): void {
    this.clearTimer('resume');
    const o = this.#host.options;
    // a session that never carried a message is kept for less: bare handshakes from a flood age out fast
    const window = (this.#flags & ESTABLISHED) !== 0 ? o.resumeWindow : Math.min(o.resumeWindow, o.provisionalResumeWindow);
    this.#deadline = setTimeout(() => this.end(CloseCode.RESUME_WINDOW_EXPIRED, 'resume window expired'), window);
    this.#deadline.unref();
  }

  private startHeartbeat(): void {
    this.clearTimer('ping');
    this.clearTimer('pong');
    if (!this.attached) return;
    this.#host.heartbeats.add(this.heartbeat, this);
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

  private scheduleFlush(): void {
    if ((this.#flags & FLUSH_SCHEDULED) !== 0) return;
    this.#flags |= FLUSH_SCHEDULED;
    // at the end of the current operation, so sends made together go out together
    process.nextTick(flushSession, this);
  }

  private scheduleAck(): void {
    // a write is already coming (the app answered at once): it carries the ack, no timer needed
    if ((this.#flags & FLUSH_SCHEDULED) !== 0) return;
    if (this.channel.unackedInbound() >= 64) {
      this.scheduleFlush();
      return;
    }
    this.#host.acks.add(this);
  }

  private clearTimer(name: 'ping' | 'pong' | 'ack' | 'resume'): void {
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
