import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../protocol/index.js';
import type { Socket } from '../../server/index.js';
import { closeAfterEach, connectClient, startServer, waitFor } from '../support/harness.js';

const track = closeAfterEach();

describe('binary data nested inside a JSON message', () => {
  it('is refused by the client send with a TypeError, and the session carries on with no gap', async () => {
    const server = track(await startServer());
    const client = connectClient(server.origin, { transports: ['xhr-polling'] });
    client.socket.send({ n: 1 });
    expect(() => client.socket.send({ echo: new Uint8Array([1, 2, 3]) } as unknown as JsonValue)).toThrow(TypeError);
    expect(() => client.socket.send({ echo: new Uint8Array([1, 2, 3]) } as unknown as JsonValue)).toThrow('binary data at echo inside a JSON message is not supported');
    client.socket.send({ n: 2 });
    await waitFor(() => client.received.length === 2, 'echoes');
    expect(client.received).toEqual([{ n: 1 }, { n: 2 }]);
    expect(client.closes).toEqual([]);
    client.socket.close();
  });

  it('is refused by the server Socket.send with a TypeError, and the session carries on with no gap', async () => {
    const errors: unknown[] = [];
    const server = track(
      await startServer({}, (socket: Socket) => {
        socket.on('message', (data) => {
          try {
            socket.send({ echo: data } as unknown as JsonValue);
          } catch (e) {
            errors.push(e);
            socket.send({ refused: String((e as Error).message) });
          }
        });
      }),
    );
    const client = connectClient(server.origin, { transports: ['websocket'] });
    client.socket.send('text');
    client.socket.send(new Uint8Array([9, 8]));
    client.socket.send(3);
    await waitFor(() => client.received.length === 3, 'answers');
    expect(client.received[0]).toEqual({ echo: 'text' });
    expect(client.received[1]).toEqual({ refused: expect.stringContaining('binary data at echo inside a JSON message is not supported') });
    expect(client.received[2]).toEqual({ echo: 3 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TypeError);
    expect(client.closes).toEqual([]);
    client.socket.close();
  });
});
