import type { NotReserved } from '../../protocol/event-api.js';
import { eventItem, messageItem, type AppItem, type DefaultEvents, type EventAnswer, type EventArgs, type EventNames, type JsonValue } from '../../protocol/index.js';
import type { BroadcastAnswers } from './acked-broadcast.js';
import type { Socket } from '../socket.js';
import { roomList, type BroadcastTarget, type Room, type RoomAdapter } from './adapter.js';
import type { FetchedSockets, NodesReply } from './socket-operations.js';

/** What an operator needs of its Server: the adapter, and the sockets of this node by id. */
export interface BroadcastHost {
  readonly adapter: RoomAdapter;
  /** The live sockets of this node with these ids, in that order (ids of ended sessions skipped). */
  socketsById(ids: readonly string[]): Socket[];
}

const EVERYONE: BroadcastTarget = { rooms: [], except: [], volatile: false };

/**
 * Whom to send to, built by chaining: `ferry.to('lobby').except(socket.id).emit('joined', name)`.
 * Immutable: each call returns a new operator, so one can be kept and reused. Without `to`, it
 * names every session. Sending encodes the message or event once and hands the same item to every
 * recipient (server/rooms/adapter.ts).
 */
export class BroadcastOperator<EmitEvents = DefaultEvents> {
  readonly #host: BroadcastHost;
  readonly #target: BroadcastTarget;
  /** For `emitWithAck`: how long to wait for answers, in ms; 0 until each has answered or ended. */
  readonly #timeout: number;

  /** @internal Made by `ferry.to` and `socket.to`. */
  constructor(host: BroadcastHost, target: BroadcastTarget = EVERYONE, timeout = 0) {
    this.#host = host;
    this.#target = target;
    this.#timeout = timeout;
  }

  /**
   * Also the members of `rooms` (a session id is a name too: `to(socket.id)` reaches that socket).
   * Throws a TypeError for a name that is not a non-empty string of at most 256 characters.
   */
  to(rooms: Room | readonly Room[]): BroadcastOperator<EmitEvents> {
    const t = this.#target;
    return new BroadcastOperator(this.#host, { rooms: t.rooms.concat(roomList(rooms)), except: t.except, volatile: t.volatile }, this.#timeout);
  }

  /** The same as `to`. */
  in(rooms: Room | readonly Room[]): BroadcastOperator<EmitEvents> {
    return this.to(rooms);
  }

  /** Leaves out the members of these rooms and the sockets with these ids. */
  except(names: Room | readonly Room[]): BroadcastOperator<EmitEvents> {
    const t = this.#target;
    return new BroadcastOperator(this.#host, { rooms: t.rooms, except: t.except.concat(roomList(names)), volatile: t.volatile }, this.#timeout);
  }

  /**
   * Skips the sockets that cannot take a write right now (reconnecting, or a transport pushing back)
   * instead of queueing for them, as `socket.volatile` does: for state that is stale by then.
   */
  get volatile(): BroadcastOperator<EmitEvents> {
    const t = this.#target;
    return new BroadcastOperator(this.#host, { rooms: t.rooms, except: t.except, volatile: true }, this.#timeout);
  }

  /**
   * How long `emitWithAck` waits for answers, in ms (without it: until each socket has answered or
   * ended), and how long `fetchSockets`, `socketsJoin`, `socketsLeave` and `disconnectSockets` wait
   * for the other nodes (without it: the cluster's `requestTimeout`).
   */
  timeout(ms: number): BroadcastOperator<EmitEvents> {
    if (typeof ms !== 'number' || !(ms > 0) || ms === Infinity) throw new TypeError('ferry: a timeout is a positive number of milliseconds');
    return new BroadcastOperator(this.#host, this.#target, ms);
  }

  /**
   * Sends a message (what each client's `message` listener gets) to every socket named, once each,
   * in order with everything else each of them receives; sockets that are reconnecting get it
   * when they resume. The value is encoded once: one that JSON cannot carry throws a TypeError
   * before anyone gets anything. A socket pushed past `maxBufferedBytes` by it ends ("buffer
   * overflow") without affecting the others. Returns nothing with the default adapter; a cluster
   * adapter returns a Promise that rejects when the cluster could not take the broadcast.
   */
  send(data: JsonValue | Uint8Array | ArrayBuffer): void | Promise<void> {
    return this.#deliver(messageItem(data instanceof ArrayBuffer ? new Uint8Array(data) : data));
  }

  /**
   * Sends an event (what each client's `on(event)` handler gets) to every socket named, with the
   * same guarantees as `send`. Throws a TypeError, before anyone gets anything, for a reserved or
   * invalid event name or arguments JSON cannot carry.
   */
  emit<E extends EventNames<EmitEvents>>(event: E & NotReserved<E>, ...args: EventArgs<EmitEvents, E>): void | Promise<void> {
    return this.#deliver(eventItem(event, args as unknown as JsonValue[]));
  }

  /**
   * Sends an event asking every socket named for an answer (each with an ack id of its own; the
   * arguments are encoded once), and resolves with the answers that came and the ids of the
   * sockets that gave none: not within `timeout(ms)`, their handler failed or had none, or their
   * session ended. Never rejects for a socket; throws a TypeError at once for a bad name or
   * arguments, as `emit` does.
   */
  emitWithAck<E extends EventNames<EmitEvents>>(
    event: E & NotReserved<E>,
    ...args: EventArgs<EmitEvents, E>
  ): Promise<BroadcastAnswers<EventAnswer<EmitEvents, E>>> {
    const item = eventItem(event, args as unknown as JsonValue[]);
    return this.#host.adapter.broadcastWithAck(item, this.#target, this.#timeout) as Promise<BroadcastAnswers<EventAnswer<EmitEvents, E>>>;
  }

  /** The sockets of this node named now (each once): for inspection, or to `close` them. */
  sockets(): Socket[] {
    return this.#host.socketsById(this.#host.adapter.memberIds(this.#target));
  }

  /**
   * The sockets named on every node (a cluster: each node that answers in time), described as plain
   * data: id, rooms, a JSON copy of `data`, owner node. Nodes that did not answer are in `missingNodes`.
   */
  fetchSockets(): Promise<FetchedSockets> {
    return this.#host.adapter.fetchSockets(this.#target, this.#timeout);
  }

  /** Makes the sockets named on every node join `rooms` (validated first: a TypeError at once). */
  socketsJoin(rooms: Room | readonly Room[]): Promise<NodesReply> {
    return this.#host.adapter.socketsJoin(this.#target, roomList(rooms), this.#timeout);
  }

  /** Makes the sockets named on every node leave `rooms`. */
  socketsLeave(rooms: Room | readonly Room[]): Promise<NodesReply> {
    return this.#host.adapter.socketsLeave(this.#target, roomList(rooms), this.#timeout);
  }

  /** Ends the sessions named on every node; their clients get a normal close with `reason` (default "server closed"). */
  disconnectSockets(reason = 'server closed'): Promise<NodesReply> {
    if (typeof reason !== 'string') throw new TypeError('ferry: a disconnect reason is a string');
    return this.#host.adapter.disconnectSockets(this.#target, reason, this.#timeout);
  }

  /** Ends the session of every socket of this node named (their clients get a normal close). */
  close(): void {
    for (const socket of this.sockets()) socket.close();
  }

  #deliver(item: AppItem): void | Promise<void> {
    return this.#host.adapter.broadcast(item, this.#target);
  }
}
