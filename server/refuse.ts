import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError, type RequestError } from './http-errors.js';

/** True while the request has body bytes still on the wire that nobody has read. */
export function hasUnreadBody(req: IncomingMessage): boolean {
  if (req.complete) return false;
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && Number(length) !== 0;
}

/**
 * Answers a refused request with its JSON error. A request whose body has not been read is not
 * read now: the answer says `Connection: close`, and Node's server closes the socket as soon as
 * the answer is flushed, so a client cannot make the server read (or wait for) a body it refused.
 */
export function refuse(req: IncomingMessage, res: ServerResponse, error: RequestError, headers: Record<string, string>): void {
  if (hasUnreadBody(req)) {
    sendError(res, error, { ...headers, Connection: 'close' });
    return;
  }
  sendError(res, error, headers);
  req.resume();
}
