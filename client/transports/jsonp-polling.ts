import { JSONP_SEND_FIELD, jsonpCallbackName } from '../../protocol/index.js';
import type { ClientEnv, JsonpEnv } from '../env/env.js';
import { HttpSender, formPost } from './http-sender.js';
import type { PollKind } from './polling.js';

/**
 * JSONP long-polling, for browsers whose XMLHttpRequest cannot reach the Ferry origin: each poll
 * is a `<script>` that calls a one-off `__ferry_jsonp_<n>` callback with the packet; each send is
 * a form POST into a hidden iframe. The form's reply cannot be read, so its acks come back on the
 * polls, like every other downstream frame.
 */

// random start: two copies of the client on one page must not share callback names
let nextCallback = Math.floor(Math.random() * 1e9);

/** A fresh callback name (`__ferry_jsonp_<digits>`), never reused on this page. */
export function nextJsonpCallback(): string {
  nextCallback = (nextCallback + 1) % 1e12;
  return jsonpCallbackName(nextCallback);
}

function jsonpOf(env: ClientEnv): JsonpEnv {
  if (!env.jsonp) throw new Error('ferry: jsonp-polling is not supported here');
  return env.jsonp;
}

export const JSONP_POLL: PollKind = {
  name: 'jsonp-polling',
  route: 'jsonp',
  poll: (env, url, timeoutMs, callback) => {
    const name = nextJsonpCallback();
    return jsonpOf(env).load(url + '&cb=' + name, name, timeoutMs, (error, text, status) => {
      if (error || text === null) callback(error ? error.message : 'no response', status, null);
      else callback(null, 200, text);
    });
  },
  upstream: (env, session, owner, listener) => {
    return new HttpSender(formPost(jsonpOf(env), JSONP_SEND_FIELD), session, owner, listener);
  },
};
