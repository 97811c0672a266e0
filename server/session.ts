import {
  CloseCode,
  ProtocolError,
  protocolErrorReason,
  ReliableChannel,
  encodeAck,
  encodeControl,
  entryText,
  messageItem,
  type AppData,
  type AppItem,
  type Frame,
  type TransportName,
} from '../protocol/index.js';
import type { EventEmitter } from 'eventemitter3';
import type { HandshakeInfo, SocketEvents } from './socket.js';
import { ABOVE_DRAIN, CLOSED, FLUSH_SCHEDULED, LiveSession } from './session-liveness.js';
import type { BudgetHolder } from './memory-budget.js';
import { finalClose, rememberFinalClose } from './final-close.js';
import { messageForApp } from './message-bytes.js';
import type { SessionHost } from './session-host.js';
import type { Rooms } from './rooms/rooms.js';
import type { CloseInfo, ServerTransport, TransportListener } from './transports/transport.js';

/** Message bytes a send's reply carries at most (its purpose is the prompt answer, not bulk). */
const SEND_REPLY_BYTES = 8 * 1024;

function flushSession(session: Session): void {
  session.flush();
}

function drainSession(session: Session): void {
  session.drained();
}

/**
 * One client session: its delivery (the reliable channel: queueing, flushing, acks, the byte
 * budget and `drain`), attaching and replacing transports, receiving frames and ending, independent
 * of the transport it is on. Transports are attached and replaced; the channel and its sequence
 * numbers survive them. Heartbeats, the resume window and the provisional state are its base
 * class's (server/session-liveness.ts). The session is the application's `Socket` too (typed as
 * one, so its other members stay out of the public API). Its fields are few and packed (flags and
 * one deadline timer, in the base class) because 10,000 idle sessions pay for each; its helper
 * methods are `private`, not `#`, because a `#` method gives every instance a brand slot.
 */
export class Session extends LiveSession implements TransportListener, BudgetHolder {
  readonly id: string;
  readonly #token: string;
  readonly channel = new ReliableChannel();
  /** The name of the attached transport, or of the last one. */
  transport: TransportName;
  /** Epoch of the newest transport attached; requests from older ones are stale. */
  epoch = 0;

  constructor(id: string, token: string, transportName: TransportName, handshake: HandshakeInfo, host: SessionHost) {
    super(handshake, host);
    this.id = id;
    this.#token = token;
    this.transport = transportName;
    this.startResumeWindow();
  }

  protected get asSession(): Session {
    return this;
  }

  /** @internal Rooms and broadcast (server/rooms/rooms.ts), shared by all sessions. */
  protected get roomService(): Rooms {
    return this.host.rooms;
  }

  /** @internal The session's secret (the handshake returns it to the client). Not an own property, so logging a socket does not print it. */
  get token(): string {
    return this.#token;
  }

  get connected(): boolean {
    return this.attached !== null;
  }

  get bufferedAmount(): number {
    const transport = this.attached;
    const amount = this.channel.bufferedBytes + (transport === null ? 0 : transport.bufferedAmount);
    // whoever saw it above the mark (the app, or queueItem's budget check) is owed a `drain`
    if (amount > this.host.options.drainBelow) this.flags |= ABOVE_DRAIN;
    return amount;
  }

  get drainBelow(): number {
    return this.host.options.drainBelow;
  }

  protected get ackLimit(): number {
    return this.host.options.maxPendingAcks;
  }

  /** Makes `transport` the session's transport; `clientAck` is the last message the client has. */
  attach(transport: ServerTransport, clientAck: number): void {
    if (this.closed) {
      transport.close(finalClose(this));
      return;
    }
    this.countResume();
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
            this.host.metrics.messagesIn++;
            this.establish();
            // delivered even when the app's listener throws: the rest of the batch goes on
            this.tell('message', messageForApp(frame.data as AppData));
          }
          break;
        case 'event':
        case 'answer':
          if (this.channel.accept(frame.seq) !== 'deliver') break;
          this.host.metrics.eventsIn++;
          this.establish();
          if (frame.type === 'event') this.receiveEvent(frame);
          else this.receiveAnswer(frame.ackId, frame.value, frame.error);
          break;
        case 'ack':
          this.acknowledge(frame.seq);
          break;
        case 'pong':
          break;
        case 'upgrade':
          // by POST, naming the candidate stream to switch to; over a WebSocket, only its own first frame
          if (frame.epoch === undefined) throw new ProtocolError('unexpected "upgrade" frame from the client');
          this.takeOver(frame.epoch, frame.ack);
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

  protected queue(data: AppData): boolean {
    if (this.closed) return false;
    return this.queueItem(messageItem(data));
  }

