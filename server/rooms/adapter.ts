import type { AppItem } from '../../protocol/index.js';
import type { BroadcastAnswers } from './acked-broadcast.js';
import type { FetchedSockets, NodesReply } from './socket-operations.js';

/**
 * The seam between rooms/broadcast and where sessions live. Every room operation and every
 * broadcast of a Server goes through one `RoomAdapter`; the default (server/rooms/memory-adapter.ts)
 * keeps everything in this process. A cluster adapter (issue 14: Redis) implements the same
 * contract across nodes. The rules that make both behave the same for the app:
 *
 * - **Membership of a local session is local state, changed synchronously.** `join`, `leave` and
 *   `leaveAll` take effect before they return, so a broadcast issued on the next line includes (or
 *   excludes) the socket: there is no "join not yet awaited" race. A session is owned by one node,
 *   so its membership lives on that node; a cluster adapter publishes each broadcast to every node
 *   and each node resolves the target against its own members (nothing per membership is written
 *   to the cluster, and a join costs no round trip).
 * - **A broadcast is encoded once** (protocol/app-items.ts) before the adapter sees it: the adapter
 *   pushes the same item into every recipient's channel (`RoomMember.queueItem`), which numbers it
 *   in that session's own sequence, so each recipient gets it exactly once, in order with the rest
 *   of what that session receives, whether or not it is connected right now.
 * - **A broadcast is never silently narrowed.** `broadcast` returns `void` when it is done (the
 *   in-memory adapter, always), or a Promise that settles once every node has accepted it and
 *   rejects, naming the nodes, when the cluster could not take it: never "delivered locally only".
 */

/** A room name: a non-empty string of at most `MAX_ROOM_NAME_LENGTH` characters. */
export type Room = string;

/** A session of this node as an adapter sees it (the server's Session is one). */
export interface RoomMember {
  /** Public session id, unique on the cluster. */
  readonly id: string;
  /** Whether a transport is attached now (false while the client reconnects). */
  readonly connected: boolean;
  /**
   * Whether something queued now goes out at once: connected, and its transport takes writes. A
   * volatile broadcast reaches only such members (as `socket.volatile` sends only then).
   */
  readonly takingWrites: boolean;
  /**
   * Numbers and queues an encoded item for this session: exactly once, in order. Returns false
   * when the session has ended, or ends now because it went over `maxBufferedBytes` (the other
   * recipients are not affected).
   */
  queueItem(item: AppItem): boolean;
}

/** Whom a broadcast is for. Plain data, so a cluster adapter can send it to other nodes as JSON. */
export interface BroadcastTarget {
  /**
   * Rooms whose members get it; a name also matches the session with that id (`to(socket.id)`
   * reaches one socket without a room per socket). Empty: every session.
   */
  readonly rooms: readonly Room[];
  /** Members of these rooms, and the sessions with these ids, do not get it. */
  readonly except: readonly string[];
  /** Skip sessions that cannot take a write right now (`takingWrites`) instead of queueing for them. */
  readonly volatile: boolean;
}

/** What the Server gives its adapter: the sessions of this node. */
export interface AdapterHost {
  /** The live session of this node with this id, if any. */
  session(id: string): RoomMember | undefined;
  /** Every live session of this node. */
  sessions(): Iterable<RoomMember>;
  /**
   * Asks sessions of this node for an answer to an event encoded once, without ack id (`item`);
   * each gets an ack id of its own. Resolves with who answered what and who did not, within
   * `timeoutMs` (0: until each has answered or ended). A cluster adapter calls it on each node.
   */
  ask(members: readonly RoomMember[], item: string, timeoutMs: number): Promise<BroadcastAnswers>;
  /** `socket.data` of a session of this node (for `fetchSockets`). */
  dataOf(member: RoomMember): unknown;
  /** Ends a session of this node; its client gets a normal close with `reason` (for `disconnectSockets`). */
  disconnect(member: RoomMember, reason: string): void;
  /** Reports what the adapter met on its own (Redis lost, bad input from another node): the Server's `error` event. */
  error(error: Error): void;
}

