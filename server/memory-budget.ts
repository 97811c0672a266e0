import { getHeapStatistics } from 'node:v8';

/** What the process-wide budget needs of a session. */
export interface BudgetHolder {
  /** Bytes the session makes the server hold now (its messages and its transport's buffer). */
  readonly bufferedAmount: number;
  /** Ends the session for holding too much; its memory is released at once. */
  shed(reason: string): void;
}

/** New sessions are refused from this share of the cap on. */
const REFUSE_FROM = 0.9;
/** Shedding ends the largest sessions until the total is back under this share of the cap. */
const SHED_TO = 0.8;

/** The default `maxTotalBufferedBytes`: a quarter of the heap limit this process runs with. */
export function defaultTotalBufferedBytes(): number {
  return Math.floor(getHeapStatistics().heap_size_limit / 4);
}

/**
 * The process-wide cap on what all sessions together hold (`maxTotalBufferedBytes`), the sum of
 * what each session's own budget (`maxBufferedBytes`) already bounds. Sessions report every change
 * of their unacknowledged bytes (`charge`), so the total is exact and costs nothing to read. Past
 * the cap the sessions holding the most are ended, largest first; from 90% of it on, new sessions
 * are refused. Transport buffers are not in the running total (each is held under its high-water
 * mark by backpressure) but do count when choosing whom to shed.
 */
export class MemoryBudget {
  readonly cap: number;
  readonly #holders: () => Iterable<BudgetHolder>;
  #total = 0;
  #shedding = false;

  constructor(cap: number, holders: () => Iterable<BudgetHolder>) {
    this.cap = cap;
    this.#holders = holders;
  }

  /** Unacknowledged bytes of every session together. */
  get total(): number {
    return this.#total;
  }

  /** Whether a new session may be created. */
  get accepting(): boolean {
    return this.#total < this.cap * REFUSE_FROM;
  }

  /** A session's held bytes changed by `delta`; over the cap, the largest sessions are shed. */
  charge(delta: number): void {
    this.#total += delta;
    if (delta > 0 && this.#total > this.cap) this.shed();
  }

  /** Ends the sessions holding the most until the total is back under 80% of the cap. */
  shed(): void {
    if (this.#shedding) return; // a shed session's release charges again
    this.#shedding = true;
    try {
      const largest = [...this.#holders()].sort((a, b) => b.bufferedAmount - a.bufferedAmount);
      const reason = 'buffer overflow: the server holds more than maxTotalBufferedBytes (' + this.cap + ') for all sessions';
      for (const holder of largest) {
        if (this.#total <= this.cap * SHED_TO || holder.bufferedAmount === 0) break;
        holder.shed(reason);
      }
    } finally {
      this.#shedding = false;
    }
  }
}
