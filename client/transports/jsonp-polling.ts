import { JSONP_SEND_FIELD, encodePacket, entryText, jsonpCallbackName, type OutboundEntry } from '../../protocol/index.js';
import type { Abortable, ClientEnv, JsonpEnv } from '../env/env.js';
import { PollingTransport, type PollKind, type Upstream } from './polling.js';
import type { ClientTransport, ClientTransportListener, SessionRef } from './transport.js';
import { sessionUrl } from './urls.js';

/**
 * JSONP long-polling, for browsers whose XMLHttpRequest cannot reach the Ferry origin: each poll
 * is a `<script>` that calls a one-off `__ferry_jsonp_<n>` callback with the packet; each send is
 * a form POST into a hidden iframe. The form's reply cannot be read, so its acks come back on the
 * polls, like every other downstream frame.
 */

// random start: two copies of the client on one page must not share callback names
let nextCallback = Math.floor(Math.random() * 1e9);

/** A fresh callback name (`__ferry_jsonp_<digits>`), never reused on this page. */
export function nextJsonpCallback(): string {
  nextCallback = (nextCallback + 1) % 1e12;
  return jsonpCallbackName(nextCallback);
}

function jsonpOf(env: ClientEnv): JsonpEnv {
  if (!env.jsonp) throw new Error('ferry: jsonp-polling is not supported here');
  return env.jsonp;
}

/** Sends by form POST, one at a time; done when the reply has loaded (its content is not seen). */
class FormSender implements Upstream {
  private readonly _jsonp: JsonpEnv;
  private readonly _session: SessionRef;
  private readonly _owner: ClientTransport;
  private readonly _listener: ClientTransportListener;
  private _inFlight: Abortable | null = null;

  constructor(jsonp: JsonpEnv, session: SessionRef, owner: ClientTransport, listener: ClientTransportListener) {
    this._jsonp = jsonp;
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
    const fields: { [name: string]: string } = {};
    fields[JSONP_SEND_FIELD] = encodePacket(texts);
    const owner = this._owner;
    const listener = this._listener;
    const timeout = this._session.pingInterval + this._session.pingTimeout;
    this._inFlight = this._jsonp.postForm(sessionUrl(this._session, 'send', ''), fields, timeout, (error, status) => {
      this._inFlight = null;
      if (error) return listener.onError(owner, 'send failed: ' + error.message, status);
      listener.onWritable(owner);
    });
  }

  abort(): void {
    if (this._inFlight) this._inFlight.abort();
    this._inFlight = null;
  }
}

export const JSONP_POLL: PollKind = {
  name: 'jsonp-polling',
  route: 'jsonp',
  poll: function (env, url, timeoutMs, callback) {
    const name = nextJsonpCallback();
    return jsonpOf(env).load(url + '&cb=' + name, name, timeoutMs, function (error, text, status) {
      if (error || text === null) callback(error ? error.message : 'no response', status, null);
      else callback(null, 200, text);
    });
  },
  upstream: function (env, session, owner, listener) {
    return new FormSender(jsonpOf(env), session, owner, listener);
  },
};

export class JsonpPollingTransport extends PollingTransport {
  constructor(env: ClientEnv, session: SessionRef, epoch: number, listener: ClientTransportListener) {
    super(JSONP_POLL, env, session, epoch, listener);
  }
}
