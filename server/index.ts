export { Server, type Middleware, type ServerEvents } from './server.js';
export { Socket, type HandshakeInfo, type SocketEvents } from './socket.js';
export type { OriginPolicy, ServerOptions } from './options.js';
export type { HostPolicy } from './policies/hosts.js';
export type { TrustProxy } from './policies/client-address.js';
export type { RefusalInfo, RefusalReason } from './refusals.js';
export { CloseCode, type AppData, type JsonValue, type TransportName } from '../protocol/index.js';
