import { CloseCode } from '../protocol/index.js';

/**
 * Whether a refused handshake ends the socket for good. While a session is being renewed (the old
 * one ended: the server restarted, or the session expired) the server may simply not be there
 * yet: a 404 (the app answers, Ferry is not attached yet), a 502/503/504 from a proxy, a refused
 * connection, and 429 are retried with backoff. Final: any other 4xx (403 origin_not_allowed,
 * host_not_allowed, transport_disabled; 400), and a 404 on the first connect (a wrong URL).
 */
export function handshakeRefusalIsFinal(status: number | null, renewing: boolean): boolean {
  if (status === null || status < 400 || status >= 500 || status === 429) return false;
  return !(renewing && status === 404);
}

/** Whether a fresh session is worth starting after close code `code`. */
export function renewable(code: number): boolean {
  return code === CloseCode.SERVER_SHUTDOWN || code === CloseCode.SESSION_UNKNOWN || code === CloseCode.RESUME_WINDOW_EXPIRED || code === CloseCode.EVICTED;
}
