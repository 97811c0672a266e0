import { CloseCode } from '../../protocol/index.js';
import type { Session } from '../session.js';
import type { Socket } from '../socket.js';
import { roomList, type AdapterOption, type Room, type RoomAdapter } from './adapter.js';
import { askMembers } from './acked-broadcast.js';
import { BroadcastOperator, type BroadcastHost } from './broadcast-operator.js';

/**
 * A Server's rooms: the adapter it was given, bound to the sessions of this node, and what the
 * Socket and Server APIs call (names validated here, once, before the adapter sees them).
 * Joining is server-side only: nothing a client sends reaches this object.
 */
export class Rooms implements BroadcastHost {
  readonly adapter: RoomAdapter;
  readonly #sessions: ReadonlyMap<string, Session>;

  constructor(option: AdapterOption, sessions: ReadonlyMap<string, Session>, onError: (error: Error) => void) {
    this.#sessions = sessions;
    this.adapter = typeof option === 'function' ? option() : option;
    this.adapter.attach({
      session: (id) => sessions.get(id),
      sessions: () => sessions.values(),
      ask: askMembers,
      dataOf: (member) => (member as Session).data,
      disconnect: (member, reason) => (member as Session).end(CloseCode.NORMAL, reason),
      error: onError,
    });
  }

  /** `socket.join`: all names are checked before any is joined; an ended session joins nothing. */
  join(socket: Socket, rooms: Room | readonly Room[]): void {
    const list = roomList(rooms);
    const session = asSession(socket);
    if (session.closed) return;
    this.adapter.join(session, list);
  }

  /** `socket.leave`. */
  leave(socket: Socket, room: Room): void {
    const [name] = roomList(room);
    this.adapter.leave(asSession(socket), name);
  }

  /**
   * The session has ended: it leaves every room right after its `close` listeners have run, so
   * they can still read `socket.rooms` (to tell those rooms it left, as Socket.IO's
   * `disconnecting`). Meanwhile broadcasts skip it (an ended session queues nothing) and
   * `ferry.sockets` leaves it out.
   */
  leaveAll(session: Session): void {
    process.nextTick(leaveAllNow, this.adapter, session);
  }

  roomsOf(socket: Socket): ReadonlySet<Room> {
    return this.adapter.roomsOf(asSession(socket));
  }

  /** An operator naming every session (then narrowed with `to`/`except`). */
  everyone<EmitEvents>(): BroadcastOperator<EmitEvents> {
    return new BroadcastOperator<EmitEvents>(this);
  }

  /** `socket.to(rooms)`: the members of `rooms` but `session`. */
  fromSocket<EmitEvents>(socket: Socket): BroadcastOperator<EmitEvents> {
    return new BroadcastOperator<EmitEvents>(this, { rooms: [], except: [socket.id], volatile: false });
  }

  socketsById(ids: readonly string[]): Socket[] {
    const sockets: Socket[] = [];
    for (const id of ids) {
      const session = this.#sessions.get(id);
      if (session !== undefined && !session.closed) sockets.push(session);
    }
    return sockets;
  }
}

function leaveAllNow(adapter: RoomAdapter, session: Session): void {
  adapter.leaveAll(session);
}

/** The server's sockets are its sessions (Session is the one subclass of Socket). */
function asSession(socket: Socket): Session {
  return socket as Session;
}
