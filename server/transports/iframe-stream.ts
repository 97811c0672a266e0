import type { ServerResponse } from 'node:http';
import { encodeControl, encodePacket, entryText, iframeChunk, iframePrelude, type OutboundEntry } from '../../protocol/index.js';
import { NO_STORE_HEADERS } from './http-headers.js';
import type { CloseInfo, ServerTransport, TransportListener } from './transport.js';

/**
 * Iframe streaming ("forever frame"): one long HTML response, one `<script>` chunk per packet.
 * Ended after `byteLimit` bytes so neither the browser's document nor a proxy's buffer grows
 * without bound; the client opens a new one.
 */
export class IframeStreamTransport implements ServerTransport {
  readonly name = 'iframe-streaming';
  readonly needsPing = true;
  readonly epoch: number;
  readonly batchBytes: number;
  readonly #res: ServerResponse;
  readonly #byteLimit: number;
  #listener: TransportListener | null = null;
  #bytes = 0;
  #draining = false;
  #closed = false;

  constructor(res: ServerResponse, epoch: number, callbackId: string, byteLimit: number, headers: Record<string, string>) {
    this.#res = res;
    this.epoch = epoch;
    this.#byteLimit = byteLimit;
    this.batchBytes = Math.max(1024, Math.floor(byteLimit / 4));
    res.writeHead(200, {
      ...NO_STORE_HEADERS,
      ...headers,
      'Content-Type': 'text/html; charset=utf-8',
    });
    // the prelude, then an empty packet: its arrival proves the stream flows through the path
    this.#send(iframePrelude(callbackId) + iframeChunk('[]'));
    res.on('close', () => this.#onClose());
    res.on('drain', () => {
      this.#draining = false;
      this.#listener?.onWritable();
    });
  }

  get writable(): boolean {
    return !this.#closed && !this.#draining;
  }

  bind(listener: TransportListener): void {
    this.#listener = listener;
  }

  write(controls: string[], entries: OutboundEntry[]): void {
    if (this.#closed) return;
    const texts = controls.slice();
    for (const entry of entries) texts.push(entryText(entry));
    this.#send(iframeChunk(encodePacket(texts)));
    if (this.#bytes >= this.#byteLimit) {
      this.#closed = true;
      this.#res.end();
      this.#listener?.onClosed('stream byte limit reached');
    }
  }

  release(): void {}

  close(final: CloseInfo): void {
    if (this.#closed) return;
    this.#send(iframeChunk(encodePacket([encodeControl({ type: 'close', code: final.code, reason: final.reason })])));
    this.drop();
  }

  drop(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#res.end();
  }

  #send(chunk: string): void {
    this.#bytes += Buffer.byteLength(chunk);
    if (!this.#res.write(chunk)) this.#draining = true;
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener?.onClosed('stream closed');
  }
}
