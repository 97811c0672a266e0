// What every benchmark server does when the fan-out scenario asks for a broadcast, whatever the
// library: numbered messages, each sent once to every session by the library's own broadcast.
import { PAYLOAD } from './replies.mjs';
import { now } from '../lib/clock.mjs';

/** The text of broadcast number `id`: the id, a space, the usual payload. */
export const broadcastMessage = (id) => `${id} ${PAYLOAD}`;

/** The number of a broadcast message (NaN for anything else). */
export const broadcastId = (message) => (typeof message === 'string' ? parseInt(message, 10) : NaN);

/**
 * Sends `count` messages, numbered from `from`, each to every session through `sendAll` (one
 * library call per message). Returns the time (lib/clock.mjs) just before the first call.
 */
export function broadcast({ from, count }, sendAll) {
  const t0 = now();
  for (let i = 0; i < count; i++) sendAll(broadcastMessage(from + i));
  return t0;
}
