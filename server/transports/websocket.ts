import type { Duplex } from 'node:stream';
import { closeReason } from './close-reason.js';
import type { WebSocket, RawData } from 'ws';
import {
  CloseCode,
  ProtocolError,
  protocolErrorReason,
  decodeBinaryFrame,
  decodePacket,
  encodeBinaryFrame,
  encodeControl,
  encodePacket,
  socketEntryText,
  implicitPacket,
  type Frame,
  type OutboundEntry,
  type SeqCursor,
} from '../../protocol/index.js';
import type { CloseInfo, ServerTransport, TransportListener } from './transport.js';

/** WebSocket close codes that mean "the client sent too much". */
const TOO_BIG = 1009;
/** `fault` of a connection whose client sent a message over maxPayload. */
const TOO_BIG_FAULT = 'message too large';
/** What a close frame without a status code reports (RFC 6455 section 7.1.5). */
const NO_STATUS = 1005;
/**
 * The socket buffer (bytes `ws` has not handed to the kernel) above which the transport takes no
 * more writes: about one batch. Past it the session waits for the socket's `drain`.
 */
const HIGH_WATER = 64 * 1024;

/** A `ws` connection: text packets as text messages, binary messages as binary frames. */
export class WebSocketTransport implements ServerTransport, SeqCursor {
  readonly name = 'websocket';
  readonly needsPing = true;
  readonly batchBytes = HIGH_WATER;
  readonly epoch: number;
  readonly #ws: WebSocket;
  /** The connection `ws` writes to: its `drain` ends a wait for the client to read. */
  readonly #socket: Duplex;
  #listener: TransportListener | null = null;
  #closed = false;
  /**
   * The seq of the last message written on this connection (0: none yet), or -1 when the client
   * takes no implicit seqs (it did not announce `minor`): after one, the next goes as seq 0.
   */
  #sentSeq: number;
  /** @internal The seq of the last message decoded on this connection (the receiving SeqCursor). */
  lastSeq = 0;
  /**
   * @internal What ws found wrong with the client's frames, if anything: `TOO_BIG_FAULT` for a
   * message over maxPayload, else the reason of a malformed frame (its 1002 and 1007 errors). One
   * field for both: every idle connection pays for each.
   */
  fault: string | null = null;

