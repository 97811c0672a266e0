import { ProtocolError, decodePacket, type OutboundEntry, type TransportName } from '../../protocol/index.js';
import type { Abortable, ClientEnv, StreamHandlers } from '../env/env.js';
import { HttpSender } from './http-sender.js';
import type { ClientTransport, ClientTransportListener, SessionRef } from './transport.js';
import { sessionUrl } from './urls.js';

/**
 * One kind of downstream stream: how to open it on this platform. The kind adds its own query
 * parameters through `url(extra)`, which yields the full request URL.
 */
export interface StreamKind {
  readonly name: TransportName;
  readonly route: string;
  supported(env: ClientEnv): boolean;
  open(env: ClientEnv, url: (extra: string) => string, handlers: StreamHandlers): Abortable;
}

/**
 * A streaming transport: packets arrive over one long response (an iframe's document, an
 * EventSource, an XHR read as it grows); sends go by POST. When the server ends a stream (byte
 * limit) a new one is opened with the current ack, within the same epoch.
 */
export class StreamingTransport implements ClientTransport {
  readonly name: TransportName;
  readonly epoch: number;
  readonly batchBytes = 64 * 1024;
  private readonly _kind: StreamKind;
  private readonly _env: ClientEnv;
  private readonly _session: SessionRef;
  private readonly _listener: ClientTransportListener;
  private readonly _sender: HttpSender;
  private _stream: Abortable | null = null;
  private _opened = false;
  private _flowing = false;
  private _closed = false;

  constructor(kind: StreamKind, env: ClientEnv, session: SessionRef, epoch: number, listener: ClientTransportListener) {
    this.name = kind.name;
    this._kind = kind;
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
    const session = this._session;
    const base = '&e=' + this.epoch + '&ack=' + session.takeAck();
    const route = this._kind.route;
    let flowing = false;
    this._flowing = false;
    this._stream = this._kind.open(this._env, function (extra: string) {
      return sessionUrl(session, route, base + extra);
    }, {
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
