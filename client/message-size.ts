import { utf8Length, type JsonValue } from '../protocol/index.js';

/**
 * Whether a stored message (its JSON text, or its bytes) makes a frame larger than a server with
 * `maxMessageSize` accepts: the frame adds `["m",seq,` and `]` (at most 24 bytes) to JSON text, and
 * bytes travel as base64 (4/3) plus 32; 64 bytes are left for the packet around it.
 */
export function exceedsMaxMessageSize(maxMessageSize: number): (item: string | Uint8Array) => boolean {
  const max = maxMessageSize - 64;
  return (item) => {
    if (typeof item !== 'string') return Math.ceil((item.byteLength * 4) / 3) + 32 > max;
    return item.length * 3 + 24 > max && utf8Length(item) + 24 > max;
  };
}

/** A stored message as the app sent it: a JSON value (parsed back from its text), or its bytes. */
export function storedMessage(item: string | Uint8Array): JsonValue | Uint8Array {
  return typeof item === 'string' ? (JSON.parse(item) as JsonValue) : item;
}
