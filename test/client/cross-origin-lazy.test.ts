import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CrossOriginHelpers, RelayRoutes } from '../../client/env/cross-origin.js';
import type { Abortable, HttpCallback, JsonpCallback, StreamHandlers } from '../../client/env/env.js';

/** A page with just enough DOM for script tags: records each script it is given. */
interface FakeScript {
  src: string;
  async: boolean;
  onload: (() => void) | null;
  onerror: (() => void) | null;
  parentNode: { removeChild(node: unknown): void } | null;
}

let scripts: FakeScript[];
let win: { FerryCrossOrigin?: unknown };

beforeEach(() => {
  vi.resetModules(); // each test gets a fresh loader, with nothing loaded yet
  vi.useFakeTimers();
  scripts = [];
  win = {};
  const head = {
    appendChild(script: FakeScript) {
      script.parentNode = head;
      scripts.push(script);
    },
    removeChild(script: FakeScript) {
      script.parentNode = null;
    },
  };
  vi.stubGlobal('window', win);
  vi.stubGlobal('document', { head, createElement: () => ({ src: '', async: false, onload: null, onerror: null, parentNode: null }) });
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

async function lazy(base = 'https://rt.example/ferry'): Promise<CrossOriginHelpers> {
  const { lazyCrossOrigin } = await import('../../client/env/cross-origin-lazy.js');
  return lazyCrossOrigin(base);
}

/** Real-looking helpers that record what they were asked. */
function helpers() {
  const calls: string[] = [];
  const aborted: string[] = [];
  const call = (what: string): Abortable => {
    calls.push(what);
    return { abort: () => aborted.push(what) };
  };
  const relay: RelayRoutes = {
    request: (method, url) => call('request ' + method + ' ' + url),
    openIframeStream: (url) => call('stream ' + url),
  };
  const made: string[] = [];
  const value: CrossOriginHelpers = {
    jsonp: { load: (url) => call('load ' + url), postForm: (url) => call('post ' + url) },
    relay: (base, origin, pageOrigin) => {
      made.push([base, origin, pageOrigin].join(' '));
      return relay;
    },
  };
  return { value, calls, aborted, made };
}

/** The browser runs the loaded script (it sets the global), then fires load. */
function runScript(script: FakeScript, value: unknown): void {
  win.FerryCrossOrigin = value;
  script.onload?.();
}

describe('cross-origin helpers loaded on first use (modern bundle)', () => {
  it('loads nothing until a helper is used', async () => {
    const l = await lazy();
    l.relay('https://rt.example/ferry', 'https://rt.example', 'https://app.example');
    expect(scripts).toEqual([]);
  });

  it('loads {base}/ferry-cross-origin.js once, async, and runs the waiting calls on arrival', async () => {
    const l = await lazy();
    const h = helpers();
    const relay = l.relay('https://rt.example/ferry', 'https://rt.example', 'https://app.example');
    l.jsonp.load('https://rt.example/ferry/v1/jsonp?cb=x', 'x', 1000, () => {});
    relay.request('POST', 'https://rt.example/ferry/v1/send', '[]', 1000, () => {});
    relay.openIframeStream('https://rt.example/ferry/v1/iframe', '1', { onPacket() {}, onEnd() {} });
    expect(scripts).toHaveLength(1);
    expect(scripts[0].src).toMatch(/^https:\/\/rt\.example\/ferry\/ferry-cross-origin\.js(\?v=[0-9a-f]+)?$/);
    expect(scripts[0].async).toBe(true);
    expect(h.calls).toEqual([]);
    runScript(scripts[0], h.value);
    expect(h.calls).toEqual(['load https://rt.example/ferry/v1/jsonp?cb=x', 'request POST https://rt.example/ferry/v1/send', 'stream https://rt.example/ferry/v1/iframe']);
    expect(h.made).toEqual(['https://rt.example/ferry https://rt.example https://app.example']);
    expect(scripts[0].parentNode).toBeNull();
    // loaded: later calls go straight through, with the same relay
    l.jsonp.postForm('https://rt.example/ferry/v1/jsonp-send', {}, 1000, () => {});
    relay.request('GET', 'https://rt.example/ferry/v1/poll', null, 1000, () => {});
    expect(scripts).toHaveLength(1);
    expect(h.calls.slice(3)).toEqual(['post https://rt.example/ferry/v1/jsonp-send', 'request GET https://rt.example/ferry/v1/poll']);
    expect(h.made).toHaveLength(1);
  });

  it('a call aborted while waiting never starts; one aborted after starting is aborted', async () => {
    const l = await lazy();
    const h = helpers();
    const first = l.jsonp.load('u1', 'a', 1000, () => {});
    const second = l.jsonp.load('u2', 'b', 1000, () => {});
    first.abort();
    runScript(scripts[0], h.value);
    expect(h.calls).toEqual(['load u2']);
    second.abort();
    expect(h.aborted).toEqual(['load u2']);
  });

  it('when the script fails, each waiting call fails as its own request would, and the next use tries again', async () => {
    const l = await lazy();
    const relay = l.relay('https://rt.example/ferry', 'https://rt.example', 'https://app.example');
    const results: string[] = [];
    const onResult: JsonpCallback = (error) => results.push('jsonp: ' + error?.message);
    const callback: HttpCallback = (error, result) => results.push('request: ' + error?.message + ' ' + result);
    const handlers: StreamHandlers = { onPacket() {}, onEnd: (status) => results.push('stream end ' + status) };
    l.jsonp.load('u', 'cb', 1000, onResult);
    l.jsonp.postForm('u', {}, 1000, (error, status) => results.push('form: ' + error?.message + ' ' + status));
    relay.request('GET', 'u', null, 1000, callback);
    relay.openIframeStream('u', '1', handlers);
    scripts[0].onerror?.();
    expect(results).toEqual([
      'jsonp: could not load ferry-cross-origin.js',
      'form: could not load ferry-cross-origin.js null',
      'request: could not load ferry-cross-origin.js null',
      'stream end null',
    ]);
    l.jsonp.load('u', 'cb', 1000, onResult);
    expect(scripts).toHaveLength(2);
  });

  it('a script that loads but hands over no helpers (or something else) counts as a failure', async () => {
    const l = await lazy();
    const results: string[] = [];
    l.jsonp.load('u', 'cb', 1000, (error) => results.push(String(error?.message)));
    runScript(scripts[0], { jsonp: {} });
    l.jsonp.load('u', 'cb', 1000, (error) => results.push(String(error?.message)));
    runScript(scripts[1], undefined);
    expect(results).toEqual(['could not load ferry-cross-origin.js', 'could not load ferry-cross-origin.js']);
  });

  it('a script that never answers fails the waiting calls after 10 s', async () => {
    const l = await lazy();
    const results: string[] = [];
    l.jsonp.load('u', 'cb', 1000, (error) => results.push(String(error?.message)));
    vi.advanceTimersByTime(9999);
    expect(results).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(results).toEqual(['could not load ferry-cross-origin.js']);
    expect(scripts[0].onload).toBeNull();
  });
});
