/** Longest close reason a WebSocket close frame carries, in bytes of UTF-8 (RFC 6455 5.5: 125 less the code). */
const MAX_REASON_BYTES = 123;

/** `reason`, cut to fit a WebSocket close frame (123 bytes of UTF-8), never inside a character. */
export function closeReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_REASON_BYTES) return reason;
  let cut = Buffer.from(reason).subarray(0, MAX_REASON_BYTES).toString('utf8');
  // a character cut in two decodes as U+FFFD (3 bytes): drop it, and anything that still does not fit
  while (Buffer.byteLength(cut) > MAX_REASON_BYTES || cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return cut;
}
