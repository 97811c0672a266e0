import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import type { TransportName } from '../../protocol/index.js';
import { AuthRefusedError } from '../auth/handshake-auth.js';
import { answerFor, rejectUpgrade, RequestError } from '../http-errors.js';
import type { ResolvedOptions } from '../options.js';
import { describeRequest, type RequestPolicy } from '../policies/request-policies.js';
import { readBody } from '../read-body.js';
import { refuse } from '../refuse.js';
import type { SessionRegistry } from '../session-registry.js';
import { acceptingServer } from '../websocket-server.js';
import { closeFrame, parsePayload, PayloadError } from './frames.js';
import { resolveSockJSOptions, type ResolvedSockJSOptions, type SockJSOptions } from './options.js';
import { IframePage, info, NO_CACHE, preflight, sockjsCors, text, welcome } from './pages.js';
import { HTTP_RECEIVERS, HttpReceiver, WebSocketReceiver, type HttpReceiverName, type Receiver } from './receivers.js';
import { SockJSTransport } from './sockjs-transport.js';

/** The Ferry transport a SockJS one is reported as (`socket.transport`, the metrics). */
const AS_FERRY: Record<HttpReceiverName | 'websocket', TransportName> = {
  xhr: 'xhr-polling',
  xhr_streaming: 'xhr-streaming',
  eventsource: 'eventsource',
  htmlfile: 'iframe-streaming',
  jsonp: 'jsonp-polling',
  websocket: 'websocket',
};

/** Receiving routes and their method. */
const RECEIVING: Record<string, { method: string; name: HttpReceiverName }> = {
  xhr: { method: 'POST', name: 'xhr' },
  xhr_streaming: { method: 'POST', name: 'xhr_streaming' },
  eventsource: { method: 'GET', name: 'eventsource' },
  htmlfile: { method: 'GET', name: 'htmlfile' },
  jsonp: { method: 'GET', name: 'jsonp' },
};

/** The callback name a jsonp or htmlfile page may be given: a script identifier path, nothing else. */
const CALLBACK = /^[a-zA-Z0-9_.-]{1,32}$/;

/** `/<server>/<session>/<transport>`: ids without dots or slashes, of at most 128 characters (a session id is kept while it lives). */
const SESSION_ROUTE = /^\/([^/.]{1,128})\/([^/.]{1,128})\/([^/.]+)$/;

/**
 * A SockJS protocol 0.3.3 endpoint (`ferry.sockjs({ prefix })`) so that unmodified sockjs-client
 * pages connect: every SockJS transport, `/info`, `iframe.html`, heartbeats, `response_limit`,
 * `JSESSIONID`. Its sessions are ordinary Ferry sessions (the registry creates them: the
 * `connection` event, rooms, broadcasts, every limit, the handshake middleware), each on a
 * SockJSTransport. Every request passes Ferry's host and origin policies first.
 */
export class SockJSEndpoint {
  readonly options: ResolvedSockJSOptions;
  readonly #ferry: ResolvedOptions;
  readonly #registry: SessionRegistry;
  readonly #check: RequestPolicy;
  readonly #iframe: IframePage;
  /** SockJS session id → its transport (HTTP sessions only; a WebSocket is its own session). */
  readonly #sessions = new Map<string, SockJSTransport | 'opening'>();
  #wss: WebSocketServer | null = null;

  constructor(options: SockJSOptions, ferry: ResolvedOptions, registry: SessionRegistry, check: RequestPolicy) {
    this.options = resolveSockJSOptions(options);
    this.#ferry = ferry;
    this.#registry = registry;
    this.#check = check;
    this.#iframe = new IframePage(this.options.sockjsUrl);
  }

  /** Whether `url` is under the prefix. */
  matches(url: string): boolean {
    const prefix = this.options.prefix;
    return url.startsWith(prefix) && (url.length === prefix.length || url[prefix.length] === '/' || url[prefix.length] === '?');
  }

