import { CloseCode } from '../protocol/index.js';

interface Endable {
  end(code: number, reason: string): void;
}

export const EVICTED_REASON = 'evicted: the server is full and this session has carried no message';

/**
 * Sessions that have not carried an application message yet, idlest first: a Set keeps
 * insertion order, and a sign of life moves a session to the back, so the front is the one
 * heard from longest ago. Every operation is O(1), so a handshake against a table of 10,000
 * sessions costs no more than against an empty one.
 */
export class ProvisionalSessions<S extends Endable> {
  readonly #idle = new Set<S>();

  get size(): number {
    return this.#idle.size;
  }

  add(session: S): void {
    this.#idle.add(session);
  }

  /** A sign of life from `session` (when it is provisional). */
  touch(session: S): void {
    if (this.#idle.delete(session)) this.#idle.add(session);
  }

  /** It carried a message, or it ended. */
  delete(session: S): void {
    this.#idle.delete(session);
  }

  /** Ends the idlest provisional session with `4013`. False when there is none. */
  evictIdlest(): boolean {
    const first = this.#idle.values().next();
    if (first.done) return false;
    this.#idle.delete(first.value);
    first.value.end(CloseCode.EVICTED, EVICTED_REASON);
    return true;
  }
}
