import { ClusterError } from './cluster-error.js';
import type { RedisConnection } from './redis-link.js';

/** A broadcast on its way to the stream. */
interface Pending {
  readonly args: readonly string[];
  readonly bytes: number;
  /** Written to Redis at least once: in doubt from then on (it may be in the stream), never dropped by the timer. */
  sent: boolean;
  settled: boolean;
  timer: NodeJS.Timeout | null;
  resolve(): void;
  reject(error: Error): void;
}

export interface PublisherLimits {
  readonly maxQueuedBytes: number;
  readonly publishTimeout: number;
}

/**
 * Sends XADD commands to Redis in the order they were published, each until Redis acknowledges
 * it, holding at most `maxQueuedBytes` of them (written or not) meanwhile:
 *
 * - a publish that does not fit is rejected at once, and never sent;
 * - one not yet written when `publishTimeout` runs out is rejected and dropped: never sent later;
 * - one written when the connection drops may be in the stream or not: it is written again, in
 *   order, when Redis is back (readers drop the duplicate by its `seq`), and its Promise waits for
 *   that acknowledgement;
 * - one Redis refuses (an error reply) is rejected with that reply as cause.
 *
 * Dropped entries stay in the queue, marked settled, and are skipped when reached (a timeout costs
 * O(1) however long the queue is).
 */
export class StreamPublisher {
  readonly #limits: PublisherLimits;
  /** Not written (on this connection), in order; entries before `#head` are gone. */
  #queue: Pending[] = [];
  #head = 0;
  /** Written, awaiting Redis's reply, in order (Redis answers in order on one connection). */
  #inFlight: Pending[] = [];
  #inFlightHead = 0;
  #bytes = 0;
  #connection: RedisConnection | null = null;
  #isReplyError: (error: unknown) => boolean = () => false;
  /** Counts connection losses: replies failing for an older one are about entries already put back. */
  #generation = 0;
  /** Set once nothing will ever be sent again (closed, or no `redis` package): every publish rejects with it. */
  #failed: Error | null = null;

  constructor(limits: PublisherLimits) {
    this.#limits = limits;
  }

  /** Bytes held now (written or not, not yet acknowledged). */
  get queuedBytes(): number {
    return this.#bytes;
  }

  /** Queues one XADD; see the class comment for when the Promise settles. */
  publish(args: readonly string[], bytes: number): Promise<void> {
    if (this.#failed !== null) return Promise.reject(this.#failed);
    if (this.#bytes + bytes > this.#limits.maxQueuedBytes) {
      return Promise.reject(
        new ClusterError(
          'ERR_FERRY_CLUSTER_UNAVAILABLE',
          `ferry: broadcast not sent to the other nodes (delivered on this node only): ${this.#bytes} bytes of broadcasts already wait for Redis, and cluster.maxQueuedBytes is ${this.#limits.maxQueuedBytes}`,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { args, bytes, sent: false, settled: false, timer: null, resolve, reject };
      pending.timer = setTimeout(() => this.#expire(pending), this.#limits.publishTimeout);
      pending.timer.unref();
      this.#bytes += bytes;
      this.#queue.push(pending);
      this.flush();
    });
  }

  /** The connection to send on, and how to tell Redis's error replies from lost connections. */
  use(connection: RedisConnection, isReplyError: (error: unknown) => boolean): void {
    this.#connection = connection;
    this.#isReplyError = isReplyError;
    this.flush();
  }

  /** Writes what waits, in order, while the connection is ready (call on every reconnection). */
  flush(): void {
    const connection = this.#connection;
    if (connection === null || this.#failed !== null) return;
    while (this.#head < this.#queue.length && connection.isReady) {
      const pending = this.#queue[this.#head++];
      if (pending.settled) continue;
      pending.sent = true;
      this.#inFlight.push(pending);
      const generation = this.#generation;
      connection.sendCommand(pending.args).then(
        () => this.#acknowledged(pending),
        (error: unknown) => this.#failedToSend(pending, generation, error),
      );
    }
    this.#compact();
  }

  /**
   * Nothing will be sent any more: every publish waiting, and every later one, rejects with
   * `error` (those already written may have reached the stream: the message says so).
   */
  fail(error: Error): void {
    if (this.#failed !== null) return;
    this.#failed = error;
    const waiting = [...this.#inFlight.slice(this.#inFlightHead), ...this.#queue.slice(this.#head)];
    this.#queue = [];
    this.#head = 0;
    this.#inFlight = [];
    this.#inFlightHead = 0;
    for (const pending of waiting) this.#settle(pending, error);
  }

  /** Resolves when nothing waits, or after `ms`. */
  async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.#bytes > 0 && Date.now() < deadline && this.#failed === null) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  #acknowledged(pending: Pending): void {
    this.#removeInFlight(pending);
    this.#settle(pending, null);
  }

  #failedToSend(pending: Pending, generation: number, error: unknown): void {
    if (pending.settled) return;
    if (this.#isReplyError(error)) {
      this.#removeInFlight(pending);
      this.#settle(pending, new ClusterError('ERR_FERRY_CLUSTER_UNAVAILABLE', 'ferry: Redis refused the broadcast (delivered on this node only): ' + String((error as Error).message), { cause: error }));
      return;
    }
    if (generation !== this.#generation) return; // put back already, with the rest of its connection's
    this.#generation++;
    // the connection dropped: everything written on it goes back to the front, in order
    const back = this.#inFlight.slice(this.#inFlightHead).filter((entry) => !entry.settled);
    this.#queue = back.concat(this.#queue.slice(this.#head));
    this.#head = 0;
    this.#inFlight = [];
    this.#inFlightHead = 0;
    this.flush();
  }

  #removeInFlight(pending: Pending): void {
    if (this.#inFlight[this.#inFlightHead] === pending) {
      this.#inFlightHead++;
    } else {
      const at = this.#inFlight.indexOf(pending, this.#inFlightHead);
      if (at >= 0) this.#inFlight.splice(at, 1);
    }
    this.#compact();
  }

  /** The timer of a publish: dropped and rejected when not written yet. */
  #expire(pending: Pending): void {
    pending.timer = null;
    if (pending.sent || pending.settled) return;
    this.#settle(
      pending,
      new ClusterError(
        'ERR_FERRY_CLUSTER_UNAVAILABLE',
        `ferry: broadcast not sent to the other nodes (delivered on this node only): Redis was not reachable within cluster.publishTimeout (${this.#limits.publishTimeout} ms); it will not be sent later`,
      ),
    );
  }

  #settle(pending: Pending, error: Error | null): void {
    if (pending.settled) return;
    pending.settled = true;
    this.#bytes -= pending.bytes;
    if (pending.timer !== null) clearTimeout(pending.timer);
    pending.timer = null;
    if (error === null) pending.resolve();
    else pending.reject(error);
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (this.#inFlightHead > 1024 && this.#inFlightHead * 2 > this.#inFlight.length) {
      this.#inFlight = this.#inFlight.slice(this.#inFlightHead);
      this.#inFlightHead = 0;
    }
  }
}
