import type { HandleProtocols } from './subprotocols.js';
import { TRANSPORT_NAMES, isTransportName, type TransportName } from '../protocol/index.js';
import { defaultTotalBufferedBytes } from './memory-budget.js';
import { resolveHostPolicy, type HostPolicy } from './policies/hosts.js';
import type { ForwardedHeader, TrustProxy } from './policies/client-address.js';
import { checkAdmissionOptions } from './policies/session-admission.js';
import { appCode } from './app-errors.js';
import { resolveDrainBelow } from './backpressure.js';
import type { AdapterOption } from './rooms/adapter.js';
import { MemoryAdapter } from './rooms/memory-adapter.js';
import { resolveClusterOptions, type ClusterOptions, type ResolvedClusterOptions } from './cluster/cluster-options.js';
import { RedisAdapter } from './cluster/redis-adapter.js';

/** Which page origins may talk to the server. */
export type OriginPolicy = 'same-origin' | '*' | readonly string[] | ((origin: string) => boolean);

export interface ServerOptions {
  /** URL prefix of every Ferry route. Default `/ferry`. */
  path?: string;
  /**
   * Default `'same-origin'`: `Sec-Fetch-Site: same-origin`, or an Origin that matches the request's
   * site (its Host, or under `trustProxy` the host and scheme the trusted proxy reports).
   */
  allowedOrigins?: OriginPolicy;
  /**
   * Host names the app is served under, checked against every request's Host header (DNS
   * rebinding): a list (`['app.example', '.app.example']` for a domain and its subdomains), a
   * function of the host name, or `'*'`. IP addresses and `localhost` always pass. Default `'*'`.
   */
  allowedHosts?: HostPolicy;
  /**
   * Whether allowed cross-origin pages may send cookies and HTTP auth (`withCredentials`):
   * adds `Access-Control-Allow-Credentials: true`. Default false.
   */
  credentials?: boolean;
  /** Transports clients may use. Default: all. */
  transports?: readonly TransportName[];
  /** Heartbeat interval, and how long a long poll is held, in ms. Default 20,000. */
  pingInterval?: number;
  /** How long the server waits for a pong, or for the next poll, before dropping a transport. Default 15,000. */
  pingTimeout?: number;
  /** How long a session without a transport is kept for the client to resume it, in ms. Default 60,000. */
  resumeWindow?: number;
  /** Largest packet (HTTP body or WebSocket message) accepted from a client, in bytes. Default 1 MiB. */
  maxMessageSize?: number;
  /**
   * Bytes a session may make the server hold (unacknowledged outbound messages plus its
   * transport's write buffer) before it is closed with 4006. Default 8 MiB.
   */
  maxBufferedBytes?: number;
  /**
   * Low-water mark of a socket's `drain` event, in bytes: `drain` fires when `bufferedAmount` falls
   * to this or under after having been above it, so a producer can wait
   * (`if (socket.bufferedAmount > socket.drainBelow) await drain`) instead of reaching
   * `maxBufferedBytes`. From 0 to below `maxBufferedBytes` (else a RangeError). Default an eighth of
   * `maxBufferedBytes` (1 MiB of the default 8 MiB): it follows a changed limit, leaves 7/8 of it
   * as headroom for the send that crosses the mark and the transport's copy of what is in flight,
   * and keeps about 10 MB/s flowing per session over a 100 ms acknowledgement round trip.
   */
  drainBelow?: number;
  /**
   * Bytes all sessions together may hold. From 90% of it new sessions are refused (503); past it
   * the sessions holding the most are closed with 4006 until the total is under 80%. Default a
   * quarter of the process's V8 heap limit (`--max-old-space-size`).
   */
  maxTotalBufferedBytes?: number;
  /**
   * Concurrent sessions per server. When full, a new session ends the idlest session that has
   * carried no message yet (4013); with none to end, handshakes get 503. Default 10,000.
   */
  maxSessions?: number;
  /**
   * Which proxies are believed (`true`, a hop count, or their addresses/CIDRs): about the client's
   * address (`X-Forwarded-For`), and, from a trusted peer, about the public host and scheme
   * (`X-Forwarded-Host`, `X-Forwarded-Proto`) the origin and host checks compare with. Default false.
   */
  trustProxy?: TrustProxy;
  /** The headers trusted proxies write: `'x-forwarded-for'` (default; with X-Forwarded-Host/-Proto) or `'forwarded'` (RFC 7239 `for=`, `host=`, `proto=`). */
  forwardedHeader?: ForwardedHeader;
  /** New sessions one client address (an IPv6 /64) may open at once. Default 200. */
  addressHandshakeBurst?: number;
  /** New sessions per second one client address may open, sustained. Default 20. */
  addressHandshakeRate?: number;
  /** New sessions the whole server accepts at once. Default 2,000. */
  handshakeBurst?: number;
  /** New sessions per second the whole server accepts, sustained. Default 1,000. */
  handshakeRate?: number;
  /** Live sessions one client address (an IPv6 /64) may hold; beyond it handshakes get 429. Default 1,000. */
  maxSessionsPerAddress?: number;
  /** The resume window of a session that has carried no message yet, in ms (at most `resumeWindow`). Default 10,000. */
  provisionalResumeWindow?: number;
  /** A streaming response is ended after this many bytes and reopened by the client. Default 128 KiB. */
  streamByteLimit?: number;
  /** Largest batch of messages in one poll response, in bytes (at least one message is sent). Default 1 MiB. */
  pollBatchBytes?: number;
  /** How long a received message may wait before its acknowledgement is sent over WebSocket, in ms. Default 50. */
  ackDelay?: number;
  /**
   * Answers one session may await from its client at once (acknowledged `emit`s, `emitWithAck`,
   * and acknowledged broadcasts that reach it). Past it an acknowledged emit is not sent and fails
   * at once, and a broadcast counts the socket as missing: what a client that never answers can
   * make the server hold. Default 256.
   */
  maxPendingAcks?: number;
  /**
   * How long a POST body may take to arrive, in total, from when the server starts reading it, in ms;
   * past it the request gets 408 `request_timeout` and its connection is closed. Default 10,000.
   */
  bodyTimeout?: number;
  /**
   * How long a handshake's middleware (`ferry.use`) may take, all of them together, in ms; and how
   * long a direct WebSocket to a server with middleware may take to send its `auth` frame. A
   * middleware past it is the app's bug: 500 (1011 on a WebSocket) and the server's `error` event. Default 10,000.
   */
  authTimeout?: number;
  /** Largest handshake body (the client's `auth` payload, `{"auth": …}`) or `auth` frame, in bytes; past it 413 (4005 on a WebSocket). Default 8 KiB. */
  maxHandshakeBytes?: number;
  /**
   * Where rooms live and how broadcasts reach sessions (server/rooms/adapter.ts): an adapter, or a
   * function making one for this Server. Default: in this process (`MemoryAdapter`).
   */
  adapter?: AdapterOption;
  /**
   * Rooms and broadcast across several nodes sharing one Redis (server/cluster/): `{ redis:
   * 'redis://127.0.0.1:6379' }`, plus the limits of ClusterOptions. Needs the `redis` package
   * (`npm install redis`), loaded only then. Not together with `adapter` (a TypeError). Default: none.
   */
  cluster?: ClusterOptions;
  /**
   * Picks a session's subprotocol from those its client offered (`connect(url, { protocols })`,
   * `new Ferry.WebSocket(url, protocols)`), in the client's order; `false` refuses them all (the
   * handshake gets 400 `subprotocol_refused`, 4015 on a direct WebSocket, and the client ends). The
   * pick is `socket.protocol`, and the client's `protocol`. Called only when the client offered
   * some. Default: the client's first.
   */
  handleProtocols?: HandleProtocols;
  /**
   * Serves a diagnostics page at `{path}/diagnostics` (its script at `{path}/diagnostics.js`) and
   * accepts diagnostics sessions (a handshake with `diag=1`): sessions that never reach the app,
   * answered by the server's own responder (server/diagnostics/), at most 60 s each and 30 new ones
   * per client address a minute. Default false: the routes answer 404 and `diag=1` is refused.
   */
  diagnostics?: boolean;
}

