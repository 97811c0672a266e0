import { TRANSPORT_NAMES, isTransportName, type TransportName } from '../protocol/index.js';
import type { TransportStorage } from './transport-memory.js';
import { resolveDrainBelow } from './backpressure.js';
import type { AuthOption } from './auth.js';
import { checkProtocols } from './web-socket-checks.js';

export interface ConnectOptions {
  /** Transports to use, in order of preference. Default: all, best first (see DEFAULT_TRANSPORTS). */
  transports?: TransportName[];
  /** Reconnect after a drop, and start a new session when the old one cannot be resumed. Default true. */
  reconnect?: boolean;
  /**
   * Upper bound of an upgrade probe's budget (connect + first frame), in ms. Each probe gets
   * 4 × the measured handshake round trip + 500 ms, at least 1000 ms and at most this. Default 4000.
   */
  probeTimeout?: number;
  /** First reconnect delay, doubled per failed attempt, in ms. Default 250. */
  reconnectDelay?: number;
  /** Longest reconnect delay, in ms. Default 5000. */
  reconnectDelayMax?: number;
  /** Unacknowledged outbound bytes the client holds before `send` throws. Default 8 MiB. */
  maxBufferedBytes?: number;
  /**
   * Low-water mark of the `drain` event, in bytes: `drain` fires when `bufferedAmount` falls to this
   * or under after having been above it. From 0 to below `maxBufferedBytes` (else a RangeError).
   * Default an eighth of `maxBufferedBytes` (1 MiB of the default 8 MiB), as on the server.
   */
  drainBelow?: number;
  /** How long the handshake may take, in ms. Default 10000. */
  connectTimeout?: number;
  /** How long a transport that failed is skipped by later sessions to the same URL, in ms; 0 turns it off. Default 1 hour. */
  rememberFor?: number;
  /** Where failures are remembered. Default: `localStorage` in browsers, nowhere in Node. */
  storage?: TransportStorage | null;
  /**
   * Sent to the server's handshake middleware (`ferry.use`) with every new session: a JSON value, or
   * `function (cb) { cb(payload) }`, asked again for each new session (a renewal too), so an expired
   * token can be refreshed. It travels in the handshake's body or a direct WebSocket's first frame,
   * never in a URL; a JSONP handshake (a script tag) cannot carry it.
   */
  auth?: AuthOption;
  /**
   * Subprotocols to offer, best first (tokens, none twice: a SyntaxError otherwise). They travel
   * in the handshake's URL; the server picks one (its `handleProtocols` option, else the first)
   * and `socket.protocol` says which. A server that picks none ends the socket for good
   * ("handshake refused: …"). Default: none.
   */
  protocols?: string | string[];
  /**
   * Where the socket's debug lines go (a line per decision: handshake, transport chosen, probe won
   * or given up, connection lost, retry, renewal), e.g. `(line) => console.debug(line)`. Default:
   * nowhere in browsers; in Node, the `debug` convention (`DEBUG=ferry:client`).
   */
  log?: (line: string) => void;
}

export interface ResolvedConnectOptions {
  transports: TransportName[];
  reconnect: boolean;
  probeTimeout: number;
  reconnectDelay: number;
  reconnectDelayMax: number;
  maxBufferedBytes: number;
  drainBelow: number;
  connectTimeout: number;
  rememberFor: number;
  storage: TransportStorage | null | undefined;
  auth: AuthOption | undefined;
  protocols: string[];
  log: ((line: string) => void) | undefined;
}

/** Every transport, best first. */
export const DEFAULT_TRANSPORTS: TransportName[] = TRANSPORT_NAMES.slice();

function pick(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value > 0 ? value : fallback;
}

export function resolveConnectOptions(options: ConnectOptions | undefined): ResolvedConnectOptions {
  const o = options || {};
  const transports: TransportName[] = [];
  const requested = o.transports || DEFAULT_TRANSPORTS;
  for (let i = 0; i < requested.length; i++) {
    if (!isTransportName(requested[i])) throw new Error('ferry: unknown transport "' + String(requested[i]) + '"');
    transports.push(requested[i]);
  }
  if (transports.length === 0) throw new Error('ferry: at least one transport is needed');
  const maxBufferedBytes = pick(o.maxBufferedBytes, 8 * 1024 * 1024);
  return {
    transports: transports,
    reconnect: o.reconnect !== false,
    probeTimeout: pick(o.probeTimeout, 4000),
    reconnectDelay: pick(o.reconnectDelay, 250),
    reconnectDelayMax: pick(o.reconnectDelayMax, 5000),
    maxBufferedBytes: maxBufferedBytes,
    drainBelow: resolveDrainBelow(o.drainBelow, maxBufferedBytes),
    connectTimeout: pick(o.connectTimeout, 10000),
    rememberFor: o.rememberFor === 0 ? 0 : pick(o.rememberFor, 3600000),
    storage: o.storage,
    auth: o.auth,
    protocols: checkProtocols(o.protocols),
    log: typeof o.log === 'function' ? o.log : undefined,
  };
}
