/** Base64 (RFC 4648, with padding) over Uint8Array, without Buffer, atob or TextEncoder. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP: number[] = [];
for (let i = 0; i < 256; i++) LOOKUP.push(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export function encodeBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    chunk += ALPHABET.charAt(v >> 18) + ALPHABET.charAt((v >> 12) & 63) + ALPHABET.charAt((v >> 6) & 63) + ALPHABET.charAt(v & 63);
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  if (n - i === 1) {
    const v = bytes[i] << 16;
    chunk += ALPHABET.charAt(v >> 18) + ALPHABET.charAt((v >> 12) & 63) + '==';
  } else if (n - i === 2) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    chunk += ALPHABET.charAt(v >> 18) + ALPHABET.charAt((v >> 12) & 63) + ALPHABET.charAt((v >> 6) & 63) + '=';
  }
  parts.push(chunk);
  return parts.join('');
}

/** Decodes strict base64; returns null for anything that is not. */
export function decodeBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  let padding = 0;
  if (text.length > 0 && text.charAt(text.length - 1) === '=') padding++;
  if (text.length > 1 && text.charAt(text.length - 2) === '=') padding++;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const a = LOOKUP[text.charCodeAt(i) & 255];
    const b = LOOKUP[text.charCodeAt(i + 1) & 255];
    const last = i + 4 === text.length;
    const c = last && padding === 2 ? 0 : LOOKUP[text.charCodeAt(i + 2) & 255];
    const d = last && padding >= 1 ? 0 : LOOKUP[text.charCodeAt(i + 3) & 255];
    if (a < 0 || b < 0 || c < 0 || d < 0 || text.charCodeAt(i) > 255 || text.charCodeAt(i + 1) > 255) return null;
    if (text.charCodeAt(i + 2) > 255 || text.charCodeAt(i + 3) > 255) return null;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >> 16;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}
