// Ferry nodes of one cluster in this process for the relay tests (test/server/cluster/relay-*):
// each its own http server, any Server options, and a count of the requests it received by `sid`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type RedisAdapter, type ServerOptions, type Socket } from '../../server/index.js';

export interface RelayNode {
  readonly ferry: Server;
  readonly http: http.Server;
  readonly port: number;
  readonly origin: string;
  readonly nodeId: string;
  readonly prefix: string;
  readonly errors: Error[];
  /** Sockets this node owns, in connection order. */
  readonly sockets: Socket[];
  /** Requests this node's http server received, by `sid` (those without one left out). */
  readonly requestsBySession: Map<string, number>;
  close(): Promise<void>;
}

/** A node `nodeId` of cluster `prefix` on `redisUrl`, joined (ready) when this resolves. */
export async function startRelayNode(
  redisUrl: string,
  prefix: string,
  nodeId: string,
  options: ServerOptions = {},
  onConnection: (socket: Socket) => void = () => {},
): Promise<RelayNode> {
  const ferry = new Server({ path: '/ferry', ...options, cluster: { redis: redisUrl, prefix, nodeId, heartbeatInterval: 200, nodeExpiry: 1_000 } });
  const errors: Error[] = [];
  ferry.on('error', (error) => errors.push(error));
  const httpServer = http.createServer();
  ferry.attach(httpServer);
  const requestsBySession = new Map<string, number>();
  // after attach (which takes over the listeners before it): counts, never answers
  httpServer.on('request', (req: http.IncomingMessage) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const sid = q < 0 ? null : new URLSearchParams(url.slice(q + 1)).get('sid');
    if (sid !== null) requestsBySession.set(sid, (requestsBySession.get(sid) ?? 0) + 1);
  });
  const sockets: Socket[] = [];
  ferry.on('connection', (socket) => {
    sockets.push(socket);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  await (ferry.adapter as RedisAdapter).ready();
  const port = (httpServer.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    ferry,
    http: httpServer,
    port,
    origin: `http://127.0.0.1:${port}`,
    nodeId,
    prefix,
    errors,
    sockets,
    requestsBySession,
    close: () =>
      (closed ??= (async () => {
        await ferry.close();
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      })()),
  };
}
