import { LineDecoder } from '../../protocol/index.js';
import type { Abortable, StreamHandlers } from './env.js';

/**
 * The browser's EventSource and XHR streams, written for IE11-class engines too (no Promise, no
 * fetch). Each hands over packet texts as they arrive and reports the end of the response once.
 */

/**
 * A native EventSource: each `message` event's data is a packet. On an error (the response ended,
 * failed, or was refused) the browser would reconnect by itself to the same URL, with a stale
 * `ack`, so it is stopped and the end reported; the transport opens a fresh stream. EventSource
 * does not expose the status of a refused request.
 */
export function openEventSource(url: string, handlers: StreamHandlers): Abortable {
  const source = new EventSource(url);
  let ended = false;
  const stop = () => {
    ended = true;
    source.onmessage = null;
    source.onerror = null;
    source.close();
  };
  source.onmessage = (event: MessageEvent) => {
    if (!ended) handlers.onPacket(String(event.data));
  };
  source.onerror = () => {
    if (ended) return;
    stop();
    handlers.onEnd(null);
  };
  return { abort: stop };
}

/**
 * XHR streaming: a GET whose `responseText` is read as it grows (progress events and readyState
 * 3), split into lines by a LineDecoder that also skips the padding line.
 */
export function openXhrStream(url: string, handlers: StreamHandlers): Abortable {
  const xhr = new XMLHttpRequest();
  const decoder = new LineDecoder();
  let seen = 0;
  let ended = false;
  const detach = () => {
    ended = true;
    xhr.onreadystatechange = null;
    xhr.onprogress = null;
  };
  const read = () => {
    if (ended || xhr.status !== 200) return;
    let text: string;
    try {
      text = xhr.responseText;
    } catch (e) {
      return; // not readable yet in some engines
    }
    if (text.length <= seen) return;
    const packets = decoder.push(text.slice(seen));
    seen = text.length;
    for (let i = 0; i < packets.length && !ended; i++) handlers.onPacket(packets[i]);
  };
  xhr.onprogress = read;
  xhr.onreadystatechange = () => {
    if (xhr.readyState === 3) read();
    if (xhr.readyState !== 4) return;
    read();
    if (ended) return;
    const status = xhr.status;
    detach();
    handlers.onEnd(status === 200 || status === 0 ? null : status);
  };
  xhr.open('GET', url, true);
  xhr.send(null);
  return {
    abort: () => {
      if (ended) return;
      detach();
      try {
        xhr.abort();
      } catch (e) {
        // already finished
      }
    },
  };
}
