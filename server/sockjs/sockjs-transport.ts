import { askedAckId, CloseCode, type Frame, type OutboundEntry, type TransportName } from '../../protocol/index.js';
import type { CloseInfo, ServerTransport, TransportListener } from '../transports/transport.js';
import { CANNOT_ANSWER, closeFrame, HEARTBEAT_FRAME, messagesFrame, OPEN_FRAME, sockjsText } from './frames.js';
import type { Receiver } from './receivers.js';

/** A receiver's unread bytes past which the session stops writing to it (the client is not reading). */
const HIGH_WATER = 256 * 1024;

export interface SockJSTimings {
  heartbeatDelay: number;
  disconnectDelay: number;
}

/**
 * The close frame a SockJS client gets when its Ferry session ends: `socket.close()` (1000) is
 * SockJS's conventional `c[3000,"Go away!"]`; Ferry's own codes (4000–4999) go as they are.
 */
function sockjsClose(final: CloseInfo): string {
  return final.code === CloseCode.NORMAL ? closeFrame(3000, 'Go away!') : closeFrame(final.code, final.reason);
}

/**
 * The one Ferry transport of a SockJS session: attached once, for the session's life, it writes
 * the session's messages to whichever receiving connection the client has open (a poll, a stream,
 * a WebSocket) as SockJS frames. A SockJS client acknowledges nothing, so what is written counts
 * as delivered (as SockJS itself has it): the transport acknowledges it to the session. Between
 * receivers the session waits `disconnectDelay` for the next, then ends. Messages from the client
 * come as strings, numbered here for the session's channel.
 */
export class SockJSTransport implements ServerTransport {
  readonly name: TransportName;
  readonly epoch = 1;
  readonly needsPing = false;
  readonly batchBytes: number;
  /** A raw WebSocket (`{prefix}/websocket`): messages as WebSocket messages, no SockJS frames. */
  readonly #raw: boolean;
  readonly #timings: SockJSTimings;
  #listener: TransportListener | null = null;
  #receiver: Receiver | null = null;
  /** The heartbeat of an open receiver, or the disconnect timer between receivers. */
  #timer: NodeJS.Timeout | null = null;
  #inbound = 0;
  #ackDue = 0;
  #opened = false;
  /** The session's close frame once it has ended: every later receiver gets it (until forgotten). */
  #closed: string | null = null;
  #onEnded: ((keepClosed: boolean) => void) | null = null;

  constructor(name: TransportName, batchBytes: number, timings: SockJSTimings, raw = false) {
    this.name = name;
    this.batchBytes = batchBytes;
    this.#timings = timings;
    this.#raw = raw;
  }

  get closed(): boolean {
    return this.#closed !== null;
  }

  get writable(): boolean {
    const r = this.#receiver;
    return r !== null && r.open && r.bufferedAmount < HIGH_WATER && this.#closed === null;
  }

  get bufferedAmount(): number {
    return this.#receiver?.bufferedAmount ?? 0;
  }

  bind(listener: TransportListener): void {
    this.#listener = listener;
  }

  /** `fn` runs once when the session ends: `keepClosed` when later receivers should still hear its close frame. */
  onEnded(fn: (keepClosed: boolean) => void): void {
    this.#onEnded = fn;
  }

