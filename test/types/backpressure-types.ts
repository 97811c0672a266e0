// Type test, compiled by `npx tsc -p tsconfig.test.json` (never run): backpressure and volatile
// sends on both sides, typed by the event maps. @ts-expect-error is allowed under test/types/ only.
import type { ClientSocket } from '../../client/index.js';
import type { Socket } from '../../server/index.js';

interface ToClient {
  cursor: (x: number, y: number) => void;
}
interface ToServer {
  move: (x: number, y: number) => void;
}

declare const server: Socket<ToServer, ToClient>;
declare const client: ClientSocket<ToClient, ToServer>;

const amounts: number[] = [server.bufferedAmount, server.drainBelow, client.bufferedAmount, client.drainBelow];
void amounts;
server.on('drain', () => undefined);
client.on('drain', () => undefined);
const sent: boolean[] = [server.volatile.send({ x: 1 }), server.volatile.emit('cursor', 1, 2), client.volatile.send('hi'), client.volatile.emit('move', 3, 4)];
void sent;

// @ts-expect-error not an event of the server's emit map
server.volatile.emit('move', 1, 2);
// @ts-expect-error wrong argument type
client.volatile.emit('move', 'x', 4);
// @ts-expect-error drain has no arguments
server.on('drain', (n: number) => void n);
// @ts-expect-error read-only
client.bufferedAmount = 0;
