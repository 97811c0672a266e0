import type { JsonValue } from '../../protocol/index.js';
import type { AdapterHost, BroadcastTarget, Room, RoomAdapter, RoomMember } from './adapter.js';

/**
 * Operations on the sockets a target names, on every node (Socket.IO's `fetchSockets`,
 * `socketsJoin`, `socketsLeave`, `disconnectSockets`): the result types, and each operation on the
 * sessions of this node, written once against the adapter contract (the in-memory adapter runs
 * them for its node; a cluster adapter runs them on every node and merges).
 */

/** A socket of some node, as `fetchSockets` describes it (plain data: it may come from another process). */
export interface RemoteSocketInfo {
  /** The socket's (session's) id. */
  readonly id: string;
  /** The rooms it is in. */
  readonly rooms: string[];
  /** A JSON copy of its `socket.data` (null when that is not JSON: undefined, a function, a cycle). */
  readonly data: JsonValue;
  /** The node that owns it (`MemoryAdapter`: its `nodeId`, default `'local'`). */
  readonly node: string;
}

/** What an operation on the sockets of every node resolves with. */
export interface NodesReply {
  /**
   * Ids of the nodes that did not answer in time: their sockets are not in the result, and the
   * operation may or may not have happened there. Always empty on one process.
   */
  missingNodes: string[];
}

/** What `fetchSockets` resolves with. */
export interface FetchedSockets extends NodesReply {
  /** The sockets named, of every node that answered, each once. */
  sockets: RemoteSocketInfo[];
}

/** Ids (or room names) of this node's live sessions that `target` names, each once. */
export function localMembers(adapter: RoomAdapter, host: AdapterHost, target: BroadcastTarget): RoomMember[] {
  const members: RoomMember[] = [];
  for (const id of adapter.memberIds(target)) {
    const member = host.session(id);
    if (member !== undefined) members.push(member);
  }
  return members;
}

/** The sockets of this node that `target` names, described as `fetchSockets` gives them. */
export function describeLocal(adapter: RoomAdapter, host: AdapterHost, target: BroadcastTarget, node: string): RemoteSocketInfo[] {
  return localMembers(adapter, host, target).map((member) => ({
    id: member.id,
    rooms: [...adapter.roomsOf(member)],
    data: jsonCopy(host.dataOf(member)),
    node,
  }));
}

/** Makes the sockets of this node that `target` names join `rooms` (already validated). */
export function joinLocal(adapter: RoomAdapter, host: AdapterHost, target: BroadcastTarget, rooms: readonly Room[]): void {
  for (const member of localMembers(adapter, host, target)) adapter.join(member, rooms);
}

/** Makes the sockets of this node that `target` names leave `rooms`. */
export function leaveLocal(adapter: RoomAdapter, host: AdapterHost, target: BroadcastTarget, rooms: readonly Room[]): void {
  for (const member of localMembers(adapter, host, target)) for (const room of rooms) adapter.leave(member, room);
}

/** Ends the sessions of this node that `target` names; their clients get a normal close with `reason`. */
export function disconnectLocal(adapter: RoomAdapter, host: AdapterHost, target: BroadcastTarget, reason: string): void {
  for (const member of localMembers(adapter, host, target)) host.disconnect(member, reason);
}

/** A JSON copy of `value`, or null when JSON cannot carry it. */
export function jsonCopy(value: unknown): JsonValue {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return null;
  }
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}
