// Ferry nodes of one cluster in this process: each its own http server on 127.0.0.1 and its own
// Redis connections (the `cluster` option), and Node clients joined to rooms by their URL.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { connect } from '../../client/index.js';
import type { JsonValue } from '../../protocol/index.js';
import { RedisAdapter, Server, type ClusterOptions, type ServerOptions, type Socket } from '../../server/index.js';
import { waitFor, type RecordingClient } from './harness.js';

export interface ClusterNode {
  readonly ferry: Server;
  readonly adapter: RedisAdapter;
  readonly origin: string;
  /** What the Server's `error` event got. */
  readonly errors: Error[];
  readonly sockets: Socket[];
  close(): Promise<void>;
}

let prefixes = 0;
/** A prefix of its own for each test: nodes of different tests never see each other. */
export function freshPrefix(): string {
  return `ferry-test-${process.pid}-${++prefixes}`;
}

/**
 * A node of the cluster `options.prefix` on `redisUrl`, joined (ready) when this resolves. Its
 * sockets join the rooms named by their URL's `rooms` query (comma-separated). `serverOptions`:
 * the Server's other options.
 */
export async function startNode(
  redisUrl: string,
  options: Omit<ClusterOptions, 'redis'>,
  onConnection?: (socket: Socket) => void,
  serverOptions: Omit<ServerOptions, 'path' | 'cluster'> = {},
): Promise<ClusterNode> {
  const ferry = new Server({ ...serverOptions, path: '/ferry', cluster: { redis: redisUrl, ...options } });
  const errors: Error[] = [];
  ferry.on('error', (error) => errors.push(error));
  const httpServer = http.createServer();
  ferry.attach(httpServer);
  const sockets: Socket[] = [];
  ferry.on('connection', (socket) => {
    sockets.push(socket);
    const rooms = socket.handshake.query.rooms;
    if (typeof rooms === 'string' && rooms !== '') socket.join(rooms.split(','));
    onConnection?.(socket);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const adapter = ferry.adapter as RedisAdapter;
  await adapter.ready();
  let closed: Promise<void> | undefined;
  return {
    ferry,
    adapter,
    origin: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`,
    errors,
    sockets,
    close: () =>
      (closed ??= (async () => {
        await ferry.close();
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      })()),
  };
}

/** A WebSocket client of `node` in `rooms`, open when this resolves; it answers event `ask` with its id. */
export async function connectMember(node: ClusterNode, rooms: readonly string[]): Promise<RecordingClient> {
  const query = rooms.length === 0 ? '' : '?rooms=' + encodeURIComponent(rooms.join(','));
  const socket = connect(node.origin + '/ferry' + query, { transports: ['websocket'] });
  const client: RecordingClient = { socket, received: [], transports: [], closes: [] };
  socket.on('message', (data) => client.received.push(data));
  socket.on('close', (reason) => client.closes.push(reason));
  socket.on('ask', () => socket.id as JsonValue);
  await waitFor(() => socket.state === 'open' && node.sockets.some((s) => s.id === socket.id), 'a client to open');
  return client;
}

export interface RawRedis {
  sendCommand(args: string[]): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  destroy(): void;
}

/** A plain node-redis client (for what the tests do to Redis themselves). */
export async function rawRedis(url: string): Promise<RawRedis> {
  const client = createClient({ url, RESP: 2, socket: { reconnectStrategy: false } });
  client.on('error', () => {});
  await client.connect();
  return client;
}
