import type { JsonValue, TransportName } from '../../protocol/index.js';
import type { AppQuery } from '../app-query.js';
import { RequestError } from '../http-errors.js';
import type { HandshakeInfo } from '../socket.js';
import { parseCookies } from './cookies.js';
import { isRefusal } from './refusal.js';

/** What a handshake middleware may set on `handshake.data`: the fields of the app's `SocketData`. */
export type HandshakeData<SocketData> = SocketData extends object ? Partial<SocketData> : Record<string, unknown>;

/** What a handshake middleware sees of a client asking for a new session. */
export interface AuthHandshake<SocketData = unknown> {
  /** Request headers of the handshake, as `socket.handshake.headers` will have them. */
  readonly headers: HandshakeInfo['headers'];
  /** The `Cookie` header, parsed (server/auth/cookies.ts): name → value, no prototype. */
  readonly cookies: Readonly<Record<string, string>>;
  /** The client's address, as the trusted proxies report it (`trustProxy`). */
  readonly address: string | undefined;
  /** The app's query parameters from the client's Ferry URL, as `socket.handshake.query`. */
  readonly query: AppQuery;
  /**
   * The client's `auth` option: from the POST handshake's body, or the first frame of a direct
   * WebSocket. Undefined when the client sent none (or null), and always on a JSONP handshake
   * (a script tag has no body).
   */
  readonly auth: JsonValue | undefined;
  /** The transport the session starts on. */
  readonly transport: TransportName;
  /** Becomes `socket.data`: set fields on it, or return an object whose fields are merged into it. */
  data: HandshakeData<SocketData>;
}

/**
 * A function run before a session is created (`ferry.use`). Several run in order, each after the
 * previous one finished. Throw (or reject with) a `Refusal` to refuse the client; anything else it
 * throws, or taking longer than `authTimeout`, is the app's bug (500, the server's `error` event).
 * What it returns (an object) is merged into `handshake.data`.
 */
export type HandshakeMiddleware<SocketData = unknown> = (
  handshake: AuthHandshake<SocketData>,
) => void | Partial<SocketData> | Promise<void | Partial<SocketData>>;

/** A refused handshake: 401 `unauthorized` or 403 `forbidden`, with the app's message and data. */
export class AuthRefusedError extends RequestError {
  readonly data: JsonValue | undefined;
  constructor(status: 401 | 403, message: string, data: JsonValue | undefined) {
    super(status === 403 ? 'forbidden' : 'unauthorized', message);
    this.data = data;
  }
  override body(): string {
    return JSON.stringify(this.data === undefined ? { error: this.code, message: this.message } : { error: this.code, message: this.message, data: this.data });
  }
}

/** The server is closing: handshakes still in their middleware are not turned into sessions. */
export class ShuttingDown extends RequestError {
  constructor() {
    super('too_many_sessions', 'server shutting down');
  }
}

type AnyMiddleware = (handshake: AuthHandshake<Record<string, unknown>>) => unknown;

/**
 * The server's handshake middleware (`ferry.use`) and the one place they are run: each in order,
 * with a deadline for all of them, and what they throw sorted into the client's refusal and the
 * app's bug.
 */
export class HandshakeAuth {
  readonly #middleware: AnyMiddleware[] = [];
  readonly #timeout: number;
  readonly #appError: (error: unknown) => void;
  /** What ends the handshakes waiting for their auth or their middleware, when the server closes. */
  readonly #pending = new Set<() => void>();
  #stopped = false;

  constructor(authTimeout: number, appError: (error: unknown) => void) {
    this.#timeout = authTimeout;
    this.#appError = appError;
  }

  /** Whether any middleware is installed (without, handshakes are answered at once, as before). */
  get active(): boolean {
    return this.#middleware.length > 0;
  }

  get timeout(): number {
    return this.#timeout;
  }

  use(middleware: AnyMiddleware): void {
    if (typeof middleware !== 'function') throw new TypeError('ferry.use: a middleware must be a function');
    this.#middleware.push(middleware);
  }

  /** Registers what ends a pending handshake at shutdown; returns its removal. Calls it at once when stopped. */
  track(end: () => void): () => void {
    if (this.#stopped) {
      end();
      return () => {};
    }
    this.#pending.add(end);
    return () => this.#pending.delete(end);
  }

  /** The server closes: every pending handshake ends, and later ones are refused. */
  stop(): void {
    this.#stopped = true;
    for (const end of [...this.#pending]) end();
    this.#pending.clear();
  }

  /**
   * Runs the middleware for a handshake; resolves with the session's data. Rejects with an
   * AuthRefusedError (a Refusal), a RequestError `server_error` (the app's bug, surfaced first), or
   * ShuttingDown.
   */
  run(info: HandshakeInfo, transport: TransportName, auth: JsonValue | undefined): Promise<Record<string, unknown>> {
    const data: Record<string, unknown> = {};
    const handshake: AuthHandshake<Record<string, unknown>> = {
      headers: info.headers,
      cookies: parseCookies(info.headers.cookie),
      address: info.address,
      query: info.query,
      auth: auth === null ? undefined : auth,
      transport,
      data,
    };
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(deadline);
        untrack();
        return true;
      };
      const deadline = setTimeout(() => {
        if (settle()) reject(this.#bug(new Error(`ferry: the handshake middleware did not finish within authTimeout (${this.#timeout} ms)`)));
      }, this.#timeout);
      const untrack = this.track(() => {
        if (settle()) reject(new ShuttingDown());
      });
      this.#runAll(handshake).then(
        () => {
          if (settle()) resolve(handshake.data);
        },
        (e: unknown) => {
          if (!settle()) return;
          if (isRefusal(e)) reject(new AuthRefusedError(e.status, String(e.message), e.data));
          else reject(this.#bug(e));
        },
      );
    });
  }

  async #runAll(handshake: AuthHandshake<Record<string, unknown>>): Promise<void> {
    for (const middleware of this.#middleware) {
      const result = await middleware(handshake);
      if (typeof result === 'object' && result !== null && !Array.isArray(result)) merge(handshake.data, result as Record<string, unknown>);
    }
  }

  /** The app's bug: surfaced (the server's `error` event), and answered without its text. */
  #bug(e: unknown): RequestError {
    this.#appError(e);
    return new RequestError('server_error', 'the handshake middleware failed (see the server log)');
  }
}

/** Copies `from`'s own fields onto `into` as own properties (a `__proto__` key sets no prototype). */
function merge(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const key of Object.keys(from)) {
    Object.defineProperty(into, key, { value: from[key], enumerable: true, writable: true, configurable: true });
  }
}
