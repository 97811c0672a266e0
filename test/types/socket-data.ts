// Type test, compiled by `npx tsc -p tsconfig.test.json` (never run): `socket.data` and the
// handshake middleware are typed by the Server's SocketData. @ts-expect-error is allowed here.
import { Refusal, Server, type AuthHandshake, type HandshakeMiddleware } from '../../server/index.js';
import { connect } from '../../client/index.js';
import type { DefaultEvents } from '../../protocol/event-maps.js';

interface SessionData {
  userId: string;
  admin: boolean;
}

const ferry = new Server<DefaultEvents, DefaultEvents, SessionData>();

ferry.use((handshake) => {
  const cookie: string | undefined = handshake.cookies.session;
  const header = handshake.headers.authorization;
  void [cookie, header, handshake.address, handshake.query, handshake.auth, handshake.transport];
  handshake.data.userId = 'u1';
  // @ts-expect-error not a field of SessionData
  handshake.data.other = 1;
  // @ts-expect-error userId is a string
  handshake.data.userId = 1;
  return { admin: false };
});

ferry.use(async (handshake) => {
  if (handshake.auth === undefined) throw new Refusal('sign in', { status: 401, data: { to: '/login' } });
});

// @ts-expect-error the returned fields must be SessionData's
ferry.use(() => ({ admin: 'yes' }));

// @ts-expect-error only 401 and 403
void new Refusal('x', { status: 500 });

ferry.on('connection', (socket) => {
  const id: string = socket.data.userId;
  const admin: boolean = socket.data.admin;
  void [id, admin];
  // @ts-expect-error not a field of SessionData
  void socket.data.missing;
});

// without SocketData, data is open
const plain = new Server();
plain.use((handshake) => {
  handshake.data.anything = 1;
});
plain.on('connection', (socket) => void socket.data);

const middleware: HandshakeMiddleware<SessionData> = (h: AuthHandshake<SessionData>) => ({ userId: String(h.auth) });
ferry.use(middleware);

// the client's auth option: a JSON value or a callback
connect('http://localhost/ferry', { auth: { token: 'abc' } });
connect('http://localhost/ferry', { auth: (cb) => cb({ token: 'fresh' }) });
// @ts-expect-error the callback takes JSON
connect('http://localhost/ferry', { auth: (cb) => cb(undefined) });
// @ts-expect-error a function payload is not JSON
connect('http://localhost/ferry', { auth: { token: () => 1 } });
