import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { CloseCode, encodeControl, type Frame, type HttpErrorCode } from '../protocol/index.js';
import type { Admission } from './policies/session-admission.js';
import { RequestError, answerFor, rejectUpgrade } from './http-errors.js';
import { AppCodeError } from './app-errors.js';
import type { ResolvedOptions } from './options.js';
import type { Admit } from './policies/request-policies.js';
import type { Refusals } from './refusals.js';
import { sessionOrigin } from './policies/session-origin.js';
import { intParam, splitUrl } from './request-params.js';
import { closeDisabledWebSocket, TransportDisabled } from './transport-refusal.js';
import type { Session } from './session.js';
import type { SessionRegistry } from './session-registry.js';
import type { CloseInfo, TransportListener } from './transports/transport.js';
import { WebSocketTransport } from './transports/websocket.js';
import { upgradeRequestError } from './upgrade-request.js';
import { authenticateWebSocket, dropFirstAuthFrame } from './auth/websocket-auth.js';
import type { TransportFailureReason } from './metrics.js';
import { finalClose } from './final-close.js';
import { closeGoneSession, sessionGone } from './gone-session.js';
import { acceptingServer } from './websocket-server.js';
import { diagnosticsRequested } from './diagnostics/diagnostics-request.js';

/**
 * WebSocket upgrades at `{path}/v1/ws`. Without `sid` the connection creates a session and is its
 * transport at once (the first frame is `open`). With `sid` it joins an existing session: it
 * answers `probe` frames (and releases the pending poll so the client can switch), and takes the
 * session over on `upgrade`.
 */
export class WebSocketUpgrades {
  readonly #options: ResolvedOptions;
  readonly #registry: SessionRegistry;
  readonly #wss: WebSocketServer;
  /** Host, origin (and any further) policies: one call per upgrade. */
  readonly #admit: Admit;
  /** Reports refusals for origin, host and rate limits (the server's `refused` event). */
  readonly #refusals: Refusals;
  /**
   * WebSockets that are no session's transport yet: probes joining a session, and direct
   * connections waiting for their `auth` frame. `ws` tracks no clients (clientTracking: false), so
   * these would outlive `close()`; they are kept here until they become a transport or close.
   */
  readonly #pending = new Set<WebSocket>();

  /** `admit` is the server's one composition of request policies, shared with the other entry point. */
  constructor(options: ResolvedOptions, registry: SessionRegistry, admit: Admit, refusals: Refusals) {
    this.#options = options;
    this.#registry = registry;
    this.#refusals = refusals;
    this.#admit = admit;
    this.#wss = acceptingServer(options.maxMessageSize);
  }

