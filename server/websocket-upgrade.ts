import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, encodeControl, type Frame } from '../protocol/index.js';
import type { Admission } from './policies/session-admission.js';
import { RequestError, answerFor, rejectUpgrade } from './http-errors.js';
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

  /** `admit` is the server's one composition of request policies, shared with the other entry point. */
  constructor(options: ResolvedOptions, registry: SessionRegistry, admit: Admit, refusals: Refusals) {
    this.#options = options;
    this.#registry = registry;
    this.#refusals = refusals;
    this.#admit = admit;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageSize, perMessageDeflate: false, clientTracking: false });
  }

  handle(req: IncomingMessage, socket: Duplex, head: Buffer, url: string): void {
    socket.on('error', destroySocket);
    const { pathname, params } = splitUrl(url);
    const route = pathname.slice(this.#options.path.length);
    try {
      if (/^\/v[0-9]+\//.test(route) && !route.startsWith('/v1/')) throw new RequestError('unsupported_version', 'this server speaks protocol version 1');
      if (route !== '/v1/ws') throw new RequestError('not_found', 'no such Ferry route');
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
      if (params.get('sid') === null) {
        const admission = this.#registry.admit(req);
        // the 101 response and the open frame leave in one write (one segment, one read for the client)
        socket.cork();
        this.#wss.handleUpgrade(req, socket, head, (ws) => {
          this.#startSession(ws, admission, socket);
          socket.uncork();
        });
        return;
      }
      const session = this.#registry.authenticate(params.get('sid'), params.get('t'));
      const epoch = intParam(params, 'e');
      if (epoch < 1) throw new RequestError('bad_request', 'the e parameter must be at least 1');
      const heartbeat = intParam(params, 'hb', 0);
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#join(ws, socket, session, epoch, heartbeat));
    } catch (e) {
      this.#refusals.report(e, req, route, params, true);
      rejectUpgrade(socket, answerFor(e, 'bad upgrade request'));
    }
  }

  close(): void {
    this.#wss.close();
  }

  #startSession(ws: WebSocket, admission: Admission, socket: Duplex): void {
    const transport = new WebSocketTransport(ws, 1, socket);
    const auth = this.#registry.auth;
    // with middleware, the session waits for the client's `auth` frame and the middleware's yes (server/auth/)
    if (auth.active) return authenticateWebSocket(transport, auth, admission.info, this.#options.maxHandshakeBytes, (data) => this.#open(transport, admission, data));
    const session = this.#open(transport, admission, undefined);
    if (session !== null) dropFirstAuthFrame(transport, session);
  }

  #open(transport: WebSocketTransport, admission: Admission, data: Record<string, unknown> | undefined): Session | null {
    let session: Session;
    try {
      session = this.#registry.create('websocket', admission, data);
    } catch {
      transport.drop(CloseCode.TOO_MANY_SESSIONS, 'too many sessions');
      return null;
    }
    transport.write([encodeControl({ type: 'open', handshake: this.#registry.handshake(session) })], []);
    session.attach(transport, 0);
    return session;
  }

  #join(ws: WebSocket, socket: Duplex, session: Session, epoch: number, heartbeat: number): void {
    const transport = new WebSocketTransport(ws, epoch, socket);
    const deadline = setTimeout(() => transport.drop(CloseCode.PROTOCOL_ERROR, 'no upgrade within pingTimeout'), this.#options.pingTimeout);
    deadline.unref();
    const candidate: TransportListener = {
      onFrames: (frames: Frame[]) => {
        for (let i = 0; i < frames.length; i++) {
          const frame = frames[i];
          if (frame.type === 'probe') {
            // a client probes once and reads the answer; one that keeps probing without reading
            // would have the answers pile up in this socket's buffer, which the session pays for
            if (!transport.writable || session.bufferedAmount + transport.bufferedAmount > this.#options.maxBufferedBytes) {
              transport.drop(CloseCode.BUFFER_OVERFLOW, 'probe answers not read');
              return;
            }
            transport.write([encodeControl({ type: 'probe', nonce: frame.nonce })], []);
            session.attached?.release();
          } else if (frame.type === 'upgrade') {
            clearTimeout(deadline);
            if (session.closed) {
              transport.close({ code: CloseCode.SESSION_UNKNOWN, reason: 'session closed' });
            } else if (epoch < session.epoch || (session.attached !== null && session.attached.epoch >= epoch)) {
              transport.drop(CloseCode.STALE_TRANSPORT, 'stale transport');
            } else {
              session.requestHeartbeat(heartbeat);
              session.attach(transport, frame.ack);
              if (i + 1 < frames.length) session.onFrames(frames.slice(i + 1));
            }
            return;
          } else {
            transport.drop(CloseCode.PROTOCOL_ERROR, 'expected probe or upgrade');
            return;
          }
        }
      },
      onWritable: () => {},
      onClosed: (_reason: string, _fatal?: CloseInfo) => clearTimeout(deadline),
    };
    transport.bind(candidate);
  }
}

/**
 * Module-level on purpose: a closure here would share the upgrade handler's scope and keep its
 * request (headers, buffers) alive for as long as the socket lives.
 */
function destroySocket(this: Duplex): void {
  this.destroy();
}
