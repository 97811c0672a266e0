import { describe, expect, it } from 'vitest';
import { parseCookies } from '../../server/auth/cookies.js';

describe('parseCookies (the Cookie header a handshake middleware sees)', () => {
  it('reads name=value pairs separated by semicolons', () => {
    expect({ ...parseCookies('a=1; b=two;c=3') }).toEqual({ a: '1', b: 'two', c: '3' });
  });

  it('has no cookies for a missing or empty header', () => {
    expect({ ...parseCookies(undefined) }).toEqual({});
    expect({ ...parseCookies('') }).toEqual({});
  });

  it('removes double quotes and percent-decodes, keeping a value that does not decode as written', () => {
    expect({ ...parseCookies('q="quoted"; p=s%3Aabc%20d; broken=%E0%A4%A') }).toEqual({ q: 'quoted', p: 's:abc d', broken: '%E0%A4%A' });
  });

  it('keeps the first of two cookies with one name (the most specific path comes first)', () => {
    expect({ ...parseCookies('id=first; id=second') }).toEqual({ id: 'first' });
  });

  it('skips pairs that are not token=cookie-value instead of guessing', () => {
    expect({ ...parseCookies('ok=1; no equals; bad name=2; =empty; sp=a b; comma=a,b; semi="x; ctl=\u0001; yes=2') }).toEqual({ ok: '1', yes: '2' });
  });

  it('allows an empty value', () => {
    expect({ ...parseCookies('e=; f=""') }).toEqual({ e: '', f: '' });
  });

  it('treats __proto__ and constructor as ordinary names (no prototype to pollute)', () => {
    const cookies = parseCookies('__proto__=x; constructor=y; toString=z');
    expect(Object.getPrototypeOf(cookies)).toBeNull();
    expect(cookies['__proto__']).toBe('x');
    expect(cookies.constructor).toBe('y');
    expect(({} as { x?: unknown }).x).toBeUndefined();
  });

  it('joins a header given as an array (HTTP/2 splits cookies)', () => {
    expect({ ...parseCookies(['a=1', 'b=2']) }).toEqual({ a: '1', b: '2' });
  });
});
