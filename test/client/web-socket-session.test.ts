// Ferry's WebSocket interface (client/web-socket.ts) over a real session: what the page does
// not see (drops within the resume window, transport switches), how the session's end shows, and
// what the server app gets from it on every transport.
import { describe, expect, it } from 'vitest';
import { connect, WebSocket } from '../../client/index.js';
import { closeAfterEach, startServer, waitFor } from '../support/harness.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { ALL_TRANSPORTS } from '../support/transports.js';
import { openedWebSocket as opened, webSocketEchoServer } from '../support/web-socket-client.js';

const track = closeAfterEach();
const echoServer = () => webSocketEchoServer(track);

describe('the session underneath', () => {
  it('connections cut within the resume window are not seen: no close, no error, nothing lost', async () => {
    const { server, got } = await echoServer();
    const proxy = track(await new TcpProxy(server.port).listen());
    const { ws, log } = await opened(proxy.origin + '/ferry');
    for (let i = 1; i <= 3; i++) {
      // cut the WebSocket the session has moved to (a cut of a poll might just be retried)
      await waitFor(() => server.sockets[0]?.transport === 'websocket' && proxy.connections > 0, 'the WebSocket upgrade');
      ws.send('before cut ' + i);
      await waitFor(() => log.length === 2 * i, 'echo ' + i);
      proxy.cutAll();
      ws.send('after cut ' + i);
      await waitFor(() => log.length === 2 * i + 1, 'echo after cut ' + i);
    }
    expect(log).toEqual(['open', 'message:before cut 1', 'message:after cut 1', 'message:before cut 2', 'message:after cut 2', 'message:before cut 3', 'message:after cut 3']);
    expect(got).toHaveLength(6);
    expect(server.sockets).toHaveLength(1);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });

  it('a transport switch (polling, then the WebSocket upgrade) is not seen', async () => {
    const { server } = await echoServer();
    const { ws, log } = await opened(server.origin + '/ferry');
    await waitFor(() => server.sockets[0]?.transport === 'websocket', 'the upgrade');
    ws.send('over the upgrade');
    await waitFor(() => log.length === 2, 'echo');
    expect(log).toEqual(['open', 'message:over the upgrade']);
    ws.close();
  });

  it('a session lost past the resume window: error, then close 1006 not clean, and no new session', async () => {
    const server = track(await startServer({ resumeWindow: 300, pingInterval: 200, pingTimeout: 200 }));
    const proxy = track(await new TcpProxy(server.port).listen());
    const { ws, log } = await opened(proxy.origin + '/ferry');
    proxy.mode = 'refuse';
    proxy.cutAll();
    await waitFor(() => log.length === 3, 'error and close', 10_000);
    expect(log[1]).toBe('error');
    expect(log[2]).toMatch(/^close:1006:.+:false$/);
    proxy.mode = 'forward';
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(server.sockets).toHaveLength(1);
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });

  it('the server shutting down: a clean close with its code', async () => {
    const { server } = await echoServer();
    const { log } = await opened(server.origin + '/ferry');
    // over the WebSocket the goodbye always gets through (a poll not held when the server stops would miss it)
    await waitFor(() => server.sockets[0]?.transport === 'websocket', 'the WebSocket upgrade');
    await server.ferry.close();
    await waitFor(() => log.length === 2, 'close');
    expect(log[1]).toMatch(/^close:4000:.+:true$/);
  });
});

describe.each(ALL_TRANSPORTS)('what the server app gets over %s', (transport) => {
  it('text as the same string and bytes as a Buffer, as an app written for ws expects', async () => {
    const { server, got } = await echoServer();
    const socket = connect(server.origin + '/ferry', { transports: [transport] });
    await waitFor(() => socket.state === 'open', 'open');
    socket.send('plain text');
    socket.send(new Uint8Array([0, 1, 255]));
    await waitFor(() => got.length === 2, 'two messages');
    expect(got[0]).toBe('plain text');
    expect(Buffer.isBuffer(got[1])).toBe(true);
    expect([...(got[1] as Buffer)]).toEqual([0, 1, 255]);
    socket.close();
  });
});
