import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../server/index.js';
import { closeAfterEach, connectClient, startServer, waitFor, type RecordingClient } from '../support/harness.js';

const track = closeAfterEach();

async function roomOf(n: number): Promise<{ server: Awaited<ReturnType<typeof startServer>>; clients: RecordingClient[] }> {
  const server = track(await startServer({}, (socket) => socket.join('room')));
  const clients: RecordingClient[] = [];
  for (let i = 0; i < n; i++) {
    const client = connectClient(server.origin, { transports: ['websocket'] });
    track({ close: async () => client.socket.close() });
    clients.push(client);
    await waitFor(() => server.sockets.length === i + 1 && client.socket.state === 'open', 'connection ' + i);
  }
  return { server, clients };
}

describe('broadcast events', () => {
  it('ferry.to(room).emit reaches every member\'s handler once, in order with messages', async () => {
    const { server, clients } = await roomOf(3);
    const seen: JsonValue[][] = clients.map(() => []);
    clients.forEach((c, i) => c.socket.on('chat', (...args: JsonValue[]) => void seen[i].push(['chat', ...args.filter((a) => typeof a !== 'function')])));
    clients.forEach((c, i) => c.socket.on('message', (m: JsonValue | Uint8Array) => void seen[i].push(['message', m as JsonValue])));
    const [a] = server.sockets;
    server.ferry.to('room').emit('chat', 'hello', { n: 1 });
    server.ferry.to('room').send('between');
    a.to('room').emit('chat', 'from a');
    server.ferry.send('end');
    await waitFor(() => seen.every((s) => s.length > 0 && JSON.stringify(s.at(-1)) === '["message","end"]'), 'everything');
    expect(seen[0]).toEqual([['chat', 'hello', { n: 1 }], ['message', 'between'], ['message', 'end']]);
    for (const s of seen.slice(1)) expect(s).toEqual([['chat', 'hello', { n: 1 }], ['message', 'between'], ['chat', 'from a'], ['message', 'end']]);
  });

  it('ferry.emit reaches every socket; the server\'s own events still reach their listeners only', async () => {
    const { server, clients } = await roomOf(2);
    const got: JsonValue[][] = clients.map(() => []);
    clients.forEach((c, i) => c.socket.on('news', (text: JsonValue) => void got[i].push(text)));
    const connections: string[] = [];
    server.ferry.on('connection', (socket) => connections.push(socket.id));
    server.ferry.emit('news', 'to all');
    expect(() => server.ferry.emit('connection' as never)).toThrow(TypeError);
    const third = connectClient(server.origin, { transports: ['websocket'] });
    track({ close: async () => third.socket.close() });
    await waitFor(() => connections.length === 1 && got.every((g) => g.length === 1), 'the event and the new connection');
    expect(got).toEqual([['to all'], ['to all']]);
    expect(third.received).toEqual([]);
  });

  it('a reserved or invalid event name, or arguments JSON cannot carry, throw a TypeError before anyone gets anything', async () => {
    const { server, clients } = await roomOf(2);
    expect(() => server.ferry.to('room').emit('message' as never)).toThrow(TypeError);
    expect(() => server.ferry.to('room').emit('', 1)).toThrow(TypeError);
    expect(() => server.ferry.to('room').emit('x', undefined as never)).toThrow(TypeError);
    expect(() => server.ferry.to('room').timeout(100).emitWithAck('close' as never)).toThrow(TypeError);
    expect(() => server.ferry.to('room').timeout(-1)).toThrow(TypeError);
    server.ferry.send('end');
    await waitFor(() => clients.every((c) => c.received.length === 1), 'the marker');
    for (const c of clients) expect(c.received).toEqual(['end']);
  });
});

describe('broadcast with acknowledgements', () => {
  it('resolves with the answers that came and names the sockets that gave none', async () => {
    const { server, clients } = await roomOf(5);
    const [answers, returns, silent, failing, leaving] = clients;
    answers.socket.on('ask', (q: JsonValue, ack: (a: JsonValue) => void) => ack({ from: 'callback', q }));
    returns.socket.on('ask', (q: JsonValue) => ({ from: 'return', q }));
    silent.socket.on('ask', () => undefined);
    failing.socket.on('ask', () => {
      throw new Error('boom');
    });
    failing.socket.on('error', () => {});
    leaving.socket.on('ask', () => undefined);
    const ids = clients.map((c) => c.socket.id);
    const result = server.ferry.to('room').timeout(1500).emitWithAck('ask', 'q1');
    await waitFor(() => server.sockets.every((s) => s.bufferedAmount === 0), 'every client to have the event');
    leaving.socket.close();
    const { answers: got, missing } = await result;
    expect(got.map((a) => a.id).sort()).toEqual([ids[0], ids[1]].sort());
    expect(got.find((a) => a.id === ids[0])?.value).toEqual({ from: 'callback', q: 'q1' });
    expect(got.find((a) => a.id === ids[1])?.value).toEqual({ from: 'return', q: 'q1' });
    expect([...missing].sort()).toEqual([ids[2], ids[3], ids[4]].sort());
  });

  it('without a timeout, waits until each has answered or its session ended', async () => {
    const { server, clients } = await roomOf(2);
    clients[0].socket.on('ask', () => 'yes');
    clients[1].socket.on('ask', () => undefined);
    const result = server.ferry.to('room').emitWithAck('ask');
    await waitFor(() => server.sockets.every((s) => s.bufferedAmount === 0), 'both to have the event');
    clients[1].socket.close();
    expect(await result).toEqual({ answers: [{ id: clients[0].socket.id, value: 'yes' }], missing: [clients[1].socket.id] });
  });

  it('socket.to(room) asks the others only; with no one to ask it resolves at once', async () => {
    const { server, clients } = await roomOf(3);
    for (const c of clients) c.socket.on('ping?', () => c.socket.id);
    const [a] = server.sockets;
    const result = await a.to('room').timeout(5000).emitWithAck('ping?');
    expect(result.missing).toEqual([]);
    expect(result.answers.map((x) => x.value).sort()).toEqual([clients[1].socket.id, clients[2].socket.id].sort());
    expect(await server.ferry.to('nobody').emitWithAck('ping?')).toEqual({ answers: [], missing: [] });
  });

  it('a late answer after the timeout is dropped and the socket stays usable', async () => {
    const { server, clients } = await roomOf(1);
    let answer: ((a: JsonValue) => void) | null = null;
    clients[0].socket.on('slow', (ack: (a: JsonValue) => void) => {
      answer = ack;
    });
    const result = await server.ferry.timeout(200).emitWithAck('slow');
    expect(result).toEqual({ answers: [], missing: [clients[0].socket.id] });
    // the ack id was withdrawn: nothing is kept for it
    expect((server.sockets[0] as unknown as { ackTable(): { size: number } }).ackTable().size).toBe(0);
    (answer as unknown as (a: JsonValue) => void)('late');
    clients[0].socket.on('fast', () => 'ok');
    const again = await server.ferry.timeout(5000).emitWithAck('fast');
    expect(again.answers).toEqual([{ id: clients[0].socket.id, value: 'ok' }]);
    expect(clients[0].closes).toEqual([]);
  });
});
