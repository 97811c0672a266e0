import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ResolvedOptions } from '../../options.js';
import type { RoomAdapter } from '../../rooms/adapter.js';
import type { SessionRegistry } from '../../session-registry.js';
import { RedisAdapter } from '../redis-adapter.js';
import { HttpRelay, type ServeRelayed } from './http-relay.js';
import type { JoinRelayed } from './ws-relay.js';

/**
 * With a cluster adapter (the `cluster` option, or a RedisAdapter as `adapter`): session ids name
 * this node (`{nodeId}~…`) and requests for other nodes' sessions are relayed (HttpRelay), which
 * subscribes to its channel before this node enters the registry. Null on a single node.
 */
export function setUpRelay(
  adapter: RoomAdapter,
  registry: SessionRegistry,
  options: ResolvedOptions,
  serve: { http: ServeRelayed; join: JoinRelayed },
  report: (error: Error) => void,
): HttpRelay | null {
  if (!(adapter instanceof RedisAdapter)) return null;
  registry.idPrefix = adapter.nodeId + '~';
  const relay = new HttpRelay(adapter, options, serve.http, serve.join, report, registry.metrics);
  adapter.whenConnected((link) => relay.start(link));
  return relay;
}

/** A WebSocket join (`/v1/ws?sid=…`) for a session another node owns: relayed there (ws-relay.ts). False when it is this node's. */
export function forwardUpgrade(relay: HttpRelay | null, req: IncomingMessage, socket: Duplex, head: Buffer, url: string): boolean {
  return relay !== null && relay.forwardUpgrade(req, socket, head, url);
}
