import type { ClientEnv } from '../env/env.js';
import { HttpSender, xhrPost } from './http-sender.js';
import { PollingTransport, type PollKind } from './polling.js';
import type { ClientTransportListener, SessionRef } from './transport.js';

/** XHR long-polling: the poll is an XMLHttpRequest GET, sends are POSTs whose replies carry acks. */
export const XHR_POLL: PollKind = {
  name: 'xhr-polling',
  route: 'poll',
  poll: function (env, url, timeoutMs, callback) {
    return env.request('GET', url, null, timeoutMs, function (error, result) {
      if (error || !result) callback(error ? error.message : 'no response', null, null);
      else callback(null, result.status, result.body);
    });
  },
  upstream: function (env, session, owner, listener) {
    return new HttpSender(xhrPost(env), session, owner, listener);
  },
};

export class XhrPollingTransport extends PollingTransport {
  constructor(env: ClientEnv, session: SessionRef, epoch: number, listener: ClientTransportListener) {
    super(XHR_POLL, env, session, epoch, listener);
  }
}
