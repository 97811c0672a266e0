import type { SessionRef } from './transport.js';

/** `{base}/v1/{route}?sid=…&t=…` plus extra query parameters. */
export function sessionUrl(session: SessionRef, route: string, extra: string): string {
  const hb = session.heartbeat > 0 ? '&hb=' + session.heartbeat : '';
  return session.baseUrl + '/v1/' + route + '?sid=' + encodeURIComponent(session.sid) + '&t=' + encodeURIComponent(session.token) + extra + hb;
}

/** The WebSocket URL that joins an existing session with transport epoch `epoch`. */
export function joinWebSocketUrl(session: SessionRef, epoch: number): string {
  return toWebSocketUrl(sessionUrl(session, 'ws', '&e=' + epoch));
}

export function toWebSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}
