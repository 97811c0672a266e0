import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, encodeControl, type Frame } from '../protocol/index.js';
import { handshakeInfo } from './handshake-info.js';
import { RequestError, rejectUpgrade } from './http-errors.js';
import type { ResolvedOptions } from './options.js';
import { isOriginAllowed, requestOrigin } from './origin-policy.js';
import { intParam, splitUrl } from './request-params.js';
import type { Session } from './session.js';
import type { SessionRegistry } from './session-registry.js';
import type { CloseInfo, TransportListener } from './transports/transport.js';
import { WebSocketTransport } from './transports/websocket.js';

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

  constructor(options: ResolvedOptions, registry: SessionRegistry) {
    this.#options = options;
    this.#registry = registry;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageSize, perMessageDeflate: false, clientTracking: false });
  }

  handle(req: IncomingMessage, socket: Duplex, head: Buffer, url: string): void {
    socket.on('error', destroySocket);
    const { pathname, params } = splitUrl(url);
    try {
      const route = pathname.slice(this.#options.path.length);
      if (/^\/v[0-9]+\//.test(route) && !route.startsWith('/v1/')) throw new RequestError('unsupported_version', 'this server speaks protocol version 1');
      if (route !== '/v1/ws') throw new RequestError('not_found', 'no such Ferry route');
      if (!this.#options.transports.includes('websocket')) throw new RequestError('transport_disabled', 'websocket is disabled on this server');
      const origin = requestOrigin(req);
      if (!isOriginAllowed(this.#options.allowedOrigins, origin, req)) throw new RequestError('origin_not_allowed', `origin ${origin} is not allowed`);
      if (params.get('sid') === null) {
        this.#registry.assertCapacity();
        // the 101 response and the open frame leave in one write (one segment, one read for the client)
        socket.cork();
        this.#wss.handleUpgrade(req, socket, head, (ws) => {
          this.#startSession(ws, req);
          socket.uncork();
        });
        return;
      }
      const session = this.#registry.authenticate(params.get('sid'), params.get('t'));
      const epoch = intParam(params, 'e');
      if (epoch < 1) throw new RequestError('bad_request', 'the e parameter must be at least 1');
      const heartbeat = intParam(params, 'hb', 0);
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#join(ws, session, epoch, heartbeat));
    } catch (e) {
      rejectUpgrade(socket, e instanceof RequestError ? e : new RequestError('bad_request', 'bad upgrade request'));
    }
  }

  close(): void {
    this.#wss.close();
  }

  #startSession(ws: WebSocket, req: IncomingMessage): void {
    let session: Session;
    try {
      session = this.#registry.create('websocket', handshakeInfo(req));
    } catch {
      ws.close(CloseCode.TOO_MANY_SESSIONS, 'too many sessions');
      return;
    }
    const transport = new WebSocketTransport(ws, 1);
    transport.write([encodeControl({ type: 'open', handshake: this.#registry.handshake(session) })], []);
    session.attach(transport, 0);
  }

  #join(ws: WebSocket, session: Session, epoch: number, heartbeat: number): void {
    const transport = new WebSocketTransport(ws, epoch);
    const deadline = setTimeout(() => transport.drop(CloseCode.PROTOCOL_ERROR, 'no upgrade within pingTimeout'), this.#options.pingTimeout);
    deadline.unref();
    const candidate: TransportListener = {
      onFrames: (frames: Frame[]) => {
        for (let i = 0; i < frames.length; i++) {
          const frame = frames[i];
          if (frame.type === 'probe') {
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
