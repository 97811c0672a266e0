import { readFileSync } from 'node:fs';
import { parse } from 'acorn';
import { describe, expect, it } from 'vitest';

// `npm test` builds first; these read what users are served.
const legacy = readFileSync(new URL('../../dist/client/ferry.legacy.js', import.meta.url), 'utf8');
const modern = readFileSync(new URL('../../dist/client/ferry.js', import.meta.url), 'utf8');

describe('browser bundles', () => {
  it('the legacy bundle parses as ES5', () => {
    expect(() => parse(legacy, { ecmaVersion: 5 })).not.toThrow();
  });

  it('the modern bundle is not ES5 (so the ES5 check above can fail)', () => {
    expect(() => parse(modern, { ecmaVersion: 5 })).toThrow();
  });

  it('the legacy relay (ferry-relay.legacy.js) parses as ES5 and uses no Promise, fetch, Map or Set', () => {
    const relay = readFileSync(new URL('../../dist/client/ferry-relay.legacy.js', import.meta.url), 'utf8');
    expect(() => parse(relay, { ecmaVersion: 5 })).not.toThrow();
    expect(relay).not.toMatch(/\bPromise\b|\bfetch\b|new Map\b|new Set\b/);
  });

  it.each(['fetch', 'TextEncoder', 'TextDecoder', 'WeakMap', 'Symbol', 'Reflect'])('the legacy bundle does not use %s', (name) => {
    expect(legacy).not.toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('the legacy bundle uses Promise only in emitWithAck, after checking it exists (the callback form needs none)', () => {
    const guard = /if\(typeof Promise=="undefined"\)throw new Error\("emitWithAck needs Promise/;
    expect(legacy).toMatch(guard);
    expect(legacy.match(/new Promise\(/g)).toHaveLength(1);
    expect(legacy.replace(guard, '').replace(/new Promise\(/, '')).not.toMatch(/\bPromise\b/);
  });

  it.each(['Map', 'Set'])('the legacy bundle constructs no %s', (name) => {
    expect(legacy).not.toMatch(new RegExp(`new ${name}\\b`));
  });

  it('both decode base64 with atob/btoa (client/env/browser-base64.ts), not the pure codec', () => {
    for (const bundle of [legacy, modern]) {
      expect(bundle).toMatch(/\batob\(/);
      expect(bundle).not.toContain('ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    }
  });

  it('the modern bundle leaves JSONP and the relay to ferry-cross-origin.js; the legacy bundle includes them', () => {
    const helpers = readFileSync(new URL('../../dist/client/ferry-cross-origin.js', import.meta.url), 'utf8');
    for (const code of ['__ferry_form_', 'iframe.html']) {
      expect(helpers).toContain(code);
      expect(legacy).toContain(code);
      expect(modern).not.toContain(code);
    }
    expect(modern).toContain('ferry-cross-origin.js');
    expect(legacy).not.toContain('ferry-cross-origin.js');
  });

  it('both define window.Ferry with connect', () => {
    for (const bundle of [legacy, modern]) {
      const window: { Ferry?: { connect?: unknown } } = {};
      new Function('window', bundle)(window);
      expect(typeof window.Ferry?.connect).toBe('function');
    }
  });
});
