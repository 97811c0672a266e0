import { HttpSender, xhrPost } from './http-sender.js';
import type { PollKind } from './polling.js';

/** XHR long-polling: the poll is an XMLHttpRequest GET, sends are POSTs whose replies carry acks. */
export const XHR_POLL: PollKind = {
  name: 'xhr-polling',
  route: 'poll',
  poll: (env, url, timeoutMs, callback) => {
    return env.request('GET', url, null, timeoutMs, (error, result) => {
      if (error || !result) callback(error ? error.message : 'no response', null, null);
      else callback(null, result.status, result.body);
    });
  },
  upstream: (env, session, owner, listener) => {
    return new HttpSender(xhrPost(env), session, owner, listener);
  },
};
