// One clock across the benchmark's processes: each process reads its own high-resolution time on
// the epoch scale, and the runner estimates every child's offset from its own clock, so that an
// instant taken in a server process and one taken in a load process can be subtracted.

/** This process's time, ms since the epoch, with sub-millisecond resolution. */
export const now = () => performance.timeOrigin + performance.now();

/**
 * The offset (ms) of `worker`'s clock from the runner's: a child's time t is the runner's
 * t - offset. Taken from the quickest of `samples` exchanges (NTP style), so its error is at most
 * half of that exchange's round trip, which is also returned as `error`.
 */
export async function clockOffset(worker, samples = 9) {
  let best = { offset: 0, error: Infinity };
  for (let i = 0; i < samples; i++) {
    const sent = now();
    const theirs = await worker.call('now', {}, 5_000);
    const back = now();
    const error = (back - sent) / 2;
    if (error < best.error) best = { offset: theirs - (sent + back) / 2, error };
  }
  return best;
}
