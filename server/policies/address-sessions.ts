/**
 * Live sessions per client address key. An entry exists only while its address has a session,
 * so the table never holds more entries than there are sessions.
 */
export class AddressSessions {
  readonly #counts = new Map<string, number>();
  readonly max: number;

  constructor(maxPerAddress: number) {
    this.max = maxPerAddress;
  }

  /** Whether `key` already holds its maximum of sessions. */
  full(key: string): boolean {
    return (this.#counts.get(key) ?? 0) >= this.max;
  }

  count(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  add(key: string): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  remove(key: string): void {
    const n = (this.#counts.get(key) ?? 0) - 1;
    if (n > 0) this.#counts.set(key, n);
    else this.#counts.delete(key);
  }
}
