// Engine.IO 6 server with its own Node client (engine.io-client), in one mode
// at a time: 'websocket' or 'polling', never upgrading.
import http from 'node:http';
import { Server } from 'engine.io';
import { Socket } from 'engine.io-client';
import { reply } from './replies.mjs';
import { listenOnLoopback } from './listen.mjs';

const PATH = '/engine.io/';

export async function startServer({ mode, pingInterval = 25_000, pingTimeout = 20_000 }) {
  const httpServer = http.createServer();
  const engine = new Server({ transports: [mode], pingInterval, pingTimeout, allowUpgrades: false, maxHttpBufferSize: 1e8 });
  engine.attach(httpServer, { path: PATH });
  engine.on('connection', (socket) => {
    const send = (data) => socket.send(data);
    socket.on('message', (data) => reply(data, send));
  });
  return listenOnLoopback(httpServer, { sessionCount: () => engine.clientsCount, stop: async () => engine.close() });
}

// engine.io-client's Node polling transport (xmlhttprequest-ssl) opens a new
// TCP connection per request unless given an agent; a keep-alive agent makes
// the comparison fair to it.
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/** Opens one client; `on` holds open(), message(data) and close(reason) callbacks. */
export function connect(port, on, { mode, host }) {
  const socket = new Socket(`http://${host}:${port}`, { path: PATH, transports: [mode], upgrade: false, agent });
  socket.on('open', () => on.open());
  socket.on('message', (data) => on.message(data));
  socket.on('close', (reason) => on.close(reason));
  socket.on('error', () => {});
  return {
    send: (data) => socket.send(data),
    close: () => socket.close(),
  };
}
