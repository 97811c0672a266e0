/** Wire protocol version. Every HTTP route lives under `{path}/v1/`. */
export const PROTOCOL_VERSION = 1;

export type TransportName = 'websocket' | 'xhr-polling' | 'iframe-streaming';

export const TRANSPORT_NAMES: readonly TransportName[] = ['websocket', 'xhr-polling', 'iframe-streaming'];

export function isTransportName(value: unknown): value is TransportName {
  return value === 'websocket' || value === 'xhr-polling' || value === 'iframe-streaming';
}

/** What the server tells a client when a session is created (HTTP body or `open` frame). */
export interface Handshake {
  v: number;
  sid: string;
  token: string;
  pingInterval: number;
  pingTimeout: number;
  resumeWindow: number;
  maxMessageSize: number;
  transports: TransportName[];
}
