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
 * router. Helper methods are `private`, not `#` (a `#` method costs every instance a brand slot).
 */
export class LongPollTransport implements ServerTransport {
  readonly epoch: number;
  /** Shared by every poll transport of the server; the constant fields below read it (none of their own: one per idle session). */
  readonly #settings: LongPollSettings;
  #listener: TransportListener | null = null;
  #pending: ServerResponse | null = null;
  #headers: Readonly<Record<string, string>> = NO_HEADERS;
  #render: PollRenderer = renderPlainPoll;
  #idleTimer: NodeJS.Timeout | null = null;
  /**
   * The last response, while Node still holds part of it (the client has not read it all). Counted
   * in `bufferedAmount`; destroyed when the next poll arrives (a client polls again only once it
   * has read the previous answer, so one that does not has given up on it) or the transport ends.
   */
  #flushing: ServerResponse | null = null;
  /**
   * 'new' until the first poll, which is answered at once (it confirms to the client that the
   * transport works); then 'open'; 'closed' for good.
   */
  #state: 'new' | 'open' | 'closed';

  /**
   * `confirm`: the first poll is answered at once. Not for a new session's first transport: its
   * handshake has just proved the path, and a held first poll carries the answer to whatever the
   * client sent beside it (its first echo comes a round trip sooner).
   */
  constructor(epoch: number, settings: LongPollSettings, confirm = true) {
    this.epoch = epoch;
    this.#settings = settings;
    this.#state = confirm ? 'new' : 'open';
  }

  get name(): 'xhr-polling' | 'jsonp-polling' {
    return this.#settings.name;
  }

  get batchBytes(): number {
    return this.#settings.batchBytes;
  }

  get needsPing(): boolean {
    return false;
  }

  get writable(): boolean {
    return this.#pending !== null;
  }

  get bufferedAmount(): number {
    return this.#flushing === null ? 0 : this.#flushing.writableLength;
  }

  get closed(): boolean {
    return this.#state === 'closed';
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
    if (this.#pending !== null || this.#state === 'closed') return false;
    this.clearIdle();
    this.abandonFlushing();
    this.#pending = res;
    this.#headers = headers;
    this.#render = render;
    (res as HeldResponse)[HELD_BY] = this;
    res.on('close', onHeldPollClosed);
    req.resume();
    this.#listener?.onWritable();
    if (this.#state === 'new') {
      this.#state = 'open';
      if (this.#pending === res) this.respond('[]');
    }
    return true;
  }

  /** @internal The held poll's connection closed before it was answered (`onHeldPollClosed`). */
  pollClosed(res: ServerResponse): void {
    if (this.#pending !== res) return;
    this.#pending = null;
    this.startIdle();
  }

  write(controls: string[], entries: OutboundEntry[]): void {
    const texts = controls; // the session's own array, made for this write
    for (const entry of entries) texts.push(entryText(entry));
    this.respond(encodePacket(texts));
  }

  release(): void {
    if (this.#pending) this.respond('[]');
  }

  close(final: CloseInfo): void {
    this.end(encodePacket([encodeControl({ type: 'close', code: final.code, reason: final.reason })]));
  }

  drop(): void {
    this.end('[]');
  }

  private end(lastResponse: string): void {
    if (this.#state === 'closed') return;
    if (this.#pending) this.respond(lastResponse);
    this.#state = 'closed';
    this.clearIdle();
    this.abandonFlushing();
  }

  /** Destroys the last response if the client never read all of it: its messages are resent anyway. */
  private abandonFlushing(): void {
    const res = this.#flushing;
    this.#flushing = null;
    if (res !== null && res.writableLength > 0) res.destroy();
  }

  private respond(packetText: string): void {
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
    this.#flushing = res.writableLength > 0 ? res : null;
    if (this.#state !== 'closed') this.startIdle();
  }

  private startIdle(): void {
    if (this.#state === 'closed' || this.#idleTimer) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#pending || this.#state === 'closed') return;
      this.#state = 'closed';
      this.abandonFlushing();
      this.#listener?.onClosed('poll timeout');
    }, this.#settings.idleTimeout);
    this.#idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }
}
