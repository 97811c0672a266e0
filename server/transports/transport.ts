import type { Frame, OutboundEntry, TransportName } from '../../protocol/index.js';

export interface CloseInfo {
  code: number;
  reason: string;
}

/** What a transport reports to whoever owns it (the session). */
export interface TransportListener {
  /**
   * Frames received on the transport itself (WebSocket only; HTTP sends go through the router);
   * `bytes`, the size of the packet they came in (for the metrics' `bytesIn`).
   */
  onFrames(frames: Frame[], bytes?: number): void;
  /** The transport can take a write now (a poll arrived, a stream drained). */
  onWritable(): void;
  /**
   * The transport is gone; `reason` says why. With `fatal`, the client broke the protocol or a
   * limit and the session must end with that code. Not called after `close()`.
   */
  onClosed(reason: string, fatal?: CloseInfo): void;
}

/**
 * One server-side transport instance. It moves frames; it knows nothing of sequencing, acks or
 * sessions. `epoch` is the client's number for this transport instance: a higher epoch replaces a
 * lower one, a lower one is stale.
 */
export interface ServerTransport {
  readonly name: TransportName;
  readonly epoch: number;
  /**
   * Whether `write` may be called now. False while the transport's own write buffer is above its
   * high-water mark (the peer is not reading): the session then waits for `onWritable`.
   */
  readonly writable: boolean;
  /**
   * Bytes written to this transport that the peer has not taken yet: `ws`'s `bufferedAmount`, a
   * response's `writableLength`, poll responses not yet flushed. Part of the session's budget.
   */
  readonly bufferedAmount: number;
  /**
   * Whether the session must send pings to keep it alive and prove it works (streams, WebSocket).
   * A transport that does not is released (`release`) on each heartbeat instead (polling).
   */
  readonly needsPing: boolean;
  /** Byte budget for one write's messages; the session sends at least one message regardless. */
  readonly batchBytes: number;
  bind(listener: TransportListener): void;
  /**
   * Writes control frames (JSON texts) and then messages, as one batch where the transport can.
   * `controls` is handed over: the transport may append to it.
   */
  write(controls: string[], entries: OutboundEntry[]): void;
  /**
   * Asks a held request to return now (a pending poll is answered), so the client can move on;
   * also the heartbeat of a transport without pings.
   */
  release(): void;
  /**
   * The session ends: tells the client why, then ends the transport. A transport whose peer is not
   * reading (its buffer is over the high-water mark) is destroyed at once instead, releasing what
   * it holds. Does not call `onClosed`.
   */
  close(final: CloseInfo): void;
  /** Ends this transport only (replaced, or silent too long); the session goes on. Does not call `onClosed`. */
  drop(code: number, reason: string): void;
}
