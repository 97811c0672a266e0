import type { JsonValue } from '../../protocol/index.js';

export interface RefusalOptions {
  /** 401 `unauthorized` (the default: who the client is was not proven) or 403 `forbidden` (it was, and may not connect). */
  status?: 401 | 403;
  /** Sent to the client with the refusal, in the HTTP error body's `data` (the client's `close` info `data`); a direct WebSocket's close carries only the message. */
  data?: JsonValue;
}

/** Marks a Refusal even across copies of this module (a bundled and an installed Ferry). */
const BRAND = '__ferryRefusal';

/**
 * What a handshake middleware throws (or rejects with) to refuse a client: an HTTP handshake is
 * answered 401 `unauthorized` (or 403 `forbidden`) with `message`, a direct WebSocket is closed
 * with 4401 and `message` as the reason. The client ends its socket with `message` and does not
 * retry. Anything else a middleware throws is the app's bug: 500, and the server's `error` event.
 */
export class Refusal extends Error {
  readonly status: 401 | 403;
  readonly data: JsonValue | undefined;
  readonly [BRAND] = true;

  constructor(message: string, options: RefusalOptions = {}) {
    super(message);
    this.name = 'Refusal';
    this.status = options.status === 403 ? 403 : 401;
    this.data = options.data;
  }
}

/** Whether `e` is a Refusal (by its brand, so a Refusal from another copy of Ferry counts too). */
export function isRefusal(e: unknown): e is Refusal {
  return e instanceof Refusal || (typeof e === 'object' && e !== null && (e as { [BRAND]?: unknown })[BRAND] === true);
}
