/**
 * XHR streaming framing (the `xhr-streaming` transport): a plain-text response, one packet per
 * line. It starts with a line of 2048 spaces, because browsers and buffering proxies hold the
 * first bytes of a response back, and then the empty packet `[]`, whose arrival proves the stream
 * flows. Packet text never holds a raw line break, so a line is always one whole packet.
 */

const PADDING = new Array(2049).join(' ');

/** The padding line the stream starts with. */
export function linePrelude(): string {
  return PADDING + '\n';
}

/** One packet as a line. */
export function lineChunk(packetText: string): string {
  return packetText + '\n';
}

const BLANK = /^[ \t\r]*$/;

/**
 * Incremental decoder: feed it response text as it arrives (split anywhere), get back packet
 * texts. Lines end in LF (a CR before it is dropped); blank lines (the padding, keep-alives) are
 * skipped. Pure: text in, packets out.
 */
export class LineDecoder {
  private _pending = '';

  push(text: string): string[] {
    const packets: string[] = [];
    const buf = this._pending + text;
    let from = this._pending.length;
    let start = 0;
    for (;;) {
      const end = buf.indexOf('\n', from);
      if (end < 0) break;
      const line = buf.charCodeAt(end - 1) === 13 && end > start ? buf.slice(start, end - 1) : buf.slice(start, end);
      if (!BLANK.test(line)) packets.push(line);
      start = from = end + 1;
    }
    this._pending = buf.slice(start);
    return packets;
  }
}
