import { BucketTable, TokenBucket, monotonic, type Clock, type Rate } from './token-bucket.js';

/** How many client addresses the per-address limit keeps a bucket for (about 100 bytes each). */
export const ADDRESS_BUCKETS_MAX = 20_000;

export interface HandshakeRates {
  readonly perAddress: Rate;
  readonly global: Rate;
}

/**
 * Handshakes (new sessions) per client address and for the whole server, as token buckets. A
 * refused handshake takes no token; one refused by the server-wide bucket takes none from its
 * address either.
 */
export class HandshakeRateLimit {
  readonly #addresses: BucketTable;
  readonly #global: TokenBucket;
  readonly #clock: Clock;

  constructor(rates: HandshakeRates, clock: Clock = monotonic, maxAddresses = ADDRESS_BUCKETS_MAX) {
    this.#clock = clock;
    this.#addresses = new BucketTable(rates.perAddress, maxAddresses);
    this.#global = new TokenBucket(rates.global, clock());
  }

  /** Addresses with a bucket now. */
  get addresses(): number {
    return this.#addresses.size;
  }

  /**
   * Takes a handshake for the address `key`. Returns 0 when it may go ahead, else the
   * milliseconds until it may, and `scope` says which limit refused it.
   */
  take(key: string): { wait: number; scope: 'address' | 'server' } {
    const now = this.#clock();
    const bucket = this.#addresses.bucket(key, now);
    let wait = bucket.wait(now);
    if (wait > 0) return { wait, scope: 'address' };
    wait = this.#global.wait(now);
    if (wait > 0) return { wait, scope: 'server' };
    bucket.take();
    this.#global.take();
    return { wait: 0, scope: 'address' };
  }
}
