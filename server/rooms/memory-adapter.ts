import type { AppItem } from '../../protocol/index.js';
import type { BroadcastAnswers } from './acked-broadcast.js';
import type { AdapterHost, BroadcastTarget, Room, RoomAdapter, RoomMember } from './adapter.js';
import { describeLocal, disconnectLocal, joinLocal, leaveLocal, type FetchedSockets, type NodesReply } from './socket-operations.js';

const NO_ROOMS: ReadonlySet<Room> = new Set<Room>();

/**
 * The default adapter: rooms of this process only. Rooms map to sets of the member objects
 * themselves (fan-out walks a Set and calls each member, with no id lookup per recipient); each
 * member in at least one room has a set of its rooms (for `socket.rooms` and `leaveAll`). A session
 * in no room is in neither map. Empty sets are deleted at once.
 */
export class MemoryAdapter implements RoomAdapter {
  /** The name `fetchSockets` gives this node (a cluster adapter passes its own). Default `'local'`. */
  readonly nodeId: string;
  #host: AdapterHost | null = null;
  readonly #rooms = new Map<Room, Set<RoomMember>>();
  readonly #memberRooms = new Map<RoomMember, Set<Room>>();

  constructor(options: { nodeId?: string } = {}) {
    this.nodeId = options.nodeId ?? 'local';
  }

  attach(host: AdapterHost): void {
    if (this.#host !== null) throw new Error('ferry: an adapter serves one Server; give each Server its own (or pass a function making one)');
    this.#host = host;
  }

  join(member: RoomMember, rooms: readonly Room[]): void {
    let mine = this.#memberRooms.get(member);
    for (const room of rooms) {
      if (mine === undefined) this.#memberRooms.set(member, (mine = new Set()));
      else if (mine.has(room)) continue;
      mine.add(room);
      const members = this.#rooms.get(room);
      if (members === undefined) this.#rooms.set(room, new Set([member]));
      else members.add(member);
    }
  }

  leave(member: RoomMember, room: Room): void {
    const mine = this.#memberRooms.get(member);
    if (mine === undefined || !mine.delete(room)) return;
    if (mine.size === 0) this.#memberRooms.delete(member);
    this.#removeFrom(room, member);
  }

  leaveAll(member: RoomMember): void {
    const mine = this.#memberRooms.get(member);
    if (mine === undefined) return;
    this.#memberRooms.delete(member);
    for (const room of mine) this.#removeFrom(room, member);
  }

  roomsOf(member: RoomMember): ReadonlySet<Room> {
    return this.#memberRooms.get(member) ?? NO_ROOMS;
  }

  memberIds(target: BroadcastTarget): string[] {
    const ids: string[] = [];
    this.#forEach(target, (member) => {
      ids.push(member.id);
    });
    return ids;
  }

  broadcast(item: AppItem, target: BroadcastTarget): void {
    const volatile = target.volatile;
    this.#forEach(target, (member) => {
      if (!volatile || member.takingWrites) member.queueItem(item);
    });
  }

  broadcastWithAck(item: string, target: BroadcastTarget, timeoutMs: number): Promise<BroadcastAnswers> {
    const host = this.#attached();
    const members: RoomMember[] = [];
    const volatile = target.volatile;
    this.#forEach(target, (member) => {
      if (!volatile || member.takingWrites) members.push(member);
    });
    return host.ask(members, item, timeoutMs);
  }

  fetchSockets(target: BroadcastTarget): Promise<FetchedSockets> {
    return Promise.resolve({ sockets: describeLocal(this, this.#attached(), target, this.nodeId), missingNodes: [] });
  }

  socketsJoin(target: BroadcastTarget, rooms: readonly Room[]): Promise<NodesReply> {
    joinLocal(this, this.#attached(), target, rooms);
    return Promise.resolve({ missingNodes: [] });
  }

  socketsLeave(target: BroadcastTarget, rooms: readonly Room[]): Promise<NodesReply> {
    leaveLocal(this, this.#attached(), target, rooms);
    return Promise.resolve({ missingNodes: [] });
  }

  disconnectSockets(target: BroadcastTarget, reason: string): Promise<NodesReply> {
    disconnectLocal(this, this.#attached(), target, reason);
    return Promise.resolve({ missingNodes: [] });
  }

  close(): void {
    this.#rooms.clear();
    this.#memberRooms.clear();
  }

  /** Room names in use (for tests and inspection). */
  get roomCount(): number {
    return this.#rooms.size;
  }

  #removeFrom(room: Room, member: RoomMember): void {
    const members = this.#rooms.get(room);
    if (members === undefined) return;
    members.delete(member);
    if (members.size === 0) this.#rooms.delete(room);
  }

  /**
   * Calls `fn` once for each session `target` names. Sets are walked live: a recipient that ends
   * while it is handed the item (over its budget) leaves its rooms without disturbing the walk.
   */
  #forEach(target: BroadcastTarget, fn: (member: RoomMember) => void): void {
    const host = this.#attached();
    const excluded = this.#excluded(host, target.except);
    const rooms = target.rooms;
    if (rooms.length === 0) {
      for (const member of host.sessions()) if (excluded === null || !excluded.has(member)) fn(member);
      return;
    }
    // the common case, one room and no session with its name as id: no set of who has had it
    const single = rooms.length === 1 ? host.session(rooms[0]) : undefined;
    if (rooms.length === 1 && single === undefined) {
      const members = this.#rooms.get(rooms[0]);
      if (members !== undefined) for (const member of members) if (excluded === null || !excluded.has(member)) fn(member);
      return;
    }
    const seen = new Set<RoomMember>(excluded);
    const visit = (member: RoomMember): void => {
      if (seen.has(member)) return;
      seen.add(member);
      fn(member);
    };
    for (const room of rooms) {
      const byId = rooms.length === 1 ? single : host.session(room);
      if (byId !== undefined) visit(byId);
      const members = this.#rooms.get(room);
      if (members !== undefined) for (const member of members) visit(member);
    }
  }

  #attached(): AdapterHost {
    if (this.#host === null) throw new Error('ferry: the adapter is not attached to a Server');
    return this.#host;
  }

  /** The sessions `except` names, by room and by id; null when it names none. */
  #excluded(host: AdapterHost, except: readonly string[]): Set<RoomMember> | null {
    if (except.length === 0) return null;
    const excluded = new Set<RoomMember>();
    for (const name of except) {
      const byId = host.session(name);
      if (byId !== undefined) excluded.add(byId);
      const members = this.#rooms.get(name);
      if (members !== undefined) for (const member of members) excluded.add(member);
    }
    return excluded;
  }
}
