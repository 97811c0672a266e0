import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MemoryAdapter, type Socket } from '../../server/index.js';
import { closeAfterEach, connectClient, startServer, waitFor, type RecordingClient, type TestServer } from '../support/harness.js';

const track = closeAfterEach();

/** A server whose sockets join nothing by themselves, and `n` WebSocket clients connected to it. */
async function serverWithClients(n: number, adapter = new MemoryAdapter()): Promise<{ server: TestServer; clients: RecordingClient[]; adapter: MemoryAdapter }> {
  const server = track(await startServer({ adapter }, () => {}));
  const clients: RecordingClient[] = [];
  for (let i = 0; i < n; i++) {
    const client = connectClient(server.origin, { transports: ['websocket'] });
    track({ close: async () => client.socket.close() });
    clients.push(client);
    // one at a time, so server.sockets[i] is clients[i]'s session
    await waitFor(() => server.sockets.length === i + 1 && client.socket.state === 'open', 'connection ' + i);
  }
  return { server, clients, adapter };
}

/** Sends a marker to everyone and waits until all have it: whatever was sent before has arrived too. */
async function settle(server: TestServer, clients: RecordingClient[]): Promise<void> {
  server.ferry.send('end');
  await waitFor(() => clients.every((c) => c.received.at(-1) === 'end'), 'every client to get the marker');
}

function got(client: RecordingClient): unknown[] {
  return client.received.filter((m) => m !== 'end');
}

describe('socket.join, socket.leave, socket.rooms', () => {
  it('a socket in no room has the shared empty set; join and leave change it at once', async () => {
    const { server } = await serverWithClients(2);
    const [a, b] = server.sockets;
    expect(a.rooms.size).toBe(0);
    expect(a.rooms).toBe(b.rooms);
    a.join('lobby');
    a.join(['game:1', 'lobby']);
    expect([...a.rooms]).toEqual(['lobby', 'game:1']);
    expect(b.rooms.size).toBe(0);
    a.leave('lobby');
    a.leave('never-joined');
    expect([...a.rooms]).toEqual(['game:1']);
    a.leave('game:1');
    expect(a.rooms.size).toBe(0);
  });

  it('rejects a room name that is empty, not a string or too long, with a TypeError, joining none of the list', async () => {
    const { server, adapter } = await serverWithClients(1);
    const [a] = server.sockets;
    expect(() => a.join('')).toThrow(TypeError);
    expect(() => a.join('x'.repeat(257))).toThrow(/at most 256/);
    expect(() => a.join(['ok', 42 as unknown as string])).toThrow(/non-empty string/);
    expect(() => a.join(null as unknown as string)).toThrow(TypeError);
    expect(() => a.leave('')).toThrow(TypeError);
    expect(() => server.ferry.to('')).toThrow(TypeError);
    expect(() => server.ferry.except(['a', ''])).toThrow(TypeError);
    expect(a.rooms.size).toBe(0);
    expect(adapter.roomCount).toBe(0);
    a.join('x'.repeat(256));
    expect(a.rooms.size).toBe(1);
  });

  it('ferry.sockets lists every socket, or the members of a room, each once', async () => {
    const { server } = await serverWithClients(3);
    const [a, b, c] = server.sockets;
    a.join(['red', 'blue']);
    b.join('red');
    expect(server.ferry.sockets()).toEqual([a, b, c]);
    expect(server.ferry.sockets('red')).toEqual([a, b]);
    expect(server.ferry.sockets('blue')).toEqual([a]);
    expect(server.ferry.sockets('green')).toEqual([]);
    expect(server.ferry.to(['red', 'blue']).sockets()).toEqual([a, b]);
    expect(server.ferry.to('red').except(a.id).sockets()).toEqual([b]);
  });

  it('a session leaves all its rooms when it ends, and an ended socket joins nothing', async () => {
    const { server, clients, adapter } = await serverWithClients(2);
    const [a, b] = server.sockets;
    a.join(['red', 'blue']);
    b.join('red');
    clients[0].socket.close();
    await waitFor(() => server.ferry.sessionCount === 1 && a.rooms.size === 0, 'the session to end');
    expect(server.ferry.sockets('red')).toEqual([b]);
    expect(adapter.roomCount).toBe(1);
    a.join('green');
    expect(adapter.roomCount).toBe(1);
    b.close();
    await waitFor(() => adapter.roomCount === 0, 'the last room to go');
  });

  it('the close listeners can still read socket.rooms and tell those rooms', async () => {
    const { server, clients } = await serverWithClients(3);
    const [a, b] = server.sockets;
    a.join(['red', 'blue']);
    b.join('red');
    const seenAtClose: string[][] = [];
    a.on('close', () => {
      seenAtClose.push([...a.rooms]);
      for (const room of a.rooms) a.to(room).send('a left ' + room);
    });
    a.close();
    expect(seenAtClose).toEqual([['red', 'blue']]);
    expect(server.ferry.sockets('red')).toEqual([b]);
    await settle(server, clients.slice(1));
    expect(got(clients[1])).toEqual(['a left red']);
    expect(got(clients[2])).toEqual([]);
    expect(a.rooms.size).toBe(0);
  });
});

