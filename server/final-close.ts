import { CloseCode } from '../protocol/index.js';
import type { CloseInfo } from './transports/transport.js';

/**
 * How ended sessions ended, for a transport that arrives after the end (a WebSocket that sends
 * `upgrade` after the session was closed, a poll racing the close): it is told the real close,
 * not only that the session is gone, because the close frame itself may have gone out on the
 * transport the client had just given up. Weak: nothing is kept per live session, and an ended
 * session's entry goes with it.
 */
const finals = new WeakMap<object, CloseInfo>();

export function rememberFinalClose(session: object, info: CloseInfo): void {
  finals.set(session, info);
}

/** The close a late transport of `session` gets. */
export function finalClose(session: object): CloseInfo {
  return finals.get(session) ?? { code: CloseCode.SESSION_UNKNOWN, reason: 'session closed' };
}
