/**
 * protocol/base64.ts for browsers, on atob and btoa (every browser with Uint8Array has them). The
 * browser bundles use this file in its place (scripts/build.mjs), with the same contract: strict
 * base64 with padding in, null for anything else.
 */

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  // in slices: apply() takes a bounded number of arguments
  for (let i = 0; i < bytes.length; i += 8192) binary += String.fromCharCode.apply(null, Array.prototype.slice.call(bytes.subarray(i, i + 8192)));
  return btoa(binary);
}

/** Decodes strict base64; returns null for anything that is not (atob alone would take more). */
export function decodeBase64(text: string): Uint8Array | null {
  const n = text.length;
  const pad = text.indexOf('=');
  if (n % 4 !== 0 || /[^A-Za-z0-9+\/=]/.test(text) || (pad >= 0 && pad < n - 2) || (pad === n - 2 && text.charAt(n - 1) !== '=')) return null;
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
