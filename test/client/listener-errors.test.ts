import { describe, expect, it } from 'vitest';
import { closeAfterEach, connectClient, once, sequenceOf, startServer, waitFor } from '../support/harness.js';
import { captureUncaught } from '../support/uncaught.js';

const track = closeAfterEach();

describe.each(['websocket', 'xhr-polling'] as const)("the app's client listeners throwing, over %s", (transport) => {
  it('a message listener throwing mid-batch: the rest of the batch and later messages arrive, the session stays open, the error reaches the error event', async () => {
    const server = track(
      await startServer({}, (socket) => {
        socket.on('message', (data) => {
          // one batch of three each time the client asks
          const n = (data as { n: number }).n;
          for (let i = 0; i < 3; i++) socket.send({ n: n + i });
        });
      }),
    );
    const client = connectClient(server.origin, { transports: [transport] });
    const errors: Error[] = [];
    client.socket.on('error', (error) => errors.push(error));
    client.socket.on('message', function throwOnTwo(data) {
      if ((data as { n: number }).n === 2) throw new Error('client app bug on 2');
    });
    await once(client.socket, 'open');
    client.socket.send({ n: 1 });
    await waitFor(() => client.received.length === 3, 'the first batch');
    client.socket.send({ n: 4 });
    await waitFor(() => client.received.length === 6, 'the next batch');
    expect(sequenceOf(client.received)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(client.closes).toEqual([]);
    expect(client.socket.state).toBe('open');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe('client app bug on 2');
    expect(errors[0].stack).toContain('throwOnTwo');
    client.socket.close();
  });

  it('with no error listener, the exception is thrown again outside Ferry, and the session goes on', async () => {
    const thrown = new Error('unhandled client app bug');
    await captureUncaught(async (caught) => {
      const server = track(await startServer());
      const client = connectClient(server.origin, { transports: [transport] });
      client.socket.on('message', (data) => {
        if ((data as { n: number }).n === 1) throw thrown;
      });
      await once(client.socket, 'open');
      client.socket.send({ n: 1 });
      client.socket.send({ n: 2 });
      await waitFor(() => client.received.length === 2 && caught.length === 1, 'echoes and the rethrown error');
      expect(caught[0]).toBe(thrown);
      client.socket.send({ n: 3 });
      await waitFor(() => client.received.length === 3, 'a later echo');
      expect(sequenceOf(client.received)).toEqual([1, 2, 3]);
      expect(client.socket.state).toBe('open');
      client.socket.close();
      await server.close();
    });
  });

  it('an open listener that throws: the queued messages still go out and the session works', async () => {
    const server = track(await startServer());
    const client = connectClient(server.origin, { transports: [transport] });
    const errors: Error[] = [];
    client.socket.on('error', (error) => errors.push(error));
    client.socket.on('open', () => {
      throw new Error('open handler bug');
    });
    client.socket.send({ n: 1 });
    await waitFor(() => client.received.length === 1, 'the echo of a message queued before open');
    client.socket.send({ n: 2 });
    await waitFor(() => client.received.length === 2, 'a later echo');
    expect(errors.map((e) => e.message)).toEqual(['open handler bug']);
    expect(client.socket.state).toBe('open');
    client.socket.close();
  });

  it('a close listener that throws while the session is renewed: the new session still opens', async () => {
    // with room for one session, a second client's handshake evicts the first (4013), which renews
    const server = track(await startServer({ maxSessions: 1 }));
    const client = connectClient(server.origin, { transports: [transport], reconnectDelay: 20 });
    const errors: Error[] = [];
    client.socket.on('error', (error) => errors.push(error));
    let opens = 0;
    client.socket.on('open', () => opens++);
    client.socket.on('close', () => {
      throw new Error('close handler bug');
    });
    await waitFor(() => opens === 1, 'the first session');
    const evictor = connectClient(server.origin, { transports: [transport], reconnect: false });
    await waitFor(() => client.closes.length === 1, 'the eviction');
    evictor.socket.close();
    await waitFor(() => opens === 2, 'the renewed session');
    client.socket.send({ n: 7 });
    await waitFor(() => client.received.length === 1, 'an echo on the new session');
    expect(errors.map((e) => e.message)).toEqual(['close handler bug']);
    client.socket.close();
  });

  it('a close listener that throws on the final close: close() does not throw into the app, and the socket is closed', async () => {
    const server = track(await startServer());
    const client = connectClient(server.origin, { transports: [transport] });
    const errors: Error[] = [];
    client.socket.on('error', (error) => errors.push(error));
    client.socket.on('close', () => {
      throw new Error('close handler bug');
    });
    await once(client.socket, 'open');
    expect(() => client.socket.close()).not.toThrow();
    expect(client.socket.state).toBe('closed');
    expect(errors.map((e) => e.message)).toEqual(['close handler bug']);
    await waitFor(() => server.ferry.sessionCount === 0, 'the server to end the session');
  });
});
