import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloseCode, protocolErrorReason, RELAY_PAGE, decodePacket, encodePacket, isTransportName, type TransportName } from '../protocol/index.js';
import { bundleFile, serveBundle } from './client-bundle.js';
import { RequestError, answerFor } from './http-errors.js';
import type { ResolvedOptions } from './options.js';
import { formBodyLimit, formPacket, isFormSend, jsonpCallback, sendFormReply, sendJsonp } from './jsonp.js';
import { NO_CORS } from './policies/cors.js';
import type { Admit } from './policies/request-policies.js';
import { POLL_ROUTES, type PollRoute } from './poll-routes.js';
import { readBody } from './read-body.js';
import { refuse } from './refuse.js';
import { TransportDisabled } from './transport-refusal.js';
import type { Refusals } from './refusals.js';
import { serveRelayPage } from './relay-page.js';
import { intParam, splitUrl } from './request-params.js';
import type { Session } from './session.js';
import type { SessionRegistry } from './session-registry.js';
import { NO_STORE_HEADERS } from './transports/http-headers.js';
import { STREAM_ROUTES, type StreamRoute } from './stream-routes.js';
import { LongPollTransport, type LongPollSettings } from './transports/long-poll.js';
import { authenticateRequest, jsonpRefusal } from './auth/http-auth.js';
import { diagnosticsRequested, DIAGNOSTICS_PAGE_ROUTE } from './diagnostics/diagnostics-request.js';
import { serveDiagnosticsPage } from './diagnostics/page.js';

/** Handles every HTTP request under the configured path: handshake, poll, send, streams, bundles. */
export class HttpRoutes {
  readonly #options: ResolvedOptions;
  readonly #registry: SessionRegistry;
  /** Host, origin (and any further) policies: one call per request. */
  readonly #admit: Admit;
  /** One settings object per polling transport, shared by all its sessions. */
  readonly #pollSettings: Record<LongPollSettings['name'], LongPollSettings>;
  /** Reports refusals for origin, host and rate limits (the server's `refused` event). */
  readonly #refusals: Refusals;

  /** `admit` is the server's one composition of request policies, shared with the other entry point. */
  constructor(options: ResolvedOptions, registry: SessionRegistry, admit: Admit, refusals: Refusals) {
    this.#options = options;
    this.#registry = registry;
    this.#refusals = refusals;
    this.#admit = admit;
    const polling = (name: LongPollSettings['name']): LongPollSettings => ({ name, idleTimeout: options.pingTimeout, batchBytes: options.pollBatchBytes });
    this.#pollSettings = { 'xhr-polling': polling('xhr-polling'), 'jsonp-polling': polling('jsonp-polling') };
  }

  /** True when the URL is under the Ferry path (the request is then ours to answer). */
  matches(url: string): boolean {
    const path = this.#options.path;
    return url.startsWith(path) && (url.length === path.length || url[path.length] === '/' || url[path.length] === '?');
  }

