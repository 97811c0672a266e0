import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { Server, type ServerOptions, type Socket } from '../../server/index.js';
import { connect, type ClientSocket, type ConnectOptions } from '../../client/index.js';
import type { JsonValue } from '../../protocol/index.js';

export interface TestServer {
  ferry: Server;
  http: http.Server;
  port: number;
  /** `http://127.0.0.1:port` */
  origin: string;
  /** Sockets in connection order. */
  sockets: Socket[];
  /** Stops Ferry and the HTTP server; safe to call more than once. */
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 with Ferry attached; echoes every message unless told otherwise. */
export async function startServer(options: ServerOptions = {}, onConnection?: (socket: Socket) => void): Promise<TestServer> {
  const httpServer = http.createServer();
  const ferry = new Server({ path: '/ferry', ...options });
  ferry.attach(httpServer);
  const sockets: Socket[] = [];
  ferry.on('connection', (socket) => {
    sockets.push(socket);
    if (onConnection) onConnection(socket);
    else socket.on('message', (data) => socket.send(data));
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const port = (httpServer.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  const closeAll = async () => {
    await ferry.close();
    httpServer.closeAllConnections();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  };
  return {
    ferry,
    http: httpServer,
    port,
    origin: `http://127.0.0.1:${port}`,
    sockets,
    close: () => (closed ??= closeAll()),
  };
}

/** Records every request `server` sees, by default as its URL. */
export function recordRequests(server: TestServer, describe: (req: http.IncomingMessage) => string = (req) => req.url ?? ''): string[] {
  const seen: string[] = [];
  server.http.on('request', (req: http.IncomingMessage) => seen.push(describe(req)));
  return seen;
}

/** Anything a test starts and must stop: a server, a proxy. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Registers an afterEach that closes everything passed to the returned `track` during the test,
 * newest first (a proxy before the server behind it). Call once at the top of a test file.
 */
export function closeAfterEach(): <T extends Closable>(thing: T) => T {
  let open: Closable[] = [];
  afterEach(async () => {
    const closing = open.reverse();
    open = [];
    for (const thing of closing) await thing.close();
  });
  return (thing) => {
    open.push(thing);
    return thing;
  };
}

/** A Node client that records what it receives. */
export interface RecordingClient {
  socket: ClientSocket;
  received: Array<JsonValue | Uint8Array>;
  transports: string[];
  closes: string[];
}

export function connectClient(origin: string, options?: ConnectOptions): RecordingClient {
  const socket = connect(origin + '/ferry', options);
  const client: RecordingClient = { socket, received: [], transports: [], closes: [] };
  socket.on('message', (data) => client.received.push(data));
  socket.on('transport', (name) => client.transports.push(name));
  socket.on('close', (reason) => client.closes.push(reason));
  return client;
}

/** Polls `condition` every 10 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function once<T extends unknown[]>(emitter: { once(event: string, fn: (...args: T) => void): unknown }, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (...args: T) => resolve(args)));
}

/** Asserts `values` are exactly the numbers 1..n in order, as `{ n }` objects. */
export function sequenceOf(values: Array<JsonValue | Uint8Array>): number[] {
  return values.map((v) => (v as { n: number }).n);
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
