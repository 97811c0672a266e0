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
  entryText,
  type Frame,
  type OutboundEntry,
} from '../../protocol/index.js';
import type { CloseInfo, ServerTransport, TransportListener } from './transport.js';

/** WebSocket close codes that mean "the client sent too much". */
const TOO_BIG = 1009;
/** What a close frame without a status code reports (RFC 6455 section 7.1.5). */
const NO_STATUS = 1005;

/** A `ws` connection: text packets as text messages, binary messages as binary frames. */
export class WebSocketTransport implements ServerTransport {
  readonly name = 'websocket';
  readonly needsPing = true;
  readonly batchBytes = 64 * 1024;
  readonly epoch: number;
  readonly #ws: WebSocket;
  #listener: TransportListener | null = null;
  #closed = false;
  /** @internal set when ws refused a message for its size */
  tooBig = false;

  constructor(ws: WebSocket, epoch: number) {
    this.#ws = ws;
    this.epoch = epoch;
    // module-level handlers that find the transport on the socket: no closures per connection
    (ws as TaggedSocket)[TRANSPORT] = this;
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onError);
  }

  get writable(): boolean {
    return !this.#closed;
  }

  bind(listener: TransportListener): void {
    this.#listener = listener;
  }

  write(controls: string[], entries: OutboundEntry[]): void {
    if (this.#closed) return;
    let texts = controls;
    for (const entry of entries) {
      if (entry.bytes !== null) {
        if (texts.length > 0) this.#ws.send(encodePacket(texts));
        texts = [];
        this.#ws.send(encodeBinaryFrame(entry.seq, entry.bytes));
      } else {
        texts.push(entryText(entry));
      }
    }
    if (texts.length > 0) this.#ws.send(encodePacket(texts));
  }

  release(): void {}

  close(final: CloseInfo): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ws.send(encodePacket([encodeControl({ type: 'close', code: final.code, reason: final.reason })]));
    this.#ws.close(final.code === CloseCode.NORMAL ? 1000 : final.code, final.reason.slice(0, 120));
  }

  drop(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ws.close(code, reason);
  }

  /** @internal the socket's message handler */
  receive(data: RawData, isBinary: boolean): void {
    if (this.#closed || !this.#listener) return;
    let frames: Frame[];
    try {
      frames = isBinary ? [binaryMessage(data)] : decodePacket(data.toString());
    } catch (e) {
      const reason = protocolErrorReason(e, 'malformed packet');
      this.#fail(CloseCode.PROTOCOL_ERROR, 'protocol error: ' + reason);
      return;
    }
    this.#listener.onFrames(frames);
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
    } else if (code === TOO_BIG || this.tooBig) {
      this.#listener?.onClosed('message too large', { code: CloseCode.MESSAGE_TOO_LARGE, reason: 'message too large' });
    } else {
      this.#listener?.onClosed('websocket closed');
    }
  }
}

function binaryMessage(data: RawData): Frame {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  const decoded = decodeBinaryFrame(bytes);
  if (decoded === null) throw new ProtocolError('malformed binary frame');
  return { type: 'message', seq: decoded.seq, data: decoded.data };
}

const TRANSPORT = Symbol('ferry.transport');
type TaggedSocket = WebSocket & { [TRANSPORT]: WebSocketTransport };

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  (this as TaggedSocket)[TRANSPORT].receive(data, isBinary);
}

function onClose(this: WebSocket, code: number): void {
  (this as TaggedSocket)[TRANSPORT].ended(code);
}

/** ws closes the connection itself after an error; remember the one that means "too big". */
function onError(this: WebSocket, err: Error & { code?: string }): void {
  if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') (this as TaggedSocket)[TRANSPORT].tooBig = true;
}