  handle(req: IncomingMessage, res: ServerResponse, url: string): void {
    const { route, params } = this.#split(url);
    try {
      const cookie = this.#admit(req, route, params, false);
      this.#route(req, res, route, params, cookie);
    } catch (e) {
      const error = answerFor(e, 'bad request');
      this.#registry.metrics.refused(error.code, false);
      refuse(req, res, error, {});
    }
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: string): void {
    const { route, params } = this.#split(url);
    const session = SESSION_ROUTE.exec(route);
    try {
      if (!this.options.websocket || (route !== '/websocket' && (session === null || session[3] !== 'websocket'))) {
        throw new RequestError('not_found', 'no such SockJS route');
      }
      this.#admit(req, route, params, true);
      if (req.method !== 'GET') {
        socket.end('HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const admission = this.#registry.admit(req);
      this.#wss ??= acceptingServer(this.#ferry.maxMessageSize);
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#openWebSocket(ws, route === '/websocket', () => admission));
    } catch (e) {
      const error = answerFor(e, 'bad request');
      this.#registry.metrics.refused(error.code, true);
      rejectUpgrade(socket, error);
    }
  }

  /** Ends the endpoint's WebSocket server (the sessions end with the Ferry server's). */
  close(): void {
    this.#wss?.close();
  }

  #split(url: string): { route: string; params: URLSearchParams } {
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    return { route: path.slice(this.options.prefix.length), params: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)) };
  }

  /** Ferry's host and origin policies (jsonp and htmlfile answers are scripts a page runs: their origin is proven); the JSESSIONID cookie. */
  #admit(req: IncomingMessage, route: string, params: URLSearchParams, upgrade: boolean): Record<string, string> {
    const request = describeRequest(req, route, params, upgrade);
    const kind = SESSION_ROUTE.exec(route)?.[3];
    this.#check({ ...request, createsSession: false, scriptReadable: !upgrade && (kind === 'jsonp' || kind === 'htmlfile') });
    if (!this.options.jsessionid) return {};
    const sent = /(?:^|;\s*)JSESSIONID=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
    return { 'Set-Cookie': 'JSESSIONID=' + (sent !== undefined && /^[\w.-]{1,128}$/.test(sent) ? sent : 'dummy') + '; path=/' };
  }

  #route(req: IncomingMessage, res: ServerResponse, route: string, params: URLSearchParams, cookie: Record<string, string>): void {
    const method = req.method ?? 'GET';
    if (route === '' || route === '/') return this.#only(req, res, 'GET', () => welcome(res));
    if (/^\/iframe[0-9a-z_.-]*\.html$/.test(route)) return this.#only(req, res, 'GET', () => this.#iframe.serve(req, res));
    if (route === '/info') {
      if (method === 'OPTIONS') return preflight(req, res, 'OPTIONS, GET', cookie);
      // the cookie goes with a preflight and a session's requests, not with /info (as SockJS has it)
      return this.#only(req, res, 'GET', () => info(req, res, this.options, {}));
    }
    if (route === '/websocket') return this.#notUpgraded(req, res);
    const parts = SESSION_ROUTE.exec(route);
    if (parts === null) throw new RequestError('not_found', 'no such SockJS route');
    const [, , id, transport] = parts;
    const headers = { ...cookie, 'Cache-Control': NO_CACHE };
    if (transport === 'websocket') return this.#notUpgraded(req, res);
    if (method === 'OPTIONS' && (transport === 'xhr' || transport === 'xhr_send' || transport === 'xhr_streaming')) {
      return preflight(req, res, 'OPTIONS, POST', cookie);
    }
    if (transport === 'xhr_send' || transport === 'jsonp_send') {
      return this.#only(req, res, 'POST', () => void this.#send(req, res, id, transport === 'jsonp_send', headers));
    }
    const receiving = RECEIVING[transport];
    if (receiving === undefined) throw new RequestError('not_found', 'no such SockJS transport');
    this.#only(req, res, receiving.method, () => this.#receive(req, res, id, receiving.name, params, headers), false);
  }

  /** Runs `run` for `method` (and HEAD for a GET, unless `head` is false: a HEAD must not open a session). */
  #only(req: IncomingMessage, res: ServerResponse, method: string, run: () => void, head = true): void {
    if (req.method === method || (head && method === 'GET' && req.method === 'HEAD')) return run();
    res.writeHead(405, { Allow: method, 'Content-Length': '0' });
    res.end();
  }

  /** A WebSocket route asked for without a WebSocket upgrade (or with websocket: false). */
  #notUpgraded(req: IncomingMessage, res: ServerResponse): void {
    if (!this.options.websocket) throw new RequestError('not_found', 'the SockJS websocket transport is disabled');
    if (req.method !== 'GET') {
      res.writeHead(405, { Allow: 'GET', 'Content-Length': '0' });
      res.end();
      return;
    }
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (upgrade !== 'websocket') return text(res, 400, 'Can "Upgrade" only to "WebSocket".');
    text(res, 400, '"Connection" must be "Upgrade".');
  }

  /** A receiving request: a poll or a stream of an existing session, or the first of a new one. */
  #receive(req: IncomingMessage, res: ServerResponse, id: string, name: HttpReceiverName, params: URLSearchParams, headers: Record<string, string>): void {
    const kind = HTTP_RECEIVERS[name];
    let callback = '';
    if (name === 'jsonp' || name === 'htmlfile') {
      const given = params.get('c') ?? params.get('callback');
      if (given === null) return text(res, 500, '"callback" parameter required', headers);
      if (!CALLBACK.test(given)) return text(res, 500, 'invalid "callback" parameter', headers);
      callback = given;
    }
    const known = this.#sessions.get(id);
    // a new session's admission is checked before anything is written (its refusal is a JSON error)
    const admission = known === undefined ? this.#registry.admit(req) : null;
    const cors = name === 'htmlfile' || name === 'jsonp' ? {} : sockjsCors(req);
    res.writeHead(200, { ...headers, ...cors, 'Content-Type': kind.contentType, ...(name === 'jsonp' ? { 'X-Content-Type-Options': 'nosniff' } : {}) });
    req.resume();
    const receiver = new HttpReceiver(res, kind, callback, this.options.responseLimit);
    if (known === 'opening') {
      receiver.send(closeFrame(2010, 'Another connection still open'));
      return receiver.end();
    }
    if (known !== undefined) return known.receive(receiver);
    this.#sessions.set(id, 'opening');
    this.#open(AS_FERRY[name], admission as NonNullable<typeof admission>, receiver, false, id);
  }

  /** `xhr_send` / `jsonp_send`: the client's messages for session `id`. */
  async #send(req: IncomingMessage, res: ServerResponse, id: string, form: boolean, headers: Record<string, string>): Promise<void> {
    const cors = form ? {} : sockjsCors(req);
    try {
      const transport = this.#sessions.get(id);
      if (transport === undefined || transport === 'opening') throw new RequestError('unknown_session', 'no such SockJS session');
      const body = await readBody(req, this.#ferry.maxMessageSize, this.#ferry.bodyTimeout);
      const messages = parsePayload(form ? formPayload(req, body) : body);
      transport.messages(messages);
      if (form) return text(res, 200, 'ok', headers);
      res.writeHead(204, { ...headers, ...cors, 'Content-Type': 'text/plain; charset=UTF-8' });
      res.end();
    } catch (e) {
      if (e instanceof PayloadError) return text(res, 500, e.message, { ...headers, ...cors });
      const error = answerFor(e, 'bad request');
      this.#registry.metrics.refused(error.code, false);
      refuse(req, res, error, cors);
    }
  }

  #openWebSocket(ws: WebSocket, raw: boolean, admission: () => ReturnType<SessionRegistry['admit']>): void {
    const receiver = new WebSocketReceiver(ws);
    let transport: SockJSTransport | null = null;
    ws.on('message', (data: RawData) => {
      if (transport === null) return;
      const payload = Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data as ArrayBuffer).toString();
      if (raw) return transport.messages([payload]);
      if (payload === '') return;
      try {
        transport.messages(parsePayload(payload, true));
      } catch {
        ws.close(3000, 'Broken framing.');
      }
    });
    ws.on('error', () => ws.terminate());
    this.#open('websocket', admission(), receiver, raw, null, (t) => (transport = t));
  }

  /**
   * Creates the Ferry session (after the handshake middleware, when the app has some: a refusal
   * is the close frame `c[4401,"message"]`), attaches its SockJSTransport and hands it `receiver`.
   */
  #open(
    name: TransportName,
    admission: ReturnType<SessionRegistry['admit']>,
    receiver: Receiver,
    raw: boolean,
    id: string | null,
    opened?: (transport: SockJSTransport) => void,
  ): void {
    const create = (data?: Record<string, unknown>): void => {
      if (!receiver.open) {
        if (id !== null) this.#sessions.delete(id);
        return;
      }
      const o = this.options;
      const transport = new SockJSTransport(name, this.#ferry.pollBatchBytes, o, raw);
      let session: ReturnType<SessionRegistry['create']>;
      try {
        session = this.#registry.create(name, admission, data);
      } catch (e) {
        // full since the admission (or shutting down): refused like a handshake, as a close frame
        if (id !== null) this.#sessions.delete(id);
        const error = answerFor(e, 'server error');
        this.#registry.metrics.refused(error.code, true);
        if (raw) return receiver.end(1013, error.message.slice(0, 120));
        receiver.send(closeFrame(1013, error.message));
        return receiver.end();
      }
      if (id !== null) this.#sessions.set(id, transport);
      transport.onEnded((keepClosed) => {
        if (id === null) return;
        if (!keepClosed) return void this.#sessions.delete(id);
        // later receivers hear the close frame for a while, then the id is free again
        setTimeout(() => {
          if (this.#sessions.get(id) === transport) this.#sessions.delete(id);
        }, o.disconnectDelay).unref();
      });
      transport.receive(receiver);
      opened?.(transport);
      session.attach(transport, 0);
    };
    const auth = this.#registry.auth;
    if (!auth.active) return create();
    auth.run(admission.info, name, undefined).then(create, (e: unknown) => {
      if (id !== null) this.#sessions.delete(id);
      const refusal = e instanceof AuthRefusedError ? closeFrame(4401, e.message) : closeFrame(1011, 'server error');
      if (raw) return receiver.end(e instanceof AuthRefusedError ? 4401 : 1011, e instanceof AuthRefusedError ? e.message.slice(0, 120) : 'server error');
      receiver.send(refusal);
      receiver.end();
    });
  }
}

/** A `jsonp_send` body: form-encoded (`d=…`, what sockjs-client's form posts) or plain text. */
function formPayload(req: IncomingMessage, body: string): string {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return new URLSearchParams(body).get('d') ?? '';
  return body;
}
