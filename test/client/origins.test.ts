import { afterEach, describe, expect, it, vi } from 'vitest';
import { relayOrigins, urlOrigin } from '../../client/env/origins.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A page at http://app.example with a DOM. */
function page(): void {
  vi.stubGlobal('location', { protocol: 'http:', host: 'app.example' });
  vi.stubGlobal('document', {});
}

describe('origins of the page and the Ferry URL', () => {
  it('urlOrigin lower-cases, drops credentials and default ports, and takes only http(s)', () => {
    expect(urlOrigin('HTTP://User:pw@App.Example:80/ferry')).toBe('http://app.example');
    expect(urlOrigin('https://rt.example:443/ferry?x')).toBe('https://rt.example');
    expect(urlOrigin('https://rt.example:8443/ferry')).toBe('https://rt.example:8443');
    expect(urlOrigin('ftp://rt.example/ferry')).toBeNull();
    expect(urlOrigin('/ferry')).toBeNull();
  });

  it('a Ferry URL on the page origin needs no relay (absolute, scheme-relative or relative)', () => {
    page();
    for (const url of ['http://app.example/ferry', 'http://APP.example:80/ferry', '//app.example/ferry', '/ferry']) expect(relayOrigins(url)).toBeNull();
  });

  it('a Ferry URL on another origin gets a relay between the two origins', () => {
    page();
    expect(relayOrigins('https://rt.example/ferry')).toEqual({ origin: 'https://rt.example', pageOrigin: 'http://app.example' });
    expect(relayOrigins('//rt.example:8080/ferry')).toEqual({ origin: 'http://rt.example:8080', pageOrigin: 'http://app.example' });
  });

  it('no relay without a DOM, or where the page has no http(s) origin', () => {
    vi.stubGlobal('location', { protocol: 'http:', host: 'app.example' });
    expect(relayOrigins('https://rt.example/ferry')).toBeNull();
    page();
    vi.stubGlobal('location', { protocol: 'file:', host: '' });
    expect(relayOrigins('https://rt.example/ferry')).toBeNull();
  });
});
