import { PROTOCOL_VERSION, type Handshake, type TransportName } from '../protocol/index.js';
import type { ClientEnv } from './env/env.js';
import { transportsInRefusal } from './server-transports.js';
import { nextJsonpCallback } from './transports/jsonp-polling.js';
import type { FerryLocation } from './transports/transport.js';
import { protocolsParam, routeUrl } from './transports/urls.js';
import { AUTH_REFUSED, authRefusal, handshakeBody, type AuthRefusal } from './auth.js';

/**
 * `offered`: on a `403 transport_disabled`, the transports the server named instead
 * (client/server-transports.ts); `refusal`: with status AUTH_REFUSED, the middleware's refusal.
 */
export type HandshakeCallback = (error: string | null, handshake: Handshake | null, status: number | null, offered?: TransportName[] | null, refusal?: AuthRefusal) => void;

/**
 * `POST {base}/v1/handshake`: creates a session and returns its id, token and settings. A session
 * starting on `jsonp-polling` asks by script tag instead: `GET …/v1/handshake?transport=jsonp-polling&cb=…`.
 * The app's query parameters from the Ferry URL follow Ferry's.
 */
export function requestHandshake(env: ClientEnv, where: FerryLocation, transport: TransportName, protocols: string[], timeoutMs: number, auth: string, callback: HandshakeCallback): void {
  const params = 'transport=' + transport + protocolsParam(protocols);
  const url = routeUrl(where, 'v1/handshake', params);
  if (transport === 'jsonp-polling' && env.jsonp) {
    const name = nextJsonpCallback();
    env.jsonp.load(routeUrl(where, 'v1/handshake', params + '&cb=' + name), name, timeoutMs, (error, text, status) => {
      if (error || text === null) return callback(error ? error.message : 'no response', null, status);
      adopt(text, callback);
    });
    return;
  }
  // the auth payload (client/auth.ts) travels in the body, never in the URL (access logs); a script tag has none
  env.request('POST', url, handshakeBody(auth), timeoutMs, (error, result) => {
    if (error || !result) return callback(error ? error.message : 'no response', null, null);
    const refused = result.status === 401 || result.status === 403 ? authRefusal(result.body) : null;
    if (refused !== null) return callback(refused.message, null, AUTH_REFUSED, null, refused);
    if (result.status !== 200) return callback(errorMessage(result.body, result.status), null, result.status, transportsInRefusal(result.body));
    adopt(result.body, callback);
  });
}

/** Checks a handshake response body and hands it over. */
function adopt(body: string, callback: HandshakeCallback): void {
  let handshake: Handshake;
  try {
    handshake = JSON.parse(body) as Handshake;
  } catch (e) {
    return callback('handshake response is not JSON', null, null);
  }
  // a JSONP handshake's refusal comes as a call (a failed script tells the page nothing)
  const refused = authRefusal(body);
  if (refused !== null) return callback(refused.message, null, AUTH_REFUSED, null, refused);
  if (!handshake || handshake.v !== PROTOCOL_VERSION || typeof handshake.sid !== 'string' || typeof handshake.token !== 'string') {
    return callback('unexpected handshake response', null, null);
  }
  callback(null, handshake, 200);
}

function errorMessage(body: string, status: number): string {
  try {
    const parsed = JSON.parse(body) as { message?: string; error?: string };
    return String(parsed.message || parsed.error || status);
  } catch (e) {
    return 'HTTP ' + status;
  }
}
