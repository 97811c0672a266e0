import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpError, type HttpErrorCode } from '../protocol/index.js';
import { AppCodeError } from './app-errors.js';

/** A request that cannot be served: rendered as `{"error": code, "message": ...}` with the code's status. */
export class RequestError extends Error {
  readonly code: HttpErrorCode;
  /** Seconds the client should wait before trying again, sent as `Retry-After` (a rate limit's refusal). */
  readonly retryAfter: number | undefined;
  constructor(code: HttpErrorCode, message: string, retryAfter?: number) {
    super(message);
    this.code = code;
    this.retryAfter = retryAfter;
  }
  get status(): number {
    return HttpError[this.code];
  }
  body(): string {
    return JSON.stringify({ error: this.code, message: this.message });
  }
}

/**
 * What a route answers for an exception: a RequestError as it is; the app's own function failing
 * (AppCodeError) as 500 `server_error`, not the client's fault; anything else as `fallback`.
 */
export function answerFor(e: unknown, fallback: string): RequestError {
  if (e instanceof RequestError) return e;
  if (e instanceof AppCodeError) return new RequestError('server_error', e.message + ' (see the server log)');
  return new RequestError('bad_request', fallback);
}

export function sendError(res: ServerResponse, error: RequestError, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = error.body();
  res.writeHead(error.status, {
    ...headers,
    ...(error.retryAfter === undefined ? {} : { 'Retry-After': String(error.retryAfter) }),
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}

/** Refuses a WebSocket upgrade with a plain HTTP error response on the raw socket. */
export function rejectUpgrade(socket: Duplex, error: RequestError): void {
  const body = error.body();
  const statusText = STATUS_CODES[error.status] ?? 'Bad Request';
  // RFC 6455 section 4.4: a refused version is answered with the versions the server speaks
  const version = error.status === 426 ? 'Sec-WebSocket-Version: 13\r\n' : '';
  const retry = error.retryAfter === undefined ? '' : `Retry-After: ${error.retryAfter}\r\n`;
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${error.status} ${statusText}\r\nConnection: close\r\n${version}${retry}Content-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
