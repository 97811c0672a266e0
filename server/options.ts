import { TRANSPORT_NAMES, isTransportName, type TransportName } from '../protocol/index.js';

/** Which page origins may talk to the server. */
export type OriginPolicy = 'same-origin' | '*' | readonly string[] | ((origin: string) => boolean);

export interface ServerOptions {
  /** URL prefix of every Ferry route. Default `/ferry`. */
  path?: string;
  /** Default `'same-origin'`: the Origin header must match the request's Host. */
  allowedOrigins?: OriginPolicy;
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
  /** Outbound bytes a session may hold unacknowledged before it is closed. Default 8 MiB. */
  maxBufferedBytes?: number;
  /** Concurrent sessions per server; beyond it handshakes get 503. Default 10,000. */
  maxSessions?: number;
  /** A streaming response is ended after this many bytes and reopened by the client. Default 128 KiB. */
  streamByteLimit?: number;
  /** Largest batch of messages in one poll response, in bytes (at least one message is sent). Default 1 MiB. */
  pollBatchBytes?: number;
  /** How long a received message may wait before its acknowledgement is sent over WebSocket, in ms. Default 50. */
  ackDelay?: number;
}

export type ResolvedOptions = Required<Omit<ServerOptions, 'transports'>> & { transports: TransportName[] };

const DEFAULTS = {
  path: '/ferry',
  allowedOrigins: 'same-origin' as OriginPolicy,
  credentials: false,
  pingInterval: 20_000,
  pingTimeout: 15_000,
  resumeWindow: 60_000,
  maxMessageSize: 1024 * 1024,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxSessions: 10_000,
  streamByteLimit: 128 * 1024,
  pollBatchBytes: 1024 * 1024,
  ackDelay: 50,
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
  for (const key of ['pingInterval', 'pingTimeout', 'resumeWindow', 'maxMessageSize', 'maxBufferedBytes', 'maxSessions', 'streamByteLimit', 'pollBatchBytes', 'ackDelay'] as const) {
    positive(key, merged[key]);
  }
  return { ...merged, path, transports };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] !== undefined) out[key] = value[key];
  }
  return out;
}
