import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../protocol/index.js';
import type { Socket } from '../../server/index.js';
import { closeAfterEach, connectClient, startServer, waitFor, type RecordingClient, type TestServer } from '../support/harness.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { ALL_TRANSPORTS } from '../support/transports.js';

const track = closeAfterEach();

/** A server whose sockets get `setup`, and a client on `transport` that has opened its session. */
async function session(
  transport: (typeof ALL_TRANSPORTS)[number],
  setup: (socket: Socket) => void,
  via?: 'proxy',
): Promise<{ server: TestServer; client: RecordingClient; socket: Socket; proxy: TcpProxy | null }> {
  const server = track(await startServer({}, setup));
  const proxy = via === 'proxy' ? track(await new TcpProxy(server.port).listen()) : null;
  const client = connectClient(proxy ? proxy.origin : server.origin, { transports: [transport], reconnectDelay: 20, reconnectDelayMax: 40 });
  await waitFor(() => server.sockets.length === 1 && client.socket.state === 'open' && client.socket.transport === transport, 'session');
  return { server, client, socket: server.sockets[0], proxy };
}

/** A promise with its resolve function outside. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe.each(ALL_TRANSPORTS)('named events over %s', (transport) => {
  it('emits both ways, with their arguments, in order with messages', async () => {
    const serverGot: JsonValue[] = [];
    const { client, socket } = await session(transport, (s) => {
      s.on('chat', (room: string, text: string) => void serverGot.push(['chat', room, text]));
      s.on('message', (data) => void serverGot.push(['message', data as JsonValue]));
    });
    const clientGot: JsonValue[] = [];
    client.socket.on('news', (headline: string, n: number) => void clientGot.push(['news', headline, n]));
    client.socket.on('message', (data) => void clientGot.push(['message', data as JsonValue]));
    client.socket.emit('chat', 'lobby', 'hi ✓\n</script>');
    client.socket.send('between');
    client.socket.emit('chat', 'lobby', '');
    socket.emit('news', 'headline', 1);
    socket.send({ m: 2 });
    socket.emit('news', 'later', 3);
    await waitFor(() => serverGot.length === 3 && clientGot.length === 3, 'events both ways');
    expect(serverGot).toEqual([['chat', 'lobby', 'hi ✓\n</script>'], ['message', 'between'], ['chat', 'lobby', '']]);
    expect(clientGot).toEqual([['news', 'headline', 1], ['message', { m: 2 }], ['news', 'later', 3]]);
    client.socket.close();
  });

  it('answers acknowledged events both ways: by return value, by Promise, by callback', async () => {
    const { client, socket } = await session(transport, (s) => {
      s.on('sum', (a: number, b: number) => a + b);
      s.on('later', async (text: string) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { upper: text.toUpperCase() };
      });
      s.on('callback', (text: string, ack: (answer: JsonValue) => void) => void setTimeout(() => ack([text, 'ok']), 5));
    });
    client.socket.on('sum', (a: number, b: number) => a + b);
    client.socket.on('later', async (text: string) => ({ upper: text.toUpperCase() }));
    client.socket.on('callback', (text: string, ack: (answer: JsonValue) => void) => void ack([text, 'ok']));

    expect(await client.socket.emitWithAck('sum', 2, 3)).toBe(5);
    expect(await client.socket.emitWithAck('later', 'abc')).toEqual({ upper: 'ABC' });
    expect(await client.socket.emitWithAck('callback', 'x')).toEqual(['x', 'ok']);
    const viaCallback = await new Promise((resolve, reject) =>
      client.socket.emit('sum', 40, 2, (error: Error | null, answer?: JsonValue) => (error ? reject(error) : resolve(answer))),
    );
    expect(viaCallback).toBe(42);

    expect(await socket.emitWithAck('sum', 2, 3)).toBe(5);
    expect(await socket.emitWithAck('later', 'abc')).toEqual({ upper: 'ABC' });
    expect(await socket.emitWithAck('callback', 'y')).toEqual(['y', 'ok']);
    const fromServer = await new Promise((resolve, reject) =>
      socket.emit('sum', 1, 1, (error: Error | null, answer?: JsonValue) => (error ? reject(error) : resolve(answer))),
    );
    expect(fromServer).toBe(2);
    client.socket.close();
  });

  it('answers an acknowledged event exactly once across a cut connection, both ways', async () => {
    const serverAnswer = deferred<string>();
    let serverRuns = 0;
    const { client, socket, proxy } = await session(
      transport,
      (s) => {
        s.on('slow', () => {
          serverRuns++;
          return serverAnswer.promise;
        });
        let counted = 0;
        s.on('count', () => ++counted);
      },
      'proxy',
    );
    let reconnects = 0;
    client.socket.on('reconnect', () => reconnects++);
    const clientAnswer = deferred<string>();
    let clientRuns = 0;
    client.socket.on('slow', () => {
      clientRuns++;
      return clientAnswer.promise;
    });
    const fromServer: Array<[Error | null, JsonValue | undefined]> = [];
    const fromClient: Array<[Error | null, JsonValue | undefined]> = [];
    client.socket.emit('slow', (error: Error | null, answer?: JsonValue) => void fromServer.push([error, answer]));
    socket.emit('slow', (error: Error | null, answer?: JsonValue) => void fromClient.push([error, answer]));
    await waitFor(() => serverRuns === 1 && clientRuns === 1, 'both handlers running');
    // the answers are given while the connection is down: they wait in the channel and arrive on resume
    proxy!.cutAll();
    serverAnswer.resolve('from the server');
    clientAnswer.resolve('from the client');
    await waitFor(() => fromServer.length === 1 && fromClient.length === 1, 'both answers', 20_000);
    // an event sent into the cut is resent on resume and still handled once
    proxy!.cutAll();
    const third = await client.socket.emitWithAck('count');
    expect(third).toBe(1);
    // nothing more arrives later (a resent answer would be a duplicate)
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fromServer).toEqual([[null, 'from the server']]);
    expect(fromClient).toEqual([[null, 'from the client']]);
    expect(serverRuns).toBe(1);
    expect(clientRuns).toBe(1);
    expect(reconnects).toBeGreaterThanOrEqual(1);
    expect(socket.connected).toBe(true);
    expect(client.closes).toEqual([]);
    client.socket.close();
  }, 30_000);

  it('rejects acks still awaited when the session ends, on both sides', async () => {
    const { client, socket } = await session(transport, (s) => s.on('never', () => undefined));
    client.socket.on('never', () => undefined);
    const clientWaits = client.socket.emitWithAck('never');
    const serverWaits = socket.emitWithAck('never');
    const serverError = serverWaits.catch((e: Error) => e);
    const clientError = clientWaits.catch((e: Error) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.close();
    expect(String(await serverError)).toMatch(/session ended.*server closed/);
    expect(String(await clientError)).toMatch(/session ended/);
    // after the end an acknowledged emit fails at once instead of waiting forever
    await expect(socket.emitWithAck('never')).rejects.toThrow(/ended/);
  });

  it('times out locally and drops the late answer', async () => {
    const answer = deferred<string>();
    let answered = 0;
    const { client, socket } = await session(transport, (s) => s.on('slow', () => answer.promise));
    client.socket.on('slow', () => answer.promise.then((v) => (answered++, v)));
    const clientTimedOut = client.socket.timeout(50).emitWithAck('slow');
    const serverTimedOut = socket.timeout(50).emitWithAck('slow');
    await expect(clientTimedOut).rejects.toThrow(/no answer to "slow" within 50 ms/);
    await expect(serverTimedOut).rejects.toThrow(/no answer to "slow" within 50 ms/);
    const calls: unknown[] = [];
    client.socket.timeout(30).emit('slow', (error: Error | null, value?: JsonValue) => void calls.push(error ? error.message : value));
    await waitFor(() => calls.length === 1, 'callback timeout');
    answer.resolve('late');
    await waitFor(() => answered === 1, 'client answered');
    // the late answers arrive and are dropped; the session goes on
    expect(await client.socket.emitWithAck('echo-check-missing').catch((e: Error) => e.message)).toBe('no handler for "echo-check-missing"');
    expect(calls).toEqual(['no answer to "slow" within 30 ms']);
    expect(client.closes).toEqual([]);
    client.socket.close();
  });

  it('an app handler that throws: the error event, a failed answer, and the session goes on', async () => {
    const errors: Error[] = [];
    const { server, client } = await session(transport, (s) => {
      s.on('explode', () => {
        throw new Error('secret detail');
      });
      s.on('reject', async () => {
        throw new Error('async secret');
      });
      s.on('fine', () => 'still here');
    });
    server.ferry.on('error', (error) => errors.push(error));
    await expect(client.socket.emitWithAck('explode')).rejects.toThrow(/^the handler failed$/);
    await expect(client.socket.emitWithAck('reject')).rejects.toThrow(/^the handler failed$/);
    await expect(client.socket.emitWithAck('nobody')).rejects.toThrow('no handler for "nobody"');
    expect(await client.socket.emitWithAck('fine')).toBe('still here');
    expect(errors.map((e) => e.message)).toEqual(['secret detail', 'async secret']);

    const clientErrors: Error[] = [];
    client.socket.on('error', (error) => clientErrors.push(error));
    client.socket.on('explode', () => {
      throw new Error('client detail');
    });
    await expect(server.sockets[0].emitWithAck('explode')).rejects.toThrow(/^the handler failed$/);
    expect(clientErrors.map((e) => e.message)).toEqual(['client detail']);
    expect(client.closes).toEqual([]);
    expect(client.socket.state).toBe('open');
    client.socket.close();
  });
});

describe('emitting a bad event', () => {
  it('throws a TypeError for reserved names and arguments JSON cannot carry, on both sides', async () => {
    const { client, socket } = await session('websocket', () => {});
    for (const name of ['close', 'message', 'drain', 'open', '', 'x'.repeat(201)]) {
      expect(() => client.socket.emit(name as 'x')).toThrow(TypeError);
      expect(() => socket.emit(name as 'x')).toThrow(TypeError);
      expect(() => socket.emitWithAck(name as 'x')).toThrow(TypeError);
    }
    expect(() => client.socket.emit('x', undefined as unknown as JsonValue)).toThrow(TypeError);
    expect(() => socket.emit('x', new Uint8Array(2) as unknown as JsonValue)).toThrow(TypeError);
    expect(() => socket.emit('x', { n: 1n } as unknown as JsonValue)).toThrow(TypeError);
    client.socket.close();
  });
});

describe('a renewed session', () => {
  it('fails the acks of the old session and does not send its late answers into the new one', async () => {
    const server = track(await startServer({ resumeWindow: 300, pingInterval: 200, pingTimeout: 200 }, (s) => s.on('never', () => undefined)));
    const proxy = track(await new TcpProxy(server.port).listen());
    const client = connectClient(proxy.origin, { transports: ['websocket'], reconnectDelay: 50, reconnectDelayMax: 100 });
    let opens = 0;
    client.socket.on('open', () => opens++);
    const late = deferred<string>();
    client.socket.on('slow', () => late.promise);
    await waitFor(() => opens === 1, 'open');
    const pending = client.socket.emitWithAck('never').catch((e: Error) => e.message);
    const serverPending = server.sockets[0].emitWithAck('slow').catch((e: Error) => e.message);
    await new Promise((resolve) => setTimeout(resolve, 50));
    proxy.mode = 'refuse';
    proxy.cutAll();
    expect(await serverPending).toMatch(/session ended.*resume window expired/);
    proxy.mode = 'forward';
    expect(await pending).toMatch(/session ended/);
    await waitFor(() => opens === 2, 'second open', 10_000);
    const got: string[] = [];
    server.sockets[1].on('message', (data) => void got.push(String(data)));
    // the old session's handler answers now: nothing goes to the new session but what the app sends
    late.resolve('too late');
    client.socket.send('after');
    await waitFor(() => got.length === 1, 'message on the new session');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(got).toEqual(['after']);
    // one item arrived on the new session: the message (a leaked answer would have been numbered too)
    expect((server.sockets[1] as unknown as { channel: { received: number } }).channel.received).toBe(1);
    expect(server.sockets[1].connected).toBe(true);
    client.socket.close();
  });
});

describe('event names that are Object.prototype members', () => {
  it('work as any other name, both ways', async () => {
    const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];
    const { client, socket } = await session('websocket', (s) => {
      for (const name of names) s.on(name, (n: number) => name + n);
    });
    for (const name of names) client.socket.on(name, (n: number) => n + 1);
    for (const name of names) expect(await client.socket.emitWithAck(name, 1)).toBe(name + 1);
    for (const name of names) expect(await socket.emitWithAck(name, 1)).toBe(2);
    expect(await socket.emitWithAck('isPrototypeOf', 1).catch((e: Error) => e.message)).toBe('no handler for "isPrototypeOf"');
    client.socket.close();
  });
});

describe('an event queued before the session is up and too large for the server', () => {
  it('is not sent: its ack fails, or without one the error event says so; the rest goes on', async () => {
    const got: string[] = [];
    const server = track(await startServer({ maxMessageSize: 4096 }, (s) => s.on('small', (text: string) => void got.push(text))));
    const client = connectClient(server.origin, { transports: ['xhr-polling'] });
    const errors: string[] = [];
    client.socket.on('error', (e) => errors.push(e.message));
    const big = 'x'.repeat(5000);
    const acked = client.socket.emitWithAck('big', big).catch((e: Error) => e.message);
    client.socket.emit('big', big);
    client.socket.emit('small', 'after');
    expect(await acked).toBe('ferry: event "big" was not sent: it exceeds the server maxMessageSize');
    await waitFor(() => got.length === 1, 'the small event');
    expect(got).toEqual(['after']);
    expect(errors).toEqual(['ferry: event "big" was not sent: it exceeds the server maxMessageSize']);
    // once the limit is known, emitting too much throws at once, as send does
    expect(() => client.socket.emit('big', big)).toThrow(RangeError);
    client.socket.close();
  });
});

describe('once handlers of named events', () => {
  it('run for one event only, and the next finds no handler', async () => {
    let serverRuns = 0;
    let clientRuns = 0;
    const { client, socket } = await session('xhr-polling', (s) => s.once('one', () => ++serverRuns));
    client.socket.once('one', () => ++clientRuns);
    expect(await client.socket.emitWithAck('one')).toBe(1);
    expect(await client.socket.emitWithAck('one').catch((e: Error) => e.message)).toBe('no handler for "one"');
    expect(await socket.emitWithAck('one')).toBe(1);
    expect(await socket.emitWithAck('one').catch((e: Error) => e.message)).toBe('no handler for "one"');
    expect([serverRuns, clientRuns]).toEqual([1, 1]);
    client.socket.close();
  });
});
