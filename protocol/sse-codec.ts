/**
 * Server-Sent Events framing (the `eventsource` transport). The response starts with a comment of
 * 2 KiB, because browsers and buffering proxies hold the first bytes of a response back; then one
 * event per packet:
 *
 *     id: <highest message seq sent on this stream so far>
 *     data: <packet>
 *     (blank line)
 *
 * A browser EventSource that reconnects by itself sends the last `id` as `Last-Event-ID`, which the
 * server reads as an ack. Packet text never holds a raw line break, so it is always one data line.
 */

const PADDING = new Array(2049).join(' ');

/** The 2 KiB comment the stream starts with. */
export function ssePrelude(): string {
  return ':' + PADDING + '\n\n';
}

const LINE_BREAK = /\r\n|\r|\n/g;

/** One event; `id` is left out when empty. Data with line breaks becomes several data lines. */
export function sseEvent(data: string, id: string): string {
  return (id === '' ? '' : 'id: ' + id + '\n') + 'data: ' + data.replace(LINE_BREAK, '\ndata: ') + '\n\n';
}

/** One dispatched event. `type` is `message` unless the stream named another. */
export interface SseEvent {
  type: string;
  data: string;
  /** The last event id at dispatch (ids persist across events until another arrives). */
  id: string;
}

/**
 * Incremental event-stream parser, as the HTML standard defines it: lines end in CRLF, LF or CR;
 * `:` starts a comment; `field: value` (one leading space of the value dropped) or a bare field
 * name; a blank line dispatches the event when it has data. Chunks may split anything, a CRLF
 * included. Pure: text in, events out.
 */
export class SseDecoder {
  private _pending = '';
  private _skipLf = false;
  private _started = false;
  private _data = '';
  private _hasData = false;
  private _type = '';
  private _id = '';

  /** The id of the last event seen (what a browser would send as `Last-Event-ID`). */
  get lastEventId(): string {
    return this._id;
  }

  push(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    if (text.length === 0) return events;
    let buf = this._pending + text;
    let scan = this._pending.length;
    let start = 0;
    if (!this._started) {
      this._started = true;
      if (buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1);
    }
    if (this._skipLf) {
      this._skipLf = false;
      if (buf.charCodeAt(0) === 10) start = scan = 1;
    }
    for (let i = scan; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this._line(buf.slice(start, i), events);
      if (c === 13) {
        if (i + 1 === buf.length) this._skipLf = true;
        else if (buf.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this._pending = buf.slice(start);
    return events;
  }

  private _line(line: string, events: SseEvent[]): void {
    if (line.length === 0) return this._dispatch(events);
    const colon = line.indexOf(':');
    if (colon === 0) return; // comment
    let field = line;
    let value = '';
    if (colon > 0) {
      field = line.slice(0, colon);
      value = line.slice(line.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1);
    }
    if (field === 'data') {
      this._data = this._hasData ? this._data + '\n' + value : value;
      this._hasData = true;
    } else if (field === 'event') {
      this._type = value;
    } else if (field === 'id') {
      if (value.indexOf('\u0000') < 0) this._id = value;
    }
    // `retry` and unknown fields are ignored: the transport decides when to reconnect
  }

  private _dispatch(events: SseEvent[]): void {
    if (this._hasData) events.push({ type: this._type === '' ? 'message' : this._type, data: this._data, id: this._id });
    this._data = '';
    this._hasData = false;
    this._type = '';
  }
}
