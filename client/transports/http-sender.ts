import { ProtocolError, decodePacket, encodePacket, entryText, type OutboundEntry } from '../../protocol/index.js';
import type { Abortable, ClientEnv } from '../env/env.js';
import type { ClientTransport, ClientTransportListener, SessionRef } from './transport.js';
import { sessionUrl } from './urls.js';

/** Upstream half of the HTTP transports: one POST at a time, each a packet; the reply carries acks. */
export class HttpSender {
  private readonly _env: ClientEnv;
  private readonly _session: SessionRef;
  private readonly _owner: ClientTransport;
  private readonly _listener: ClientTransportListener;
  private _inFlight: Abortable | null = null;

  constructor(env: ClientEnv, session: SessionRef, owner: ClientTransport, listener: ClientTransportListener) {
    this._env = env;
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
    this._inFlight = this._env.request('POST', sessionUrl(this._session, 'send', ''), encodePacket(texts), timeout, (error, result) => {
      this._inFlight = null;
      if (error || !result) return listener.onError(owner, 'send failed: ' + (error ? error.message : 'no response'), null);
      if (result.status !== 200) return listener.onError(owner, 'send refused: ' + result.body, result.status);
      try {
        listener.onReply(owner, decodePacket(result.body));
      } catch (e) {
        return listener.onError(owner, e instanceof ProtocolError ? e.reason : 'bad reply', null);
      }
      listener.onWritable(owner);
    });
  }

  abort(): void {
    if (this._inFlight) this._inFlight.abort();
    this._inFlight = null;
  }
}
