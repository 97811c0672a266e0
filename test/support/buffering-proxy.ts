import http from 'node:http';
import type { Socket } from 'node:net';
import { LoopbackListener } from './loopback.js';

/**
 * A reverse proxy on 127.0.0.1 that behaves like the worst corporate proxies: it holds every
 * upstream response body until the response has ended and then sends it in one piece (so a stream
 * delivers nothing until it ends), and it refuses WebSocket upgrades with a 400.
 */
export class BufferingProxy extends LoopbackListener<http.Server> {
  readonly #sockets = new Set<Socket>();
  readonly #targetPort: number;
  /** Upgrade requests refused so far. */
  refusedUpgrades = 0;
  /** The path of every request forwarded, in order. */
  readonly paths: string[] = [];

  constructor(targetPort: number) {
    super(http.createServer());
    this.#targetPort = targetPort;
    this.server.on('request', (req, res) => this.#forward(req, res));
    this.server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.server.on('upgrade', (_req, socket: Socket) => {
      this.refusedUpgrades++;
      const body = 'upgrades are not allowed through this proxy';
      socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    });
  }

  #forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.paths.push(new URL(req.url ?? '/', 'http://proxy').pathname);
    const upstream = http.request(
      { host: '127.0.0.1', port: this.#targetPort, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${this.#targetPort}` } },
      (upstreamRes) => {
        const chunks: Buffer[] = [];
        upstreamRes.on('data', (chunk: Buffer) => chunks.push(chunk));
        upstreamRes.on('end', () => {
          const body = Buffer.concat(chunks);
          const headers = { ...upstreamRes.headers };
          delete headers['transfer-encoding'];
          delete headers.connection;
          headers['content-length'] = String(body.length);
          res.writeHead(upstreamRes.statusCode ?? 502, headers);
          res.end(body);
        });
        upstreamRes.on('error', () => res.destroy());
      },
    );
    upstream.on('error', () => res.destroy());
    // the client went away (it gave up on a held stream): end the upstream request too
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
