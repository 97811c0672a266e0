import { isTransportName, type TransportName } from '../protocol/index.js';

/**
 * What a server says it allows when it refuses a transport: the `transports` of a
 * `403 transport_disabled` body, or the list in the reason of a WebSocket closed with 4014
 * (`transport disabled; enabled: xhr-streaming,xhr-polling`). Unknown names are skipped.
 */

/** The transports a refusal body names, or null when it is no `transport_disabled` with a list (an older server). */
export function transportsInRefusal(body: string): TransportName[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    return null;
  }
  if (!parsed || typeof parsed !== 'object') return null;
  const refusal = parsed as { error?: unknown; transports?: unknown };
  if (refusal.error !== 'transport_disabled' || !Array.isArray(refusal.transports)) return null;
  return known(refusal.transports);
}

/** The transports a 4014 close reason names (none when it names none). */
export function transportsInCloseReason(reason: string): TransportName[] {
  const marker = 'enabled: ';
  const at = reason.indexOf(marker);
  return at < 0 ? [] : known(reason.slice(at + marker.length).split(','));
}

function known(values: unknown[]): TransportName[] {
  const out: TransportName[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (isTransportName(value)) out.push(value);
  }
  return out;
}
