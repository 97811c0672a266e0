// Type test, compiled by `npx tsc -p tsconfig.test.json` (never run): `WebSocket` from ferry/client
// (Node and browser entries) types as the WHATWG interface does.
import { FerryWebSocket, WebSocket, type WebSocketCloseEvent, type WebSocketMessageEvent } from '../../client/index.js';
import * as browser from '../../client/browser-module.js';

const ws: WebSocket = new WebSocket('wss://example.test/ferry', ['chat']);
const alias: FerryWebSocket = new FerryWebSocket(new URL('https://example.test/ferry'));
const fromBrowser: browser.WebSocket = new browser.WebSocket('/ferry', 'chat');
void [alias, fromBrowser];

const states: [0, 1, 2, 3, number] = [WebSocket.CONNECTING, WebSocket.OPEN, ws.CLOSING, ws.CLOSED, ws.readyState];
const strings: string[] = [ws.url, ws.protocol, ws.extensions, ws.binaryType];
const amount: number = ws.bufferedAmount;
void [states, strings, amount];

ws.binaryType = 'arraybuffer';
// @ts-expect-error only 'blob' and 'arraybuffer'
ws.binaryType = 'nodebuffer';

ws.send('text');
ws.send(new ArrayBuffer(1));
ws.send(new Uint16Array(1));
ws.send(new DataView(new ArrayBuffer(2)));
ws.send(new Blob(['x']));
// @ts-expect-error a JSON object is not WebSocket data (Ferry's own `send` takes those)
ws.send({ a: 1 });

ws.onmessage = (event) => {
  const data: string | ArrayBuffer | Blob = event.data;
  void [data, event.origin];
};
ws.onclose = function (event) {
  const fields: [number, string, boolean] = [event.code, event.reason, event.wasClean];
  void [fields, this.readyState];
};
ws.onopen = null;
ws.addEventListener('message', (event: WebSocketMessageEvent) => void event.data, { once: true });
ws.addEventListener('close', { handleEvent: (event: WebSocketCloseEvent) => void event.code });
ws.removeEventListener('message', () => {});
ws.close(1000, 'done');
ws.close();
// @ts-expect-error the code is a number
ws.close('1000');

// listeners added by type get that type's event without annotating it
ws.addEventListener('close', (event) => void [event.code, event.reason, event.wasClean]);
ws.addEventListener('message', (event) => void event.data);
ws.addEventListener('open', (event) => void event.type);
ws.addEventListener('custom', (event) => void event.type);
// @ts-expect-error an open event has no close code
ws.addEventListener('open', (event) => void event.code);
