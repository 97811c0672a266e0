import { protocolErrorReason, decodePacket, encodePacket, entryText, type OutboundEntry } from '../../protocol/index.js';
import type { Abortable, ClientEnv, JsonpEnv } from '../env/env.js';
import type { ClientTransport, ClientTransportListener, SessionRef } from './transport.js';
import { sessionUrl } from './urls.js';

/** The upstream half of an HTTP transport: one request at a time, each carrying a packet. */
export interface Upstream {
  readonly idle: boolean;
  send(controls: string[], entries: OutboundEntry[]): void;
  abort(): void;
}

/**
 * How one packet goes up. `reply` is the response body, or null when the page cannot read it
 * (a form posted into an iframe); acks then come back downstream.
 */
export type PostPacket = (url: string, packet: string, timeoutMs: number, done: (error: string | null, status: number | null, reply: string | null) => void) => Abortable;

/** An XMLHttpRequest (or Node http) POST of the packet as text/plain; its reply carries acks. */
export function xhrPost(env: ClientEnv): PostPacket {
  return (url, packet, timeoutMs, done) => {
    return env.request('POST', url, packet, timeoutMs, (error, result) => {
      if (error || !result) done(error ? error.message : 'no response', null, null);
      else done(null, result.status, result.body);
    });
  };
}

/** A form POST into a hidden iframe, for pages whose XHR cannot reach the server. */
export function formPost(jsonp: JsonpEnv, field: string): PostPacket {
  return (url, packet, timeoutMs, done) => {
    const fields: { [name: string]: string } = {};
    fields[field] = packet;
    return jsonp.postForm(url, fields, timeoutMs, (error, status) => {
      done(error ? error.message : null, status, null);
    });
  };
}

/** Sends packets one at a time by `post`; reports replies, failures and readiness for the next. */
export class HttpSender implements Upstream {
  private readonly _post: PostPacket;
  private readonly _session: SessionRef;
  private readonly _owner: ClientTransport;
  private readonly _listener: ClientTransportListener;
  private _inFlight: Abortable | null = null;

  constructor(post: PostPacket, session: SessionRef, owner: ClientTransport, listener: ClientTransportListener) {
    this._post = post;
    this._session = session;
    this._owner = owner;
    this._listener = listener;
  }

  get idle(): boolean {
    return this._inFlight === null;
  }

  send(controls: string[], entries: OutboundEntry[]): void {
    const texts = controls.slice();
    for (let i = 0; i < entries.length; i++) texts.push(entryText(entries[i]));
    const owner = this._owner;
    const listener = this._listener;
    const timeout = this._session.pingInterval + this._session.pingTimeout;
    this._inFlight = this._post(sessionUrl(this._session, 'send', ''), encodePacket(texts), timeout, (error, status, reply) => {
      this._inFlight = null;
      if (error !== null) return listener.onError(owner, 'send failed: ' + error, status);
      if (status !== null && status !== 200) return listener.onError(owner, 'send refused: ' + reply, status);
      if (reply !== null) {
        try {
          listener.onReply(owner, decodePacket(reply), reply.length);
        } catch (e) {
          return listener.onError(owner, protocolErrorReason(e, 'bad reply'), null);
        }
      }
      listener.onWritable(owner);
    });
  }

  abort(): void {
    if (this._inFlight) this._inFlight.abort();
    this._inFlight = null;
  }
}
