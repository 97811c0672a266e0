import { decodeJsonpBody } from '../../protocol/index.js';
import type { JsonpEnv } from './env.js';
import { request } from './node-http.js';

/**
 * `jsonp-polling` for Node, so tests and tools can drive the transport a browser without CORS
 * uses: the script is fetched and its one string argument decoded (never evaluated); the form
 * post is an urlencoded POST.
 */
export const nodeJsonp: JsonpEnv = {
  load(url, callbackName, timeoutMs, onResult) {
    return request('GET', url, null, timeoutMs, (error, result) => {
      if (error || !result) return onResult(error ?? new Error('no response'), null, null);
      if (result.status !== 200) return onResult(new Error('HTTP ' + result.status + ': ' + result.body), null, result.status);
      const text = decodeJsonpBody(result.body, callbackName);
      if (text === null) return onResult(new Error('not a JSONP call of ' + callbackName), null, null);
      onResult(null, text, result.status);
    });
  },
  postForm(url, fields, timeoutMs, onDone) {
    const form = { type: 'application/x-www-form-urlencoded', text: new URLSearchParams(fields).toString() };
    return request('POST', url, form, timeoutMs, (error, result) => {
      if (error || !result) return onDone(error ?? new Error('no response'), null);
      if (result.status !== 200) return onDone(new Error('HTTP ' + result.status + ': ' + result.body), result.status);
      onDone(null, result.status);
    });
  },
};
