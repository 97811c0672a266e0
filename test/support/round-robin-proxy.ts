// A tiny round-robin balancer for the relay tests: every HTTP request goes to the next node in
// turn on a connection of its own (no keep-alive upstream, so nothing pins a client to a node),
// and WebSocket upgrades are piped to the next node as raw TCP. It counts, per session id, the
// nodes its requests reached.
import http from 'node:http';
import net from 'node:net';
import { LoopbackListener } from './loopback.js';

export class RoundRobinProxy extends LoopbackListener<http.Server> {
  readonly #ports: readonly number[];
  #next = 0;
  /** Ports each session's requests were sent to, by `sid`. */
  readonly nodesBySession = new Map<string, Set<number>>();
  readonly #sockets = new Set<net.Socket>();
  readonly #upgraded = new Set<net.Socket>();
  /** WebSocket upgrades forwarded so far. */
  upgrades = 0;
  /** Node ports that accepted an upgrade (101), one entry per upgrade; `refusedUpgrades` those that did not. */
  readonly acceptedUpgrades: number[] = [];
  readonly refusedUpgrades: number[] = [];

  constructor(nodePorts: readonly number[]) {
    super(http.createServer());
    this.#ports = nodePorts;
    this.server.on('connection', (socket: net.Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => this.#request(req, res));
    this.server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => this.#upgrade(req, socket, head));
  }

  /** How many nodes the requests of session `sid` reached. */
  nodesOf(sid: string): number {
    return this.nodesBySession.get(sid)?.size ?? 0;
  }

  #pick(url: string): number {
    const port = this.#ports[this.#next++ % this.#ports.length];
    const q = url.indexOf('?');
    const sid = q < 0 ? null : new URLSearchParams(url.slice(q + 1)).get('sid');
    if (sid !== null) {
      let nodes = this.nodesBySession.get(sid);
      if (nodes === undefined) this.nodesBySession.set(sid, (nodes = new Set()));
      nodes.add(port);
    }
    return port;
  }

  #request(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => this.#send(req, res, Buffer.concat(chunks), this.#ports.length));
  }

  /** Sends the request to the next node; a node that refuses the connection is skipped (as nginx's `proxy_next_upstream error`). */
  #send(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, attempts: number): void {
    const port = this.#pick(req.url ?? '/');
    let answered = false;
    const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent: false }, (answer) => {
      answered = true;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.flushHeaders();
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      answer.on('aborted', () => res.destroy());
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (!answered && error.code === 'ECONNREFUSED' && attempts > 1 && !res.destroyed) return this.#send(req, res, body, attempts - 1);
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { 'Content-Type': 'text/plain' }).end('bad gateway');
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.end(body);
  }

  #upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const port = this.#pick(req.url ?? '/');
    this.upgrades++;
    this.#upgraded.add(socket);
    socket.on('close', () => this.#upgraded.delete(socket));
    const upstream = net.connect(port, '127.0.0.1', () => {
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.once('data', (chunk: Buffer) => {
        const list = chunk.subarray(0, 12).toString('latin1') === 'HTTP/1.1 101' ? this.acceptedUpgrades : this.refusedUpgrades;
        list.push(port);
      });
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const end = (): void => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', end);
    upstream.on('close', end);
    socket.on('error', end);
    socket.on('close', end);
  }

  /** Cuts every WebSocket connection (client side and node side). */
  cutUpgrades(): void {
    for (const socket of this.#upgraded) socket.destroy();
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
