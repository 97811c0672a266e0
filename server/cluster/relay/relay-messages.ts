/**
 * The messages of the request relay (server/cluster/relay/), one JSON object per PUBLISH on the
 * channel `{prefix}:relay:{nodeId}` of the node it is for. `from` is the sender's node id, `id`
 * the edge node's number for the relayed request (unique per edge node while it runs).
 *
 * Edge → owner: `req` (the request), `credit` (bytes of the response written to the client),
 * `close` (the client's connection closed). Owner → edge: `head`, `data`, `end`, `destroy`.
 */

/** Request headers as Node gives them (lowercased names). */
export type RelayedHeaders = Record<string, string | string[]>;
/** Response headers as a route gives them to `writeHead`. */
export type ResponseHeaders = Record<string, string | number | string[]>;

export type RelayMessage =
  | { t: 'req'; from: string; id: number; method: string; url: string; headers: RelayedHeaders; addr: string | null; body: string }
  | { t: 'credit'; from: string; id: number; n: number }
  | { t: 'close'; from: string; id: number }
  | { t: 'head'; from: string; id: number; status: number; headers: ResponseHeaders }
  /** A chunk of the response: `s` text, or `b` bytes as base64. */
  | { t: 'data'; from: string; id: number; s?: string; b?: string }
  | { t: 'end'; from: string; id: number }
  | { t: 'destroy'; from: string; id: number }
  // a WebSocket joining a session (ws-relay.ts): edge → owner
  | { t: 'wsopen'; from: string; id: number; url: string; headers: RelayedHeaders; addr: string | null }
  | { t: 'wsmsg'; from: string; id: number; s?: string; b?: string }
  | { t: 'wscredit'; from: string; id: number; n: number }
  | { t: 'wsclosed'; from: string; id: number; code: number }
  // owner → edge
  | { t: 'wsok'; from: string; id: number }
  | { t: 'wsrefuse'; from: string; id: number; status: number; body: string }
  | { t: 'wsdata'; from: string; id: number; s?: string; b?: string }
  | { t: 'wsclose'; from: string; id: number; code: number; reason: string }
  | { t: 'wsterminate'; from: string; id: number };

const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const METHOD = /^[A-Z]{1,16}$/;
/** Longest request URL relayed (Node's own header limit is 16 KiB for the whole head). */
const MAX_URL = 16_384;

/** The owner a session id names (`{nodeId}~{random}`), or null when it names none. */
export function sessionOwner(sid: string): string | null {
  const tilde = sid.indexOf('~');
  if (tilde < 1) return null;
  const owner = sid.slice(0, tilde);
  return NODE_ID.test(owner) ? owner : null;
}

/** The message `text` holds, or null when it is not a well-formed relay message. */
export function parseRelayMessage(text: string): RelayMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const m = value as Record<string, unknown>;
  if (typeof m.from !== 'string' || !NODE_ID.test(m.from) || !Number.isSafeInteger(m.id) || (m.id as number) < 1) return null;
  switch (m.t) {
    case 'req':
      if (typeof m.method !== 'string' || !METHOD.test(m.method)) return null;
      if (typeof m.url !== 'string' || m.url.charAt(0) !== '/' || m.url.length > MAX_URL) return null;
      if (!isHeaders(m.headers, false) || (m.addr !== null && typeof m.addr !== 'string') || typeof m.body !== 'string') return null;
      break;
    case 'wsopen':
      if (typeof m.url !== 'string' || m.url.charAt(0) !== '/' || m.url.length > MAX_URL) return null;
      if (!isHeaders(m.headers, false) || (m.addr !== null && typeof m.addr !== 'string')) return null;
      break;
    case 'wsclosed':
      if (!Number.isInteger(m.code) || (m.code as number) < 0 || (m.code as number) > 4999) return null;
      break;
    case 'wsrefuse':
      if (!Number.isInteger(m.status) || (m.status as number) < 400 || (m.status as number) > 599 || typeof m.body !== 'string' || m.body.length > 4096) return null;
      break;
    case 'wsclose':
      if (!Number.isInteger(m.code) || (m.code as number) < 1000 || (m.code as number) > 4999 || typeof m.reason !== 'string' || Buffer.byteLength(m.reason) > 123) return null;
      break;
    case 'wscredit':
    case 'credit':
      if (!Number.isSafeInteger(m.n) || (m.n as number) < 0) return null;
      break;
    case 'head':
      if (!Number.isInteger(m.status) || (m.status as number) < 100 || (m.status as number) > 599 || !isHeaders(m.headers, true)) return null;
      break;
    case 'wsmsg':
    case 'wsdata':
    case 'data':
      if ((typeof m.s === 'string') === (typeof m.b === 'string')) return null;
      break;
    case 'close':
    case 'end':
    case 'destroy':
    case 'wsok':
    case 'wsterminate':
      break;
    default:
      return null;
  }
  return m as RelayMessage;
}

function isHeaders(value: unknown, numbers: boolean): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const v of Object.values(value as Record<string, unknown>)) {
    if (typeof v === 'string' || (numbers && typeof v === 'number')) continue;
    if (!Array.isArray(v) || !v.every((one) => typeof one === 'string')) return false;
  }
  return true;
}
