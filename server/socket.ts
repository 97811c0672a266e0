import { EventEmitter } from 'eventemitter3';
import type { AppData, JsonValue, TransportName } from '../protocol/index.js';
import type { AppQuery } from './app-query.js';

export interface SocketEvents {
  /** An application message from the client: a JSON value, or bytes as a Uint8Array (a Buffer in Node). */
  message: [data: JsonValue | Uint8Array];
  /** The session moved to another transport. */
  transport: [name: TransportName];
  /** The session ended; it will not be resumed. */
  close: [reason: string];
}

export interface HandshakeInfo {
  /** Request headers of the handshake, without the handshake-only ones (connection, upgrade, sec-websocket-*, content-*). */
  headers: Record<string, string | string[] | undefined>;
  /** Remote address of the handshake request. */
  address: string | undefined;
  /**
   * The app's query parameters from the client's Ferry URL (`connect('https://host/ferry?token=abc')`
   * gives `{ token: 'abc' }`), without Ferry's own; a name given twice has an array.
   */
  query: AppQuery;
}

/**
 * The application's handle on one client session, the same on every transport. The server's
 * session is itself a Socket (one object per session instead of two, which an idle session pays
 * for): members it has beyond this class are internal.
 */
export abstract class Socket extends EventEmitter<SocketEvents> {
  // kept as two fields rather than one object: every idle session pays for each object it keeps
  readonly #headers: HandshakeInfo['headers'];
  readonly #address: string | undefined;
  readonly #query: AppQuery;

  /** Public session id (not a secret). */
  abstract readonly id: string;

  /** The transport the session is on now, or was on last while the client reconnects. */
  abstract readonly transport: TransportName;

  /** False while the session waits for its client to reconnect. */
  abstract readonly connected: boolean;

  /**
   * Bytes this session makes the server hold: messages sent but not yet acknowledged by the
   * client, plus what its transport has buffered and the client has not read. Past
   * `maxBufferedBytes` the session is closed ("buffer overflow").
   */
  abstract readonly bufferedAmount: number;

  protected constructor(handshake: HandshakeInfo) {
    super();
    this.#headers = handshake.headers;
    this.#address = handshake.address;
    this.#query = handshake.query;
  }

  /** What the session keeps of the request that created it (a new object on each read; the headers object is the same). */
  get handshake(): HandshakeInfo {
    return { headers: this.#headers, address: this.#address, query: this.#query };
  }

  /**
   * Queues a message for delivery, exactly once and in order. Returns false when the session is
   * closed. Exceeding `maxBufferedBytes` (see `bufferedAmount`) closes the session with reason
   * "buffer overflow".
   */
  send(data: JsonValue | Uint8Array | ArrayBuffer): boolean {
    return this.queue(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
  }

  /** Ends the session; the client gets a normal close. */
  abstract close(): void;

  /** Numbers and queues a message (the session's side of `send`). */
  protected abstract queue(data: AppData): boolean;
}
