// The application under test: an HTTP server that serves the harness page and a Ferry
// server that runs the message protocol of `fixtures/harness.js`, keeping its own record
// of what each cell's page sent so the test can check both directions.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { Server, type ServerOptions, type Socket } from '../../../server/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const STATIC_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/e2e/': { file: 'page.html', type: 'text/html; charset=utf-8' },
  '/e2e/harness.js': { file: 'harness.js', type: 'application/javascript; charset=utf-8' },
};

/** What the server saw of one cell's session(s). */
export interface ServerCellRecord {
  sessions: string[];
  /** `c2s` sequence numbers in arrival order, per round. */
  received: number[][];
  /** Transports of the latest session, from its first one on. */
  transports: string[];
  closes: string[];
}

export interface AppServer {
  readonly port: number;
  /** The Ferry server, for a test that listens to its events (`refused`). */
  readonly ferry: Server;
  record(cell: string): ServerCellRecord | undefined;
  close(): Promise<void>;
}

type HarnessMessage =
  | { kind: 'hello'; cell: string }
  | { kind: 'c2s'; round: number; seq: number }
  | { kind: 'burst'; round: number; count: number };

function asHarnessMessage(data: unknown): HarnessMessage | undefined {
  if (typeof data !== 'object' || data === null || !('kind' in data)) return undefined;
  return data as HarnessMessage;
}

function serveStatic(req: http.IncomingMessage, res: http.ServerResponse): void {
  const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  const entry = STATIC_FILES[pathname];
  if (entry === undefined) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const body = readFileSync(FIXTURES + entry.file);
  res.writeHead(200, { 'content-type': entry.type, 'cache-control': 'no-store' }).end(body);
}

function pushTransport(list: string[], name: string): void {
  if (list[list.length - 1] !== name) list.push(name);
}

function runHarnessProtocol(socket: Socket, records: Map<string, ServerCellRecord>): void {
  const transports = [socket.transport];
  let record: ServerCellRecord | undefined;
  socket.send({ kind: 'welcome', session: socket.id });
  socket.on('transport', (name) => pushTransport(transports, name));
  socket.on('close', (reason) => record?.closes.push(reason));
  socket.on('message', (data) => {
    const message = asHarnessMessage(data);
    if (message === undefined) return;
    if (message.kind === 'hello') {
      record = records.get(message.cell) ?? { sessions: [], received: [], transports, closes: [] };
      records.set(message.cell, record);
      record.sessions.push(socket.id);
      record.transports = transports;
    } else if (message.kind === 'c2s') {
      if (record !== undefined) (record.received[message.round] ??= []).push(message.seq);
      socket.send({ kind: 'echo', round: message.round, seq: message.seq });
    } else if (message.kind === 'burst') {
      for (let seq = 0; seq < message.count; seq += 1) socket.send({ kind: 's2c', round: message.round, seq });
    }
  });
}

/**
 * `options`: Ferry server options; by default any origin, since reverse proxies give the page their
 * own, and the diagnostics page on (`/ferry/diagnostics`).
 */
export async function startAppServer(options: ServerOptions = { allowedOrigins: '*', diagnostics: true }): Promise<AppServer> {
  const httpServer = http.createServer(serveStatic);
  const ferry = new Server({ path: '/ferry', ...options });
  ferry.attach(httpServer);
  const records = new Map<string, ServerCellRecord>();
  ferry.on('connection', (socket: Socket) => runHarnessProtocol(socket, records));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const address = httpServer.address();
  if (address === null || typeof address === 'string') throw new Error('app server has no TCP address');
  return {
    port: address.port,
    ferry,
    record: (cell) => records.get(cell),
    async close() {
      await ferry.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

/** Ends what a page test started, in order: the browser, the Ferry server, then its HTTP server. */
export async function stopPageApp(parts: { browser?: { close(): Promise<void> }; ferry?: Server; app?: http.Server }): Promise<void> {
  await parts.browser?.close();
  await parts.ferry?.close();
  const app = parts.app;
  if (app === undefined) return;
  app.closeAllConnections();
  await new Promise<void>((resolve) => app.close(() => resolve()));
}
