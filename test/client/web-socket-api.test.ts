// The WHATWG WebSocket interface over a Ferry session (client/web-socket.ts), behaviour by
// behaviour as the spec's WebSocket section lists them, from Node against a real server.
// test/client/web-socket-session.test.ts has what the Ferry session underneath adds.
import { describe, expect, it } from 'vitest';
import { connect, FerryWebSocket, WebSocket, type WebSocketCloseEvent, type WebSocketMessageEvent } from '../../client/index.js';
import { webSocketClass } from '../../client/web-socket.js';
import { closeAfterEach, startServer, waitFor } from '../support/harness.js';
import { openedWebSocket, recordWebSocket as record, webSocketEchoServer } from '../support/web-socket-client.js';

const track = closeAfterEach();
const echoServer = () => webSocketEchoServer(track);
const opened = openedWebSocket;

function domName(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DOMException);
    return (e as Error).name;
  }
  return 'no error';
}

describe('the interface', () => {
  it('has the four state constants on the constructor and the prototype, and the FerryWebSocket alias', () => {
    expect([WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED]).toEqual([0, 1, 2, 3]);
    const proto = WebSocket.prototype as unknown as Record<string, number>;
    expect([proto.CONNECTING, proto.OPEN, proto.CLOSING, proto.CLOSED]).toEqual([0, 1, 2, 3]);
    expect(FerryWebSocket).toBe(WebSocket);
    expect(Object.getOwnPropertyDescriptor(WebSocket, 'OPEN')).toMatchObject({ value: 1, writable: false, enumerable: true });
  });

  it('keeps the URL as the spec serializes it, http(s) turned into ws(s)', async () => {
    const { server } = await echoServer();
    const a = new WebSocket(server.origin + '/ferry');
    const b = new WebSocket(`ws://127.0.0.1:${server.port}/ferry?room=1`);
    expect(a.url).toBe(`ws://127.0.0.1:${server.port}/ferry`);
    expect(b.url).toBe(`ws://127.0.0.1:${server.port}/ferry?room=1`);
    expect(new WebSocket(`WS://127.0.0.1:${server.port}`).url).toBe(`ws://127.0.0.1:${server.port}/`);
    expect([a.protocol, a.extensions, a.readyState]).toEqual(['', '', WebSocket.CONNECTING]);
    for (const ws of [a, b]) ws.close();
  });

  it('throws a SyntaxError for a bad URL, another scheme or a fragment', () => {
    expect(domName(() => new WebSocket('not a url'))).toBe('SyntaxError');
    expect(domName(() => new WebSocket('/relative/without/a/document'))).toBe('SyntaxError');
    expect(domName(() => new WebSocket('ftp://127.0.0.1/ferry'))).toBe('SyntaxError');
    expect(domName(() => new WebSocket('ws://127.0.0.1/ferry#here'))).toBe('SyntaxError');
    expect(domName(() => new WebSocket('ws://127.0.0.1/ferry#'))).toBe('SyntaxError');
  });

  it('throws a SyntaxError for duplicate or invalid subprotocols; valid ones are negotiated (the server takes the first by default)', async () => {
    const { server } = await echoServer();
    const url = server.origin + '/ferry';
    expect(domName(() => new WebSocket(url, ['chat', 'chat']))).toBe('SyntaxError');
    expect(domName(() => new WebSocket(url, ''))).toBe('SyntaxError');
    expect(domName(() => new WebSocket(url, ['a b']))).toBe('SyntaxError');
    expect(domName(() => new WebSocket(url, ['ok', 'é']))).toBe('SyntaxError');
    const { ws } = await opened(url, { protocols: ['chat', 'superchat'] });
    expect(ws.protocol).toBe('chat');
    expect(server.sockets[0].protocol).toBe('chat');
    ws.close();
  });
});

