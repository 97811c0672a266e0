import type { SessionRegistry } from '../session-registry.js';

/**
 * The `Origin` header of the handshake that created the session `params` name (`sid`, `t`), when
 * the token is right; undefined otherwise. The origin policy lets a WebSocket upgrade from exactly
 * that origin join its session (request-policies.ts, `fromSessionPage`).
 */
export function sessionOrigin(registry: SessionRegistry, params: URLSearchParams): string | undefined {
  try {
    const origin = registry.authenticate(params.get('sid'), params.get('t')).handshake.headers.origin;
    return typeof origin === 'string' ? origin : undefined;
  } catch {
    return undefined;
  }
}