export interface RoomAdapter {
  /** Called once by the Server, before any other method. An adapter serves one Server. */
  attach(host: AdapterHost): void;
  /** Adds a local session to rooms (already validated; some may be joined already). Synchronous. */
  join(member: RoomMember, rooms: readonly Room[]): void;
  /** Removes a local session from a room it may not be in. Synchronous. */
  leave(member: RoomMember, room: Room): void;
  /** Removes a local session from all its rooms: it has ended (not called when it only reconnects). */
  leaveAll(member: RoomMember): void;
  /**
   * The rooms a local session is in: a read-only view, the same shared empty set for a session in
   * none (a session in no room costs the adapter nothing).
   */
  roomsOf(member: RoomMember): ReadonlySet<Room>;
  /** Ids of the local sessions `target` names (for `ferry.sockets`), each once. */
  memberIds(target: BroadcastTarget): string[];
  /**
   * Queues `item` (encoded once by the caller) for every session `target` names, each once. Local
   * delivery happens before this returns; see the contract above for the returned Promise.
   */
  broadcast(item: AppItem, target: BroadcastTarget): void | Promise<void>;
  /**
   * An event awaiting every recipient's answer (`item`: `eventItem(name, args)`, no ack id),
   * through `AdapterHost.ask` for the local sessions. A cluster adapter merges the nodes' results
   * and counts the members of a node that did not reply in time as missing, naming the node.
   */
  broadcastWithAck(item: string, target: BroadcastTarget, timeoutMs: number): Promise<BroadcastAnswers>;
  /**
   * The sockets `target` names on every node, with their rooms and `data` (server/rooms/socket-operations.ts).
   * `timeoutMs`: how long to wait for the other nodes (0: the adapter's default); the nodes that
   * did not answer in time are named in `missingNodes`.
   */
  fetchSockets(target: BroadcastTarget, timeoutMs: number): Promise<FetchedSockets>;
  /** Makes the sockets `target` names on every node join `rooms` (validated), as `fetchSockets` waits. */
  socketsJoin(target: BroadcastTarget, rooms: readonly Room[], timeoutMs: number): Promise<NodesReply>;
  /** Makes the sockets `target` names on every node leave `rooms` (validated). */
  socketsLeave(target: BroadcastTarget, rooms: readonly Room[], timeoutMs: number): Promise<NodesReply>;
  /** Ends the sessions `target` names on every node; their clients get a normal close with `reason`. */
  disconnectSockets(target: BroadcastTarget, reason: string, timeoutMs: number): Promise<NodesReply>;
  /** The Server is closing: release timers and connections. */
  close(): void | Promise<void>;
}

/** The `adapter` option: an adapter, or a function making one per Server. */
export type AdapterOption = RoomAdapter | (() => RoomAdapter);

/** Longest room name, in UTF-16 units. */
export const MAX_ROOM_NAME_LENGTH = 256;

/** Throws a TypeError naming the problem when `room` cannot be a room name. */
export function assertRoomName(room: unknown): asserts room is Room {
  if (typeof room !== 'string' || room.length === 0) throw new TypeError('ferry: a room name must be a non-empty string, got ' + describe(room));
  if (room.length > MAX_ROOM_NAME_LENGTH) throw new TypeError('ferry: a room name is at most ' + MAX_ROOM_NAME_LENGTH + ' characters, got ' + room.length);
}

/** One room name or a list of them, validated, as a list (the caller's array is copied, never kept). */
export function roomList(rooms: Room | readonly Room[]): Room[] {
  if (typeof rooms === 'string') {
    assertRoomName(rooms);
    return [rooms];
  }
  if (!Array.isArray(rooms)) throw new TypeError('ferry: expected a room name or an array of room names, got ' + describe(rooms));
  const list: Room[] = [];
  for (const room of rooms as readonly unknown[]) {
    assertRoomName(room);
    list.push(room);
  }
  return list;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? (value.length === 0 ? 'an empty string' : 'a string') : value === null ? 'null' : typeof value;
}
