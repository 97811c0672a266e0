import type { Abortable, ClientEnv } from '../env/env.js';
import type { Upstream } from './http-sender.js';
import { HttpTransport } from './http-transport.js';
import type { ClientTransport, ClientTransportListener, SessionRef } from './transport.js';
import { sessionUrl } from './urls.js';
import type { TransportName } from '../../protocol/index.js';

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
export class PollingTransport extends HttpTransport {
  readonly batchBytes = 256 * 1024;
  private readonly _kind: PollKind;
  private _poll: Abortable | null = null;

  constructor(kind: PollKind, env: ClientEnv, session: SessionRef, epoch: number, listener: ClientTransportListener) {
    super(kind.name, env, session, epoch, listener, (owner) => {
      return kind.upstream(env, session, owner, listener);
    });
    this._kind = kind;
    this._next();
  }

  protected _stopDownstream(): void {
    if (this._poll) this._poll.abort();
    this._poll = null;
  }

  /** Issues the next poll, acknowledging `ack` (default: what has been delivered). */
  private _next(ack?: number): void {
    if (this._closed) return;
    const s = this._session;
    const url = sessionUrl(s, this._kind.route, '&e=' + this.epoch + '&ack=' + (ack !== undefined ? ack : s.takeAck()));
    this._poll = this._kind.poll(this._env, url, s.pingInterval + s.pingTimeout, (error, status, text) => {
      this._poll = null;
      if (this._closed) return;
      if (error !== null || text === null) return this._listener.onError(this, 'poll failed: ' + (error || 'no response'), status);
      if (status !== 200) return this._listener.onError(this, 'poll refused: ' + text, status);
      // pipelined: the next poll (acknowledging this packet) goes out before this packet is
      // delivered, so the server prepares the next batch while the app handles this one
      this._deliver(text, (frames) => this._next(this._session.takeAckAfter(frames)));
    });
  }
}
