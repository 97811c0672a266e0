import type { RedisConnection } from './redis-link.js';

// Both scripts read the clock of Redis (TIME), not of the node: nodes need no synchronised clocks.
const NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) ";

/** KEYS[1] the sorted set, ARGV[1] node id, ARGV[2] expiry in ms: refreshes this node, prunes expired nodes. */
const HEARTBEAT =
  NOW +
  "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1]) " +
  "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now) " +
  "redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1";

/** KEYS[1] the sorted set: the ids of the nodes whose presence has not expired. */
const LIVE = NOW + "return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')";

/**
 * Which nodes are up: the sorted set `{prefix}:nodes`, each member a node id scored with the time
 * (Redis's clock, ms) its presence expires. Each node refreshes its own every `heartbeatInterval`
 * and prunes the expired; the key itself expires `nodeExpiry` after the last refresh of any node.
 */
export class NodeRegistry {
  readonly #connection: RedisConnection;
  readonly #key: string;
  readonly #nodeId: string;
  readonly #expiry: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(connection: RedisConnection, key: string, nodeId: string, expiry: number) {
    this.#connection = connection;
    this.#key = key;
    this.#nodeId = nodeId;
    this.#expiry = expiry;
  }

  /** Registers this node now, then every `interval` ms (a refresh failing while Redis is away is retried at the next one). */
  async start(interval: number): Promise<void> {
    await this.refresh();
    this.#timer = setInterval(() => {
      if (this.#connection.isReady) this.refresh().catch(() => {});
    }, interval);
    this.#timer.unref();
  }

  refresh(): Promise<unknown> {
    return this.#connection.sendCommand(['EVAL', HEARTBEAT, '1', this.#key, this.#nodeId, String(this.#expiry)]);
  }

  /** Ids of the nodes up now (this one included). */
  async live(): Promise<string[]> {
    const reply = await this.#connection.sendCommand(['EVAL', LIVE, '1', this.#key]);
    if (!Array.isArray(reply)) return [];
    return (reply as unknown[]).filter((id): id is string => typeof id === 'string');
  }

  /** Stops refreshing and removes this node (at once, rather than after `nodeExpiry`). */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#connection.sendCommand(['ZREM', this.#key, this.#nodeId]);
  }

  /** Stops refreshing (the presence expires by itself). */
  halt(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