export type ResolvedOptions = Required<Omit<ServerOptions, 'transports' | 'cluster' | 'handleProtocols'>> & {
  transports: TransportName[];
  cluster: ResolvedClusterOptions | null;
  handleProtocols: HandleProtocols | undefined;
};

const DEFAULTS = {
  path: '/ferry',
  allowedOrigins: 'same-origin' as OriginPolicy,
  allowedHosts: '*' as HostPolicy,
  credentials: false,
  pingInterval: 20_000,
  pingTimeout: 15_000,
  resumeWindow: 60_000,
  maxMessageSize: 1024 * 1024,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxTotalBufferedBytes: defaultTotalBufferedBytes(),
  maxSessions: 10_000,
  trustProxy: false as TrustProxy,
  forwardedHeader: 'x-forwarded-for' as ForwardedHeader,
  addressHandshakeBurst: 200,
  addressHandshakeRate: 20,
  handshakeBurst: 2_000,
  handshakeRate: 1_000,
  maxSessionsPerAddress: 1_000,
  provisionalResumeWindow: 10_000,
  streamByteLimit: 128 * 1024,
  pollBatchBytes: 1024 * 1024,
  ackDelay: 50,
  maxPendingAcks: 256,
  bodyTimeout: 10_000,
  authTimeout: 10_000,
  maxHandshakeBytes: 8 * 1024,
  diagnostics: false,
  adapter: (() => new MemoryAdapter()) as AdapterOption,
};

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`ferry: option ${name} must be a positive number, got ${value}`);
  return value;
}

