import type { Frame, OutboundEntry, TransportName } from '../../protocol/index.js';

/** How a client transport reports to the session. */
export interface ClientTransportListener {
  /** The transport carried its first response: it works. */
  onOpen(transport: ClientTransport): void;
  /**
   * Frames from the server on the transport's downstream (they prove it is alive), decoded from a
   * packet of `bytes` characters or bytes (how soon they are acknowledged depends on it).
   */
  onFrames(transport: ClientTransport, frames: Frame[], bytes: number): void;
  /**
   * Frames in the reply to an upstream POST, of `bytes` characters: acks, `detached`, and on
   * long-polling messages the server had waiting. They say nothing of the downstream.
   */
  onReply(transport: ClientTransport, frames: Frame[], bytes: number): void;
  /** A stream ended and is being reopened; the session may learn from how long it had been quiet. */
  onStreamEnd(transport: ClientTransport): void;
  /** Ready to send again (an upstream request finished). */
  onWritable(transport: ClientTransport): void;
  /**
   * The transport failed or ended. `status` is the HTTP status when the server refused a request
   * (404: the session is gone), or the WebSocket close code.
   */
  onError(transport: ClientTransport, reason: string, status: number | null): void;
}

/** Where the Ferry server is: the path of the Ferry URL, and the app's query parameters from it ('' for none). */
export interface FerryLocation {
  baseUrl: string;
  query: string;
}

/** Session coordinates every transport request needs. */
export interface SessionRef extends FerryLocation {
  sid: string;
  token: string;
  pingInterval: number;
  pingTimeout: number;
  /** Heartbeat interval the client asks for (ms), or 0 for the server's. */
  heartbeat: number;
  /** The ack to report now (and count as reported). */
  takeAck(): number;
  /** The ack that will hold once `frames` are delivered (and count it as reported). */
  takeAckAfter(frames: Frame[]): number;
}

/** One client transport instance; `epoch` identifies it to the server. */
export interface ClientTransport {
  readonly name: TransportName;
  readonly epoch: number;
  /** Whether `send` may be called now. */
  readonly writable: boolean;
  /** Whether a downstream connection should be open right now (a flowing stream, an open WebSocket). */
  readonly streaming: boolean;
  /** Largest batch of messages per send, in bytes. */
  readonly batchBytes: number;
  /** Bytes sent but still in the transport's own buffer (a WebSocket's `bufferedAmount`), where known. */
  readonly bufferedAmount?: number;
  send(controls: string[], entries: OutboundEntry[]): void;
  /** The server takes implicit seqs (its handshake's `minor` is 1 or more): a WebSocket may send them from now on. */
  allowImplicitSeqs?(): void;
  /**
   * Ends this transport. With `goodbye` (WebSocket only) the close itself tells the server the
   * session is over; otherwise the session goes on elsewhere.
   */
  close(goodbye?: boolean): void;
}
