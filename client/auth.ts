import { CloseCode, type JsonValue } from '../protocol/index.js';

/**
 * The `auth` option of `connect`: a JSON value sent with every handshake, or a function asked for
 * one before each new session (the first, a retry, a renewal after the old session ended), so an
 * expired token can be refreshed. It calls `cb` once with the payload, now or later.
 */
export type AuthOption = JsonValue | ((cb: (auth: JsonValue) => void) => void);

/**
 * The auth payload's JSON text (`null` without one), from the option. `done` runs once, never from
 * inside the app's function: with the text, or, a moment later (so a socket failing in `connect`
 * has its listeners by then), with what the function threw or a payload that is not JSON. A
 * function that has not called back within `timeoutMs` gets `done(null, null)` (the caller tries
 * again later; a late call is ignored).
 */
export function fetchAuth(option: AuthOption | undefined, timeoutMs: number, done: (json: string | null, error: Error | null) => void): void {
  if (typeof option !== 'function') return encodeThen(option, done);
  let answered = false;
  let inside = true;
  let early: JsonValue | undefined;
  let earlyGiven = false;
  const deadline = setTimeout(function () {
    if (answered) return;
    answered = true;
    done(null, null);
  }, timeoutMs);
  try {
    option(function (auth) {
      if (answered) return;
      answered = true;
      clearTimeout(deadline);
      if (inside) {
        earlyGiven = true;
        early = auth;
      } else encodeThen(auth, done);
    });
  } catch (e) {
    inside = false;
    if (!earlyGiven) {
      answered = true;
      clearTimeout(deadline);
      return failLater(done, e);
    }
  }
  inside = false;
  if (earlyGiven) encodeThen(early, done);
}

function encodeThen(value: JsonValue | undefined, done: (json: string, error: Error | null) => void): void {
  let json: string | undefined;
  try {
    json = JSON.stringify(value === undefined ? null : value);
  } catch (e) {
    return failLater(done, e);
  }
  if (json === undefined) return failLater(done, new Error('the auth payload is not JSON'));
  done(json, null);
}

function failLater(done: (json: string, error: Error | null) => void, thrown: unknown): void {
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  setTimeout(function () {
    done('null', error);
  }, 0);
}

/** The body of a POST handshake carrying `json`: empty without a payload (as before auth existed). */
export function handshakeBody(json: string): string {
  return json === 'null' ? '' : '{"auth":' + json + '}';
}

/** The first packet of a direct WebSocket: its `auth` frame, sent even without a payload (as null). */
export function authPacket(json: string): string {
  return '[["auth",' + json + ']]';
}

/**
 * The reason to end the socket with when the app's auth function failed; the error itself goes to
 * the socket's `error` listeners, or is thrown on its own a moment later (as the Emitter does).
 */
export function authFailure(error: Error, emitError: (error: Error) => boolean): string {
  if (!emitError(error)) {
    setTimeout(function () {
      throw error;
    }, 0);
  }
  return 'the auth option failed: ' + error.message;
}

/** A handshake the app's middleware refused: its `Refusal`'s message, and its `data` when it gave some. */
export interface AuthRefusal {
  message: string;
  data?: JsonValue;
}

/**
 * The refusal when a handshake's answer is an auth refusal (`{"error":"unauthorized"` or
 * `"forbidden"`: HTTP 401/403, or a JSONP handshake's call); null for anything else. Such a
 * refusal is final: the socket closes with the message and does not retry.
 */
export function authRefusal(body: string): AuthRefusal | null {
  if (body.indexOf('"unauthorized"') < 0 && body.indexOf('"forbidden"') < 0) return null;
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown; data?: JsonValue };
    if (parsed.error !== 'unauthorized' && parsed.error !== 'forbidden') return null;
    const refusal: AuthRefusal = { message: typeof parsed.message === 'string' ? parsed.message : String(parsed.error) };
    if (parsed.data !== undefined) refusal.data = parsed.data;
    return refusal;
  } catch (e) {
    // not Ferry's answer
  }
  return null;
}

/** The status a refused handshake is reported with when the middleware refused it: the WebSocket's close code. */
export const AUTH_REFUSED = CloseCode.UNAUTHORIZED;
