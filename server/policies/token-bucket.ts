/** A token bucket's shape: it holds up to `burst` tokens and gains `perSecond` a second. */
export interface Rate {
  readonly burst: number;
  readonly perSecond: number;
}

/** Milliseconds, from a monotonic clock. */
export type Clock = () => number;

export const monotonic: Clock = () => performance.now();

/** One token bucket. Starts full. */
export class TokenBucket {
  readonly #rate: Rate;
  #tokens: number;
  #at: number;

  constructor(rate: Rate, now: number) {
    this.#rate = rate;
    this.#tokens = rate.burst;
    this.#at = now;
  }

  /** Milliseconds until a token is there to take: 0 when one is there now. */
  wait(now: number): number {
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) / this.#rate.perSecond) * 1000);
  }

  /** Takes a token; call after `wait` said 0. */
  take(): void {
    this.#tokens -= 1;
  }

  /** Full again: forgetting this bucket changes nothing. */
  full(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= this.#rate.burst;
  }

  #refill(now: number): void {
    if (now <= this.#at) return;
    this.#tokens = Math.min(this.#rate.burst, this.#tokens + ((now - this.#at) / 1000) * this.#rate.perSecond);
    this.#at = now;
  }
}

/**
 * One bucket per key, in a bounded table. Used buckets move to the back, so the front holds the
 * ones used longest ago: each lookup forgets up to two front buckets that have filled up again
 * (they hold nothing a new bucket would not), and past `maxEntries` the front one goes whatever
 * it holds. Memory stays bounded however many keys a client can use.
 */
export class BucketTable {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #rate: Rate;
  readonly #maxEntries: number;

  constructor(rate: Rate, maxEntries: number) {
    this.#rate = rate;
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#buckets.size;
  }

  bucket(key: string, now: number): TokenBucket {
    const buckets = this.#buckets;
    let bucket = buckets.get(key);
    if (bucket !== undefined) buckets.delete(key);
    for (let i = 0; i < 2; i++) {
      const oldest = buckets.entries().next();
      if (oldest.done || !oldest.value[1].full(now)) break;
      buckets.delete(oldest.value[0]);
    }
    if (bucket === undefined) {
      if (buckets.size >= this.#maxEntries) buckets.delete(buckets.keys().next().value as string);
      bucket = new TokenBucket(this.#rate, now);
    }
    buckets.set(key, bucket);
    return bucket;
  }
}
