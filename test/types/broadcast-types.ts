// Type test, compiled by `npx tsc -p tsconfig.test.json` (never run): broadcasts are typed by the
// Server's event map for events it sends, and rooms are strings.
import { Server, type BroadcastAnswers } from '../../server/index.js';

interface ClientToServer {
  hello: (name: string) => void;
}
interface ServerToClient {
  chat: (room: string, text: string) => void;
  vote: (question: string) => { yes: boolean };
}

declare const ferry: Server<ClientToServer, ServerToClient>;

ferry.to('lobby').emit('chat', 'lobby', 'hi');
ferry.in(['a', 'b']).except('c').volatile.emit('chat', 'a', 'b');
ferry.emit('chat', 'all', 'hello everyone');
ferry.send({ any: ['json'] });
const answers: Promise<BroadcastAnswers<{ yes: boolean }>> = ferry.to('lobby').timeout(1000).emitWithAck('vote', 'lunch?');
void answers;

ferry.on('connection', (socket) => {
  socket.join(['lobby', 'game']);
  socket.to('lobby').emit('chat', 'lobby', 'joined');
  socket.broadcast.emit('chat', 'all', 'someone joined');
  const rooms: ReadonlySet<string> = socket.rooms;
  void rooms;
  // @ts-expect-error rooms is read-only
  socket.rooms.add('x');
  // @ts-expect-error a room is a string
  socket.join(42);
  // @ts-expect-error an event of the other direction
  socket.to('lobby').emit('hello', 'x');
});

// @ts-expect-error an event the map does not have
ferry.to('lobby').emit('nope');
// @ts-expect-error wrong argument type
ferry.to('lobby').emit('chat', 'lobby', 42);
// @ts-expect-error missing argument
ferry.emit('chat', 'lobby');
// @ts-expect-error reserved names are not events
ferry.emit('connection');
// @ts-expect-error a room is a string
ferry.to(['a', 1]);
const sockets = ferry.sockets('lobby');
sockets[0].to('x').emit('chat', 'x', 'y');
