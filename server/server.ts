import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { EventEmitter } from 'eventemitter3';
import { CloseCode, type DefaultEvents, type EventArgs, type EventNames, type JsonValue } from '../protocol/index.js';
import { surfaceAppError, type AppErrorTarget } from './app-errors.js';
import type { ListenerApi } from './app-events.js';
import type { NotReserved } from '../protocol/event-api.js';
import { HttpRoutes } from './http-routes.js';
import { warnIfUnsafe } from './http-server-check.js';
import { resolveOptions, type ResolvedOptions, type ServerOptions } from './options.js';
import { Refusals, type RefusalInfo } from './refusals.js';
import { SessionRegistry } from './session-registry.js';
import type { Socket } from './socket.js';
import type { BroadcastOperator } from './rooms/broadcast-operator.js';
import type { RoomAdapter } from './rooms/adapter.js';
import type { FetchedSockets, NodesReply } from './rooms/socket-operations.js';
import { WebSocketUpgrades } from './websocket-upgrade.js';
import { rejectUpgrade, RequestError } from './http-errors.js';
import { refuse } from './refuse.js';
import { admitFerryRoutes, requestPolicies, type RequestPolicy } from './policies/request-policies.js';
import { SockJSEndpoint } from './sockjs/endpoint.js';
import type { SockJSOptions } from './sockjs/options.js';
import type { HandshakeMiddleware } from './auth/handshake-auth.js';
import { ServerMetrics, type SessionExpiry, type TransportFailure } from './metrics.js';
import { metricsSnapshot, type FerryMetrics } from './metrics-snapshot.js';
import { metricsRequestHandler } from './metrics-text.js';
import type { HttpRelay } from './cluster/relay/http-relay.js';
import { forwardUpgrade, setUpRelay } from './cluster/relay/set-up-relay.js';

