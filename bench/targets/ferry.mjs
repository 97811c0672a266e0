// Ferry, from the built dist/, with its Node client on one transport at a
// time: 'websocket', 'xhr-polling' or 'iframe-streaming'.
import http from 'node:http';
import { reply } from './replies.mjs';
import { listenOnLoopback } from './listen.mjs';
import { broadcast } from './broadcast.mjs';

const PATH = '/ferry';

// Imported lazily so that the other targets run while dist/ is not built yet.
const loadServer = () => import('../../dist/server/index.js');
const loadClient = () => import('../../dist/client/index.js');
let clientModule = null;

/** Loads Ferry's Node client; the load process calls this before connecting. */
export async function prepareClient() {
  clientModule = await loadClient();
}

/**
 * `ackEvent` (set by the ackrtt scenario only, so that no other figure pays for a second listener
 * per session): an event whose handler answers with its first argument. `cluster` (the cluster
 * scenario's nodes only): Ferry's `cluster` option.
 */
export async function startServer({ mode, pingInterval, pingTimeout, maxSessions = 100_000, ackEvent, cluster }) {
  const { Server } = await loadServer();
  const httpServer = http.createServer();
  const options = { path: PATH, allowedOrigins: '*', transports: [mode], maxSessions };
  // the load processes all connect from loopback: the per-address limits and handshake rates would
  // take them for one abusive client, so they are lifted to the table's size
  for (const key of ['maxSessionsPerAddress', 'addressHandshakeBurst', 'addressHandshakeRate', 'handshakeBurst', 'handshakeRate']) options[key] = maxSessions;
  if (pingInterval !== undefined) options.pingInterval = pingInterval;
  if (pingTimeout !== undefined) options.pingTimeout = pingTimeout;
  // the cluster scenario's nodes: `{ redis, prefix }`
  if (cluster !== undefined) options.cluster = cluster;
  const ferry = new Server(options);
  // a node takes traffic only once it has joined the cluster (ready before it listens)
  if (cluster !== undefined) await ferry.adapter.ready();
  ferry.attach(httpServer);
  // The same application as the other targets: one message listener per session. The session
  // count is the server's own (a server Socket emits no 'error').
  ferry.on('connection', (socket) => {
    const send = (data) => socket.send(data);
    socket.on('message', (data) => reply(data, send));
    if (ackEvent) socket.on(ackEvent, (data) => data);
  });
  const server = await listenOnLoopback(httpServer, { sessionCount: () => ferry.sessionCount, stop: () => ferry.close() });
  return { ...server, commands: { broadcast: (args) => broadcast(args, (data) => ferry.send(data)) } };
}

/** Opens one client; `on` holds open(), message(data) and close(reason) callbacks. */
export function connect(port, on, { mode, host }) {
  const socket = clientModule.connect(`http://${host}:${port}${PATH}`, { transports: [mode], reconnect: false });
  socket.on('open', () => on.open());
  socket.on('message', (data) => on.message(data));
  socket.on('close', (reason) => on.close(String(reason)));
  socket.on('error', () => {});
  return {
    send: (data) => socket.send(data),
    close: () => socket.close(),
    emitWithAck: (event, ...args) => socket.emitWithAck(event, ...args),
  };
}
