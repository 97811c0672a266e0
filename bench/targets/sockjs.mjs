// SockJS 0.3 server with its own Node client (sockjs-client 1.6), restricted
// to one client transport at a time ('websocket' or 'xhr-polling').
import http from 'node:http';
import sockjs from 'sockjs';
import SockJS from 'sockjs-client';
import { reply } from './replies.mjs';
import { listenOnLoopback } from './listen.mjs';

const PREFIX = '/sockjs';

export async function startServer({ pingInterval = 25_000 }) {
  const httpServer = http.createServer();
  let sessions = 0;
  const server = sockjs.createServer({ prefix: PREFIX, log: () => {}, heartbeat_delay: pingInterval, disconnect_delay: 5_000 });
  server.on('connection', (conn) => {
    sessions++;
    const send = (data) => conn.write(data);
    conn.on('data', (data) => reply(data, send));
    conn.on('close', () => sessions--);
  });
  server.installHandlers(httpServer);
  return listenOnLoopback(httpServer, { sessionCount: () => sessions });
}

/** Opens one client; `on` holds open(), message(data) and close(reason) callbacks. */
export function connect(port, on, { mode, host }) {
  const socket = new SockJS(`http://${host}:${port}${PREFIX}`, null, { transports: [mode] });
  socket.onopen = () => on.open();
  socket.onmessage = (event) => on.message(event.data);
  socket.onclose = (event) => on.close(`${event.code} ${event.reason}`);
  return {
    send: (data) => socket.send(data),
    close: () => socket.close(),
  };
}
