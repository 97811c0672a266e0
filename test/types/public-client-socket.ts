// Type test, compiled by `npx tsc -p tsconfig.test.json` (never run): the ClientSocket that
// `connect` returns has only its documented members. The one file where @ts-expect-error is allowed.
import { connect, type ClientSocket } from '../../client/index.js';
import * as client from '../../client/index.js';
import * as browser from '../../client/browser-module.js';

declare const socket: ClientSocket;

// the documented members type-check
const documented: [string, string | null, number, boolean] = [socket.state, socket.transport, socket.heartbeat, socket.send({ a: [1, 'b', null] })];
void documented;
void socket.id;
void socket.attempts;
socket.on('dropped', (data, reason) => void [data, reason]);
socket.on('close', (reason, { renewing }) => void [reason, renewing]);
socket.off('open').once('message', (data) => void data).close();
void connect;

// @ts-expect-error the session secret is not public
void socket.token;
// @ts-expect-error internal
void socket.sid;
// @ts-expect-error internal
void socket.baseUrl;
// @ts-expect-error internal
void socket.query;
// @ts-expect-error internal
socket.takeAck();
// @ts-expect-error internal
socket.takeAckAfter([]);
// @ts-expect-error internal
socket.onFrames;
// @ts-expect-error internal
socket.onOpen;
// @ts-expect-error internal
void socket.pingInterval;
// @ts-expect-error emitting is the socket's own business
socket.emit('open');
// @ts-expect-error the implementation class is not exported (only the interface, as a type)
void client.ClientSocket;
// @ts-expect-error nor from the browser entry
void browser.ClientSocket;
// @ts-expect-error bytes nested in JSON are not a JsonValue
socket.send({ echo: new Uint8Array(1) });