describe('broadcast targets', () => {
  it('to, in and except combine: rooms, several rooms once each, except by room and by socket id', async () => {
    const { server, clients } = await serverWithClients(4);
    const [a, b, c, d] = server.sockets;
    a.join(['red', 'blue']);
    b.join('red');
    c.join(['blue', 'muted']);
    void d;
    const ferry = server.ferry;
    ferry.to('red').send('red');
    ferry.to(['red', 'blue']).send('red+blue');
    ferry.in('blue').to('red').send('blue+red');
    ferry.to('blue').except('muted').send('blue-muted');
    ferry.to(['red', 'blue']).except([b.id, 'muted']).send('red+blue-b-muted');
    ferry.except('red').send('not red');
    ferry.to(c.id).send('to c by id');
    ferry.to([c.id, 'blue']).send('c and blue, c once');
    ferry.send('everyone');
    await settle(server, clients);
    expect(got(clients[0])).toEqual(['red', 'red+blue', 'blue+red', 'blue-muted', 'red+blue-b-muted', 'c and blue, c once', 'everyone']);
    expect(got(clients[1])).toEqual(['red', 'red+blue', 'blue+red', 'everyone']);
    expect(got(clients[2])).toEqual(['red+blue', 'blue+red', 'not red', 'to c by id', 'c and blue, c once', 'everyone']);
    expect(got(clients[3])).toEqual(['not red', 'everyone']);
  });

  it('socket.to(room) reaches the room but the sender; socket.broadcast everyone but the sender', async () => {
    const { server, clients } = await serverWithClients(3);
    const [a, b] = server.sockets;
    a.join('room');
    b.join('room');
    a.to('room').send('from a');
    b.broadcast.send('from b to all');
    await settle(server, clients);
    expect(got(clients[0])).toEqual(['from b to all']);
    expect(got(clients[1])).toEqual(['from a']);
    expect(got(clients[2])).toEqual(['from b to all']);
  });

  it('an operator is immutable: each call returns a new one, the old one keeps its target', async () => {
    const { server, clients } = await serverWithClients(2);
    const [a] = server.sockets;
    a.join('room');
    const everyone = server.ferry.except('nobody');
    const room = everyone.to('room');
    expect(room).not.toBe(everyone);
    everyone.send('all');
    room.send('room');
    await settle(server, clients);
    expect(got(clients[0])).toEqual(['all', 'room']);
    expect(got(clients[1])).toEqual(['all']);
  });

  it('binary messages and ArrayBuffers are broadcast as bytes', async () => {
    const { server, clients } = await serverWithClients(2);
    server.ferry.send(new Uint8Array([1, 2, 255]));
    server.ferry.send(new Uint8Array([7]).buffer);
    await settle(server, clients);
    for (const client of clients) expect(got(client).map((m) => [...(m as Uint8Array)])).toEqual([[1, 2, 255], [7]]);
  });

  it('a value JSON cannot carry throws a TypeError before anyone gets anything', async () => {
    const { server, clients } = await serverWithClients(2);
    for (const s of server.sockets) s.join('room');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => server.ferry.to('room').send(cyclic as never)).toThrow(TypeError);
    expect(() => server.ferry.send((() => 1) as never)).toThrow(TypeError);
    expect(() => server.ferry.send({ nested: new Uint8Array(1) } as never)).toThrow(TypeError);
    await settle(server, clients);
    for (const client of clients) expect(got(client)).toEqual([]);
  });
});

describe('joining is server-side only', () => {
  it('no frame a client sends joins a room or reaches the adapter', async () => {
    const adapter = new MemoryAdapter();
    const server = track(await startServer({ adapter }, () => {}));
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws`);
    track({ close: async () => ws.terminate() });
    await new Promise((resolve) => ws.once('message', resolve));
    const [socket] = server.sockets;
    const messages: unknown[] = [];
    socket.on('message', (m) => messages.push(m));
    // a message whose content looks like a command is only a message; unknown frame types end the session
    ws.send(JSON.stringify([['m', 1, { join: 'admins' }]]));
    await waitFor(() => messages.length === 1, 'the message');
    ws.send(JSON.stringify([['join', 'admins']]));
    await waitFor(() => socket.rooms.size === 0 && server.ferry.sessionCount === 0, 'the session to end');
    expect(adapter.roomCount).toBe(0);
    expect(server.ferry.sockets('admins')).toEqual([]);
  });
});

describe('the adapter option', () => {
  it('takes a function making an adapter per server, and refuses one adapter for two servers', async () => {
    let made = 0;
    const server = track(await startServer({ adapter: () => (made++, new MemoryAdapter()) }, (s: Socket) => s.join('r')));
    expect(made).toBe(1);
    const shared = new MemoryAdapter();
    track(await startServer({ adapter: shared }));
    await expect(startServer({ adapter: shared })).rejects.toThrow(/one Server/);
    const client = connectClient(server.origin, { transports: ['websocket'] });
    track({ close: async () => client.socket.close() });
    await waitFor(() => server.sockets.length === 1, 'connection');
    server.ferry.to('r').send('hi');
    await waitFor(() => client.received.length === 1, 'the broadcast');
    expect(client.received).toEqual(['hi']);
  });
});
