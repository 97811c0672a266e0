import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from '../../client/index.js';
import { Server } from '../../server/index.js';

/**
 * Run by test/server/debug-log.test.ts with DEBUG set or not: one session that starts on
 * long-polling, upgrades to WebSocket, exchanges a message and closes, plus one refused
 * handshake. Prints the session's token on stdout so the test can check the log never holds it.
 */
const httpServer = http.createServer();
const ferry = new Server({ path: '/ferry' });
ferry.attach(httpServer);
ferry.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
await fetch(`${origin}/ferry/v1/poll?sid=nobody&t=x&e=1`);
const socket = connect(`${origin}/ferry`, { transports: ['websocket', 'xhr-polling'], protocols: ['chat'] });
await new Promise<void>((resolve) => socket.on('transport', (name) => name === 'websocket' && resolve()));
socket.send('ping');
await new Promise<void>((resolve) => socket.on('message', () => resolve()));
process.stdout.write(JSON.stringify({ sid: socket.id, token: (socket as unknown as { token: string }).token }));
socket.close();
await new Promise((resolve) => setTimeout(resolve, 200));
await ferry.close();
httpServer.close();
