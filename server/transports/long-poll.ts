import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeControl, encodePacket, entryText, type OutboundEntry } from '../../protocol/index.js';
import { NO_HEADERS, NO_STORE_HEADERS } from './http-headers.js';
import type { CloseInfo, ServerTransport, TransportListener } from './transport.js';

/** A poll response: how one packet is written to the wire. */
export interface PollResponse {
  contentType: string;
  body: string;
}

/** Renders a packet's text as one poll's response (plain text for XHR, a script for JSONP). */
export type PollRenderer = (packetText: string) => PollResponse;

/** The XHR poll response: the packet itself. */
export const renderPlainPoll: PollRenderer = (packetText) => ({ contentType: 'text/plain; charset=utf-8', body: packetText });

export interface LongPollSettings {
  /** Which polling transport this is; the response format comes with each poll (`hold`). */
  name: 'xhr-polling' | 'jsonp-polling';
  /** How long after answering a poll the next one must arrive. */
  idleTimeout: number;
  batchBytes: number;
}

/** The transport holding a response, kept on the response so one module-level listener serves all. */
const HELD_BY = Symbol('ferry.heldBy');
type HeldResponse = ServerResponse & { [HELD_BY]?: LongPollTransport | null };

/** `close` listener of every held poll: no closure per poll. */
function onHeldPollClosed(this: HeldResponse): void {
  const transport = this[HELD_BY];
  this[HELD_BY] = null;
  if (transport) transport.pollClosed(this);
}

/**
 * Long-polling, receiving side: one GET is held until there is something to send or the
 * session's heartbeat releases it (the shared heartbeat timer calls `release`, so a held poll is
 * answered within one heartbeat interval and costs no timer of its own). Each response is one
 * packet, rendered by the poll's renderer (XHR or JSONP). Sends arrive as POSTs, handled by the
 * router.
 */
export class LongPollTransport implements ServerTransport {
  readonly name: 'xhr-polling' | 'jsonp-polling';
  readonly needsPing = false;
  readonly epoch: number;
  readonly batchBytes: number;
  readonly #settings: LongPollSettings;
  #listener: TransportListener | null = null;
  #pending: ServerResponse | null = null;
  #headers: Readonly<Record<string, string>> = NO_HEADERS;
  #render: PollRenderer = renderPlainPoll;
  #idleTimer: NodeJS.Timeout | null = null;
  #closed = false;
  /** The first poll of a transport is answered at once: it confirms to the client that it works. */
  #first = true;

  constructor(epoch: number, settings: LongPollSettings) {
    this.name = settings.name;
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
   * A poll arrived; it is answered when there is something to send, or with an empty packet when
   * the heartbeat releases it. `headers` (shared, never modified) go on its response and `render`
   * writes it. Returns false when another poll is already held.
   */
  hold(req: IncomingMessage, res: ServerResponse, headers: Readonly<Record<string, string>>, render: PollRenderer = renderPlainPoll): boolean {
    if (this.#pending !== null || this.#closed) return false;
    this.#clearIdle();
    this.#pending = res;
    this.#headers = headers;
    this.#render = render;
    (res as HeldResponse)[HELD_BY] = this;
    res.on('close', onHeldPollClosed);
    req.resume();
    this.#listener?.onWritable();
    if (this.#first) {
      this.#first = false;
      if (this.#pending === res) this.#respond('[]');
    }
    return true;
  }

  /** @internal The held poll's connection closed before it was answered (`onHeldPollClosed`). */
  pollClosed(res: ServerResponse): void {
    if (this.#pending !== res) return;
    this.#pending = null;
    this.#startIdle();
  }

  write(controls: string[], entries: OutboundEntry[]): void {
    const texts = controls; // the session's own array, made for this write
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
    this.#clearIdle();
  }

  #respond(packetText: string): void {
    const res = this.#pending;
    if (!res) return;
    this.#pending = null;
    (res as HeldResponse)[HELD_BY] = null;
    const { contentType, body } = this.#render(packetText);
    res.writeHead(200, {
      ...NO_STORE_HEADERS,
      ...this.#headers,
      'Content-Type': contentType,
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

  #clearIdle(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }
}
