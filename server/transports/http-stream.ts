import type { ServerResponse } from 'node:http';
import { encodeControl, encodePacket, entryText, type OutboundEntry, type TransportName } from '../../protocol/index.js';
import { NO_STORE_HEADERS } from './http-headers.js';
import { endWithin } from './flush-deadline.js';
import type { CloseInfo, ServerTransport, TransportListener } from './transport.js';

/** How one kind of HTTP stream turns packets into response bytes. */
export interface StreamFraming {
  readonly contentType: string;
  /**
   * The response's first bytes: padding that makes buffering browsers and proxies let the stream
   * through, then the empty packet whose arrival proves the stream flows.
   */
  start(): string;
  /** One packet; `lastSeq` is the highest message seq it carries, or 0 when it carries none. */
  packet(text: string, lastSeq: number): string;
}

/**
 * A downstream over one long HTTP response, one framed packet per write. Ended after `byteLimit`
 * bytes so neither the client's response buffer nor a proxy's grows without bound; the client
 * then opens a new one. The framing (iframe scripts, server-sent events, lines) is the only
 * difference between the stream transports.
 */
export abstract class HttpStreamTransport implements ServerTransport {
  abstract readonly name: TransportName;
  readonly needsPing = true;
  readonly epoch: number;
  readonly batchBytes: number;
  readonly #res: ServerResponse;
  readonly #framing: StreamFraming;
  readonly #byteLimit: number;
  #listener: TransportListener | null = null;
  #bytes = 0;
  #draining = false;
  #closed = false;

  constructor(res: ServerResponse, epoch: number, byteLimit: number, headers: Record<string, string>, framing: StreamFraming) {
    this.#res = res;
    this.#framing = framing;
    this.epoch = epoch;
    this.#byteLimit = byteLimit;
    this.batchBytes = Math.max(1024, Math.floor(byteLimit / 4));
    res.writeHead(200, {
      ...NO_STORE_HEADERS,
      ...headers,
      'Content-Type': framing.contentType,
    });
    this.#send(framing.start());
    res.on('close', () => this.#onClose());
    res.on('drain', () => {
      this.#draining = false;
      this.#listener?.onWritable();
    });
  }

  get writable(): boolean {
    return !this.#closed && !this.#draining;
  }

  get bufferedAmount(): number {
    return this.#res.writableLength;
  }

  bind(listener: TransportListener): void {
    this.#listener = listener;
  }

  write(controls: string[], entries: OutboundEntry[]): void {
    if (this.#closed) return;
    const texts = controls.slice();
    let lastSeq = 0;
    for (const entry of entries) {
      texts.push(entryText(entry));
      if (entry.seq > lastSeq) lastSeq = entry.seq;
    }
    this.#send(this.#framing.packet(encodePacket(texts), lastSeq));
    if (this.#bytes >= this.#byteLimit) {
      this.#closed = true;
      endWithin(this.#res);
      this.#listener?.onClosed('stream byte limit reached');
    }
  }

  release(): void {}

  close(final: CloseInfo): void {
    if (this.#closed) return;
    if (this.#draining) {
      // the client is not reading: the goodbye would only sit in the buffer; release it now
      this.#closed = true;
      this.#res.destroy();
      return;
    }
    this.#send(this.#framing.packet(encodePacket([encodeControl({ type: 'close', code: final.code, reason: final.reason })]), 0));
    this.drop();
  }

  drop(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#draining) this.#res.destroy();
    else this.#res.end();
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