export function resolveOptions(options: ServerOptions = {}): ResolvedOptions {
  const merged = { ...DEFAULTS, ...stripUndefined(options) };
  let path = merged.path;
  if (!path.startsWith('/')) path = '/' + path;
  path = path.replace(/\/+$/, '');
  const transports = [...(options.transports ?? TRANSPORT_NAMES)];
  for (const t of transports) {
    if (!isTransportName(t)) throw new RangeError(`ferry: unknown transport "${String(t)}"`);
  }
  if (transports.length === 0) throw new RangeError('ferry: at least one transport must be enabled');
  for (const key of ['pingInterval', 'pingTimeout', 'resumeWindow', 'maxMessageSize', 'maxBufferedBytes', 'maxTotalBufferedBytes', 'maxSessions', 'streamByteLimit', 'pollBatchBytes', 'ackDelay', 'maxPendingAcks', 'bodyTimeout', 'authTimeout', 'maxHandshakeBytes'] as const) {
    positive(key, merged[key]);
  }
  checkAdmissionOptions(merged);
  // the app's own functions: what they throw is the app's bug (500 and an `error` event), not the client's
  const allowedOrigins = typeof merged.allowedOrigins === 'function' ? appCode(merged.allowedOrigins, 'allowedOrigins function') : merged.allowedOrigins;
  const hosts = resolveHostPolicy(merged.allowedHosts);
  const allowedHosts = typeof hosts === 'function' ? appCode(hosts, 'allowedHosts function') : hosts;
  const drainBelow = resolveDrainBelow(merged.drainBelow, merged.maxBufferedBytes);
  const cluster = options.cluster === undefined ? null : resolveClusterOptions(options.cluster);
  if (cluster !== null && options.adapter !== undefined) throw new TypeError('ferry: give the adapter option or the cluster option, not both');
  const adapter = cluster === null ? merged.adapter : () => new RedisAdapter(cluster);
  if (options.handleProtocols !== undefined && typeof options.handleProtocols !== 'function') throw new TypeError('ferry: option handleProtocols must be a function');
  if (typeof merged.diagnostics !== 'boolean') throw new TypeError('ferry: option diagnostics must be true or false');
  return { ...merged, path, transports, allowedOrigins, allowedHosts, drainBelow, cluster, adapter, handleProtocols: options.handleProtocols };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] !== undefined) out[key] = value[key];
  }
  return out;
}