  /**
   * `socket` is the connection `ws` writes to (the upgrade's socket): its `drain` says when the
   * peer has taken what was buffered, so writing can go on.
   */
  constructor(ws: WebSocket, epoch: number, socket: Duplex, implicitSeqs: boolean) {
    this.#ws = ws;
    this.epoch = epoch;
    this.#sentSeq = implicitSeqs ? 0 : -1;
    // module-level handlers that find the transport on the socket: no closures per connection
    (ws as TaggedSocket)[TRANSPORT] = this;
    this.#socket = socket;
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onError);
  }

  /** Open, and the socket's buffer below the high-water mark (a peer that does not read stops writes). */
  get writable(): boolean {
    return !this.#closed && this.#ws.bufferedAmount < HIGH_WATER;
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  bind(listener: TransportListener): void {
    this.#listener = listener;
  }

  write(controls: string[], entries: OutboundEntry[]): void {
    if (this.#closed) return;
    const first = entries.length === 1 ? entries[0] : null;
    if (controls.length === 0 && first !== null && first.item !== null && this.#sentSeq > 0 && first.seq === this.#sentSeq + 1) {
      // one message at the next seq: the same packet for every recipient of a broadcast
      this.#sentSeq++;
      this.#ws.send(implicitPacketBytes(first.item), TEXT);
      this.watchDrain();
      return;
    }
    let texts = controls;
    for (const entry of entries) {
      if (entry.bytes !== null) {
        if (texts.length > 0) this.#ws.send(encodePacket(texts));
        texts = [];
        this.#ws.send(encodeBinaryFrame(entry.seq, entry.bytes));
      } else {
        texts.push(socketEntryText(entry, this.#sentSeq));
      }
      if (this.#sentSeq >= 0) this.#sentSeq = entry.seq;
    }
    if (texts.length > 0) this.#ws.send(encodePacket(texts));
    this.watchDrain();
  }

  release(): void {}

  close(final: CloseInfo): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ws.bufferedAmount >= HIGH_WATER) {
      // the peer is not reading: neither the close frame nor the closing handshake would get
      // through, and waiting for them would hold the buffer for ws's close timeout
      this.#ws.terminate();
      return;
    }
    this.#ws.send(encodePacket([encodeControl({ type: 'close', code: final.code, reason: final.reason })]));
    this.#ws.close(final.code === CloseCode.NORMAL ? 1000 : final.code, closeReason(final.reason));
  }

  drop(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ws.bufferedAmount >= HIGH_WATER) this.#ws.terminate();
    else this.#ws.close(code, reason);
  }

  /**
   * After a write that left the socket above the high-water mark, waits for its `drain` to tell
   * the session it can write again. Only then is a listener added: an idle connection pays nothing.
   */
  private watchDrain(): void {
    if (this.#ws.bufferedAmount < HIGH_WATER || AWAITING_DRAIN.has(this)) return;
    AWAITING_DRAIN.add(this);
    this.#socket.once('drain', () => {
      AWAITING_DRAIN.delete(this);
      if (!this.#closed) this.#listener?.onWritable();
    });
  }

  /** @internal the socket's message handler */
  receive(data: RawData, isBinary: boolean): void {
    if (this.#closed || !this.#listener) return;
    let frames: Frame[];
    try {
      frames = isBinary ? [binaryMessage(data, this)] : decodePacket(data.toString(), this);
    } catch (e) {
      const reason = protocolErrorReason(e, 'malformed packet');
      this.#fail(CloseCode.PROTOCOL_ERROR, 'protocol error: ' + reason);
      return;
    }
    this.#listener.onFrames(frames, Array.isArray(data) ? data.reduce((n, part) => n + part.byteLength, 0) : data.byteLength);
  }

  #fail(code: number, reason: string): void {
    const listener = this.#listener;
    this.drop(code, reason);
    listener?.onClosed(reason, { code, reason });
  }

  /** @internal the socket's close handler */
  ended(code: number): void {
    if (this.#closed) return;
    this.#closed = true;
    if (code === NO_STATUS || code === CloseCode.NORMAL) {
      // the client's goodbye: a WebSocket it closes normally (no status code, or 1000) ends its session
      this.#listener?.onClosed('client closed', { code: CloseCode.NORMAL, reason: 'client closed' });
    } else if (code === TOO_BIG || this.fault === TOO_BIG_FAULT) {
      this.#listener?.onClosed('message too large', { code: CloseCode.MESSAGE_TOO_LARGE, reason: 'message too large' });
    } else if (this.fault !== null) {
      // malformed input ends the session, as a malformed packet does
      const reason = 'protocol error: ' + this.fault;
      this.#listener?.onClosed(reason, { code: CloseCode.PROTOCOL_ERROR, reason });
    } else if (code === CloseCode.TRANSPORT_CLOSED) {
      // the client gave this WebSocket up (usually falling back to another transport)
      this.#listener?.onClosed('websocket closed by client');
    } else {
      this.#listener?.onClosed('websocket closed');
    }
  }
}

/** A binary message: its seq is explicit, and the next implicit one follows it. */
function binaryMessage(data: RawData, cursor: SeqCursor): Frame {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  const decoded = decodeBinaryFrame(bytes);
  if (decoded === null) throw new ProtocolError('malformed binary frame');
  cursor.lastSeq = decoded.seq;
  return { type: 'message', seq: decoded.seq, data: decoded.data };
}

/** `ws` send options for a text message given as bytes. */
const TEXT = { binary: false };
/** The item `implicitPacketBytes` encoded last (a broadcast's, usually), and its packet's UTF-8 bytes. */
let lastItem: string | null = null;
let lastBytes = Buffer.alloc(0);

/**
 * The UTF-8 bytes of `implicitPacket(item)`, encoded once for every recipient of a broadcast: `ws`
 * writes bytes it is given as they are, behind each socket's own frame header.
 */
function implicitPacketBytes(item: string): Buffer {
  if (item !== lastItem) {
    lastBytes = Buffer.from(implicitPacket(item));
    lastItem = item;
  }
  return lastBytes;
}

const TRANSPORT = Symbol('ferry.transport');
type TaggedSocket = WebSocket & { [TRANSPORT]: WebSocketTransport };
/** Transports waiting for their socket's `drain` (few: only those whose client is slow to read). */
const AWAITING_DRAIN = new WeakSet<WebSocketTransport>();

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  (this as TaggedSocket)[TRANSPORT].receive(data, isBinary);
}

function onClose(this: WebSocket, code: number): void {
  (this as TaggedSocket)[TRANSPORT].ended(code);
}

/** `ws` errors that mean the client sent too much (ws closes with 1009, or 1008 for too many fragments). */
const TOO_BIG_ERRORS = new Set(['WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', 'WS_ERR_TOO_MANY_BUFFERED_PARTS']);

/**
 * ws closes the connection itself after an error; remember what it meant for `ended()`: too big,
 * or malformed frames (every other `WS_ERR_*`: bad opcode, unmasked frame, reserved bits,
 * fragmented control frame, invalid UTF-8, bad close code). Socket errors (resets) are neither.
 */
function onError(this: WebSocket, err: Error & { code?: string }): void {
  const transport = (this as TaggedSocket)[TRANSPORT];
  if (err.code === undefined || !err.code.startsWith('WS_ERR_')) return;
  if (TOO_BIG_ERRORS.has(err.code)) transport.fault = TOO_BIG_FAULT;
  else transport.fault ??= err.message.replace(/^Invalid WebSocket frame: /, '').slice(0, 80);
}
