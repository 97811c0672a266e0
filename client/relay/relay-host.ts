import { decodeRelayMessage, encodeRelayMessage, relayRoute, type RelayMessage } from '../../protocol/index.js';
import type { Abortable, ClientEnv } from '../env/env.js';

/**
 * The relay's side of the postMessage protocol (protocol/relay-messages.ts), inside
 * `{path}/iframe.html`. It hears only its parent window, and only from the origin the server
 * embedded in the page; it answers only that origin; and it fetches only under its own Ferry
 * path on its own origin (URLs arrive relative to that path and are checked). ES5-safe.
 */

/** What the relay needs from its window: the browser env's same-origin request and iframe stream. */
export type RelayPlatform = Pick<ClientEnv, 'request'> & {
  openIframeStream: NonNullable<ClientEnv['openIframeStream']>;
};

export interface RelayParent {
  postMessage(message: string, targetOrigin: string): void;
}

export interface RelayEvent {
  origin: string;
  source: unknown;
  data: unknown;
}

/** The `c` (callback id) parameter of a stream URL. */
const CALLBACK_PARAM = /[?&]c=([0-9]{1,12})(?:&|$)/;
/** The relay adds `o` itself; a URL that brings its own is refused. */
const OWN_PARAM = /[?&]o=/;

export class RelayHost {
  private readonly _parentOrigin: string;
  private readonly _parent: RelayParent;
  private readonly _basePath: string;
  private readonly _platform: RelayPlatform;
  /** Open streams and requests by the parent's id. */
  private _jobs: { [id: string]: Abortable } = {};

  /** `basePath`: the Ferry path on this origin, e.g. `/ferry`. */
  constructor(parentOrigin: string, parent: RelayParent, basePath: string, platform: RelayPlatform) {
    this._parentOrigin = parentOrigin;
    this._parent = parent;
    this._basePath = basePath;
    this._platform = platform;
  }

  /** Tells the parent the relay is listening. */
  start(): void {
    this._post({ type: 'ready' });
  }

  /** A `message` event on the relay window. Anything not from the parent, at its origin, is ignored. */
  receive(event: RelayEvent): void {
    if (!event || event.source !== this._parent || event.origin !== this._parentOrigin) return;
    const message = decodeRelayMessage(event.data);
    if (message === null) return;
    if (message.type === 'open') this._open(message.id, message.url);
    else if (message.type === 'request') this._request(message.id, message.method, message.url, message.body, message.timeout);
    else if (message.type === 'abort') this._abort(message.id);
  }

  private _open(id: string, url: string): void {
    if (this._busy(id)) return;
    const callback = CALLBACK_PARAM.exec(url);
    if (relayRoute(url) !== 'v1/iframe' || callback === null || OWN_PARAM.test(url)) return this._post({ type: 'end', id: id, status: null });
    let ended = false;
    let stream: Abortable | null = null;
    // `o` tells the server the stream is framed by this relay, inside a page of that origin
    const full = this._basePath + '/' + url + '&o=' + encodeURIComponent(this._parentOrigin);
    stream = this._platform.openIframeStream(full, callback[1], {
      onPacket: (text: string) => {
        if (!ended) this._post({ type: 'packet', id: id, text: text });
      },
      onEnd: (status: number | null) => {
        if (ended) return;
        ended = true;
        if (stream !== null && this._jobs[id] === stream) delete this._jobs[id];
        this._post({ type: 'end', id: id, status: status });
      },
    });
    if (!ended) this._jobs[id] = stream as Abortable;
  }

  private _request(id: string, method: 'GET' | 'POST', url: string, body: string | null, timeout: number): void {
    if (this._busy(id)) return;
    let done = false;
    let request: Abortable | null = null;
    request = this._platform.request(method, this._basePath + '/' + url, body, timeout, (error, result) => {
      done = true;
      if (request !== null && this._jobs[id] === request) delete this._jobs[id];
      if (error || !result) this._post({ type: 'response', id: id, status: 0, body: '', error: error ? error.message : 'no response' });
      else this._post({ type: 'response', id: id, status: result.status, body: result.body, error: null });
    });
    if (!done) this._jobs[id] = request as Abortable;
  }

  private _abort(id: string): void {
    if (!this._busy(id)) return;
    const job = this._jobs[id];
    delete this._jobs[id];
    job.abort();
  }

  private _busy(id: string): boolean {
    return Object.prototype.hasOwnProperty.call(this._jobs, id);
  }

  private _post(message: RelayMessage): void {
    this._parent.postMessage(encodeRelayMessage(message), this._parentOrigin);
  }
}
