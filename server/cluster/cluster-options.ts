import { randomBytes } from 'node:crypto';

/**
 * The `cluster` option: rooms and broadcast across the nodes of one Redis (server/cluster/).
 * Every limit has a default that is safe for a small cluster; each is documented below.
 */
export interface ClusterOptions {
  /** The Redis URL every node uses, e.g. `redis://127.0.0.1:6379` (`rediss://` for TLS). Required. */
  redis: string;
  /** Prefix of every Redis key and channel Ferry uses; nodes with the same prefix form one cluster. Default `'ferry'`. */
  prefix?: string;
  /** This node's id, unique in the cluster: letters, digits, `.`, `_`, `-`, at most 64. Default: random. */
  nodeId?: string;
  /**
   * Bytes of cross-node broadcasts held while Redis is unreachable or slow (sent in order when it
   * is back). A broadcast that does not fit is rejected at once (its local delivery has happened).
   * Default 8 MiB.
   */
  maxQueuedBytes?: number;
  /**
   * How long a broadcast may wait for Redis, in ms, before its Promise rejects; it is then dropped
   * and never sent later. A broadcast already written to Redis when the connection dropped is sent
   * again until Redis acknowledges it (other nodes drop the duplicate). Default 10,000.
   */
  publishTimeout?: number;
  /**
   * How long cross-node requests (`fetchSockets`, `socketsJoin`, `socketsLeave`,
   * `disconnectSockets`, and `emitWithAck` without `timeout`) wait for the other nodes, in ms, when
   * the operator has no `timeout(ms)`. Default 5,000.
   */
  requestTimeout?: number;
  /**
   * Approximate length the broadcast stream is trimmed to (`XADD MAXLEN ~`): how many broadcasts a
   * node can fall behind (while its Redis connection is down) before entries it had not read are
   * trimmed, which it then reports as a gap. Default 10,000.
   */
  streamMaxLen?: number;
  /** How often a node refreshes its presence in Redis, in ms. Default 2,000. */
  heartbeatInterval?: number;
  /**
   * How long after its last refresh a node counts as gone, in ms (more than `heartbeatInterval`).
   * Cross-node requests are sent to the nodes present. Default 6,000.
   */
  nodeExpiry?: number;
}

export interface ResolvedClusterOptions {
  readonly redis: string;
  readonly prefix: string;
  readonly nodeId: string;
  readonly maxQueuedBytes: number;
  readonly publishTimeout: number;
  readonly requestTimeout: number;
  readonly streamMaxLen: number;
  readonly heartbeatInterval: number;
  readonly nodeExpiry: number;
}

const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Checks and completes the `cluster` option; throws a TypeError or RangeError naming the problem. */
export function resolveClusterOptions(options: ClusterOptions): ResolvedClusterOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('ferry: the cluster option is an object: { redis: "redis://host:6379" }');
  if (typeof options.redis !== 'string' || !/^rediss?:\/\//.test(options.redis)) {
    throw new TypeError('ferry: cluster.redis must be a redis:// or rediss:// URL');
  }
  const prefix = options.prefix ?? 'ferry';
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > 100) throw new TypeError('ferry: cluster.prefix must be a non-empty string of at most 100 characters');
  const nodeId = options.nodeId ?? randomBytes(9).toString('base64url');
  if (typeof nodeId !== 'string' || !NODE_ID.test(nodeId)) throw new TypeError('ferry: cluster.nodeId must be 1 to 64 letters, digits, ".", "_" or "-"');
  const resolved: ResolvedClusterOptions = {
    redis: options.redis,
    prefix,
    nodeId,
    maxQueuedBytes: positive('maxQueuedBytes', options.maxQueuedBytes ?? 8 * 1024 * 1024),
    publishTimeout: positive('publishTimeout', options.publishTimeout ?? 10_000),
    requestTimeout: positive('requestTimeout', options.requestTimeout ?? 5_000),
    streamMaxLen: Math.floor(positive('streamMaxLen', options.streamMaxLen ?? 10_000)),
    heartbeatInterval: positive('heartbeatInterval', options.heartbeatInterval ?? 2_000),
    nodeExpiry: positive('nodeExpiry', options.nodeExpiry ?? 6_000),
  };
  if (resolved.nodeExpiry <= resolved.heartbeatInterval) throw new RangeError('ferry: cluster.nodeExpiry must be more than cluster.heartbeatInterval');
  return resolved;
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new RangeError(`ferry: cluster.${name} must be a positive number, got ${String(value)}`);
  return value;
}