describe('readyState and open', () => {
  it('goes CONNECTING, OPEN (with one open event), CLOSING at close(), CLOSED at the close event', async () => {
    const { server } = await echoServer();
    const ws = new WebSocket(server.origin + '/ferry');
    const states: number[] = [ws.readyState];
    const { log } = record(ws);
    ws.onopen = () => states.push(ws.readyState);
    ws.onclose = () => states.push(ws.readyState);
    await waitFor(() => log.includes('open'), 'open');
    ws.close();
    states.push(ws.readyState);
    await waitFor(() => log.some((l) => l.startsWith('close')), 'close');
    expect(states).toEqual([WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED]);
    expect(log).toEqual(['open', 'close:1005::true']);
  });

  it('send while CONNECTING throws an InvalidStateError, and sends nothing', async () => {
    const { server, got } = await echoServer();
    const ws = new WebSocket(server.origin + '/ferry');
    expect(domName(() => ws.send('too early'))).toBe('InvalidStateError');
    await waitFor(() => ws.readyState === WebSocket.OPEN, 'open');
    ws.send('on time');
    await waitFor(() => got.length === 1, 'the message');
    expect(got).toEqual(['on time']);
    ws.close();
  });
});

describe('messages', () => {
  it('text arrives at the server as the same string (raw, no JSON for the app), and back as the string', async () => {
    const { server, got } = await echoServer();
    const { ws, log } = await opened(server.origin + '/ferry');
    ws.send('hello');
    ws.send('{"looks":"like json"}');
    ws.send('');
    ws.send(42 as unknown as string);
    await waitFor(() => log.length === 5, 'four echoes');
    expect(got).toEqual(['hello', '{"looks":"like json"}', '', '42']);
    expect(log.slice(1)).toEqual(['message:hello', 'message:{"looks":"like json"}', 'message:', 'message:42']);
    ws.close();
  });

  it('a JSON value the server sends that is not a string arrives as its JSON text', async () => {
    const server = track(
      await startServer({}, (socket) => {
        socket.send({ a: 1 });
        socket.send([1, 'two']);
        socket.send(null);
      }),
    );
    const { ws, log } = await opened(server.origin + '/ferry');
    await waitFor(() => log.length === 4, 'three messages');
    expect(log.slice(1)).toEqual(['message:{"a":1}', 'message:[1,"two"]', 'message:null']);
    ws.close();
  });

  it('message events are MessageEvents aimed at the socket, with the origin', async () => {
    const { server } = await echoServer();
    const { ws, events } = await opened(server.origin + '/ferry');
    ws.send('x');
    await waitFor(() => events.length === 2, 'echo');
    const e = events[1] as WebSocketMessageEvent;
    expect(e).toBeInstanceOf(MessageEvent);
    expect([e.type, e.data, e.origin, e.target, e.currentTarget]).toEqual(['message', 'x', `ws://127.0.0.1:${server.port}`, ws, ws]);
    expect(events[0]).toBeInstanceOf(Event);
    ws.close();
  });

  it('ArrayBuffer, typed-array views and DataView are sent as exactly their bytes (the server gets a Buffer)', async () => {
    const { server, got } = await echoServer();
    const { ws } = await opened(server.origin + '/ferry');
    const buffer = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer;
    ws.send(buffer);
    ws.send(new Uint8Array(buffer, 2, 3));
    ws.send(new Uint16Array([0x0102]));
    ws.send(new DataView(buffer, 6, 2));
    const view = new Uint8Array([9, 9]);
    ws.send(view);
    view[0] = 0; // copied when send was called
    await waitFor(() => got.length === 5, 'five messages');
    for (const data of got) expect(Buffer.isBuffer(data)).toBe(true);
    expect(got.map((d) => [...(d as Uint8Array)])).toEqual([[1, 2, 3, 4, 5, 6, 7, 8], [3, 4, 5], [...new Uint8Array(new Uint16Array([0x0102]).buffer)], [7, 8], [9, 9]]);
    ws.close();
  });

  it("binaryType is 'blob' by default; other values than blob and arraybuffer are ignored; bytes arrive as that type", async () => {
    const { server } = await echoServer();
    const { ws, events } = await opened(server.origin + '/ferry');
    expect(ws.binaryType).toBe('blob');
    ws.send(new Uint8Array([1, 2, 3]));
    await waitFor(() => events.length === 2, 'a blob');
    const blob = (events[1] as WebSocketMessageEvent).data;
    expect(blob).toBeInstanceOf(Blob);
    expect([...new Uint8Array(await (blob as Blob).arrayBuffer())]).toEqual([1, 2, 3]);
    ws.binaryType = 'arraybuffer';
    ws.binaryType = 'nodebuffer' as 'blob';
    expect(ws.binaryType).toBe('arraybuffer');
    ws.send(new Uint8Array([4, 5]));
    await waitFor(() => events.length === 3, 'an arraybuffer');
    const data = (events[2] as WebSocketMessageEvent).data;
    expect(data).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(data as ArrayBuffer)]).toEqual([4, 5]);
    ws.close();
  });

  it('a Blob is read, then sent in order with the sends after it; bufferedAmount counts it meanwhile', async () => {
    const { server, got } = await echoServer();
    const { ws } = await opened(server.origin + '/ferry');
    ws.send('first');
    ws.send(new Blob([new Uint8Array([7, 7, 7])]));
    ws.send('after the blob');
    ws.send(new Blob(['text blob']));
    ws.send(new Uint8Array([1]));
    expect(ws.bufferedAmount).toBeGreaterThanOrEqual(3 + 14 + 9 + 1);
    await waitFor(() => got.length === 5, 'five messages');
    expect(got.map((d) => (typeof d === 'string' ? d : [...d as Uint8Array]))).toEqual(['first', [7, 7, 7], 'after the blob', [...Buffer.from('text blob')], [1]]);
    ws.close();
  });
});

