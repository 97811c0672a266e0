import { iframeCallbackName } from '../../protocol/index.js';
import type { Abortable, ClientEnv, HttpCallback, StreamHandlers, WebSocketLike } from './env.js';

/**
 * The browser platform, written for IE11-class engines too: XMLHttpRequest (no fetch), callbacks
 * (no Promise), plain objects (no Map/Set).
 */
declare const window: Window & Record<string, unknown>;

function request(method: 'GET' | 'POST', url: string, body: string | null, timeoutMs: number, callback: HttpCallback): Abortable {
  const xhr = new XMLHttpRequest();
  let done = false;
  const finish = function (error: Error | null, status: number, text: string) {
    if (done) return;
    done = true;
    clearTimeout(timer);
    xhr.onreadystatechange = null;
    callback(error, error ? null : { status: status, body: text });
  };
  const timer = setTimeout(function () {
    finish(new Error('request timed out'), 0, '');
    try {
      xhr.abort();
    } catch (e) {
      // already finished
    }
  }, timeoutMs);
  xhr.open(method, url, true);
  xhr.onreadystatechange = function () {
    if (xhr.readyState !== 4) return;
    if (xhr.status === 0) finish(new Error('network error'), 0, '');
    else finish(null, xhr.status, xhr.responseText);
  };
  // text/plain keeps cross-origin sends "simple" (no preflight)
  if (body !== null) xhr.setRequestHeader('Content-Type', 'text/plain;charset=UTF-8');
  xhr.send(body);
  return {
    abort: function () {
      done = true;
      clearTimeout(timer);
      xhr.onreadystatechange = null;
      try {
        xhr.abort();
      } catch (e) {
        // ignore
      }
    },
  };
}

function openIframeStream(url: string, callbackId: string, handlers: StreamHandlers): Abortable {
  const name = iframeCallbackName(callbackId);
  let ended = false;
  const iframe = document.createElement('iframe');
  const cleanup = function () {
    ended = true;
    window[name] = undefined;
    iframe.onload = null;
    try {
      iframe.src = 'about:blank';
    } catch (e) {
      // ignore
    }
    if (iframe.parentNode) iframe.parentNode.removeChild(iframe);
  };
  window[name] = function (packet: string) {
    if (!ended) handlers.onPacket(packet);
  };
  iframe.style.display = 'none';
  iframe.setAttribute('aria-hidden', 'true');
  // load fires when the response ends (or fails): the stream is over either way
  iframe.onload = function () {
    if (ended) return;
    cleanup();
    handlers.onEnd(null);
  };
  iframe.src = url;
  (document.body || document.documentElement).appendChild(iframe);
  return { abort: cleanup };
}

function createWebSocket(url: string): WebSocketLike {
  const ws = new WebSocket(url) as unknown as WebSocketLike;
  ws.binaryType = 'arraybuffer';
  return ws;
}

const queue = typeof queueMicrotask === 'function' ? queueMicrotask : null;

export function browserEnv(): ClientEnv {
  return {
    request: request,
    createWebSocket: typeof WebSocket === 'function' || typeof WebSocket === 'object' ? createWebSocket : null,
    openIframeStream: typeof document !== 'undefined' ? openIframeStream : null,
    defer: queue
      ? function (fn: () => void) {
          queue(fn);
        }
      : function (fn: () => void) {
          setTimeout(fn, 0);
        },
  };
}
