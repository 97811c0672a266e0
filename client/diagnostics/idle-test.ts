import type { TransportName } from '../../protocol/index.js';
import { now } from './stats.js';
import type { FerryGlobal, IdleResult } from './types.js';

/** How long the connection is left idle, ms (the responder ends a session after 60 s). */
export const IDLE_MS = 35000;
/** How long the session may take to carry its first answer before the idle time starts, ms. */
const START_MS = 8000;

/**
 * Opens a diagnostics session on `transport`, proves it carries a message, then sends nothing and
 * notes when the connection is cut, if it is within `IDLE_MS`. Ferry's own heartbeats still run
 * (every `pingInterval`), so this finds the proxies whose idle timeout is shorter than that.
 */
export function testIdle(ferry: FerryGlobal, baseUrl: string, transport: TransportName, done: (result: IdleResult) => void): void {
  const result: IdleResult = { transport: transport, idleMs: IDLE_MS, cutAfterMs: null, reason: '' };
  const socket = ferry.connect(baseUrl + '?diag=1', { transports: [transport], storage: null });
  let idleSince = -1;
  let finished = false;
  let timer = setTimeout(function () {
    finish('the session did not start within ' + START_MS / 1000 + ' s');
  }, START_MS);

  function finish(reason: string): void {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    result.reason = reason;
    socket.close();
    done(result);
  }

  socket.on('open', function () {
    socket.send({ d: 'ping', n: 0 });
  });
  socket.on('message', function () {
    if (idleSince >= 0) return;
    idleSince = now();
    clearTimeout(timer);
    timer = setTimeout(function () {
      finish('');
    }, IDLE_MS);
  });
  socket.on('reconnecting', function (reason) {
    if (idleSince < 0) return;
    result.cutAfterMs = Math.round(now() - idleSince);
    finish(reason);
  });
  socket.on('close', function (reason) {
    if (idleSince >= 0 && result.cutAfterMs === null) result.cutAfterMs = Math.round(now() - idleSince);
    finish(reason);
  });
}
