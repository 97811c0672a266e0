import { ClusterError } from './cluster-error.js';
import { whenReady, type RedisConnection } from './redis-link.js';
import { parseEntry, type StreamEntry } from './stream-entry.js';

/** How long one XREAD blocks, in ms (a closing node waits at most this for its reader). */
const BLOCK_MS = 1_000;
/** How often a connected reader checks that nothing it had not read was trimmed (it fell behind), in ms. */
const CHECK_EVERY_MS = 5_000;
/** Entries per XREAD. */
const READ_COUNT = 500;
/** Runs whose highest `seq` is remembered (a few per node that ever ran): the oldest is forgotten past it. */
const MAX_RUNS = 10_000;

export interface ReaderHost {
  /** This adapter's run id: its own entries are skipped (delivered locally when published). */
  readonly run: string;
  /** Delivers an entry of another node to this node's sessions. */
  deliver(entry: StreamEntry): void;
  /** Reports a gap, bad input, or a Redis error: the Server's `error` event. */
  report(error: Error): void;
  /** Whether `error` is Redis refusing a command, not a lost connection. */
  isReplyError(error: unknown): boolean;
}

/**
 * Reads the broadcast stream on its own connection, from the last entry id it has seen, so a
 * reconnection resumes where it left off (a pub/sub subscriber would miss what was published
 * meanwhile). Each entry of another run is delivered once: a resent one (same `run`, `seq` not
 * above the highest seen) is dropped. After each reconnection, and every few seconds, it checks
 * that nothing it had not read was lost (trimmed past `streamMaxLen` while it was away or behind,
 * or the stream gone with a Redis that lost its data) and reports a gap loudly
 * (ERR_FERRY_CLUSTER_GAP) when something may have been.
 */
export class StreamReader {
  readonly #connection: RedisConnection;
  readonly #key: string;
  readonly #host: ReaderHost;
  /** The id of the last entry read; `0-0` for an empty stream. */
  #lastId = '0-0';
  /**
   * The ordinal of that entry in the stream (its `entries-added` count when it was added): entries
   * are read in order, so after a reconnection `entries-added - length - ordinal` is the number of
   * entries after it that were trimmed before this node read them.
   */
  #ordinal = 0;
  readonly #seen = new Map<string, number>();
  #closed = false;
  readonly #stopped: Promise<void>;
  #stop: () => void = () => {};

  constructor(connection: RedisConnection, key: string, host: ReaderHost) {
    this.#connection = connection;
    this.#key = key;
    this.#host = host;
    this.#stopped = new Promise((resolve) => (this.#stop = resolve));
  }

  /** Positions the reader after the stream's last entry (what is published from now on is read), then reads until `close`. */
  async start(): Promise<void> {
    const info = await this.#info();
    if (info !== null) {
      this.#lastId = info.lastGenerated;
      this.#ordinal = info.added;
    }
    void this.#loop();
  }

  close(): void {
    this.#closed = true;
    this.#stop();
  }

