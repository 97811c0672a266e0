import { ProtocolError, decodePacket, type OutboundEntry, type TransportName } from '../../protocol/index.js';
import type { Abortable, ClientEnv } from '../env/env.js';
import type { ClientTransport, ClientTransportListener, SessionRef } from './transport.js';
import { sessionUrl } from './urls.js';

/** The upstream half of an HTTP transport: one request at a time, each carrying a packet. */
export interface Upstream {
  readonly idle: boolean;
  send(controls: string[], entries: OutboundEntry[]): void;
  abort(): void;
}

/** A poll's outcome: `error` for a failed request, otherwise the status and the packet text. */
export type PollCallback = (error: string | null, status: number | null, text: string | null) => void;

/** One kind of long-polling: how a poll is made (XHR, script tag) and how sends go up. */
export interface PollKind {
  readonly name: TransportName;
  /** The poll route under `{base}/v1/`. */
  readonly route: string;
  /** Issues one poll; `url` gets the kind's own parameters appended. */
  poll(env: ClientEnv, url: string, timeoutMs: number, callback: PollCallback): Abortable;
  upstream(env: ClientEnv, session: SessionRef, owner: ClientTransport, listener: ClientTransportListener): Upstream;
}

/** Long-polling: a GET held by the server until it has something; a new one as soon as it returns. */
export class PollingTransport implements ClientTransport {
  readonly name: TransportName;
  readonly epoch: number;
  readonly batchBytes = 256 * 1024;
  private readonly _kind: PollKind;
  private readonly _env: ClientEnv;
  private readonly _session: SessionRef;
  private readonly _listener: ClientTransportListener;
  private readonly _upstream: Upstream;
  private _poll: Abortable | null = null;
  private _opened = false;
  private _closed = false;

  constructor(kind: PollKind, env: ClientEnv, session: SessionRef, epoch: number, listener: ClientTransportListener) {
    this.name = kind.name;
    this._kind = kind;
    this._env = env;
    this._session = session;
    this.epoch = epoch;
    this._listener = listener;
    this._upstream = kind.upstream(env, session, this, listener);
    this._next();
  }

  get streaming(): boolean {
    return false;
  }

  get writable(): boolean {
    return !this._closed && this._upstream.idle;
  }

  send(controls: string[], entries: OutboundEntry[]): void {
    this._upstream.send(controls, entries);
  }

  close(): void {
    this._closed = true;
    if (this._poll) this._poll.abort();
    this._poll = null;
    this._upstream.abort();
  }

  private _next(): void {
    if (this._closed) return;
    const s = this._session;
    const url = sessionUrl(s, this._kind.route, '&e=' + this.epoch + '&ack=' + s.takeAck());
    this._poll = this._kind.poll(this._env, url, s.pingInterval + s.pingTimeout, (error, status, text) => {
      this._poll = null;
      if (this._closed) return;
      if (error !== null || text === null) return this._listener.onError(this, 'poll failed: ' + (error || 'no response'), status);
      if (status !== 200) return this._listener.onError(this, 'poll refused: ' + text, status);
      let frames;
      try {
        frames = decodePacket(text);
      } catch (e) {
        return this._listener.onError(this, e instanceof ProtocolError ? e.reason : 'bad poll response', null);
      }
      if (!this._opened) {
        this._opened = true;
        this._listener.onOpen(this);
      }
      this._listener.onFrames(this, frames);
      this._next();
    });
  }
}
