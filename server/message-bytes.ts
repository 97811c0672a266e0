import type { AppData } from '../protocol/index.js';

/**
 * A message as the app's `message` listener gets it: bytes as a Buffer over the same memory (no
 * copy), whichever transport carried them (`ws` gives Buffers, the HTTP transports' base64
 * decoder plain Uint8Arrays); any other value as it is.
 */
export function messageForApp(data: AppData): AppData {
  if (data instanceof Uint8Array && !Buffer.isBuffer(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return data;
}
