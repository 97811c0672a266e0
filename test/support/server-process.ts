import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type ServerOptions } from '../../server/index.js';

/**
 * A Ferry server in a process of its own (started by `startServerProcess`): an echo server on
 * 127.0.0.1 with the options passed as JSON in argv[2]. It reports its port over IPC, then
 * answers `stats` with its memory and session count. Its death is the test's finding.
 */
const options = JSON.parse(process.argv[2] ?? '{}') as ServerOptions;
// keep-alive sockets outlive any pause in the fuzz: the client's pool never races an idle close
const httpServer = http.createServer({ keepAliveTimeout: 60_000 });
// argv[3]: an HTML page served at /page (a browser test's); requests outside Ferry's path come here
const page = process.argv[3];
httpServer.on('request', (req, res) => {
  if (page !== undefined && req.url === '/page') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page);
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
});
const ferry = new Server({ path: '/ferry', ...options });
ferry.attach(httpServer);
ferry.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
// what a cluster meets on its own (Redis lost, a gap) is the app's to log, as a real app would
ferry.on('error', (error) => console.error('ferry error:', error.message));

// a cluster node takes requests once it has joined the cluster
const joined = (ferry.adapter as { ready?: () => Promise<void> }).ready?.() ?? Promise.resolve();
void joined.then(() =>
  httpServer.listen(0, '127.0.0.1', () => {
    process.send?.({ type: 'ready', port: (httpServer.address() as AddressInfo).port });
  }),
);

process.on('message', (message: { type: string; id: number }) => {
  if (message.type === 'stats') {
    const memory = process.memoryUsage();
    process.send?.({ type: 'stats', id: message.id, rss: memory.rss, heapUsed: memory.heapUsed, sessions: ferry.sessionCount });
  }
  // a graceful stop, as a deploy does: `ferry.close()`, then the HTTP server
  if (message.type === 'shutdown') {
    void ferry.close().then(() => {
      httpServer.closeAllConnections();
      httpServer.close(() => process.exit(0));
    });
  }
});
process.on('disconnect', () => process.exit(0));