  /** Numbers and queues an item already encoded (protocol/app-items.ts; a broadcast encodes once). False once closed or shed. */
  override queueItem(item: AppItem): boolean {
    if (this.closed) return false;
    const before = this.channel.bufferedBytes;
    this.channel.pushItem(item);
    this.host.metrics.queued(item);
    // past the process-wide cap the largest sessions are shed, which may be this one
    this.host.memory.charge(this.channel.bufferedBytes - before);
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
  override flush(): void {
    this.flags &= ~FLUSH_SCHEDULED;
    const transport = this.attached;
    if (!transport || !transport.writable || this.closed) return;
    const controls: string[] = [];
    if (this.channel.unackedInbound() > 0) {
      controls.push(encodeAck(this.channel.takeAck()));
      this.clearTimer('ack');
    }
    const ping = this.takeOwedPing();
    if (ping !== null) controls.push(ping);
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

  /**
   * The frames of a send's (readable) reply: the ack; `detached` when the session has no
   * downstream (the client's stream is gone); and on long-polling with no poll held, what is
   * waiting to be sent, so the answer to what the client just sent need not wait for its next
   * poll. Those start right after the client's last ack (whatever a poll in flight carries comes
   * again), so the reply and that poll may arrive in either order without a gap.
   */
  sendReply(): string[] {
    this.clearTimer('ack');
    const texts = [encodeAck(this.channel.takeAck())];
    const transport = this.attached;
    if (transport === null) texts.push(encodeControl({ type: 'detached' }));
    else if (!transport.needsPing && !transport.writable && this.channel.hasUnwritten()) {
      this.channel.rewind();
      for (const entry of this.channel.takeUnwritten(SEND_REPLY_BYTES)) texts.push(entryText(entry));
    }
    return texts;
  }

  /** Ends the session for good. */
  override end(code: number, reason: string): void {
    if (this.closed) return;
    this.flags |= CLOSED;
    rememberFinalClose(this, { code, reason });
    for (const name of ['ping', 'pong', 'ack', 'resume'] as const) this.clearTimer(name);
    const transport = this.attached;
    this.attached = null;
    if (transport) transport.close({ code, reason });
    // nothing will be resent: the messages' memory goes now, whoever still holds the socket
    const held = this.channel.bufferedBytes;
    this.channel.clear();
    this.host.memory.charge(-held);
    this.host.sessionEnded(this);
    this.host.metrics.sessionEnded(this, code, reason);
    this.endEvents(reason);
    this.tell('close', reason);
    this.removeAllListeners();
  }

  // TransportListener

  onFrames(frames: Frame[], bytes = 0): void {
    this.host.metrics.bytesIn += bytes;
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

  onClosed(reason: string, fatal?: CloseInfo): void {
    const lost = this.attached;
    this.attached = null;
    if (fatal) this.end(fatal.code, fatal.reason);
    else {
      if (lost !== null) this.transportLost(lost.name, reason);
      this.detach();
    }
  }

  /**
   * The client switched to its candidate stream of `epoch`, having everything up to `ack`. When
   * that stream is gone (or stale), the client has still left its older transport: that is
   * dropped, so the POST's reply says `detached` and the client resumes.
   */
  private takeOver(epoch: number, ack: number): void {
    const candidate = this.host.candidates.take(this, epoch);
    const current = this.attached;
    if (candidate !== null && epoch >= this.epoch && (current === null || current.epoch < epoch)) {
      this.host.metrics.upgraded(this, this.transport, candidate.name);
      this.attach(candidate, ack);
      return;
    }
    if (candidate !== null) candidate.drop(CloseCode.STALE_TRANSPORT, 'stale transport');
    if (current !== null && current.epoch < epoch) this.dropTransport(current, CloseCode.TRANSPORT_REPLACED, 'the client switched to a stream that is gone');
  }

  /** Drops a transport that stopped working; the client may resume within the window. */
  override dropTransport(transport: ServerTransport, code: number, reason: string): void {
    if (this.attached !== transport) return;
    transport.drop(code, reason);
    this.transportLost(transport.name, reason, code);
    this.detach();
  }

  /**
   * Past `maxBufferedBytes` (unacknowledged messages plus the transport's own buffer) the session
   * ends, and its transport is destroyed if the client is not reading, releasing both at once.
   */
  private overBudget(): boolean {
    const max = this.host.options.maxBufferedBytes;
    if (this.bufferedAmount <= max) return false;
    this.end(CloseCode.BUFFER_OVERFLOW, 'buffer overflow: the session holds more than ' + max + ' bytes (unacknowledged messages and its transport buffer)');
    return true;
  }

  /** The client has everything up to `seq` (throws ProtocolError past what was ever sent). */
  private acknowledge(seq: number): void {
    const before = this.channel.bufferedBytes;
    this.channel.acknowledge(seq);
    this.host.memory.charge(this.channel.bufferedBytes - before);
  }

  /** Bytes were released (acknowledged, or written out): owes `drain` if it was seen above the mark and is at or under it now. */
  private released(): void {
    if ((this.flags & ABOVE_DRAIN) === 0 || this.bufferedAmount > this.host.options.drainBelow) return;
    this.flags &= ~ABOVE_DRAIN;
    process.nextTick(drainSession, this);
  }

  /** Calls the app's listeners; what they throw is the app's bug: reported (server/app-errors.ts), the session goes on. */
  private tell<E extends EventEmitter.EventNames<SocketEvents>>(event: E, ...args: EventEmitter.EventArgs<SocketEvents, E>): void {
    try {
      this.fire(event, ...args);
    } catch (e) {
      this.host.appError(e, this);
    }
  }

  protected override reportAppError(error: unknown): void {
    this.host.appError(error, this);
  }

  private protocolError(e: unknown): void {
    const detail = protocolErrorReason(e, '');
    const reason = detail ? 'protocol error: ' + detail : 'protocol error';
    this.end(CloseCode.PROTOCOL_ERROR, reason);
  }

  private scheduleFlush(): void {
    if ((this.flags & FLUSH_SCHEDULED) !== 0) return;
    this.flags |= FLUSH_SCHEDULED;
    // at the end of the current operation, so sends made together go out together
    process.nextTick(flushSession, this);
  }

  private scheduleAck(): void {
    // a write is already coming (the app answered at once): it carries the ack, no timer needed
    if ((this.flags & FLUSH_SCHEDULED) !== 0) return;
    if (this.channel.unackedInbound() >= 64) {
      this.scheduleFlush();
      return;
    }
    this.host.acks.add(this);
  }
}
