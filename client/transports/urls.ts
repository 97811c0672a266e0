import type { SessionRef } from './transport.js';

/** `{base}/v1/{route}?sid=…&t=…` plus extra query parameters. */
export function sessionUrl(session: SessionRef, route: string, extra: string): string {
  return session.baseUrl + '/v1/' + route + '?sid=' + encodeURIComponent(session.sid) + '&t=' + encodeURIComponent(session.token) + extra;
}

export function toWebSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}
