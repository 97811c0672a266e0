import { afterEach, describe, expect, it, vi } from 'vitest';
import { xhrReaches } from '../../client/env/origins.js';
import { nodeEnv } from '../../client/env/node.js';
import { TransportPlan } from '../../client/transport-plan.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A page at http://app.example whose XMLHttpRequest does or does not speak CORS. */
function page(cors: boolean): void {
  vi.stubGlobal('location', { protocol: 'http:', host: 'app.example' });
  vi.stubGlobal('XMLHttpRequest', cors ? class { withCredentials = false } : class {});
}

describe('XHR reach in the browser', () => {
  it('same origin (default port or relative URL) is always reachable', () => {
    page(false);
    expect(xhrReaches('http://app.example/ferry')).toBe(true);
    expect(xhrReaches('http://APP.example:80/ferry')).toBe(true);
    expect(xhrReaches('//app.example/ferry')).toBe(true);
    expect(xhrReaches('/ferry')).toBe(true);
  });

  it('another origin needs an XHR with CORS', () => {
    page(false);
    expect(xhrReaches('http://rt.example/ferry')).toBe(false);
    expect(xhrReaches('https://app.example/ferry')).toBe(false);
    expect(xhrReaches('http://app.example:8080/ferry')).toBe(false);
    page(true);
    expect(xhrReaches('http://rt.example/ferry')).toBe(true);
  });
});

describe('transport choice without XHR reach', () => {
  it('leaves only jsonp-polling (and WebSocket) usable, and starts on jsonp-polling', () => {
    const env = { ...nodeEnv, xhrReachesServer: false };
    const plan = new TransportPlan(['websocket', 'iframe-streaming', 'xhr-polling', 'jsonp-polling'], env, null);
    expect(plan.usable()).toEqual(['websocket', 'jsonp-polling']);
    expect(plan.startTransport()).toBe('jsonp-polling');
  });

  it('still prefers xhr-polling where XHR reaches the server', () => {
    const plan = new TransportPlan(['websocket', 'xhr-polling', 'jsonp-polling'], nodeEnv, null);
    expect(plan.startTransport()).toBe('xhr-polling');
  });

  it('has no jsonp-polling without a DOM to make script tags', () => {
    const plan = new TransportPlan(['jsonp-polling'], { ...nodeEnv, jsonp: null }, null);
    expect(plan.usable()).toEqual([]);
  });
});
