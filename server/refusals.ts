import type { IncomingMessage } from 'node:http';
import { isTransportName, type HttpErrorCode, type TransportName } from '../protocol/index.js';
import { AppCodeError } from './app-errors.js';
import { RequestError } from './http-errors.js';
import type { ResolvedOptions } from './options.js';
import { clientAddressOf, type ClientAddress } from './policies/client-address.js';
import { POLL_ROUTES } from './poll-routes.js';
import { STREAM_ROUTES } from './stream-routes.js';

/** The refusals the server reports (`ferry.on('refused')`): the page's origin or host, and the rate limits. */
export type RefusalReason = Extract<HttpErrorCode, 'origin_not_allowed' | 'host_not_allowed' | 'rate_limited' | 'too_many_address_sessions'>;

const REPORTED: ReadonlySet<HttpErrorCode> = new Set<RefusalReason>(['origin_not_allowed', 'host_not_allowed', 'rate_limited', 'too_many_address_sessions']);

/** What the `refused` event tells the app about one refused request. */
export interface RefusalInfo {
  /** The error code the client got (403 `origin_not_allowed` / `host_not_allowed`, 429 for the rate limits). */
  readonly reason: RefusalReason;
  /** The message the client got: what was compared, and what to do. */
  readonly message: string;
  /** The request's `Origin` header, or null when it had none. */
  readonly origin: string | null;
  /** The request's `Host` header, or null when it had none. */
  readonly host: string | null;
  /** The transport the request was for, when its route names one (a handshake, a poll, a stream, the upgrade). */
  readonly transport: TransportName | null;
  /** The client's address (trust-proxy aware, as `socket.handshake.address`). */
  readonly address: string | undefined;
}

export type RefusalListener = (info: RefusalInfo) => void;

/** The transport a request under the Ferry path is for, when its route says. */
function transportOf(route: string, params: URLSearchParams, upgrade: boolean): TransportName | null {
  if (upgrade) return 'websocket';
  if (route === '/v1/handshake') {
    const requested = params.get('transport') ?? 'xhr-polling';
    return isTransportName(requested) ? requested : null;
  }
  return POLL_ROUTES[route]?.name ?? STREAM_ROUTES[route]?.name ?? null;
}

/**
 * Turns the refusals the routes and the upgrade answer into `refused` events. The routes make one
 * call, from the place they answer every refusal; nothing is built while nobody listens.
 */
export class Refusals {
  readonly #clientAddress: ClientAddress;
  readonly #listening: () => boolean;
  readonly #listener: RefusalListener;

  readonly #appError: (error: unknown) => void;

  /** `appError` surfaces what the app's own code threw (server/app-errors.ts). */
  constructor(options: ResolvedOptions, listener: RefusalListener, listening: () => boolean, appError: (error: unknown) => void) {
    this.#clientAddress = clientAddressOf(options.trustProxy, options.forwardedHeader);
    this.#listener = listener;
    this.#listening = listening;
    this.#appError = appError;
  }

  /**
   * Reports `error` if it is one of the refusals apps log (see RefusalReason), or surfaces it if
   * the app's own code threw it (an `allowedOrigins` function…). A `refused` listener that throws
   * is the app's too: surfaced, and the request is still answered.
   */
  report(error: unknown, req: IncomingMessage, route: string, params: URLSearchParams, upgrade: boolean): void {
    if (error instanceof AppCodeError) return this.#appError(error.thrown);
    if (!(error instanceof RequestError) || !REPORTED.has(error.code) || !this.#listening()) return;
    try {
      this.#emit(error, req, route, params, upgrade);
    } catch (thrown) {
      this.#appError(thrown);
    }
  }

  #emit(error: RequestError, req: IncomingMessage, route: string, params: URLSearchParams, upgrade: boolean): void {
    const { origin, host } = req.headers;
    this.#listener({
      reason: error.code as RefusalReason,
      message: error.message,
      origin: typeof origin === 'string' ? origin : null,
      host: host ?? null,
      transport: transportOf(route, params, upgrade),
      address: this.#clientAddress(req),
    });
  }
}
