import { describe, expect, it } from 'vitest';
import { decodeRelayMessage, encodeRelayMessage, type RelayMessage } from '../../protocol/index.js';
import type { Abortable, HttpCallback, StreamHandlers } from '../../client/env/env.js';
import { RelayHost, type RelayPlatform } from '../../client/relay/relay-host.js';

const PAGE = 'http://app.example:8080';

interface Call {
  kind: 'stream' | 'request';
  url: string;
  callbackId?: string;
  handlers?: StreamHandlers;
  callback?: HttpCallback;
  aborted: boolean;
}

/** A relay with a fake parent window and a fake platform that records what it was asked to do. */
function relay() {
  const posted: { message: RelayMessage | null; target: string }[] = [];
  const parent = { postMessage: (text: string, target: string) => posted.push({ message: decodeRelayMessage(text), target }) };
  const calls: Call[] = [];
  const platform: RelayPlatform = {
    openIframeStream(url, callbackId, handlers): Abortable {
      const call: Call = { kind: 'stream', url, callbackId, handlers, aborted: false };
      calls.push(call);
      return { abort: () => void (call.aborted = true) };
    },
    request(_method, url, _body, _timeout, callback): Abortable {
      const call: Call = { kind: 'request', url, callback, aborted: false };
      calls.push(call);
      return { abort: () => void (call.aborted = true) };
    },
  };
  const host = new RelayHost(PAGE, parent, '/ferry', platform);
  const fromParent = (message: RelayMessage | string, origin = PAGE, source: unknown = parent) =>
    host.receive({ origin, source, data: typeof message === 'string' ? message : encodeRelayMessage(message) });
  return { host, parent, posted, calls, fromParent };
}

const OPEN: RelayMessage = { type: 'open', id: '1', url: 'v1/iframe?sid=S&t=T&e=1&ack=0&c=42' };

describe('relay host (inside {path}/iframe.html)', () => {
  it('says ready to the parent origin, never to "*"', () => {
    const r = relay();
    r.host.start();
    expect(r.posted).toEqual([{ message: { type: 'ready' }, target: PAGE }]);
  });

  it('opens a same-origin iframe stream under its own path and forwards packets and the end', () => {
    const r = relay();
    r.fromParent(OPEN);
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0].url).toBe('/ferry/v1/iframe?sid=S&t=T&e=1&ack=0&c=42&o=' + encodeURIComponent(PAGE));
    expect(r.calls[0].callbackId).toBe('42');
    r.calls[0].handlers?.onPacket('[]');
    r.calls[0].handlers?.onEnd(null);
    expect(r.posted).toEqual([
      { message: { type: 'packet', id: '1', text: '[]' }, target: PAGE },
      { message: { type: 'end', id: '1', status: null }, target: PAGE },
    ]);
  });

  it('ignores messages from another origin', () => {
    const r = relay();
    r.fromParent(OPEN, 'https://evil.example');
    r.fromParent(OPEN, 'null');
    expect(r.calls).toEqual([]);
    expect(r.posted).toEqual([]);
  });

  it('ignores messages from the right origin but another window than its parent', () => {
    const r = relay();
    r.fromParent(OPEN, PAGE, { postMessage() {} });
    r.fromParent(OPEN, PAGE, null);
    expect(r.calls).toEqual([]);
  });

  it.each([
    ['not JSON', 'open 1'],
    ['not a relay message', JSON.stringify({ type: 'open', id: '1', url: OPEN.type === 'open' ? OPEN.url : '' })],
    ['an object, not a string', { relay: 1 } as unknown as string],
    ['a non-numeric id', '{"relay":1,"type":"open","id":"x","url":"v1/iframe?c=1"}'],
  ])('ignores %s', (_what, data) => {
    const r = relay();
    r.host.receive({ origin: PAGE, source: r.parent, data });
    expect(r.calls).toEqual([]);
    expect(r.posted).toEqual([]);
  });

  it.each([
    'http://evil.example/ferry/v1/iframe?c=1',
    '//evil.example/ferry/v1/iframe?c=1',
    '/etc/passwd',
    '../v1/iframe?c=1',
    'v1/../../admin?c=1',
    'v1/iframe/../../../x?c=1',
    'v1\\iframe?c=1',
    'v1/iframe#?c=1',
  ])('fetches nothing outside its own Ferry path: %s', (url) => {
    const r = relay();
    r.fromParent(`{"relay":1,"type":"open","id":"1","url":${JSON.stringify(url)}}`);
    r.fromParent(`{"relay":1,"type":"request","id":"2","method":"GET","url":${JSON.stringify(url)},"body":null,"timeout":1000}`);
    expect(r.calls).toEqual([]);
  });

  it('opens only the iframe route, with a callback id, and without an o of its own', () => {
    const r = relay();
    r.fromParent({ type: 'open', id: '1', url: 'v1/poll?sid=S&c=1' });
    r.fromParent({ type: 'open', id: '2', url: 'v1/iframe?sid=S' });
    r.fromParent({ type: 'open', id: '3', url: 'v1/iframe?sid=S&c=1&o=https%3A%2F%2Fevil.example' });
    expect(r.calls).toEqual([]);
    expect(r.posted.map((p) => p.message)).toEqual(['1', '2', '3'].map((id) => ({ type: 'end', id, status: null })));
  });

  it('runs requests same-origin and answers with the status and body, or the error', () => {
    const r = relay();
    r.fromParent({ type: 'request', id: '5', method: 'POST', url: 'v1/send?sid=S&t=T', body: '[]', timeout: 1000 });
    r.fromParent({ type: 'request', id: '6', method: 'GET', url: 'v1/poll?sid=S&t=T&e=1', body: null, timeout: 1000 });
    expect(r.calls.map((c) => c.url)).toEqual(['/ferry/v1/send?sid=S&t=T', '/ferry/v1/poll?sid=S&t=T&e=1']);
    r.calls[0].callback?.(null, { status: 200, body: '[["a",0]]' });
    r.calls[1].callback?.(new Error('request timed out'), null);
    expect(r.posted).toEqual([
      { message: { type: 'response', id: '5', status: 200, body: '[["a",0]]', error: null }, target: PAGE },
      { message: { type: 'response', id: '6', status: 0, body: '', error: 'request timed out' }, target: PAGE },
    ]);
  });

  it('aborts a stream or a request the parent no longer wants, once', () => {
    const r = relay();
    r.fromParent(OPEN);
    r.fromParent({ type: 'request', id: '2', method: 'GET', url: 'v1/poll?sid=S', body: null, timeout: 1000 });
    r.fromParent({ type: 'abort', id: '1' });
    r.fromParent({ type: 'abort', id: '2' });
    r.fromParent({ type: 'abort', id: '1' });
    expect(r.calls.map((c) => c.aborted)).toEqual([true, true]);
  });

  it('refuses an id already in use', () => {
    const r = relay();
    r.fromParent(OPEN);
    r.fromParent(OPEN);
    expect(r.calls).toHaveLength(1);
  });
});
