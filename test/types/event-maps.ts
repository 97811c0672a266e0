// Type test, compiled by `npx tsc -p tsconfig.test.json` (never run): event maps type emit, on,
// emitWithAck and answers on both sides. The one place where @ts-expect-error is allowed.
import { Server, type Socket } from '../../server/index.js';
import { connect, type ClientSocket } from '../../client/index.js';

interface ClientToServer {
  chat: (room: string, text: string) => { stored: number };
  ping: () => void;
  lookup: (id: number) => Promise<string>;
}
interface ServerToClient {
  news: (headline: string) => void;
  confirm: (question: string) => boolean;
}
interface Data {
  user: string;
}

// ---- server side
const ferry = new Server<ClientToServer, ServerToClient, Data>();
ferry.on('connection', (socket) => {
  const typed: Socket<ClientToServer, ServerToClient, Data> = socket;
  void typed;
  // handlers: arguments typed, answered by return value, Promise or callback
  socket.on('chat', (room, text) => ({ stored: room.length + text.length }));
  socket.on('chat', async (room) => ({ stored: room.length }));
  socket.on('chat', (room, text, ack) => {
    ack({ stored: room.length + text.length });
  });
  socket.on('lookup', (id) => String(id));
  socket.on('ping', () => undefined);
  socket.on('message', (data) => void data);
  socket.on('close', (reason: string) => void reason);
  // @ts-expect-error wrong answer type
  socket.on('chat', () => ({ stored: 'many' }));
  // @ts-expect-error wrong argument type
  socket.on('chat', (room: number) => ({ stored: room }));
  socket.on('chat', (room, text, ack) => {
    // @ts-expect-error the callback takes the answer type
    ack('stored');
    void [room, text];
  });
  // @ts-expect-error not an event the client sends
  socket.on('news', () => undefined);

  socket.emit('news', 'hello');
  socket.emit('confirm', 'sure?', (error, answer) => {
    const ok: boolean | undefined = answer;
    void [error, ok];
  });
  const answered: Promise<boolean> = socket.emitWithAck('confirm', 'sure?');
  const timed: Promise<boolean> = socket.timeout(1000).emitWithAck('confirm', 'really?');
  socket.timeout(500).emit('confirm', 'really?', (error: Error | null, answer?: boolean) => void [error, answer]);
  void [answered, timed];
  // @ts-expect-error wrong argument type
  socket.emit('news', 42);
  // @ts-expect-error missing argument
  socket.emit('news');
  // @ts-expect-error not an event the server sends
  socket.emit('chat', 'a', 'b');
  // @ts-expect-error reserved name
  socket.emit('close');
  // @ts-expect-error the answer is a boolean
  const wrong: Promise<string> = socket.emitWithAck('confirm', 'sure?');
  void wrong;
});

// the default maps: any name, JSON arguments, but never a reserved name
const loose = new Server();
loose.on('connection', (socket) => {
  socket.on('anything', (text: string, n: number) => void [text, n]);
  socket.on('anything', (a, ack) => void [a, ack]);
  socket.emit('whatever', 1, 'two', { three: [3] });
  socket.emit('whatever', 1, (error, answer) => void [error, answer]);
  const answer: Promise<unknown> = socket.emitWithAck('question');
  void answer;
  // @ts-expect-error reserved name
  socket.emit('message', 1);
  // @ts-expect-error reserved name
  socket.emit('drain');
  // @ts-expect-error not JSON
  socket.emit('whatever', new Date(), Symbol('x'));
});

// ---- client side
const client: ClientSocket<ServerToClient, ClientToServer> = connect<ServerToClient, ClientToServer>('http://localhost/ferry');
client.on('news', (headline) => void headline.toUpperCase());
client.on('confirm', (question) => question.length > 0);
client.on('confirm', (question, ack) => ack(question === 'yes'));
client.on('open', () => undefined);
client.on('close', (reason, info) => void [reason, info.renewing]);
// @ts-expect-error wrong answer type
client.on('confirm', () => 'yes');
// @ts-expect-error wrong argument type
client.on('news', (headline: number) => void headline);
// @ts-expect-error not an event the server sends
client.on('chat', () => undefined);

client.emit('chat', 'lobby', 'hi');
client.emit('chat', 'lobby', 'hi', (error, answer) => void [error, answer?.stored]);
const stored: Promise<{ stored: number }> = client.emitWithAck('chat', 'lobby', 'hi');
const looked: Promise<string> = client.timeout(2000).emitWithAck('lookup', 7);
void [stored, looked];
// @ts-expect-error wrong argument type
client.emit('chat', 'lobby', 5);
// @ts-expect-error not an event the client sends
client.emit('news', 'x');
// @ts-expect-error reserved name
client.emit('open');
// @ts-expect-error the answer is { stored: number }
const bad: Promise<string> = client.emitWithAck('chat', 'lobby', 'hi');
void bad;

// the default client: any name
const plain = connect('http://localhost/ferry');
plain.emit('hello', 1, [2], { three: null });
plain.on('hello', (n: number) => void n);
// @ts-expect-error reserved name
plain.emit('reconnect');
