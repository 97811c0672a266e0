/**
 * Binary messages travel natively over WebSocket as one binary WebSocket message each:
 *   byte 0      0x62 ('b')
 *   bytes 1-8   sequence number, IEEE-754 float64 big-endian (exact up to 2^53)
 *   bytes 9-    the payload
 * Text-only transports carry the same message as `["b",seq,"<base64>"]` instead.
 */
export const BINARY_FRAME_HEADER = 9;
const MARKER = 0x62;

export function encodeBinaryFrame(seq: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(BINARY_FRAME_HEADER + payload.length);
  out[0] = MARKER;
  new DataView(out.buffer).setFloat64(1, seq, false);
  out.set(payload, BINARY_FRAME_HEADER);
  return out;
}

/** Returns null when the bytes are not a well-formed binary frame. */
export function decodeBinaryFrame(bytes: Uint8Array): { seq: number; data: Uint8Array } | null {
  if (bytes.length < BINARY_FRAME_HEADER || bytes[0] !== MARKER) return null;
  const seq = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat64(1, false);
  if (!(seq >= 1 && seq <= 9007199254740991 && seq % 1 === 0)) return null;
  return { seq, data: bytes.subarray(BINARY_FRAME_HEADER) };
}
