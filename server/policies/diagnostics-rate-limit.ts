import { ADDRESS_BUCKETS_MAX } from './handshake-rate-limit.js';
import { BucketTable, monotonic, type Clock, type Rate } from './token-bucket.js';

/** Diagnostics handshakes per client address: 30 at once, refilled at 30 a minute. */
export const DIAGNOSTICS_RATE: Rate = { burst: 30, perSecond: 30 / 60 };

/**
 * New diagnostics sessions per client address (server/diagnostics/), on top of the handshake
 * limits every session passes: a diagnostics session costs the server a few hundred KiB of
 * answers, an ordinary one nothing until the app sends. The table is bounded as the handshake
 * limit's is.
 */
export class DiagnosticsRateLimit {
  readonly #addresses: BucketTable;
  readonly #clock: Clock;

  constructor(clock: Clock = monotonic, rate: Rate = DIAGNOSTICS_RATE, maxAddresses = ADDRESS_BUCKETS_MAX) {
    this.#clock = clock;
    this.#addresses = new BucketTable(rate, maxAddresses);
  }

  /** Addresses with a bucket now. */
  get addresses(): number {
    return this.#addresses.size;
  }

  /** Milliseconds until the address `key` may open a diagnostics session: 0 when it may now. Takes nothing. */
  wait(key: string): number {
    const now = this.#clock();
    return this.#addresses.bucket(key, now).wait(now);
  }

  /** Counts a diagnostics session for `key`; call after `wait` said 0 and the other limits passed. */
  take(key: string): void {
    this.#addresses.bucket(key, this.#clock()).take();
  }
}
