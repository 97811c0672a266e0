/**
 * Backpressure for producers: `socket.bufferedAmount`, the `drain` event and its low-water mark
 * (`drainBelow`). The session keeps one flag bit ("was above the mark"); this module holds the
 * option's rules so the session only calls them.
 *
 * A producer that must not overrun `maxBufferedBytes`:
 *
 *     for (const chunk of chunks) {
 *       if (!socket.send(chunk)) break; // the session ended
 *       if (socket.bufferedAmount > socket.drainBelow) await drained(socket);
 *     }
 *
 * where `drained` waits for `drain` or `close` (a session that ends emits `close`, never `drain`).
 */

/** The share of `maxBufferedBytes` the default low-water mark is: an eighth (1 MiB of the default 8 MiB). */
export const DEFAULT_DRAIN_FRACTION = 8;

/**
 * The low-water mark: `drainBelow` as given, or `maxBufferedBytes / 8`. Throws a RangeError unless
 * it is a finite number, at least 0 and below `maxBufferedBytes` (a mark at or above the limit
 * would have the session closed before `drain` could ever be waited for).
 */
export function resolveDrainBelow(drainBelow: number | undefined, maxBufferedBytes: number): number {
  if (drainBelow === undefined) return Math.floor(maxBufferedBytes / DEFAULT_DRAIN_FRACTION);
  if (typeof drainBelow !== 'number' || !Number.isFinite(drainBelow) || drainBelow < 0 || drainBelow >= maxBufferedBytes) {
    throw new RangeError(`ferry: option drainBelow must be a number from 0 to below maxBufferedBytes (${maxBufferedBytes}), got ${String(drainBelow)}`);
  }
  return drainBelow;
}
