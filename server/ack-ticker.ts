/** A session that may owe its peer an acknowledgement. */
export interface AckOwer {
  /** Writes what is pending, acks included. */
  flush(): void;
}

/**
 * One timer for every session that owes a standalone ack, instead of a timer per session: a
 * session joins when it receives messages that no write of its own will acknowledge soon, and all
 * members are flushed at the next tick, at most `delay` ms later. The timer runs only while there
 * are members (it stops on the first tick that finds none).
 */
export class AckTicker {
  readonly #delay: number;
  #members = new Set<AckOwer>();
  #timer: NodeJS.Timeout | null = null;

  constructor(delay: number) {
    this.#delay = delay;
  }

  add(member: AckOwer): void {
    this.#members.add(member);
    if (this.#timer === null) {
      this.#timer = setInterval(() => this.#tick(), this.#delay);
      this.#timer.unref();
    }
  }

  /** The member wrote its ack some other way (or ended). */
  delete(member: AckOwer): void {
    this.#members.delete(member);
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#members.clear();
  }

  #tick(): void {
    const due = this.#members;
    if (due.size === 0) {
      this.stop();
      return;
    }
    // a member that joins again while being flushed waits for the next tick
    this.#members = new Set();
    for (const member of due) member.flush();
  }
}
