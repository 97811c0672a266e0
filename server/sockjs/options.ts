/** Options of a SockJS endpoint (`ferry.sockjs(options)`). */
export interface SockJSOptions {
  /** Where the endpoint is served, e.g. `/echo`: what `new SockJS('https://host/echo')` names. Required. */
  prefix: string;
  /** A receiving connection idle this long gets an `h` frame, in ms. Default 25,000 (SockJS's). */
  heartbeatDelay?: number;
  /** How long a session waits for the client's next receiving connection before it ends, in ms. Default 5,000 (SockJS's). */
  disconnectDelay?: number;
  /** A streaming response (xhr_streaming, eventsource, htmlfile) ends after this many bytes and the client opens another. Default 128 KiB. */
  responseLimit?: number;
  /** Whether the WebSocket transports are served (`/info` says so). Default true. */
  websocket?: boolean;
  /** Sets a `JSESSIONID` cookie on every session request (for load balancers that stick by it); `/info` says `cookie_needed`. Default false. */
  jsessionid?: boolean;
  /**
   * The sockjs-client script the `iframe.html` page loads (the iframe-based transports, for
   * cross-domain use in old browsers). Default `https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js`:
   * serve your own copy, of the same version as your pages use.
   */
  sockjsUrl?: string;
}

export type ResolvedSockJSOptions = Required<SockJSOptions>;

export function resolveSockJSOptions(options: SockJSOptions): ResolvedSockJSOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('ferry: sockjs options must be an object with a prefix');
  const prefix = options.prefix;
  if (typeof prefix !== 'string' || !/^\/[^?#]*[^/?#]$/.test(prefix)) {
    throw new TypeError('ferry: sockjs prefix must be a path such as "/echo" (starting with /, not ending with /)');
  }
  const resolved: ResolvedSockJSOptions = {
    prefix,
    heartbeatDelay: options.heartbeatDelay ?? 25_000,
    disconnectDelay: options.disconnectDelay ?? 5_000,
    responseLimit: options.responseLimit ?? 128 * 1024,
    websocket: options.websocket ?? true,
    jsessionid: options.jsessionid ?? false,
    sockjsUrl: options.sockjsUrl ?? 'https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js',
  };
  for (const key of ['heartbeatDelay', 'disconnectDelay', 'responseLimit'] as const) {
    const value = resolved[key];
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`ferry: sockjs option ${key} must be a positive number, got ${value}`);
  }
  for (const key of ['websocket', 'jsessionid'] as const) {
    if (typeof resolved[key] !== 'boolean') throw new TypeError(`ferry: sockjs option ${key} must be true or false`);
  }
  if (typeof resolved.sockjsUrl !== 'string') throw new TypeError('ferry: sockjs option sockjsUrl must be a URL');
  return resolved;
}
