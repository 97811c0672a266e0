// Time and concurrency bounds, so that no benchmark loop can run forever.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rejects with `what` timed out if `promise` has not settled within `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs task(i) for i in [0, count) with at most `concurrency` running at a
 * time; stops starting new tasks once `deadline` (a Date.now() value) passes.
 * Resolves with the results, `undefined` for tasks never started.
 */
export async function runLimited(count, concurrency, task, deadline = Infinity) {
  const results = new Array(count);
  let next = 0;
  async function lane() {
    while (next < count && Date.now() < deadline) {
      const i = next++;
      results[i] = await task(i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}
