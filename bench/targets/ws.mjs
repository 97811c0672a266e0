// Raw `ws`: the WebSocket baseline every WebSocket figure is divided by.
import http from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { reply } from './replies.mjs';
import { listenOnLoopback } from './listen.mjs';

export async function startServer() {
  const httpServer = http.createServer();
  const wss = new WebSocketServer({ server: httpServer, path: '/ws', perMessageDeflate: false });
  wss.on('connection', (socket) => {
    const send = (data) => socket.send(data);
    socket.on('message', (data, isBinary) => reply(isBinary ? data : data.toString(), send));
    socket.on('error', () => {});
  });
  return listenOnLoopback(httpServer, {
    sessionCount: () => wss.clients.size,
    async stop() {
      for (const socket of wss.clients) socket.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  });
}

/** Opens one client; `on` holds open(), message(data) and close(reason) callbacks. */
export function connect(port, on, { host }) {
  const socket = new WebSocket(`ws://${host}:${port}/ws`, { perMessageDeflate: false });
  socket.on('open', () => on.open());
  socket.on('message', (data, isBinary) => on.message(isBinary ? data : data.toString()));
  socket.on('close', (code) => on.close(`close ${code}`));
  socket.on('error', () => {});
  return {
    send: (data) => socket.send(data),
    close: () => socket.close(),
  };
}
