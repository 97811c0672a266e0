import { describe, expect, it } from 'vitest';
import type { Socket } from '../../server/index.js';
import { closeAfterEach, connectClient, once, sequenceOf, startServer, waitFor } from '../support/harness.js';
import { captureUncaught } from '../support/uncaught.js';

const track = closeAfterEach();

/** Groups the messages a socket delivers by the synchronous run they came in (one run = one batch). */
function recordBatches(socket: Socket, batches: number[][]): void {
  let current: number[] | null = null;
  socket.on('message', (data) => {
    if (current === null) {
      const batch: number[] = (current = []);
      batches.push(batch);
      queueMicrotask(() => {
        if (current === batch) current = null;
      });
    }
    current.push((data as { n: number }).n);
  });
}

describe.each(['websocket', 'xhr-polling'] as const)('an application listener that throws, over %s', (transport) => {
  it('a message listener throwing mid-batch: the echo it queued, the rest of the batch and later messages all arrive; the error reaches ferry.on("error")', async () => {
    const batches: number[][] = [];
    const server = track(
      await startServer({}, (socket) => {
        recordBatches(socket, batches);
        socket.on('message', function echoThenThrowOnTwo(data) {
          socket.send(data);
          if ((data as { n: number }).n === 2) throw new Error('app bug on message 2');
        });
      }),
    );
    const errors: Array<{ error: Error; socket: Socket | null }> = [];
    server.ferry.on('error', (error, socket) => errors.push({ error, socket }));
    const client = connectClient(server.origin, { transports: [transport] });
    await once(client.socket, 'open');
    for (const n of [1, 2, 3]) client.socket.send({ n });
    await waitFor(() => client.received.length === 3, 'the batch echoed');
    client.socket.send({ n: 4 });
    await waitFor(() => client.received.length === 4, 'a later echo');
    expect(batches[0]).toEqual([1, 2, 3]);
    expect(sequenceOf(client.received)).toEqual([1, 2, 3, 4]);
    expect(client.closes).toEqual([]);
    expect(client.socket.state).toBe('open');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.message).toBe('app bug on message 2');
    expect(errors[0].error.stack).toContain('echoThenThrowOnTwo');
    expect(errors[0].socket).toBe(server.sockets[0]);
    client.socket.close();
  });

  it('with no error listener, the original exception is thrown again outside Ferry, and the session goes on', async () => {
    const thrown = new Error('unhandled app bug');
    await captureUncaught(async (caught) => {
      const server = track(
        await startServer({}, (socket) => {
          socket.on('message', (data) => {
            socket.send(data);
            if ((data as { n: number }).n === 1) throw thrown;
          });
        }),
      );
      const client = connectClient(server.origin, { transports: [transport] });
      await once(client.socket, 'open');
      client.socket.send({ n: 1 });
      client.socket.send({ n: 2 });
      await waitFor(() => client.received.length === 2 && caught.length === 1, 'echoes and the rethrown error');
      expect(caught[0]).toBe(thrown);
      expect(sequenceOf(client.received)).toEqual([1, 2]);
      expect(client.socket.state).toBe('open');
      client.socket.close();
      await server.close();
    });
  });

  it('a connection listener that throws: the session still opens and carries messages', async () => {
    const server = track(
      await startServer({}, (socket) => {
        socket.on('message', (data) => socket.send(data));
        throw new Error('connection handler bug');
      }),
    );
    const errors: Error[] = [];
    server.ferry.on('error', (error) => errors.push(error));
    const client = connectClient(server.origin, { transports: [transport] });
    await once(client.socket, 'open');
    client.socket.send({ n: 1 });
    await waitFor(() => client.received.length === 1, 'the echo');
    expect(errors.map((e) => e.message)).toEqual(['connection handler bug']);
    expect(client.closes).toEqual([]);
    client.socket.close();
  });

  it('a close listener that throws: the session still ends cleanly, and close() does not throw into the app', async () => {
    const server = track(
      await startServer({}, (socket) => {
        socket.on('close', () => {
          throw new Error('close handler bug');
        });
      }),
    );
    const errors: Error[] = [];
    server.ferry.on('error', (error) => errors.push(error));
    const client = connectClient(server.origin, { transports: [transport], reconnect: false });
    await once(client.socket, 'open');
    await waitFor(() => server.sockets.length === 1, 'the server socket');
    expect(() => server.sockets[0].close()).not.toThrow();
    // over polling the close frame may not reach the client before the session is gone ('session expired')
    await waitFor(() => client.socket.state === 'closed', 'the client close');
    expect(client.closes).toHaveLength(1);
    expect(server.ferry.sessionCount).toBe(0);
    expect(errors.map((e) => e.message)).toEqual(['close handler bug']);
  });
});

it('a transport listener that throws: the upgrade to websocket completes and messages flow', async () => {
  const server = track(
    await startServer({}, (socket) => {
      socket.on('message', (data) => socket.send(data));
      socket.on('transport', () => {
        throw new Error('transport handler bug');
      });
    }),
  );
  const errors: Error[] = [];
  server.ferry.on('error', (error) => errors.push(error));
  const client = connectClient(server.origin, { transports: ['websocket', 'xhr-polling'] });
  await waitFor(() => client.socket.transport === 'websocket' && server.sockets[0]?.transport === 'websocket', 'the upgrade');
  client.socket.send({ n: 1 });
  await waitFor(() => client.received.length === 1, 'the echo');
  expect(errors.map((e) => e.message)).toEqual(['transport handler bug']);
  expect(client.closes).toEqual([]);
  client.socket.close();
});
