import createDebug from 'debug';

/*
 * Debug logging by the `debug` convention: silent unless the `DEBUG` environment variable names
 * a namespace (`DEBUG=ferry:*`, `DEBUG=ferry:session,ferry:refused`, `DEBUG=ferry:*,-ferry:cluster`).
 * One logger per namespace, shared by every Server of the process. A call site checks `enabled`
 * first, so a disabled namespace costs one property read and formats nothing.
 *
 * - `ferry:session`: sessions created (transport, address, subprotocol) and ended (code, reason).
 * - `ferry:transport`: transports lost while the session goes on, failed probes, upgrades, resumes.
 * - `ferry:refused`: every HTTP error answer and refused WebSocket, by error code.
 * - `ferry:cluster`: requests and WebSocket joins relayed to another node, owners found gone.
 */
export const serverLog = {
  session: createDebug('ferry:session'),
  transport: createDebug('ferry:transport'),
  refused: createDebug('ferry:refused'),
  cluster: createDebug('ferry:cluster'),
};
