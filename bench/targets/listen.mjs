// What every target's startServer ends with: its http server listening on an ephemeral loopback
// port (keep-alive long enough that idle pollers keep their connections), and the handle the
// bench drives it through.

/**
 * Listens on 127.0.0.1 and resolves { httpServer, port, sessionCount, close }. `stop` ends the
 * library's own sessions first (optional); close() then drops every connection and the server.
 */
export async function listenOnLoopback(httpServer, { sessionCount, stop = async () => {} }) {
  httpServer.keepAliveTimeout = 60_000;
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return {
    httpServer,
    port: httpServer.address().port,
    sessionCount,
    async close() {
      await stop();
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}
