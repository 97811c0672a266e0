// A reverse proxy that forwards HTTP faithfully and lets a WebSocket handshake complete,
// then silently drops every frame in both directions while keeping the TCP connection
// open: the failure mode of middleboxes that understand HTTP but not WebSocket.
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { NetworkPath, RunningPath } from './network-path.js';

const HEADER_END = Buffer.from('\r\n\r\n');

interface BlackholeCounters {
  httpRequests: number;
  handshakes: number;
  droppedToServer: number;
  droppedToBrowser: number;
}

function forwardRequest(appPort: number, req: http.IncomingMessage, res: http.ServerResponse): void {
  const upstream = http.request(
    { host: '127.0.0.1', port: appPort, method: req.method, path: req.url, headers: req.headers },
    (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      upstreamRes.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}

function blackholeUpgrade(appPort: number, req: http.IncomingMessage, client: Duplex, head: Buffer, counters: BlackholeCounters): void {
  const upstream = net.connect(appPort, '127.0.0.1');
  const close = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close).on('close', close);
  upstream.on('error', close).on('close', close);

  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
  counters.droppedToServer += head.length; // bytes after the request head are frames

  let response = Buffer.alloc(0);
  let handshakeDone = false;
  upstream.on('data', (chunk: Buffer) => {
    if (handshakeDone) {
      counters.droppedToBrowser += chunk.length;
      return;
    }
    response = Buffer.concat([response, chunk]);
    const end = response.indexOf(HEADER_END);
    if (end === -1) return;
    handshakeDone = true;
    counters.handshakes += 1;
    client.write(response.subarray(0, end + HEADER_END.length));
    counters.droppedToBrowser += response.length - end - HEADER_END.length;
  });
  client.on('data', (chunk: Buffer) => {
    counters.droppedToServer += chunk.length;
  });
}

export const wsBlackhole: NetworkPath = {
  name: 'ws-blackhole',
  async start(appPort: number): Promise<RunningPath> {
    const counters: BlackholeCounters = { httpRequests: 0, handshakes: 0, droppedToServer: 0, droppedToBrowser: 0 };
    const sockets = new Set<Duplex>();
    const server = http.createServer((req, res) => {
      counters.httpRequests += 1;
      forwardRequest(appPort, req, res);
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    server.on('upgrade', (req, socket, head) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      blackholeUpgrade(appPort, req, socket, head, counters);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('ws-blackhole has no TCP address');
    return {
      pageOrigin: `http://127.0.0.1:${address.port}`,
      diagnostics: () => `ws-blackhole counters: ${JSON.stringify(counters)}`,
      counters: () => ({ ...counters }),
      async stop() {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  },
};
