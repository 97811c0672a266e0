import { ProtocolError, decodePacket, type OutboundEntry } from '../../protocol/index.js';
import type { Abortable, ClientEnv } from '../env/env.js';
import { HttpSender } from './http-sender.js';
import type { ClientTransport, ClientTransportListener, SessionRef } from './transport.js';
import { sessionUrl } from './urls.js';

let nextCallbackId = 1;

/**
 * Iframe streaming: a hidden iframe renders a long HTML response whose script chunks call back into
 * the page. When the server ends a stream (byte limit) a new one is opened with the current ack.
 */
export class IframeStreamingTransport implements ClientTransport {
  readonly name = 'iframe-streaming';
  readonly epoch: number;
  readonly batchBytes = 64 * 1024;
  private readonly _env: ClientEnv;
  private readonly _session: SessionRef;
  private readonly _listener: ClientTransportListener;
  private readonly _sender: HttpSender;
  private _stream: Abortable | null = null;
  private _opened = false;
  private _flowing = false;
  private _closed = false;

  constructor(env: ClientEnv, session: SessionRef, epoch: number, listener: ClientTransportListener) {
    this._env = env;
    this._session = session;
    this.epoch = epoch;
    this._listener = listener;
    this._sender = new HttpSender(env, session, this, listener);
    this._open();
  }

  get streaming(): boolean {
    return this._flowing;
  }

  get writable(): boolean {
    return !this._closed && this._sender.idle;
  }

  send(controls: string[], entries: OutboundEntry[]): void {
    this._sender.send(controls, entries);
  }

  close(): void {
    this._closed = true;
    if (this._stream) this._stream.abort();
    this._stream = null;
    this._sender.abort();
  }

  private _open(): void {
    const openStream = this._env.openIframeStream;
    if (!openStream) return this._listener.onError(this, 'iframe streaming is not available here', null);
    const id = String(nextCallbackId++) + String(Math.floor(Math.random() * 1e6));
    const url = sessionUrl(this._session, 'iframe', '&e=' + this.epoch + '&ack=' + this._session.takeAck() + '&c=' + id);
    let flowing = false;
    this._flowing = false;
    this._stream = openStream(url, id, {
      onPacket: (text: string) => {
        if (this._closed) return;
        let frames;
        try {
          frames = decodePacket(text);
        } catch (e) {
          return this._fail(e instanceof ProtocolError ? e.reason : 'bad stream chunk', null);
        }
        flowing = this._flowing = true;
        if (!this._opened) {
          this._opened = true;
          this._listener.onOpen(this);
        }
        this._listener.onFrames(this, frames);
      },
      onEnd: (status: number | null) => {
        this._stream = null;
        this._flowing = false;
        if (this._closed) return;
        if (flowing && status === null) {
          this._listener.onStreamEnd(this);
          this._open();
        }
        else this._fail('stream ended before it flowed', status);
      },
    });
  }

  private _fail(reason: string, status: number | null): void {
    this.close();
    this._listener.onError(this, reason, status);
  }
}
