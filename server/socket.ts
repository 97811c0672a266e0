import { EventEmitter } from 'eventemitter3';
import type { AppData, JsonValue, TransportName } from '../protocol/index.js';

export interface SocketEvents {
  /** An application message from the client: a JSON value, or bytes as a Uint8Array (a Buffer in Node). */
  message: [data: JsonValue | Uint8Array];
  /** The session moved to another transport. */
  transport: [name: TransportName];
  /** The session ended; it will not be resumed. */
  close: [reason: string];
}

/** What a session exposes to the application. */
export interface SocketBackend {
  readonly id: string;
  readonly transportName: TransportName;
  readonly connected: boolean;
  send(data: AppData): boolean;
  close(): void;
}

export interface HandshakeInfo {
  /** Request headers of the handshake, without the handshake-only ones (connection, upgrade, sec-websocket-*, content-*). */
  headers: Record<string, string | string[] | undefined>;
  /** Remote address of the handshake request. */
  address: string | undefined;
}

/** The application's handle on one client session, the same on every transport. */
export class Socket extends EventEmitter<SocketEvents> {
  readonly #backend: SocketBackend;
  readonly handshake: HandshakeInfo;

  constructor(backend: SocketBackend, handshake: HandshakeInfo) {
    super();
    this.#backend = backend;
    this.handshake = handshake;
  }

  /** Public session id (not a secret). */
  get id(): string {
    return this.#backend.id;
  }

  /** The transport the session is on now, or was on last while the client reconnects. */
  get transport(): TransportName {
    return this.#backend.transportName;
  }

  /** False while the session waits for its client to reconnect. */
  get connected(): boolean {
    return this.#backend.connected;
  }

  /**
   * Queues a message for delivery, exactly once and in order. Returns false when the session is
   * closed. Exceeding `maxBufferedBytes` closes the session with reason "buffer overflow".
   */
  send(data: JsonValue | Uint8Array | ArrayBuffer): boolean {
    return this.#backend.send(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
  }

  /** Ends the session; the client gets a normal close. */
  close(): void {
    this.#backend.close();
  }
}