  handle(req: IncomingMessage, res: ServerResponse, url: string): void {
    const { pathname, params } = splitUrl(url);
    const route = pathname.slice(this.#options.path.length);
    let cors: Readonly<Record<string, string>> = NO_CORS;
    try {
      cors = this.#admit(req, route, params, false);
      if (req.method === 'OPTIONS') return this.#preflight(res, cors);
      if (route === '/' + RELAY_PAGE) return this.#expect(req, 'GET', () => serveRelayPage(req, res, params, this.#options, cors));
      const file = route.startsWith('/') ? bundleFile(route.slice(1), this.#options.diagnostics) : undefined;
      if (file !== undefined) {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new RequestError('method_not_allowed', 'use GET');
        if (!serveBundle(file, req, res)) throw new RequestError('not_found', 'the client bundle has not been built (npm run build)');
        return;
      }
      if (route === DIAGNOSTICS_PAGE_ROUTE && this.#options.diagnostics) {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new RequestError('method_not_allowed', 'use GET');
        return serveDiagnosticsPage(req, res);
      }
      if (/^\/v[0-9]+\//.test(route) && !route.startsWith('/v1/')) throw new RequestError('unsupported_version', 'this server speaks protocol version 1');
      switch (route) {
        case '/v1/handshake':
          // GET with `cb` is the JSONP handshake (a script tag); otherwise POST
          if (req.method === 'GET' && params.has('cb')) return this.#handshake(req, res, params, cors, jsonpCallback(params));
          return this.#expect(req, 'POST', () => this.#handshake(req, res, params, cors, null));
        case '/v1/send':
          return this.#expect(req, 'POST', () => void this.#send(req, res, params, cors));
        default: {
          const poll = POLL_ROUTES[route];
          if (poll) return this.#expect(req, 'GET', () => this.#poll(poll, req, res, params, cors));
          const stream = STREAM_ROUTES[route];
          if (!stream) throw new RequestError('not_found', 'no such Ferry route');
          return this.#expect(req, 'GET', () => this.#stream(stream, req, res, params, cors));
        }
      }
    } catch (e) {
      this.#refusals.report(e, req, route, params, false);
      this.#fail(req, res, e, cors, route === '/v1/handshake');
    }
  }

  #expect(req: IncomingMessage, method: string, run: () => void): void {
    if (req.method !== method) throw new RequestError('method_not_allowed', `use ${method}`);
    run();
  }

  /** Answers with the error `e` stands for, counted in the metrics (`handshake`: the request asked for a new session). */
  #fail(req: IncomingMessage, res: ServerResponse, e: unknown, cors: Record<string, string>, handshake = false): void {
    const error = answerFor(e, 'bad request');
    this.#registry.metrics.refused(error.code, handshake);
    refuse(req, res, error, cors);
  }

  #preflight(res: ServerResponse, cors: Record<string, string>): void {
    res.writeHead(204, {
      ...cors,
      'Access-Control-Allow-Methods': 'GET, POST',
      'Access-Control-Allow-Headers': 'Content-Type',
      'Access-Control-Max-Age': '600',
      'Content-Length': '0',
    });
    res.end();
  }

  #enabled(name: TransportName): void {
    if (!this.#options.transports.includes(name)) throw new TransportDisabled(`transport ${name} is disabled on this server`, this.#options.transports);
  }

