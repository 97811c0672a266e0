// Socket.IO 4 server with its own Node client (socket.io-client), in one engine.io transport at a
// time: 'websocket' or 'polling', never upgrading. Messages travel as Socket.IO's 'message' event
// (socket.send); the fan-out broadcast is io.emit, the acknowledged event an emitWithAck answered
// through Socket.IO's callback. With `cluster` (the clusterfanout scenario's nodes), each server uses
// Socket.IO's Redis adapter (@socket.io/redis-adapter, over the `redis` package as its README shows).
import http from 'node:http';
import { createClient } from 'redis';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import { io as connectClient } from 'socket.io-client';
import { reply } from './replies.mjs';
import { broadcast } from './broadcast.mjs';
import { listenOnLoopback } from './listen.mjs';

const PATH = '/socket.io/';

/**
 * `ackEvent` (set by the ackrtt scenario only, so that no other figure pays for a second listener
 * per session): an event whose handler answers with its first argument. `cluster`: `{ redis, prefix }`,
 * the Redis adapter on that server under that key.
 */
export async function startServer({ mode, pingInterval = 25_000, pingTimeout = 20_000, ackEvent, cluster }) {
  const httpServer = http.createServer();
  const io = new Server(httpServer, {
    path: PATH,
    transports: [mode],
    allowUpgrades: false,
    pingInterval,
    pingTimeout,
    maxHttpBufferSize: 1e8,
    serveClient: false,
  });
  let redisClients = [];
  if (cluster !== undefined) {
    const pub = createClient({ url: cluster.redis });
    const sub = pub.duplicate();
    redisClients = [pub, sub];
    await Promise.all(redisClients.map((client) => client.connect()));
    io.adapter(createAdapter(pub, sub, { key: cluster.prefix }));
  }
  io.on('connection', (socket) => {
    const send = (data) => socket.send(data);
    socket.on('message', (data) => reply(data, send));
    if (ackEvent) socket.on(ackEvent, (data, answer) => answer(data));
  });
  const stop = async () => {
    io.engine.close();
    await Promise.all(redisClients.map((client) => client.quit().catch(() => {})));
  };
  const server = await listenOnLoopback(httpServer, { sessionCount: () => io.of('/').sockets.size, stop });
  return { ...server, commands: { broadcast: (args) => broadcast(args, (data) => io.emit('message', data)) } };
}

// Like engine.io-client, the Node polling transport opens a new TCP connection per request unless
// given an agent; a keep-alive agent makes the comparison fair to it.
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/** Opens one client; `on` holds open(), message(data) and close(reason) callbacks. */
export function connect(port, on, { mode, host }) {
  // forceNew: a Manager (one engine.io connection) per client, not one shared by every client
  const socket = connectClient(`http://${host}:${port}`, {
    path: PATH,
    transports: [mode],
    upgrade: false,
    reconnection: false,
    forceNew: true,
    ...(mode === 'polling' ? { agent } : {}),
  });
  socket.on('connect', () => on.open());
  socket.on('message', (data) => on.message(data));
  socket.on('disconnect', (reason) => on.close(String(reason)));
  socket.on('connect_error', (error) => on.close(String(error?.message ?? error)));
  return {
    send: (data) => socket.send(data),
    close: () => socket.disconnect(),
    emitWithAck: (event, ...args) => socket.emitWithAck(event, ...args),
  };
}