describe('close', () => {
  it('validates the code (1000 or 3000-4999: InvalidAccessError) and the reason (<= 123 bytes: SyntaxError), state unchanged', async () => {
    const { server } = await echoServer();
    const { ws } = await opened(server.origin + '/ferry');
    for (const code of [0, 999, 1001, 1005, 2999, 5000, 65535]) expect(domName(() => ws.close(code))).toBe('InvalidAccessError');
    expect(domName(() => ws.close(1000, 'é'.repeat(62)))).toBe('SyntaxError');
    expect(domName(() => ws.close(4999.6))).toBe('InvalidAccessError'); // clamped and rounded: 5000
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close(1000, 'é'.repeat(61) + 'x');
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    // checked even when closing already
    expect(domName(() => ws.close(1))).toBe('InvalidAccessError');
  });

  it('close(code, reason) by the page: a clean close with that code and reason; the server session ends', async () => {
    const closes: string[] = [];
    const server = track(await startServer({}, (socket) => socket.on('close', (reason) => closes.push(reason))));
    const { ws, log, events } = await opened(server.origin + '/ferry');
    ws.close(4321, 'done here');
    ws.close(1000); // once CLOSING, nothing
    await waitFor(() => log.length === 2 && closes.length === 1, 'both closes');
    expect(log).toEqual(['open', 'close:4321:done here:true']);
    expect(closes).toEqual(['client closed']);
    const e = events[1] as WebSocketCloseEvent;
    expect([e.type, e.target, e.code, e.wasClean]).toEqual(['close', ws, 4321, true]);
    expect(e).toBeInstanceOf(Event);
  });

  it('the server closing the session: a clean close with its code and reason, no error', async () => {
    const server = track(await startServer({}, (socket) => socket.on('message', () => socket.close())));
    const { ws, log } = await opened(server.origin + '/ferry');
    // not during the upgrade: a goodbye sent on the poll the client is leaving is missed (the client sees 4001)
    await waitFor(() => server.sockets[0]?.transport === 'websocket', 'the WebSocket upgrade');
    ws.send('close me');
    await waitFor(() => log.length === 2, 'close');
    expect(log).toEqual(['open', 'close:1000:server closed:true']);
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });

  it('close() while CONNECTING fails the connection: error, then close 1006 not clean', async () => {
    const { server } = await echoServer();
    const ws = new WebSocket(server.origin + '/ferry');
    const { log } = record(ws);
    ws.close(1000, 'never mind');
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    await waitFor(() => log.length === 2, 'error and close');
    expect(log).toEqual(['error', 'close:1006::false']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(log).toHaveLength(2); // no open afterwards
  });

  it('a server that cannot be reached: error, then close 1006 not clean, after the connect deadline', async () => {
    const { server } = await echoServer();
    const url = server.origin + '/ferry';
    await server.close();
    const QuickWebSocket = webSocketClass(connect, 300);
    const ws = new QuickWebSocket(url);
    const { log } = record(ws);
    await waitFor(() => log.length === 2, 'error and close', 5000);
    expect(log).toEqual(['error', 'close:1006:the connection could not be established:false']);
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });

  it('after close(), send only adds to bufferedAmount: nothing reaches the server', async () => {
    const { server, got } = await echoServer();
    const { ws } = await opened(server.origin + '/ferry');
    ws.close();
    const before = ws.bufferedAmount;
    ws.send('abc');
    ws.send('é');
    ws.send(new Uint8Array(5));
    expect(ws.bufferedAmount).toBe(before + 3 + 2 + 5);
    await waitFor(() => ws.readyState === WebSocket.CLOSED, 'closed');
    ws.send(new ArrayBuffer(4));
    expect(ws.bufferedAmount).toBe(before + 3 + 2 + 5 + 4);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(got).toEqual([]);
  });
});

describe('listeners', () => {
  it('handler properties and listeners are both called, in the order they were set; null removes a handler', async () => {
    const { server } = await echoServer();
    const ws = new WebSocket(server.origin + '/ferry');
    const calls: string[] = [];
    ws.addEventListener('message', () => calls.push('listener 1'));
    ws.onmessage = () => calls.push('handler (first)');
    ws.addEventListener('message', { handleEvent: (e: WebSocketMessageEvent) => calls.push('object ' + String(e.data)) });
    // set again: keeps its place
    ws.onmessage = function (this: unknown) {
      calls.push('handler ' + String(this === ws));
    };
    expect(typeof ws.onmessage).toBe('function');
    await waitFor(() => ws.readyState === WebSocket.OPEN, 'open');
    ws.send('a');
    await waitFor(() => calls.length === 3, 'three calls');
    expect(calls).toEqual(['listener 1', 'handler true', 'object a']);
    ws.onmessage = null;
    expect(ws.onmessage).toBe(null);
    ws.send('b');
    await waitFor(() => calls.length === 5, 'two calls');
    expect(calls.slice(3)).toEqual(['listener 1', 'object b']);
    ws.close();
  });

  it('once runs a listener one time; removeEventListener removes; the same listener is added once', async () => {
    const { server } = await echoServer();
    const { ws } = await opened(server.origin + '/ferry');
    const calls: string[] = [];
    const twice = () => calls.push('twice?');
    ws.addEventListener('message', twice);
    ws.addEventListener('message', twice);
    ws.addEventListener('message', () => calls.push('once'), { once: true });
    const removed = () => calls.push('removed');
    ws.addEventListener('message', removed);
    ws.removeEventListener('message', removed);
    const captured = () => calls.push('capture');
    ws.addEventListener('message', captured, true);
    ws.removeEventListener('message', captured); // not the same listener: capture differs
    const aborted = new AbortController();
    ws.addEventListener('message', () => calls.push('signal'), { signal: aborted.signal });
    aborted.abort();
    ws.send('1');
    await waitFor(() => calls.length === 3, 'first');
    ws.send('2');
    await waitFor(() => calls.length === 5, 'second');
    expect(calls).toEqual(['twice?', 'once', 'capture', 'twice?', 'capture']);
    ws.close();
  });

  it('stopImmediatePropagation stops the listeners after it', async () => {
    const { server } = await echoServer();
    const { ws } = await opened(server.origin + '/ferry');
    const calls: string[] = [];
    ws.addEventListener('message', (e: WebSocketMessageEvent) => {
      calls.push('first');
      e.stopImmediatePropagation();
    });
    ws.addEventListener('message', () => calls.push('second'));
    ws.send('x');
    await waitFor(() => calls.length >= 1, 'first');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toEqual(['first']);
    ws.close();
  });
});