  #handshake(req: IncomingMessage, res: ServerResponse, params: URLSearchParams, cors: Record<string, string>, callback: string | null): void {
    const diagnostics = diagnosticsRequested(params, this.#options.diagnostics);
    const requested = params.get('transport') ?? 'xhr-polling';
    if (!isTransportName(requested)) throw new RequestError('bad_request', 'unknown transport');
    if (callback !== null && requested !== 'jsonp-polling') throw new RequestError('bad_request', 'a JSONP handshake needs transport=jsonp-polling');
    this.#enabled(requested);
    const admission = this.#registry.admit(req, diagnostics);
    const auth = this.#registry.auth;
    // a diagnostics session is not the app's: its middleware is not asked
    if (!auth.active || diagnostics) return this.#opened(req, res, cors, callback, this.#registry.create(requested, admission));
    // the middleware first (server/auth/): no session, and no slot of one, until it lets the client in
    authenticateRequest(req, auth, admission.info, requested, this.#options)
      .then((data) => {
        if (!req.socket.destroyed) this.#opened(req, res, cors, callback, this.#registry.create(requested, admission, data));
      })
      .catch((e: unknown) => {
        // a JSONP page learns nothing from a failed script: its refusal is the call itself
        const refusal = jsonpRefusal(e);
        if (callback !== null && refusal !== null) {
          this.#registry.metrics.refused(answerFor(e, '').code, true);
          sendJsonp(res, cors, callback, refusal);
        } else this.#fail(req, res, e, cors, true);
      });
  }

  #opened(req: IncomingMessage, res: ServerResponse, cors: Record<string, string>, callback: string | null, session: Session): void {
    const body = JSON.stringify(this.#registry.handshake(session));
    req.resume();
    if (callback !== null) return sendJsonp(res, cors, callback, body);
    res.writeHead(200, { ...NO_STORE_HEADERS, ...cors, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    req.resume();
  }

  #session(params: URLSearchParams): Session {
    return this.#registry.authenticate(params.get('sid'), params.get('t'));
  }

  /** Rejects requests from a transport instance the session has moved past. */
  #checkEpoch(session: Session, epoch: number): void {
    if (epoch < 1) throw new RequestError('bad_request', 'the e parameter must be at least 1');
    if (epoch < session.epoch || (session.attached !== null && session.attached.epoch > epoch)) {
      throw new RequestError('stale_transport', 'this transport has been replaced by a newer one');
    }
  }

  #poll(route: PollRoute, req: IncomingMessage, res: ServerResponse, params: URLSearchParams, cors: Record<string, string>): void {
    this.#enabled(route.name);
    const render = route.renderer(params);
    const session = this.#session(params);
    const epoch = intParam(params, 'e');
    const ack = intParam(params, 'ack', 0);
    this.#checkEpoch(session, epoch);
    const heartbeat = intParam(params, 'hb', 0);
    let transport = session.attached;
    if (transport instanceof LongPollTransport && transport.name === route.name && transport.epoch === epoch && !transport.closed) {
      if (!session.restartFrom(ack)) throw new RequestError('malformed_packet', 'ack is ahead of the last message sent');
    } else if (transport !== null && transport.epoch === epoch) {
      throw new RequestError('stale_transport', 'this epoch belongs to another transport');
    } else {
      // e=1 on a session that has had no transport: the poll the client opened with its handshake's answer
      transport = new LongPollTransport(epoch, this.#pollSettings[route.name], !(epoch === 1 && session.epoch === 0));
      session.attach(transport, ack);
      if (session.closed) throw new RequestError('malformed_packet', 'ack is ahead of the last message sent');
    }
    session.requestHeartbeat(heartbeat);
    if (!(transport as LongPollTransport).hold(req, res, cors, render)) {
      throw new RequestError('poll_pending', 'another poll is already pending for this session');
    }
  }

  async #send(req: IncomingMessage, res: ServerResponse, params: URLSearchParams, cors: Record<string, string>): Promise<void> {
    try {
      if (this.#options.transports.every((name) => name === 'websocket')) {
        throw new TransportDisabled('HTTP transports are disabled on this server', this.#options.transports);
      }
      // a form POST is the JSONP transport's send: the packet is the `d` field, the reply unreadable
      const form = isFormSend(req);
      if (form) this.#enabled('jsonp-polling');
      const session = this.#session(params);
      const limit = this.#options.maxMessageSize;
      let body: string;
      try {
        body = await readBody(req, form ? formBodyLimit(limit) : limit, this.#options.bodyTimeout);
        if (form) body = formPacket(body, limit);
      } catch (e) {
        // a body that timed out was never accepted: its session goes on
        if (e instanceof RequestError && e.code === 'payload_too_large') session.end(CloseCode.MESSAGE_TOO_LARGE, 'message too large');
        throw e;
      }
      if (session.closed) throw new RequestError('unknown_session', 'the session has closed');
      try {
        this.#registry.metrics.bytesIn += Buffer.byteLength(body);
        session.receive(decodePacket(body));
      } catch (e) {
        const reason = protocolErrorReason(e, 'malformed packet');
        session.end(CloseCode.PROTOCOL_ERROR, 'protocol error: ' + reason);
        throw new RequestError('malformed_packet', reason);
      }
      if (form) return sendFormReply(res, cors);
      const reply = session.closed ? '[]' : encodePacket(session.sendReply());
      res.writeHead(200, { ...NO_STORE_HEADERS, ...cors, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(reply) });
      res.end(reply);
    } catch (e) {
      this.#fail(req, res, e, cors);
    }
  }

  #stream(route: StreamRoute, req: IncomingMessage, res: ServerResponse, params: URLSearchParams, cors: Record<string, string>): void {
    this.#enabled(route.name);
    const session = this.#session(params);
    const epoch = intParam(params, 'e');
    const ack = Math.max(intParam(params, 'ack', 0), route.requestAck ? route.requestAck(req) : 0);
    const heartbeat = intParam(params, 'hb', 0);
    this.#checkEpoch(session, epoch);
    if (session.attached !== null && session.attached.epoch === epoch) {
      throw new RequestError('stale_transport', 'a stream is already open for this epoch');
    }
    const transport = route.open({ req, res, params, epoch, ack, headers: cors, options: this.#options });
    session.requestHeartbeat(heartbeat);
    // `probe=1`: a candidate, which shows the client the path lets it flow before the session moves onto it
    if (params.get('probe') === '1') this.#registry.candidates.offer(session, transport);
    else session.attach(transport, ack);
    req.resume();
  }

}
