// The server of the WebSocket example: every note a page sends goes to every page. A `ws` app's
// handlers carry over as they are: `connection`, then `message` with the text as sent, and
// `send` back. Ferry adds the HTTP fallbacks and the resume underneath.
// Run from the repository root after `npm run build`:  node examples/websocket/server.mjs
// Environment: PORT (default 3001, 0 picks a free one), HOST (default 127.0.0.1).

import express from 'express';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { Server } from 'ferry/server';

const port = process.env.PORT === undefined ? 3001 : Number(process.env.PORT);
const host = process.env.HOST || '127.0.0.1';
const MAX_NOTE = 200;

const app = express();
app.disable('x-powered-by');
app.use(express.static(fileURLToPath(new URL('./public/', import.meta.url))));

const httpServer = http.createServer(app);
const ferry = new Server({ path: '/ferry', maxMessageSize: 4096 });
ferry.attach(httpServer);

ferry.on('connection', (socket) => {
  socket.on('message', (data) => {
    if (typeof data !== 'string' || data.length === 0 || data.length > MAX_NOTE) return;
    for (const other of ferry.sockets()) other.send(data);
  });
});

httpServer.listen(port, host, () => {
  console.log(`Notes listening on http://${host}:${httpServer.address().port}/`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await ferry.close();
    httpServer.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
