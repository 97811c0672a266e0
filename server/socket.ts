import type { AppData, AppItem, DefaultEvents, JsonValue, TransportName } from '../protocol/index.js';
import type { AppQuery } from './app-query.js';
import { SocketEventApi } from './app-events.js';
import type { BroadcastOperator } from './rooms/broadcast-operator.js';
import type { Rooms } from './rooms/rooms.js';
import { volatileSocket, type VolatileSocket } from './volatile.js';

export interface SocketEvents {
  /** An application message from the client: a JSON value, or bytes as a Uint8Array (a Buffer in Node). */
  message: [data: JsonValue | Uint8Array];
  /** The session moved to another transport. */
  transport: [name: TransportName];
  /** The session ended; it will not be resumed. */
  close: [reason: string];
  /**
   * `bufferedAmount` fell to `drainBelow` or under after having been above it: a producer that
   * waited may send again. Once per crossing; never on the session's end (wait for `close` too).
   */
  drain: [];
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
export abstract class Socket<ListenEvents = DefaultEvents, EmitEvents = DefaultEvents, SocketData = unknown> extends SocketEventApi<
  SocketEvents,
  ListenEvents,
  EmitEvents
> {
  // kept as two fields rather than one object: every idle session pays for each object it keeps
  readonly #headers: HandshakeInfo['headers'];
  readonly #address: string | undefined;
  readonly #query: AppQuery;
  /** The subprotocol agreed at the handshake (the server's `handleProtocols` pick); '' when the client offered none. */
  readonly protocol: string = '';
  /** `data`, made on first read when the handshake middleware set none (server/auth/). */
  #data: SocketData | undefined;

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

  /**
   * The low-water mark of `drain` (the server's `drainBelow` option): a producer waits for `drain`
   * while `bufferedAmount` is above it.
   */
  abstract readonly drainBelow: number;

  protected constructor(handshake: HandshakeInfo) {
    super();
    this.#headers = handshake.headers;
    this.#address = handshake.address;
    this.#query = handshake.query;
  }

  /**
   * The app's own data for this session: what the handshake middleware set or returned
   * (`ferry.use`), else an empty object. Server-side only; the app may change or replace it.
   */
  get data(): SocketData {
    return (this.#data ??= {} as SocketData);
  }

  set data(value: SocketData) {
    this.#data = value;
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

  /**
   * Rooms this socket is in: a read-only view (a socket in none shares one empty set). Membership
   * lasts as long as the session, across reconnects and transport switches, and ends with it.
   */
  get rooms(): ReadonlySet<string> {
    return this.roomService.roomsOf(this.plain);
  }

  /** Joins rooms (names: non-empty strings of at most 256 characters, else a TypeError). At once, server-side only. */
  join(rooms: string | readonly string[]): void {
    this.roomService.join(this.plain, rooms);
  }

  /** Leaves a room (nothing happens if the socket is not in it). */
  leave(room: string): void {
    this.roomService.leave(this.plain, room);
  }

  /** A broadcast to the members of `rooms` except this socket: `socket.to('lobby').emit('joined', name)`. */
  to(rooms: string | readonly string[]): BroadcastOperator<EmitEvents> {
    return this.roomService.fromSocket<EmitEvents>(this.plain).to(rooms);
  }

  /** A broadcast to every socket but this one. */
  get broadcast(): BroadcastOperator<EmitEvents> {
    return this.roomService.fromSocket<EmitEvents>(this.plain);
  }

  /** Sends and emits that are dropped, not queued, when they cannot go out now (server/volatile.ts). */
  get volatile(): VolatileSocket<EmitEvents> {
    return volatileSocket<EmitEvents>(this, () => this.writableNow());
  }

  /** Ends the session; the client gets a normal close. */
  abstract close(): void;

  /** @internal Whether a message queued now goes out at once: connected, and the transport takes writes. */
  protected abstract writableNow(): boolean;

  /** @internal This socket typed with the default event maps (as the server's registries hold it). */
  protected get plain(): Socket {
    return this as unknown as Socket;
  }

  /** @internal The server's rooms (server/rooms/rooms.ts): a getter, so it costs a socket nothing. */
  protected abstract readonly roomService: Rooms;

  /** Numbers and queues a message (the session's side of `send`). */
  protected abstract queue(data: AppData): boolean;

  /** @internal Numbers and queues an encoded item (protocol/app-items.ts): a message, an event, an answer. */
  abstract override queueItem(item: AppItem): boolean;
}
