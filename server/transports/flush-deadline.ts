import type { ServerResponse } from 'node:http';

/**
 * How long an ended response may take to reach a client that is still reading it. A client that
 * stopped reading would otherwise keep what Node buffered for it until TCP gives up, long after
 * its session has moved on. What it never got is resent on its next transport (it was never
 * acknowledged), so cutting it loses nothing.
 */
export const FLUSH_DEADLINE_MS = 15_000;

function onFlushDeadline(res: ServerResponse): void {
  if (res.writableLength > 0) res.destroy();
}

/** Ends `res`; if part of it is still buffered after FLUSH_DEADLINE_MS, destroys it. */
export function endWithin(res: ServerResponse): void {
  res.end();
  if (res.writableLength === 0) return;
  const timer = setTimeout(onFlushDeadline, FLUSH_DEADLINE_MS, res);
  timer.unref();
  res.once('close', () => clearTimeout(timer));
}
