import type { Server as HttpServer } from 'node:http';

/** The `code` of the warning `Server.attach` emits for an HTTP server set up unsafely. */
export const UNSAFE_HTTP_SERVER = 'FERRY_UNSAFE_HTTP_SERVER';

/** Longest `headersTimeout` that is not an invitation to slowloris (Node's default is 60 s). */
const MAX_HEADERS_TIMEOUT = 60_000;

/**
 * What is unsafe in `server`'s settings for an internet-facing Ferry server. Node's
 * `requestTimeout` bounds receiving a request (headers and body), not sending the response, so
 * held polls and streams are not affected by it; `timeout` (socket inactivity) is, as a held poll
 * is silent for up to `pingInterval` ms.
 */
export function httpServerProblems(server: HttpServer, pingInterval: number): string[] {
  const problems: string[] = [];
  if (server.requestTimeout === 0) problems.push('requestTimeout is 0: a client can take forever to send a request');
  if (server.headersTimeout === 0 || server.headersTimeout > MAX_HEADERS_TIMEOUT) {
    problems.push(`headersTimeout is ${server.headersTimeout}: slow headers (slowloris) hold a connection that long; use at most ${MAX_HEADERS_TIMEOUT} ms`);
  }
  if (server.keepAliveTimeout === 0) problems.push('keepAliveTimeout is 0: idle keep-alive connections are never closed');
  if (server.timeout > 0 && server.timeout <= pingInterval) {
    problems.push(`timeout (${server.timeout} ms) is not above pingInterval (${pingInterval} ms): held polls and quiet streams would be cut`);
  }
  return problems;
}

const warned = new WeakSet<HttpServer>();

/** Emits one process warning per HTTP server whose settings are unsafe (see README, "Deploying"). */
export function warnIfUnsafe(server: HttpServer, pingInterval: number): void {
  if (warned.has(server)) return;
  const problems = httpServerProblems(server, pingInterval);
  if (problems.length === 0) return;
  warned.add(server);
  process.emitWarning(`ferry: the HTTP server is unsafe on the open internet: ${problems.join('; ')} (see README, "Deploying")`, {
    type: 'FerryWarning',
    code: UNSAFE_HTTP_SERVER,
  });
}