  async #loop(): Promise<void> {
    let check = false;
    let nextCheck = Date.now() + CHECK_EVERY_MS;
    while (!this.#closed) {
      if (!this.#connection.isReady) {
        await whenReady(this.#connection, this.#stopped);
        check = true;
        continue;
      }
      try {
        if (check || Date.now() >= nextCheck) {
          await this.#checkGap();
          check = false;
          nextCheck = Date.now() + CHECK_EVERY_MS;
        }
        const reply = await this.#connection.sendCommand(['XREAD', 'COUNT', String(READ_COUNT), 'BLOCK', String(BLOCK_MS), 'STREAMS', this.#key, this.#lastId]);
        if (!this.#closed) this.#take(reply);
      } catch (error) {
        if (this.#closed) return;
        // a lost connection: read on from the same id once it is back, after checking for a gap
        check = true;
        if (!this.#host.isReplyError(error)) {
          if (this.#connection.isReady) await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        this.#host.report(new ClusterError('ERR_FERRY_CLUSTER_CONNECTION', 'ferry: reading the broadcast stream failed: ' + String(error), { cause: error }));
        await new Promise((resolve) => setTimeout(resolve, BLOCK_MS));
      }
    }
  }

  /** Handles an XREAD reply: `[[key, [[id, [field, value, …]], …]]]`, or null when nothing came. */
  #take(reply: unknown): void {
    if (reply === null) return;
    const entries = Array.isArray(reply) && Array.isArray(reply[0]) ? (reply[0] as unknown[])[1] : undefined;
    if (!Array.isArray(entries)) {
      this.#host.report(new ClusterError('ERR_FERRY_CLUSTER_BAD_INPUT', 'ferry: an XREAD reply of an unexpected shape was dropped'));
      return;
    }
    for (const raw of entries as unknown[]) {
      if (!Array.isArray(raw) || !isStreamId(raw[0])) continue;
      const id: string = raw[0];
      this.#lastId = id;
      this.#ordinal++;
      const entry = parseEntry(raw[1]);
      if (typeof entry === 'string') {
        this.#host.report(new ClusterError('ERR_FERRY_CLUSTER_BAD_INPUT', `ferry: broadcast stream entry ${id} was dropped: ${entry}`));
        continue;
      }
      if (entry.run === this.#host.run || !this.#isNew(entry)) continue;
      try {
        this.#host.deliver(entry);
      } catch (error) {
        this.#host.report(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  /** Whether the entry is above the highest `seq` seen from its run (and remembers it). */
  #isNew(entry: StreamEntry): boolean {
    const highest = this.#seen.get(entry.run) ?? 0;
    if (entry.seq <= highest) return false;
    if (highest === 0 && this.#seen.size >= MAX_RUNS) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    this.#seen.set(entry.run, entry.seq);
    return true;
  }

  /** After a reconnection: reports a gap when entries after `#lastId` may be gone. */
  async #checkGap(): Promise<void> {
    const info = await this.#info();
    const since = 'broadcasts of other nodes after stream id ' + this.#lastId + ' may have been missed';
    if (info === null) {
      if (this.#lastId !== '0-0') this.#gap(`ferry: the broadcast stream ${this.#key} is gone (Redis restarted without its data, or the key was deleted): ${since}`);
      this.#lastId = '0-0';
      this.#ordinal = 0;
      return;
    }
    const firstOrdinal = info.added - info.length; // of the entry before the first one left
    if (compareIds(info.lastGenerated, this.#lastId) < 0) {
      this.#gap(`ferry: the broadcast stream ${this.#key} was reset (its last id ${info.lastGenerated} is before the last one read): ${since}`);
      this.#lastId = '0-0';
      this.#ordinal = firstOrdinal;
    } else if (firstOrdinal > this.#ordinal || compareIds(info.maxDeleted, this.#lastId) > 0) {
      const lost = firstOrdinal - this.#ordinal;
      this.#gap(`ferry: entries of ${this.#key} this node had not read${lost > 0 ? ' (' + lost + ')' : ''} were trimmed or deleted while it was away (cluster.streamMaxLen): ${since}`);
      this.#ordinal = Math.max(this.#ordinal, firstOrdinal);
    }
  }

  /** What XINFO STREAM says (Redis 7+), or null when there is no stream. */
  async #info(): Promise<{ lastGenerated: string; maxDeleted: string; added: number; length: number } | null> {
    let reply: unknown;
    try {
      reply = await this.#connection.sendCommand(['XINFO', 'STREAM', this.#key]);
    } catch (error) {
      if (/no such key/i.test(String(error))) return null;
      throw error;
    }
    const fields = new Map<string, unknown>();
    if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), reply[i + 1]);
    const lastGenerated = fields.get('last-generated-id');
    const maxDeleted = fields.get('max-deleted-entry-id');
    const added = fields.get('entries-added');
    const length = fields.get('length');
    if (!isStreamId(lastGenerated) || typeof added !== 'number' || typeof length !== 'number') {
      throw new ClusterError('ERR_FERRY_CLUSTER_BAD_INPUT', 'ferry: XINFO STREAM gave no last-generated-id and entries-added: the cluster needs Redis 7 or later');
    }
    return { lastGenerated, maxDeleted: isStreamId(maxDeleted) ? maxDeleted : '0-0', added, length };
  }

  #gap(message: string): void {
    this.#host.report(new ClusterError('ERR_FERRY_CLUSTER_GAP', message));
  }
}

function isStreamId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9]{1,20}-[0-9]{1,20}$/.test(value);
}

/** Compares two stream ids (`ms-seq`). */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}
