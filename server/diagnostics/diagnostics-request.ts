import { RequestError } from '../http-errors.js';

/** The diagnostics page's route under the Ferry path (its script's is in server/client-bundle.ts). */
export const DIAGNOSTICS_PAGE_ROUTE = '/diagnostics';

/**
 * Whether a handshake (HTTP, JSONP, or a direct WebSocket) asks for a diagnostics session:
 * `diag=1`. Throws `not_found` when the server's `diagnostics` option is off (as its routes are
 * then), `bad_request` for another value.
 */
export function diagnosticsRequested(params: URLSearchParams, enabled: boolean): boolean {
  const value = params.get('diag');
  if (value === null) return false;
  if (value !== '1') throw new RequestError('bad_request', 'the diag parameter must be 1');
  if (!enabled) throw new RequestError('not_found', 'diagnostics are not enabled on this server');
  return true;
}
