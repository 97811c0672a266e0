import { PROTOCOL_VERSION, type Handshake, type TransportName } from '../protocol/index.js';
import type { ClientEnv } from './env/env.js';

export type HandshakeCallback = (error: string | null, handshake: Handshake | null, status: number | null) => void;

/** `POST {base}/v1/handshake`: creates a session and returns its id, token and settings. */
export function requestHandshake(env: ClientEnv, baseUrl: string, transport: TransportName, timeoutMs: number, callback: HandshakeCallback): void {
  env.request('POST', baseUrl + '/v1/handshake?transport=' + transport, '', timeoutMs, function (error, result) {
    if (error || !result) return callback(error ? error.message : 'no response', null, null);
    if (result.status !== 200) return callback(errorMessage(result.body, result.status), null, result.status);
    let handshake: Handshake;
    try {
      handshake = JSON.parse(result.body) as Handshake;
    } catch (e) {
      return callback('handshake response is not JSON', null, null);
    }
    if (!handshake || handshake.v !== PROTOCOL_VERSION || typeof handshake.sid !== 'string' || typeof handshake.token !== 'string') {
      return callback('unexpected handshake response', null, null);
    }
    callback(null, handshake, 200);
  });
}

function errorMessage(body: string, status: number): string {
  try {
    const parsed = JSON.parse(body) as { message?: string; error?: string };
    return String(parsed.message || parsed.error || status);
  } catch (e) {
    return 'HTTP ' + status;
  }
}
