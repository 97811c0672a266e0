import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { EventEmitter } from 'eventemitter3';
import { CloseCode } from '../protocol/index.js';
import { surfaceAppError } from './app-errors.js';
import { HttpRoutes } from './http-routes.js';
import { warnIfUnsafe } from './http-server-check.js';
import { resolveOptions, type ResolvedOptions, type ServerOptions } from './options.js';
import { Refusals, type RefusalInfo } from './refusals.js';
import { SessionRegistry } from './session-registry.js';
import type { Socket } from './socket.js';
import { WebSocketUpgrades } from './websocket-upgrade.js';
import { requestPolicies } from './policies/request-policies.js';

export interface ServerEvents {
  /** A new session; the socket is the application's handle on it. */
  connection: [socket: Socket];
  /**
   * An application listener (`connection`, or a socket's `message`, `transport`, `close`) threw,
   * with its socket; or, with `socket` null, an app function Ferry called for a request (an
   * `allowedOrigins` or `allowedHosts` function, a `refused` listener). The session goes on and the
   * message counts as delivered; a request whose policy function threw gets 500 `server_error`. Without an `error` listener the
   * exception is thrown again on the next tick (an uncaught exception, as Node reports one).
   */
  error: [error: Error, socket: Socket | null];
  /**
   * A request was refused for its page's origin or its host (403), or by a handshake rate limit
   * (429): for the app's logs. Behind a reverse proxy, every session refused for its origin
   * usually means the proxy does not forward Host (see `trustProxy`).
   */
  refused: [info: RefusalInfo];
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
/** A middleware usable with Express, Connect or a plain `http` handler. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

/** The Ferry server: HTTP routes and WebSocket upgrades under one path, sessions behind them. */
export class Server extends EventEmitter<ServerEvents> {
  readonly options: ResolvedOptions;
  readonly #registry: SessionRegistry;
  readonly #routes: HttpRoutes;
  readonly #upgrades: WebSocketUpgrades;
  readonly #detach: Array<() => void> = [];
  #closed = false;

  constructor(options: ServerOptions = {}) {
    super();
    this.options = resolveOptions(options);
    this.#registry = new SessionRegistry(
      this.options,
      (socket) => this.emit('connection', socket),
      (error, socket) => surfaceAppError(this, error, socket),
    );
    const refusals = new Refusals(
      this.options,
      (info) => this.emit('refused', info),
      () => this.listenerCount('refused') > 0,
      (error) => surfaceAppError(this, error, null),
    );
    // one composition of the request policies (and one CORS header cache) for both entry points
    const admit = requestPolicies(this.options);
    this.#routes = new HttpRoutes(this.options, this.#registry, admit, refusals);
    this.#upgrades = new WebSocketUpgrades(this.options, this.#registry, admit, refusals);
  }

  /** Number of live sessions (connected or waiting to be resumed). */
  get sessionCount(): number {
    return this.#registry.size;
  }

  /**
   * Serves Ferry's routes from `httpServer`: requests under `path` are answered here, others go to
   * the server's existing request listeners; WebSocket upgrades under `path` are accepted.
   */
  attach(httpServer: HttpServer): this {
    warnIfUnsafe(httpServer, this.options.pingInterval);
    const previous = httpServer.listeners('request') as RequestListener[];
    httpServer.removeAllListeners('request');
    const onRequest: RequestListener = (req, res) => {
      if (this.#routes.matches(req.url ?? '/') && !this.#closed) {
        this.#routes.handle(req, res, req.url ?? '/');
        return;
      }
      if (previous.length === 0) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found');
        return;
      }
      for (const listener of previous) listener.call(httpServer, req, res);
    };
    const onUpgrade: UpgradeListener = (req, socket, head) => {
      if (this.#routes.matches(req.url ?? '/') && !this.#closed) {
        this.#upgrades.handle(req, socket, head, req.url ?? '/');
      } else if (httpServer.listenerCount('upgrade') === 1) {
        socket.destroy();
      }
    };
    httpServer.on('request', onRequest);
    httpServer.on('upgrade', onUpgrade);
    this.#detach.push(() => {
      httpServer.off('request', onRequest);
      httpServer.off('upgrade', onUpgrade);
      for (const listener of previous) httpServer.on('request', listener);
    });
    return this;
  }

  /** The HTTP routes as middleware (`app.use(ferry.middleware())`). WebSocket needs `attach` or `handleUpgrade`. */
  middleware(): Middleware {
    return (req, res, next) => {
      const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
      if (this.#routes.matches(url) && !this.#closed) this.#routes.handle(req, res, url);
      else if (next) next();
      else {
        res.writeHead(404);
        res.end();
      }
    };
  }

  /** Handles an `upgrade` event yourself; returns false when the URL is not Ferry's. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (!this.#routes.matches(req.url ?? '/') || this.#closed) return false;
    this.#upgrades.handle(req, socket, head, req.url ?? '/');
    return true;
  }

  /** Ends every session (clients are told the server is shutting down), stops timers, detaches. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#registry.endAll(CloseCode.SERVER_SHUTDOWN, 'server shutting down');
    this.#upgrades.close();
    for (const detach of this.#detach.splice(0)) detach();
  }
}
