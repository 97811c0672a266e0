import { AppCodeError } from './app-errors.js';
import { RequestError } from './http-errors.js';
import type { HandshakeInfo } from './socket.js';

/** A subprotocol name: an RFC 7230 token, as RFC 6455 section 4.1 asks of `Sec-WebSocket-Protocol` values. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/;
/** The most subprotocols one handshake may offer. */
const MAX_OFFERED = 16;

/**
 * The server's `handleProtocols` option: picks the session's subprotocol from those the client
 * offered (in the client's order), or `false` to refuse them all, as `ws`'s option of that name.
 */
export type HandleProtocols = (protocols: ReadonlySet<string>, handshake: HandshakeInfo) => string | false;

/**
 * The subprotocols a handshake offers (`protocols=chat,superchat` on its URL), in the client's
 * order; [] when it offers none. A malformed list (not tokens, a name twice, too many) is the
 * client's mistake: 400 `bad_request`.
 */
export function offeredProtocols(url: string | undefined): string[] {
  const q = url === undefined ? -1 : url.indexOf('?');
  if (q < 0 || url === undefined) return [];
  const value = new URLSearchParams(url.slice(q + 1)).get('protocols');
  if (value === null) return [];
  const list = value.split(',');
  if (list.length > MAX_OFFERED) throw new RequestError('bad_request', `protocols: at most ${MAX_OFFERED} subprotocols`);
  for (let i = 0; i < list.length; i++) {
    if (!TOKEN.test(list[i])) throw new RequestError('bad_request', `protocols: ${JSON.stringify(list[i].slice(0, 64))} is not a subprotocol name (a token of 1 to 64 characters)`);
    if (list.indexOf(list[i]) !== i) throw new RequestError('bad_request', `protocols: ${list[i]} is offered twice`);
  }
  return list;
}

/**
 * The session's subprotocol: '' when the client offered none; else the app's pick
 * (`handleProtocols`), or without that option the client's first. The app refusing them all is
 * 400 `subprotocol_refused` (the client ends, as a browser fails a WebSocket whose server picks
 * none); its function throwing, or naming one the client did not offer, is the app's bug
 * (AppCodeError: 500, surfaced on `error`).
 */
export function selectProtocol(offered: readonly string[], handle: HandleProtocols | undefined, info: HandshakeInfo): string {
  if (offered.length === 0) return '';
  if (handle === undefined) return offered[0];
  let choice: unknown;
  try {
    choice = handle(new Set(offered), info);
  } catch (e) {
    throw new AppCodeError(e, 'handleProtocols');
  }
  if (choice === false) throw new RequestError('subprotocol_refused', `the server speaks none of the subprotocols offered (${offered.join(', ')})`);
  if (typeof choice !== 'string' || offered.indexOf(choice) < 0) {
    throw new AppCodeError(new TypeError(`handleProtocols must return one of the offered subprotocols or false, got ${String(choice)}`), 'handleProtocols');
  }
  return choice;
}
