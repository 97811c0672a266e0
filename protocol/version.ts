/** Wire protocol version. Every HTTP route lives under `{path}/v1/`. */
export const PROTOCOL_VERSION = 1;

/**
 * Revision within version 1, announced by each side (the handshake's `minor`, a WebSocket URL's
 * `minor`), so that peers of different revisions still talk. 1: implicit sequence numbers on
 * WebSocket (PROTOCOL.md section 6).
 */
export const PROTOCOL_MINOR = 1;

export type TransportName = 'websocket' | 'eventsource' | 'xhr-streaming' | 'iframe-streaming' | 'xhr-polling' | 'jsonp-polling';

/** Every transport, best first: by capability, then by cost per message. */
export const TRANSPORT_NAMES: readonly TransportName[] = ['websocket', 'eventsource', 'xhr-streaming', 'iframe-streaming', 'xhr-polling', 'jsonp-polling'];

export function isTransportName(value: unknown): value is TransportName {
  for (let i = 0; i < TRANSPORT_NAMES.length; i++) if (TRANSPORT_NAMES[i] === value) return true;
  return false;
}

/** Polling transports: every response ends the request; liveness is the next poll, not pings. */
export function isPolling(name: TransportName): boolean {
  return name === 'xhr-polling' || name === 'jsonp-polling';
}

/** What the server tells a client when a session is created (HTTP body or `open` frame). */
export interface Handshake {
  v: number;
  /** The server's revision (PROTOCOL_MINOR); absent from a server of revision 0. */
  minor?: number;
  sid: string;
  token: string;
  pingInterval: number;
  pingTimeout: number;
  resumeWindow: number;
  maxMessageSize: number;
  transports: TransportName[];
  /** The subprotocol the server picked from those the client offered; absent when it offered none. */
  protocol?: string;
}
