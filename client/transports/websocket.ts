import { CloseCode, ProtocolError, protocolErrorReason, decodeBinaryFrame, decodePacket, encodeBinaryFrame, encodePacket, socketEntryText, type Frame, type OutboundEntry, type SeqCursor } from '../../protocol/index.js';
import type { ClientEnv, WebSocketLike } from '../env/env.js';
import type { ClientTransport, ClientTransportListener } from './transport.js';

const OPEN = 1;

/** WebSocket: packets as text messages, binary messages as binary frames. */
export class WebSocketClientTransport implements ClientTransport {
  readonly name = 'websocket';
  readonly epoch: number;
  readonly batchBytes = 64 * 1024;
  private readonly _ws: WebSocketLike;
  private readonly _listener: ClientTransportListener;
  private _closed = false;
  /** The seq of the last message sent on this socket (0: none yet), or -1 until the server is known to take implicit seqs. */
  private _sentSeq = -1;
  /** The seq of the last message received on this socket: the next `["m",0,…]` is the one after. */
  private readonly _cursor: SeqCursor = { lastSeq: 0 };

  /** `greeting`: a packet sent as soon as the socket opens, before anything else (a direct WebSocket's `auth` frame). */
  constructor(env: ClientEnv, url: string, epoch: number, listener: ClientTransportListener, greeting?: string) {
    this.epoch = epoch;
    this._listener = listener;
    const create = env.createWebSocket;
    if (!create) throw new Error('WebSocket is not available here');
    const ws = create(url);
    this._ws = ws;
    ws.onopen = () => {
      if (this._closed) return;
      if (greeting !== undefined) ws.send(greeting);
      listener.onOpen(this);
    };
    ws.onmessage = (event) => this._onMessage(event.data);
    // refused by the server's handshake middleware (4401): its message is the reason, as it is
    ws.onclose = (event) => this._fail(event.code === CloseCode.UNAUTHORIZED ? event.reason : 'websocket closed' + (event.reason ? ': ' + event.reason : ''), event.code);
    ws.onerror = () => this._fail('websocket error', null);
  }

  get streaming(): boolean {
    return this.writable;
  }

  get writable(): boolean {
    return !this._closed && this._ws.readyState === OPEN;
  }

  get bufferedAmount(): number {
    return this._ws.bufferedAmount || 0;
  }

  allowImplicitSeqs(): void {
    if (this._sentSeq < 0) this._sentSeq = 0;
  }

  send(controls: string[], entries: OutboundEntry[]): void {
    let texts = controls.slice();
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (entry.bytes !== null) {
        if (texts.length > 0) this._ws.send(encodePacket(texts));
        texts = [];
        this._ws.send(encodeBinaryFrame(entry.seq, entry.bytes));
      } else {
        // after one message on this socket, the next seq goes as 0
        texts.push(socketEntryText(entry, this._sentSeq));
      }
      if (this._sentSeq >= 0) this._sentSeq = entry.seq;
    }
    if (texts.length > 0) this._ws.send(encodePacket(texts));
  }

  /**
   * With `goodbye`, closes normally without a status code (the cheapest close frame), which ends
   * the session; otherwise with 4012 (this socket only).
   */
  close(goodbye?: boolean): void {
    if (this._closed) return;
    this._closed = true;
    const ws = this._ws;
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.onerror = ignore;
    try {
      if (goodbye) ws.close();
      else ws.close(CloseCode.TRANSPORT_CLOSED);
    } catch (e) {
      // not open yet: closing while connecting throws in some engines
    }
  }

  private _onMessage(data: unknown): void {
    if (this._closed) return;
    let frames: Frame[];
    let bytes: number;
    try {
      if (typeof data === 'string') {
        frames = decodePacket(data, this._cursor);
        bytes = data.length;
      } else {
        const raw = toBytes(data);
        bytes = raw.byteLength;
        const decoded = decodeBinaryFrame(raw);
        if (decoded === null) throw new ProtocolError('malformed binary frame');
        this._cursor.lastSeq = decoded.seq;
        frames = [{ type: 'message', seq: decoded.seq, data: decoded.data }];
      }
    } catch (e) {
      return this._fail(protocolErrorReason(e, 'bad message'), null);
    }
    this._listener.onFrames(this, frames, bytes);
  }

  private _fail(reason: string, code: number | null): void {
    if (this._closed) return;
    this.close();
    this._listener.onError(this, reason, code);
  }
}

function ignore(): void {}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Uint8Array) return data;
  return new Uint8Array(0);
}