  #ended(keepClosed: boolean): void {
    const fn = this.#onEnded;
    this.#onEnded = null;
    fn?.(keepClosed);
  }

  /**
   * A receiving connection from the client. The first gets `o`; a second while one is open gets
   * `c[2010,"Another connection still open"]` and ends; after the session's end, its close frame.
   */
  receive(receiver: Receiver): void {
    if (this.#closed !== null) {
      receiver.send(this.#closed);
      receiver.end();
      return;
    }
    if (this.#receiver !== null && this.#receiver.open) {
      receiver.send(closeFrame(2010, 'Another connection still open'));
      receiver.end();
      return;
    }
    this.#receiver = receiver;
    receiver.onEnd((aborted) => this.#receiverEnded(receiver, aborted));
    if (!this.#opened) {
      this.#opened = true;
      if (!this.#raw) receiver.send(OPEN_FRAME);
    }
    if (!receiver.open) return; // a poll answered with `o`
    this.#heartbeat();
    this.#listener?.onWritable();
  }

  /** Messages from the client, in order. */
  messages(texts: readonly string[]): void {
    if (this.#closed !== null || texts.length === 0) return;
    const frames: Frame[] = texts.map((data) => ({ type: 'message', seq: ++this.#inbound, data }));
    this.#listener?.onFrames(frames, texts.reduce((n, t) => n + t.length, 0));
  }

  write(_controls: string[], entries: OutboundEntry[]): void {
    const receiver = this.#receiver;
    if (receiver === null || entries.length === 0) return;
    const texts: string[] = [];
    const unanswerable: Frame[] = [];
    for (const entry of entries) {
      const text = sockjsText(entry.item);
      if (text !== null) texts.push(text);
      const ackId = askedAckId(entry.item);
      if (ackId !== null) unanswerable.push({ type: 'answer', seq: 0, ackId, value: null, error: CANNOT_ANSWER });
    }
    if (texts.length > 0) {
      if (this.#raw) for (const text of texts) receiver.send(JSON.parse(text) as string);
      else receiver.send(messagesFrame(texts));
    }
    // written is delivered, as SockJS has it: acknowledged once the session's write is done
    const due = this.#ackDue;
    this.#ackDue = entries[entries.length - 1].seq;
    if (due === 0) process.nextTick(() => this.#acknowledge());
    // an event asking for an answer fails at once, as if the page had answered so
    if (unanswerable.length > 0) process.nextTick(() => this.#answer(unanswerable));
    if (receiver.open) this.#heartbeat();
  }

  release(): void {}

  close(final: CloseInfo): void {
    if (this.#closed !== null) return;
    this.#closed = sockjsClose(final);
    this.#stopTimer();
    this.#ended(true);
    const receiver = this.#receiver;
    this.#receiver = null;
    if (receiver === null || !receiver.open) return;
    if (this.#raw) return receiver.end(final.code === CloseCode.NORMAL ? 1000 : final.code, final.reason);
    receiver.send(this.#closed);
    receiver.end(3000, 'Go away!');
  }

  drop(): void {}

  #acknowledge(): void {
    const seq = this.#ackDue;
    this.#ackDue = 0;
    if (this.#closed === null && seq > 0) this.#listener?.onFrames([{ type: 'ack', seq }]);
  }

  #answer(answers: Frame[]): void {
    if (this.#closed !== null) return;
    for (const answer of answers) (answer as { seq: number }).seq = ++this.#inbound;
    this.#listener?.onFrames(answers);
  }

  /** An open receiver hears `h` after `heartbeatDelay` without a frame (a poll is answered by it). */
  #heartbeat(): void {
    this.#stopTimer();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const receiver = this.#receiver;
      if (receiver === null || !receiver.open || this.#closed !== null) return;
      if (!this.#raw) receiver.send(HEARTBEAT_FRAME);
      if (receiver.open) this.#heartbeat();
    }, this.#timings.heartbeatDelay);
    this.#timer.unref();
  }

  /**
   * Between receivers the session waits `disconnectDelay` for the next. A receiver the client cut
   * (a page closed, a request aborted) ends it at once, as SockJS has it, and so does the end of a
   * WebSocket, the session's one connection.
   */
  #receiverEnded(receiver: Receiver, aborted: boolean): void {
    if (this.#receiver !== receiver) return;
    this.#receiver = null;
    if (this.#closed !== null) return;
    this.#stopTimer();
    const delay = aborted || this.name === 'websocket' ? 0 : this.#timings.disconnectDelay;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#receiver === null && this.#closed === null) {
        this.#closed = closeFrame(CloseCode.NORMAL, 'client gone');
        this.#ended(false);
        this.#listener?.onClosed('no receiving connection', { code: CloseCode.NORMAL, reason: 'client gone' });
      }
    }, delay);
    this.#timer.unref();
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
