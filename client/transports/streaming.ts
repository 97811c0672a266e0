import type { TransportName } from '../../protocol/index.js';
import type { Abortable, ClientEnv, StreamHandlers } from '../env/env.js';
import { HttpSender, xhrPost } from './http-sender.js';
import { HttpTransport } from './http-transport.js';
import type { ClientTransportListener, SessionRef } from './transport.js';
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
export class StreamingTransport extends HttpTransport {
  readonly batchBytes = 64 * 1024;
  private readonly _kind: StreamKind;
  private _stream: Abortable | null = null;
  private _flowing = false;
  /** `&probe=1` while this is a candidate's first stream: the server holds it apart until the client's `upgrade`. */
  private _probe: string;

  constructor(kind: StreamKind, env: ClientEnv, session: SessionRef, epoch: number, listener: ClientTransportListener, candidate: boolean) {
    super(kind.name, env, session, epoch, listener, (owner) => {
      return new HttpSender(xhrPost(env), session, owner, listener);
    });
    this._kind = kind;
    this._probe = candidate ? '&probe=1' : '';
    this._open();
  }

  override get streaming(): boolean {
    return this._flowing;
  }

  protected _stopDownstream(): void {
    if (this._stream) this._stream.abort();
    this._stream = null;
  }

  private _open(): void {
    const session = this._session;
    // a stream reopened after the server ended it (its byte limit) is the session's transport already
    const base = '&e=' + this.epoch + '&ack=' + session.takeAck() + this._probe;
    this._probe = '';
    const route = this._kind.route;
    let flowing = false;
    this._flowing = false;
    this._stream = this._kind.open(this._env, (extra: string) => {
      return sessionUrl(session, route, base + extra);
    }, {
      onPacket: (text: string) => {
        if (this._closed) return;
        if (this._deliver(text)) flowing = this._flowing = true;
      },
      onEnd: (status: number | null) => {
        this._stream = null;
        this._flowing = false;
        if (this._closed) return;
        if (flowing && status === null) {
          this._listener.onStreamEnd(this);
          this._open();
        } else {
          this._fail('stream ended before it flowed', status);
        }
      },
    });
  }
}