export interface ServerEvents<ListenEvents = DefaultEvents, EmitEvents = DefaultEvents, SocketData = unknown> {
  /** A new session; the socket is the application's handle on it (typed by the Server's event maps). */
  connection: [socket: Socket<ListenEvents, EmitEvents, SocketData>];
  /**
   * An application listener (`connection`, or a socket's `message`, `transport`, `close`) threw,
   * with its socket; or, with `socket` null, an app function Ferry called for a request (an
   * `allowedOrigins` or `allowedHosts` function, a `refused` listener, a handshake middleware that
   * threw something other than a `Refusal` or ran past `authTimeout`); or, with the `cluster` option,
   * what the cluster met on its own (a ClusterError with a `code`: Redis lost, a possible gap in
   * the broadcasts, malformed data from another node, no `redis` package). The session goes on and the
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
  /**
   * A transport of a live session was lost for a reason other than its replacement by a newer one
   * (a ping or poll timeout, a dropped connection, the client giving it up), or a WebSocket probing
   * an upgrade failed: for the app's logs. The session goes on; the client may resume it. Counted
   * in `metrics().transportFailures`.
   */
  'transport-failed': [info: TransportFailure];
  /** A session ended because its resume window ran out with no transport attached (close code 4010). */
  'session-expired': [info: SessionExpiry];
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
/** What a closed server's path answers (`Server.close`). */
const SERVER_CLOSED = new RequestError('server_closed', 'this server has closed: try again (another node)');
/** A middleware usable with Express, Connect or a plain `http` handler. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

/** eventemitter3's class typed as a listener API only: on a Server, `emit` broadcasts to every socket (Socket.IO's `io.emit`). */
const ServerEmitter = EventEmitter as unknown as abstract new <Own>() => ListenerApi<Own, Record<never, never>>;

/** Fires one of the server's own events (`connection`, `error`, `refused`) to its listeners. */
function fire(server: object, event: string, ...args: unknown[]): boolean {
  return (EventEmitter.prototype.emit as (this: unknown, event: string, ...args: unknown[]) => boolean).apply(server, [event, ...args]);
}

/** The Ferry server: HTTP routes and WebSocket upgrades under one path, sessions behind them. */
export class Server<ListenEvents = DefaultEvents, EmitEvents = DefaultEvents, SocketData = unknown> extends ServerEmitter<
  ServerEvents<ListenEvents, EmitEvents, SocketData>
> {
  readonly options: ResolvedOptions;
  readonly #registry: SessionRegistry;
  readonly #routes: HttpRoutes;
  readonly #upgrades: WebSocketUpgrades;
  /** With a cluster: relays requests for other nodes' sessions (server/cluster/relay/). */
  readonly #relay: HttpRelay | null;
  /** Ferry's request policies, composed once: its own routes and the SockJS endpoints call them. */
  readonly #checks: RequestPolicy;
  readonly #sockjs: SockJSEndpoint[] = [];
  #closed = false;
  /** `close()` has begun: its Promise. */
  #closing: Promise<void> | null = null;

  constructor(options: ServerOptions = {}) {
    super();
    this.options = resolveOptions(options);
    const errors: AppErrorTarget = {
      listenerCount: (event) => this.listenerCount(event),
      emit: (event, error, socket) => fire(this, event, error, socket),
    };
    this.#registry = new SessionRegistry(
      this.options,
      (socket) => fire(this, 'connection', socket),
      (error, socket) => surfaceAppError(errors, error, socket),
      new ServerMetrics({
        listening: (event) => this.listenerCount(event) > 0,
        fire: (event: string, info: object) => void fire(this, event, info),
        appError: (error, socket) => surfaceAppError(errors, error, socket),
      }),
    );
    const refusals = new Refusals(
      this.options,
      (info) => fire(this, 'refused', info),
      () => this.listenerCount('refused') > 0,
      (error) => surfaceAppError(errors, error, null),
    );
    // one composition of the request policies (and one CORS header cache) for both entry points
    this.#checks = requestPolicies(this.options);
    const admit = admitFerryRoutes(this.#checks);
    this.#routes = new HttpRoutes(this.options, this.#registry, admit, refusals);
    this.#upgrades = new WebSocketUpgrades(this.options, this.#registry, admit, refusals);
    const serveRelayed = (req: IncomingMessage, res: ServerResponse, url: string): void => {
      if (this.#routes.matches(url)) this.#routes.handle(req, res, url);
      else res.writeHead(404).end();
    };
    const join = this.#upgrades.joinRelayed.bind(this.#upgrades);
    this.#relay = setUpRelay(this.#registry.rooms.adapter, this.#registry, this.options, { http: serveRelayed, join }, (error) => surfaceAppError(errors, error, null));
  }

  /** Number of live sessions (connected or waiting to be resumed). */
  get sessionCount(): number {
    return this.#registry.size;
  }

  /**
   * Where rooms live: the `adapter` option's, or the cluster's (a RedisAdapter, whose `ready()`
   * resolves once this node has joined the cluster).
   */
  get adapter(): RoomAdapter {
    return this.#registry.rooms.adapter;
  }

  /**
   * A snapshot of the server's counters and gauges (see FerryMetrics): cheap enough to call on
   * every scrape, and always on (counting costs no allocation per message). Gauges walk the
   * sessions once per call.
   */
  metrics(): FerryMetrics {
    return metricsSnapshot(this.#registry.metrics, this.#registry.sessions());
  }

  /**
   * A Node/Express request handler serving `metrics()` in the Prometheus text format 0.0.4
   * (`app.get('/metrics', ferry.metricsHandler())`). It checks no access: the figures are
   * operational data (traffic, refusals, error rates), so mount it behind your own check or on a
   * port only the scraper reaches.
   */
  metricsHandler(): (req: IncomingMessage, res: ServerResponse) => void {
    return metricsRequestHandler(() => this.metrics());
  }

  /**
   * Adds a handshake middleware (server/auth/handshake-auth.ts): run, after those added before it,
   * for every new session before it exists, with the client's headers, cookies, address, query and
   * `auth` payload. It refuses by throwing a `Refusal`; what it sets on (or returns for)
   * `handshake.data` becomes `socket.data`.
   */
  use(middleware: HandshakeMiddleware<SocketData>): this {
    this.#registry.auth.use(middleware as Parameters<SessionRegistry['auth']['use']>[0]);
    return this;
  }

  /**
   * A broadcast to the members of `rooms` (a socket's id names that socket too), chained:
   * `ferry.to('lobby').except(socket.id).emit('joined', name)`. See BroadcastOperator.
   */
  to(rooms: string | readonly string[]): BroadcastOperator<EmitEvents> {
    return this.#registry.rooms.everyone<EmitEvents>().to(rooms);
  }

  /** The same as `to`. */
  in(rooms: string | readonly string[]): BroadcastOperator<EmitEvents> {
    return this.to(rooms);
  }

  /** A broadcast to every socket but the members of these rooms and the sockets with these ids. */
  except(names: string | readonly string[]): BroadcastOperator<EmitEvents> {
    return this.#registry.rooms.everyone<EmitEvents>().except(names);
  }

  /** A broadcast to every socket that can take a write right now (those reconnecting are skipped, not queued for). */
  get volatile(): BroadcastOperator<EmitEvents> {
    return this.#registry.rooms.everyone<EmitEvents>().volatile;
  }

  /**
   * Sends event `event` to every socket (Socket.IO's `io.emit`): encoded once, delivered once to
   * each, in order with the rest. The server's own events (`connection`, `error`, `refused`) are
   * only listened to: they are never emitted from outside. Throws a TypeError, before anyone gets
   * anything, for a reserved or invalid name or arguments JSON cannot carry.
   */
  emit<E extends EventNames<EmitEvents>>(event: E & NotReserved<E>, ...args: EventArgs<EmitEvents, E>): void | Promise<void> {
    return this.#registry.rooms.everyone<EmitEvents>().emit(event, ...args);
  }

  /** An acknowledged broadcast to every socket, waiting at most `ms` for answers: `ferry.timeout(5000).emitWithAck('ready?')`. */
  timeout(ms: number): BroadcastOperator<EmitEvents> {
    return this.#registry.rooms.everyone<EmitEvents>().timeout(ms);
  }

  /**
   * Sends a message to every socket, once each, in order with the rest of what each receives
   * (encoded once; a value JSON cannot carry throws a TypeError before anyone gets anything).
   */
  send(data: JsonValue | Uint8Array | ArrayBuffer): void | Promise<void> {
    return this.#registry.rooms.everyone().send(data);
  }

  /** The sockets of this server, or those in `room`: for inspection and for `close`. */
  sockets(room?: string): Array<Socket<ListenEvents, EmitEvents, SocketData>> {
    const everyone = this.#registry.rooms.everyone<EmitEvents>();
    return (room === undefined ? everyone : everyone.to(room)).sockets() as unknown as Array<Socket<ListenEvents, EmitEvents, SocketData>>;
  }

  /** Every socket of every node, as plain data (`ferry.in(room).fetchSockets()` for a room): see BroadcastOperator. */
  fetchSockets(): Promise<FetchedSockets> {
    return this.#registry.rooms.everyone<EmitEvents>().fetchSockets();
  }

  /** Makes every socket of every node join `rooms` (`ferry.in(room).socketsJoin(…)` for some). */
  socketsJoin(rooms: string | readonly string[]): Promise<NodesReply> {
    return this.#registry.rooms.everyone<EmitEvents>().socketsJoin(rooms);
  }

  /** Makes every socket of every node leave `rooms`. */
  socketsLeave(rooms: string | readonly string[]): Promise<NodesReply> {
    return this.#registry.rooms.everyone<EmitEvents>().socketsLeave(rooms);
  }

  /** Ends every session of every node; clients get a normal close with `reason`. */
  disconnectSockets(reason?: string): Promise<NodesReply> {
    return this.#registry.rooms.everyone<EmitEvents>().disconnectSockets(reason);
  }

  /**
   * Adds a SockJS protocol 0.3.3 endpoint at `options.prefix`, served wherever Ferry's routes are
   * (`attach`, `middleware`, `handleUpgrade`): unmodified sockjs-client pages connect to it on
   * every SockJS transport, and their sessions are ordinary sockets (`connection`, `message` with
   * strings, `send`, rooms, broadcasts, limits, `ferry.use` middleware). See the README, "SockJS
   * clients".
   */
  sockjs(options: SockJSOptions): SockJSEndpoint {
    const endpoint = new SockJSEndpoint(options, this.options, this.#registry, this.#checks);
    const prefix = endpoint.options.prefix;
    const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(b + '/') || b.startsWith(a + '/');
    if (overlaps(prefix, this.options.path)) throw new TypeError(`ferry: the sockjs prefix ${prefix} overlaps Ferry's path ${this.options.path}`);
    for (const other of this.#sockjs) {
      if (overlaps(prefix, other.options.prefix)) throw new TypeError(`ferry: the sockjs prefix ${prefix} overlaps ${other.options.prefix}`);
    }
    this.#sockjs.push(endpoint);
    return endpoint;
  }

  /** The SockJS endpoint `url` is under, if any. */
  #sockjsFor(url: string): SockJSEndpoint | undefined {
    for (const endpoint of this.#sockjs) if (endpoint.matches(url)) return endpoint;
    return undefined;
  }

  /** Whether `url` is Ferry's to answer: its path or a SockJS prefix. */
  #ours(url: string): boolean {
    return this.#routes.matches(url) || this.#sockjsFor(url) !== undefined;
  }

  /**
   * Serves Ferry's routes from `httpServer`: requests under `path` are answered here, others go to
   * the server's existing request listeners; WebSocket upgrades under `path` are accepted.
   */
  attach(httpServer: HttpServer): this {
    warnIfUnsafe(httpServer, this.options.pingInterval);
    const previous = httpServer.listeners('request') as RequestListener[];
    httpServer.removeAllListeners('request');
    httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.#ours(req.url ?? '/')) return this.#serve(req, res, req.url ?? '/');
      if (previous.length === 0) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found');
        return;
      }
      for (const listener of previous) listener.call(httpServer, req, res);
    });
    httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.#ours(req.url ?? '/')) this.#serveUpgrade(req, socket, head);
      else if (httpServer.listenerCount('upgrade') === 1) socket.destroy();
    });
    return this;
  }

  /** The HTTP routes as middleware (`app.use(ferry.middleware())`). WebSocket needs `attach` or `handleUpgrade`. */
  middleware(): Middleware {
    return (req, res, next) => {
      const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
      if (this.#ours(url)) this.#serve(req, res, url);
      else if (next) next();
      else {
        res.writeHead(404);
        res.end();
      }
    };
  }

  /** Handles an `upgrade` event yourself; returns false when the URL is not Ferry's. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (!this.#ours(req.url ?? '/')) return false;
    this.#serveUpgrade(req, socket, head);
    return true;
  }

  /**
   * One request under Ferry's path. Once closed, the path stays Ferry's and answers 503
   * `server_closed`: behind a balancer the request was for a session another node owns (or a new
   * one), and the client tries again, landing elsewhere; a 404 from the app would end its session.
   */
  #serve(req: IncomingMessage, res: ServerResponse, url: string): void {
    const sockjs = this.#sockjsFor(url);
    if (this.#closed) refuse(req, res, SERVER_CLOSED, {});
    else if (sockjs !== undefined) sockjs.handle(req, res, url);
    else if (!this.#relay?.forward(req, res, url)) this.#routes.handle(req, res, url);
  }

  #serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const sockjs = this.#sockjsFor(req.url ?? '/');
    if (this.#closed) rejectUpgrade(socket, SERVER_CLOSED);
    else if (sockjs !== undefined) sockjs.handleUpgrade(req, socket, head, req.url ?? '/');
    else if (!forwardUpgrade(this.#relay, req, socket, head, req.url ?? '/')) this.#upgrades.handle(req, socket, head, req.url ?? '/');
  }

  /**
   * Ends every session (clients are told the server is shutting down: they start new sessions,
   * on another node behind a balancer) and stops timers; from then on its path answers 503
   * `server_closed`, which clients retry. With `drainTimeout` (ms), first takes no new session
   * (handshakes get 503 `too_many_sessions`, also retried) and waits, at most that long, until
   * every session's outbound messages have been acknowledged, so that a deploy loses none of what
   * was sent; the sessions work as usual meanwhile. Calling it again returns the same Promise.
   */
  close(options: { drainTimeout?: number } = {}): Promise<void> {
    const drainTimeout = options.drainTimeout ?? 0;
    if (!(drainTimeout >= 0) || drainTimeout > 2_147_483_647) return Promise.reject(new RangeError('ferry: drainTimeout must be a number of ms, 0 or more'));
    this.#closing ??= this.#close(drainTimeout);
    return this.#closing;
  }

  async #close(drainTimeout: number): Promise<void> {
    if (drainTimeout > 0) {
      this.#registry.stopAdmitting();
      const deadline = Date.now() + drainTimeout;
      while (!this.#registry.drained() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.#closed = true;
    this.#registry.endAll(CloseCode.SERVER_SHUTDOWN, 'server shutting down');
    this.#upgrades.close();
    for (const endpoint of this.#sockjs) endpoint.close();
    // the sessions' last answers to relayed requests reach Redis before the connections close
    await this.#relay?.close();
    await this.#registry.rooms.adapter.close();
  }
}