  handle(req: IncomingMessage, socket: Duplex, head: Buffer, url: string): void {
    socket.on('error', destroySocket);
    const { pathname, params } = splitUrl(url);
    const route = pathname.slice(this.#options.path.length);
    try {
      if (/^\/v[0-9]+\//.test(route) && !route.startsWith('/v1/')) throw new RequestError('unsupported_version', 'this server speaks protocol version 1');
      if (route !== '/v1/ws') throw new RequestError('not_found', 'no such Ferry route');
      // `diag` means something only to a WebSocket that creates its session
      const diagnostics = params.get('sid') === null && diagnosticsRequested(params, this.#options.diagnostics);
      const malformed = upgradeRequestError(req);
      if (malformed !== null) throw malformed;
      const enabled = this.#options.transports;
      if (!enabled.includes('websocket') && params.get('sid') !== null) throw new TransportDisabled('websocket is disabled on this server', enabled);
      this.#admit(req, route, params, true, () => sessionOrigin(this.#registry, params));
      if (!enabled.includes('websocket')) {
        // a page never sees a refused upgrade's status or body, only a close: 4014 and the list
        this.#wss.handleUpgrade(req, socket, head, (ws) => closeDisabledWebSocket(ws, enabled));
        return;
      }
      // a client of revision 1 or later takes implicit seqs (PROTOCOL.md section 6)
      const implicitSeqs = intParam(params, 'minor', 0) >= 1;
      if (params.get('sid') === null) {
        const admission = this.#registry.admit(req, diagnostics);
        // the 101 response and the open frame leave in one write (one segment, one read for the client)
        socket.cork();
        this.#wss.handleUpgrade(req, socket, head, (ws) => {
          this.#startSession(ws, admission, socket, implicitSeqs);
          socket.uncork();
        });
        return;
      }
      const session = this.#registry.authenticate(params.get('sid'), params.get('t'));
      const epoch = intParam(params, 'e');
      if (epoch < 1) throw new RequestError('bad_request', 'the e parameter must be at least 1');
      const heartbeat = intParam(params, 'hb', 0);
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#join(ws, socket, session, epoch, heartbeat, implicitSeqs));
    } catch (e) {
      this.#refusals.report(e, req, route, params, true);
      const error = answerFor(e, 'bad upgrade request');
      this.#registry.metrics.refused(error.code, route === '/v1/ws' && params.get('sid') === null);
      if (sessionGone(error.code) && params.get('sid') !== null) closeGoneSession(this.#wss, req, socket, head, error.code);
      else rejectUpgrade(socket, error);
    }
  }

  /**
   * @internal A WebSocket join (`sid`) that reached another node, relayed here, the session's
   * owner (server/cluster/relay/ws-relay.ts): the checks of `handle`, then `accept` (the edge
   * completes the upgrade) gives the relayed WebSocket and its socket to join with. Returns the
   * error to refuse the upgrade with, or null.
   */
  joinRelayed(req: IncomingMessage, url: string, accept: () => { ws: WebSocket; socket: Duplex }): RequestError | null {
    const { pathname, params } = splitUrl(url);
    const route = pathname.slice(this.#options.path.length);
    try {
      if (route !== '/v1/ws') throw new RequestError('not_found', 'no such Ferry route');
      const malformed = upgradeRequestError(req);
      if (malformed !== null) throw malformed;
      const enabled = this.#options.transports;
      if (!enabled.includes('websocket')) throw new TransportDisabled('websocket is disabled on this server', enabled);
      this.#admit(req, route, params, true, () => sessionOrigin(this.#registry, params));
      const session = this.#registry.authenticate(params.get('sid'), params.get('t'));
      const epoch = intParam(params, 'e');
      if (epoch < 1) throw new RequestError('bad_request', 'the e parameter must be at least 1');
      const heartbeat = intParam(params, 'hb', 0);
      const implicitSeqs = intParam(params, 'minor', 0) >= 1;
      const { ws, socket } = accept();
      this.#join(ws, socket, session, epoch, heartbeat, implicitSeqs);
      return null;
    } catch (e) {
      this.#refusals.report(e, req, route, params, true);
      const error = answerFor(e, 'bad upgrade request');
      this.#registry.metrics.refused(error.code, false);
      return error;
    }
  }

  /**
   * Stops taking upgrades and ends the WebSockets that are no session's transport yet (the
   * sessions' own are ended by the registry) with 4000: a probe carries nothing the client lacks,
   * but the close tells it the session is over. A peer that does not answer the closing handshake
   * is cut after `CLOSE_TIMEOUT_MS` (websocket-server.ts), so it cannot hold the HTTP server open.
   */
  close(): void {
    this.#wss.close();
    // the client may already have switched to one (its `upgrade` on the way): it must hear that the
    // session ended, or it would keep resuming against a server that answers only `server_closed`
    for (const ws of this.#pending) ws.close(CloseCode.SERVER_SHUTDOWN, 'server shutting down');
    this.#pending.clear();
  }

  /** Keeps `ws` in `#pending` until it closes or the returned function is called (it became a transport). */
  #hold(ws: WebSocket): () => void {
    const pending = this.#pending;
    const release = (): void => {
      pending.delete(ws);
      ws.off('close', release);
    };
    pending.add(ws);
    ws.on('close', release);
    return release;
  }

  #startSession(ws: WebSocket, admission: Admission, socket: Duplex, implicitSeqs: boolean): void {
    const transport = new WebSocketTransport(ws, 1, socket, implicitSeqs);
    const auth = this.#registry.auth;
    // with middleware, the session waits for the client's `auth` frame and the middleware's yes
    // (server/auth/); a diagnostics session is not the app's, and its middleware is not asked
    if (auth.active && !admission.diagnostics) {
      const settled = this.#hold(ws);
      const refused = (reason: HttpErrorCode): void => this.#registry.metrics.refusedWebSocket(reason, CloseCode.UNAUTHORIZED);
      return authenticateWebSocket(transport, auth, admission.info, this.#options.maxHandshakeBytes, (data) => {
        settled();
        this.#open(transport, admission, data);
      }, refused);
    }
    const session = this.#open(transport, admission, undefined);
    if (session !== null) dropFirstAuthFrame(transport, session);
  }

  #open(transport: WebSocketTransport, admission: Admission, data: Record<string, unknown> | undefined): Session | null {
    let session: Session;
    try {
      session = this.#registry.create('websocket', admission, data);
    } catch (e) {
      // the handshake's upgrade is done: a page sees a refusal only as a close code and reason
      if (e instanceof RequestError && e.code === 'subprotocol_refused') {
        this.#registry.metrics.refusedWebSocket('subprotocol_refused', CloseCode.SUBPROTOCOL_REFUSED);
        transport.drop(CloseCode.SUBPROTOCOL_REFUSED, e.message);
      } else if (e instanceof AppCodeError) {
        this.#registry.appError(e.thrown);
        this.#registry.metrics.refusedWebSocket('server_error', 1011);
        transport.drop(1011, e.message + ' (see the server log)');
      } else {
        this.#registry.metrics.refusedWebSocket('too_many_sessions', CloseCode.TOO_MANY_SESSIONS);
        transport.drop(CloseCode.TOO_MANY_SESSIONS, 'too many sessions');
      }
      return null;
    }
    transport.write([encodeControl({ type: 'open', handshake: this.#registry.handshake(session) })], []);
    session.attach(transport, 0);
    return session;
  }

  #join(ws: WebSocket, socket: Duplex, session: Session, epoch: number, heartbeat: number, implicitSeqs: boolean): void {
    const transport = new WebSocketTransport(ws, epoch, socket, implicitSeqs);
    const settled = this.#hold(ws);
    const metrics = this.#registry.metrics;
    const deadline = setTimeout(() => this.#probeFailed(transport, session, CloseCode.PROTOCOL_ERROR, 'no upgrade within pingTimeout', 'probe_timeout'), this.#options.pingTimeout);
    deadline.unref();
    const candidate: TransportListener = {
      onFrames: (frames: Frame[], bytes?: number) => {
        metrics.bytesIn += bytes ?? 0;
        for (let i = 0; i < frames.length; i++) {
          const frame = frames[i];
          if (frame.type === 'probe') {
            // a client probes once and reads the answer; one that keeps probing without reading
            // would have the answers pile up in this socket's buffer, which the session pays for
            if (!transport.writable || session.bufferedAmount + transport.bufferedAmount > this.#options.maxBufferedBytes) {
              clearTimeout(deadline);
              this.#probeFailed(transport, session, CloseCode.BUFFER_OVERFLOW, 'probe answers not read', 'probe_unread');
              return;
            }
            transport.write([encodeControl({ type: 'probe', nonce: frame.nonce })], []);
            session.attached?.release();
          } else if (frame.type === 'upgrade') {
            clearTimeout(deadline);
            if (session.closed) {
              transport.close(finalClose(session));
            } else if (epoch < session.epoch || (session.attached !== null && session.attached.epoch >= epoch)) {
              transport.drop(CloseCode.STALE_TRANSPORT, 'stale transport');
            } else {
              settled();
              session.requestHeartbeat(heartbeat);
              metrics.upgraded(session, session.transport, 'websocket');
              session.attach(transport, frame.ack);
              if (i + 1 < frames.length) session.onFrames(frames.slice(i + 1));
            }
            return;
          } else {
            clearTimeout(deadline);
            this.#probeFailed(transport, session, CloseCode.PROTOCOL_ERROR, 'expected probe or upgrade', 'probe_protocol_error');
            return;
          }
        }
      },
      onWritable: () => {},
      onClosed: (_reason: string, fatal?: CloseInfo) => {
        clearTimeout(deadline);
        const failure = fatal?.code === CloseCode.PROTOCOL_ERROR ? 'probe_protocol_error' : 'probe_abandoned';
        metrics.transportFailed(session, 'websocket', failure, fatal?.code);
      },
    };
    transport.bind(candidate);
  }

  /** Drops a WebSocket that joined `session` but failed as a probe: counted and reported (server/metrics.ts). */
  #probeFailed(transport: WebSocketTransport, session: Session, code: number, reason: string, failure: TransportFailureReason): void {
    transport.drop(code, reason);
    this.#registry.metrics.transportFailed(session, 'websocket', failure, code);
  }
}

/**
 * Module-level on purpose: a closure here would share the upgrade handler's scope and keep its
 * request (headers, buffers) alive for as long as the socket lives.
 */
function destroySocket(this: Duplex): void {
  this.destroy();
}
