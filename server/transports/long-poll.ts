import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeControl, encodePacket, entryText, type OutboundEntry } from '../../protocol/index.js';
import { NO_STORE_HEADERS } from './http-headers.js';
import type { CloseInfo, ServerTransport, TransportListener } from './transport.js';

export interface LongPollSettings {
  /** How long after answering a poll the next one must arrive. */
  idleTimeout: number;
  batchBytes: number;
}

/**
 * XHR long-polling, receiving side: one GET is held until there is something to send or the hold
 * time passes. Each response is one packet. Sends arrive as POSTs, handled by the router.
 */
export class LongPollTransport implements ServerTransport {
  readonly name = 'xhr-polling';
  readonly needsPing = false;
  readonly epoch: number;
  readonly batchBytes: number;
  readonly #settings: LongPollSettings;
  #listener: TransportListener | null = null;
  #pending: ServerResponse | null = null;
  #headers: Record<string, string> = {};
  #holdTimer: NodeJS.Timeout | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #closed = false;
  /** The first poll of a transport is answered at once: it confirms to the client that it works. */
  #first = true;

  constructor(epoch: number, settings: LongPollSettings) {
    this.epoch = epoch;
    this.batchBytes = settings.batchBytes;
    this.#settings = settings;
  }

  get writable(): boolean {
    return this.#pending !== null;
  }

  get closed(): boolean {
    return this.#closed;
  }

  bind(listener: TransportListener): void {
    this.#listener = listener;
  }

  /**
   * A poll arrived; it is answered with an empty packet after `holdTime` if nothing comes to send.
   * Returns false when another poll is already held.
   */
  hold(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>, holdTime: number): boolean {
    if (this.#pending !== null || this.#closed) return false;
    this.#clearIdle();
    this.#pending = res;
    this.#headers = headers;
    this.#holdTimer = setTimeout(() => this.#respond('[]'), holdTime);
    res.on('close', () => {
      if (this.#pending !== res) return;
      this.#pending = null;
      this.#clearHold();
      this.#startIdle();
    });
    req.resume();
    this.#listener?.onWritable();
    if (this.#first) {
      this.#first = false;
      if (this.#pending === res) this.#respond('[]');
    }
    return true;
  }

  write(controls: string[], entries: OutboundEntry[]): void {
    const texts = controls.slice();
    for (const entry of entries) texts.push(entryText(entry));
    this.#respond(encodePacket(texts));
  }

  release(): void {
    if (this.#pending) this.#respond('[]');
  }

  close(final: CloseInfo): void {
    this.#end(encodePacket([encodeControl({ type: 'close', code: final.code, reason: final.reason })]));
  }

  drop(): void {
    this.#end('[]');
  }

  #end(lastResponse: string): void {
    if (this.#closed) return;
    if (this.#pending) this.#respond(lastResponse);
    this.#closed = true;
    this.#clearHold();
    this.#clearIdle();
  }

  #respond(body: string): void {
    const res = this.#pending;
    if (!res) return;
    this.#pending = null;
    this.#clearHold();
    res.writeHead(200, {
      ...NO_STORE_HEADERS,
      ...this.#headers,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
    if (!this.#closed) this.#startIdle();
  }

  #startIdle(): void {
    if (this.#closed || this.#idleTimer) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#pending || this.#closed) return;
      this.#closed = true;
      this.#listener?.onClosed('poll timeout');
    }, this.#settings.idleTimeout);
    this.#idleTimer.unref();
  }

  #clearHold(): void {
    if (this.#holdTimer) clearTimeout(this.#holdTimer);
    this.#holdTimer = null;
  }

  #clearIdle(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }
}
