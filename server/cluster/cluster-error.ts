/** What went wrong between this node and the cluster. */
export type ClusterErrorCode =
  /** A broadcast or request could not reach the other nodes (queue full, `publishTimeout`, Redis refused, closed). */
  | 'ERR_FERRY_CLUSTER_UNAVAILABLE'
  /** Broadcasts that reached this node only (their Promises rejected with ERR_FERRY_CLUSTER_UNAVAILABLE): reported once per tick, with their count. */
  | 'ERR_FERRY_CLUSTER_UNDELIVERED'
  /** The connection to Redis was lost; Ferry reconnects by itself (reported once per outage). */
  | 'ERR_FERRY_CLUSTER_CONNECTION'
  /** Broadcasts from other nodes may have been missed (trimmed from the stream, or Redis lost its data). */
  | 'ERR_FERRY_CLUSTER_GAP'
  /** Something malformed arrived from Redis (another process's data): dropped. */
  | 'ERR_FERRY_CLUSTER_BAD_INPUT'
  /** The `redis` package is not installed. */
  | 'ERR_FERRY_CLUSTER_NO_REDIS';

/** An error of the cluster layer, with a code to tell the cases apart (the Server's `error` event, or a rejected broadcast). */
export class ClusterError extends Error {
  readonly code: ClusterErrorCode;

  constructor(code: ClusterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClusterError';
    this.code = code;
  }
}
