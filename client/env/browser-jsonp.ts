import type { Abortable, JsonpCallback, JsonpEnv } from './env.js';

/**
 * `jsonp-polling` in the browser, for pages whose XMLHttpRequest cannot reach the Ferry origin
 * (no CORS): downstream through `<script>` elements, upstream through a form posted into a hidden
 * iframe. Written for IE-class engines: no Promise, no addEventListener-only APIs.
 */
declare const window: Window & Record<string, unknown>;

type ScriptElement = HTMLScriptElement & { onerror: ((event: unknown) => void) | null };

function remove(node: Node): void {
  if (node.parentNode) node.parentNode.removeChild(node);
}

function forget(name: string): void {
  try {
    delete window[name];
  } catch (e) {
    window[name] = undefined; // IE8 cannot delete window properties
  }
}

type LoadTarget = {
  addEventListener?: (type: string, listener: () => void) => void;
  attachEvent?: (type: string, listener: () => void) => void;
};

/**
 * Runs `start` once the document has loaded. A script or iframe added while the page loads holds
 * its load event back until it completes, so a held poll, and the next one, would keep the page
 * "loading" (its spinner turning, its `onload` never run) for as long as the session lasts.
 */
function afterLoad(start: () => void): void {
  if (document.readyState === 'complete') return start();
  const target = window as unknown as LoadTarget;
  if (target.addEventListener) target.addEventListener('load', start);
  else if (target.attachEvent) target.attachEvent('onload', start);
  else start();
}

function load(url: string, callbackName: string, timeoutMs: number, onResult: JsonpCallback): Abortable {
  const script = document.createElement('script') as ScriptElement;
  let done = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // `lateScript`: the script may still run (we gave up on it); it then finds a no-op that removes
  // itself instead of throwing on a missing callback.
  const finish = (error: Error | null, text: string | null, lateScript: boolean) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    script.onload = null;
    script.onerror = null;
    remove(script);
    if (lateScript) {
      window[callbackName] = () => {
        forget(callbackName);
      };
    } else forget(callbackName);
    if (error || text !== null) onResult(error, text, null);
  };
  window[callbackName] = (text: unknown) => {
    if (typeof text === 'string') finish(null, text, false);
    else finish(new Error('the script passed no string'), null, false);
  };
  // a 4xx (JSON, refused as a script) or a network failure; an executed script that did not call back
  script.onerror = () => {
    finish(new Error('script request failed'), null, false);
  };
  script.onload = () => {
    finish(new Error('the script did not call ' + callbackName), null, false);
  };
  script.async = true;
  script.src = url;
  afterLoad(() => {
    if (done) return;
    timer = setTimeout(() => {
      finish(new Error('request timed out'), null, true);
    }, timeoutMs);
    (document.getElementsByTagName('head')[0] || document.documentElement).appendChild(script);
  });
  return {
    abort: () => {
      finish(null, null, true);
    },
  };
}

let nextFrame = 1;

function postForm(url: string, fields: { [name: string]: string }, timeoutMs: number, onDone: (error: Error | null, status: number | null) => void): Abortable {
  const name = '__ferry_form_' + nextFrame++ + '_' + Math.floor(Math.random() * 1e9);
  const iframe = document.createElement('iframe');
  const form = document.createElement('form');
  let done = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finish = (error: Error | null, report: boolean) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    iframe.onload = null;
    remove(form);
    // not from inside the iframe's own load handler
    setTimeout(() => {
      remove(iframe);
    }, 0);
    if (report) onDone(error, null);
  };
  iframe.name = name;
  iframe.style.display = 'none';
  iframe.setAttribute('aria-hidden', 'true');
  form.method = 'POST';
  form.action = url;
  form.target = name;
  form.enctype = 'application/x-www-form-urlencoded';
  form.acceptCharset = 'UTF-8';
  form.style.display = 'none';
  for (const key in fields) {
    if (!Object.prototype.hasOwnProperty.call(fields, key)) continue;
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = key;
    input.value = fields[key];
    form.appendChild(input);
  }
  afterLoad(() => {
    if (done) return;
    timer = setTimeout(() => {
      finish(new Error('form post timed out'), true);
    }, timeoutMs);
    const parent = document.body || document.documentElement;
    parent.appendChild(iframe);
    // the reply is cross-origin and unreadable: its load (or an error page's) is all we learn
    iframe.onload = () => {
      let blank = false;
      try {
        blank = (iframe.contentWindow as Window).location.href === 'about:blank';
      } catch (e) {
        // cross-origin: the reply has loaded
      }
      if (!blank) finish(null, true);
    };
    parent.appendChild(form);
    form.submit();
  });
  return {
    abort: () => {
      finish(null, false);
    },
  };
}

export const browserJsonp: JsonpEnv = { load: load, postForm: postForm };
