// Node-side helpers for the tests of Ferry's WebSocket interface (client/web-socket.ts).
import { WebSocket, type WebSocketCloseEvent, type WebSocketEvent, type WebSocketMessageEvent } from '../../client/index.js';
import type { Socket } from '../../server/index.js';
import type { JsonValue } from '../../protocol/index.js';
import { startServer, waitFor, type TestServer } from './harness.js';

/** Every event a WebSocket fires, in order, as `type` or `message:data` / `close:code:reason:wasClean`. */
export function recordWebSocket(ws: WebSocket): { log: string[]; events: WebSocketEvent[] } {
  const log: string[] = [];
  const events: WebSocketEvent[] = [];
  for (const type of ['open', 'message', 'error', 'close']) {
    ws.addEventListener(type, (event: WebSocketEvent) => {
      events.push(event);
      if (type === 'message') {
        const data = (event as WebSocketMessageEvent).data;
        log.push('message:' + (typeof data === 'string' ? data : Object.prototype.toString.call(data)));
      } else if (type === 'close') {
        const e = event as WebSocketCloseEvent;
        log.push(`close:${e.code}:${e.reason}:${e.wasClean}`);
      } else log.push(type);
    });
  }
  return { log, events };
}

/** A server that records what its sockets receive and echoes it. */
export async function webSocketEchoServer(track: <T extends TestServer>(server: T) => T): Promise<{ server: TestServer; got: Array<JsonValue | Uint8Array> }> {
  const got: Array<JsonValue | Uint8Array> = [];
  const server = track(
    await startServer({}, (socket: Socket) => {
      socket.on('message', (data) => {
        got.push(data);
        socket.send(data);
      });
    }),
  );
  return { server, got };
}

export async function openedWebSocket(url: string, options?: { protocols?: string[] }): Promise<{ ws: WebSocket; log: string[]; events: WebSocketEvent[] }> {
  const ws = new WebSocket(url, options?.protocols);
  const r = recordWebSocket(ws);
  await waitFor(() => ws.readyState === WebSocket.OPEN, 'open');
  return { ws, ...r };
}

