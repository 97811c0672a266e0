// Ferry chat demo: an Express app serving ./public, with a Ferry server attached under /ferry.
// Run from the repository root after `npm run build`:  node examples/chat/server.mjs
// Environment: PORT (default 3000, 0 picks a free one), HOST (default 127.0.0.1).

import express from 'express';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { Server } from 'ferry/server';
import { ChatRoom, REQUESTS } from './room.mjs';

const SHUTDOWN_GRACE_MS = 5000;

const port = parsePort(process.env.PORT);
const host = process.env.HOST || '127.0.0.1';
const publicDir = fileURLToPath(new URL('./public/', import.meta.url));

const app = express();
app.disable('x-powered-by');
app.use((req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
});
app.use(express.static(publicDir));

const httpServer = http.createServer(app);
const ferry = new Server({ path: '/ferry' });
ferry.attach(httpServer);

const room = new ChatRoom(ferry);

ferry.on('connection', (socket) => {
  room.add(socket, socket.transport);
  // Each request is a named event with one argument; Ferry adds the ack callback as the last
  // argument (whatever the page sent before it), and what the handler returns is the answer.
  for (const event of REQUESTS) {
    socket.on(event, (...args) => room.request(socket, event, args.slice(0, -1)));
  }
  socket.on('transport', (name) => room.setTransport(socket, name));
  socket.on('close', () => room.remove(socket));
});

// An exception in a handler above (a bug): logged; that page's ack fails with "the handler failed".
ferry.on('error', (err, socket) => {
  console.error(`chat: error${socket ? ` (socket ${socket.id})` : ''}:`, err);
});

httpServer.on('error', (err) => {
  console.error(`Could not listen on ${host}:${port}: ${err.message}`);
  process.exit(1);
});

httpServer.listen(port, host, () => {
  const address = httpServer.address();
  const shownHost = host.includes(':') ? `[${host}]` : host;
  console.log(`Ferry chat listening on http://${shownHost}:${address.port}/`);
});

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: closing`);
  // If something still holds the event loop after closing, say so and leave anyway.
  setTimeout(() => {
    console.error(`still running ${SHUTDOWN_GRACE_MS} ms after ${signal}; exiting`);
    process.exit(1);
  }, SHUTDOWN_GRACE_MS).unref();
  try {
    await ferry.close();
  } catch (err) {
    console.error('ferry.close() failed:', err);
  }
  await new Promise((resolve) => httpServer.close(() => resolve()));
  console.log('closed');
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

function parsePort(value) {
  if (value === undefined || value === '') return 3000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
    process.exit(1);
  }
  return n;
}
