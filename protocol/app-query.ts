/**
 * Query parameters Ferry itself puts on its URLs. An app may put its own on the Ferry URL (an auth
 * token, a tenant): they ride along on every request and upgrade, and the server keeps them as
 * `socket.handshake.query`, but they may not use these names.
 */
export const FERRY_QUERY_PARAMS: ReadonlyArray<string> = ['sid', 't', 'e', 'ack', 'hb', 'cb', 'c', 'o', 'transport', 'legacy', 'protocols', 'minor', 'diag'];

export function isFerryQueryParam(name: string): boolean {
  for (let i = 0; i < FERRY_QUERY_PARAMS.length; i++) if (FERRY_QUERY_PARAMS[i] === name) return true;
  return false;
}
