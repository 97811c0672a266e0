/**
 * Iframe streaming ("forever frame") framing. The response is an HTML document that the browser
 * renders incrementally; each packet arrives as one `<script>` element calling a function the
 * parent page registered before creating the iframe.
 *
 * Safety: the packet is embedded as a JSON string literal in which `<`, `>`, `&`, U+2028 and U+2029
 * are written as \u escapes, so no payload can close the script element, open a comment, or end
 * the string. The callback name is derived from a decimal id only.
 */

/** The iframe request's `c` parameter: the callback id. */
export const IFRAME_CALLBACK_PATTERN = /^[0-9]{1,12}$/;

export function iframeCallbackName(id: string): string {
  return '__ferry_iframe_' + id;
}

/** Browsers buffer the first bytes of a document before rendering; this much padding defeats that. */
const PADDING = new Array(1025).join(' ');

export function iframePrelude(callbackId: string): string {
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>ferry</title></head><body>' +
    '<script>var f=parent.' + iframeCallbackName(callbackId) + ';</script>\n' +
    '<!--' + PADDING + '-->\n'
  );
}

const UNSAFE = /[<>&\u2028\u2029]/g;

function escapeChar(c: string): string {
  const hex = c.charCodeAt(0).toString(16);
  return '\\u' + '0000'.slice(hex.length) + hex;
}

/** `text` as a JSON string literal that is safe inside an HTML `<script>` element. */
export function scriptSafeJsonString(text: string): string {
  return JSON.stringify(text).replace(UNSAFE, escapeChar);
}

/** One packet as a script chunk. */
export function iframeChunk(packetText: string): string {
  return '<script>f(' + scriptSafeJsonString(packetText) + ');</script>\n';
}

/**
 * Incremental decoder for the Node client (browsers execute the scripts instead): feed it response
 * text as it arrives, get back packet texts.
 */
export class IframeStreamDecoder {
  private pending = '';
  private sawPrelude = false;

  push(text: string): string[] {
    this.pending += text;
    const packets: string[] = [];
    if (!this.sawPrelude) {
      const end = this.pending.indexOf('-->');
      if (end < 0) return packets;
      this.sawPrelude = true;
      this.pending = this.pending.slice(end + 3);
    }
    for (;;) {
      const start = this.pending.indexOf('<script>f(');
      if (start < 0) break;
      const end = this.pending.indexOf(');</script>', start);
      if (end < 0) break;
      const literal = this.pending.slice(start + 10, end);
      this.pending = this.pending.slice(end + 11);
      packets.push(JSON.parse(literal) as string);
    }
    return packets;
  }
}
