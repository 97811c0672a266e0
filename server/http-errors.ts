import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpError, type HttpErrorCode } from '../protocol/index.js';

/** A request that cannot be served: rendered as `{"error": code, "message": ...}` with the code's status. */
export class RequestError extends Error {
  readonly code: HttpErrorCode;
  constructor(code: HttpErrorCode, message: string) {
    super(message);
    this.code = code;
  }
  get status(): number {
    return HttpError[this.code];
  }
  body(): string {
    return JSON.stringify({ error: this.code, message: this.message });
  }
}

export function sendError(res: ServerResponse, error: RequestError, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = error.body();
  res.writeHead(error.status, {
    ...headers,
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
  const statusText = error.status === 403 ? 'Forbidden' : error.status === 404 ? 'Not Found' : error.status === 503 ? 'Service Unavailable' : 'Bad Request';
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${error.status} ${statusText}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
