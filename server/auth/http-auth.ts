import type { IncomingMessage } from 'node:http';
import type { JsonValue, TransportName } from '../../protocol/index.js';
import { RequestError } from '../http-errors.js';
import { readBody } from '../read-body.js';
import type { HandshakeInfo } from '../socket.js';
import { AuthRefusedError, type HandshakeAuth } from './handshake-auth.js';

/**
 * The auth payload of a POST handshake's body: `{"auth": <JSON>}`; an empty body carries none.
 * Other fields are ignored (room for later ones). Throws `bad_request` for anything else.
 */
export function authInBody(text: string): JsonValue | undefined {
  if (text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RequestError('bad_request', 'the handshake body must be empty or JSON {"auth": …}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RequestError('bad_request', 'the handshake body must be a JSON object {"auth": …}');
  }
  const auth = (parsed as { auth?: JsonValue }).auth;
  return auth === null ? undefined : auth;
}

export interface BodyLimits {
  maxHandshakeBytes: number;
  bodyTimeout: number;
}

/**
 * Runs the handshake middleware for an HTTP handshake: the POST body is read first (at most
 * `maxHandshakeBytes`, 413 past it; within `bodyTimeout`, 408 past it); a JSONP handshake (a GET
 * by script tag) has none, so its middleware gets `auth` undefined.
 */
export async function authenticateRequest(
  req: IncomingMessage,
  auth: HandshakeAuth,
  info: HandshakeInfo,
  transport: TransportName,
  limits: BodyLimits,
): Promise<Record<string, unknown>> {
  let payload: JsonValue | undefined;
  if (req.method === 'POST') payload = authInBody(await readBody(req, limits.maxHandshakeBytes, limits.bodyTimeout));
  else req.resume();
  return auth.run(info, transport, payload);
}

/**
 * The body of a JSONP handshake's refusal, or null when `e` is not one: sent as the script's call
 * (status 200), since a page learns nothing from a script that failed to load and would retry.
 */
export function jsonpRefusal(e: unknown): string | null {
  return e instanceof AuthRefusedError ? e.body() : null;
}
