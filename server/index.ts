export { Server, type Middleware, type ServerEvents } from './server.js';
export { Socket, type HandshakeInfo, type SocketEvents } from './socket.js';
export type { OriginPolicy, ServerOptions } from './options.js';
export type { HostPolicy } from './policies/hosts.js';
export { CloseCode, type AppData, type JsonValue, type TransportName } from '../protocol/index.js';
