import { ProtocolError, decodePacket, type OutboundEntry } from '../../protocol/index.js';
import type { Abortable, ClientEnv } from '../env/env.js';
import { HttpSender } from './http-sender.js';
import type { ClientTransport, ClientTransportListener, SessionRef } from './transport.js';
import { sessionUrl } from './urls.js';

/** Long-polling: a GET held by the server until it has something; POSTs upstream. */
export class XhrPollingTransport implements ClientTransport {
  readonly name = 'xhr-polling';
  readonly epoch: number;
  readonly batchBytes = 256 * 1024;
  private readonly _env: ClientEnv;
  private readonly _session: SessionRef;
  private readonly _listener: ClientTransportListener;
  private readonly _sender: HttpSender;
  private _poll: Abortable | null = null;
  private _opened = false;
  private _closed = false;

  constructor(env: ClientEnv, session: SessionRef, epoch: number, listener: ClientTransportListener) {
    this._env = env;
    this._session = session;
    this.epoch = epoch;
    this._listener = listener;
    this._sender = new HttpSender(env, session, this, listener);
    this._next();
  }

  get streaming(): boolean {
    return false;
  }

  get writable(): boolean {
    return !this._closed && this._sender.idle;
  }

  send(controls: string[], entries: OutboundEntry[]): void {
    this._sender.send(controls, entries);
  }

  close(): void {
    this._closed = true;
    if (this._poll) this._poll.abort();
    this._poll = null;
    this._sender.abort();
  }

  private _next(): void {
    if (this._closed) return;
    const s = this._session;
    const url = sessionUrl(s, 'poll', '&e=' + this.epoch + '&ack=' + s.takeAck());
    this._poll = this._env.request('GET', url, null, s.pingInterval + s.pingTimeout, (error, result) => {
      this._poll = null;
      if (this._closed) return;
      if (error || !result) return this._listener.onError(this, 'poll failed: ' + (error ? error.message : 'no response'), null);
      if (result.status !== 200) return this._listener.onError(this, 'poll refused: ' + result.body, result.status);
      let frames;
      try {
        frames = decodePacket(result.body);
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
