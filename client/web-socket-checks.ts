/**
 * What the WHATWG WebSocket interface checks before it does anything (client/web-socket.ts): the
 * URL, the subprotocol list, `close()`'s code and reason, and the errors it throws for them. ES5.
 */
import { utf8Length } from '../protocol/index.js';

/** A DOMException named `name` (`SyntaxError`, `InvalidStateError` …) where it exists, else an Error with that name. */
export function domError(name: string, message: string): Error {
  if (typeof DOMException === 'function') {
    try {
      return new DOMException(message, name) as unknown as Error;
    } catch (e) {
      // IE11: DOMException is not a constructor
    }
  }
  const error = new Error(message);
  error.name = name;
  return error;
}

function syntaxError(message: string): Error {
  return domError('SyntaxError', 'WebSocket: ' + message);
}

/**
 * The `url` attribute for the URL the page gave: resolved against the document's base URL,
 * `http:`/`https:` turned into `ws:`/`wss:`, any other scheme or a fragment refused with a
 * SyntaxError, as the constructor's steps say.
 */
export function webSocketUrl(given: string): string {
  let href: string;
  const base = typeof location !== 'undefined' && location ? location.href : undefined;
  if (typeof URL === 'function') {
    try {
      href = new URL(given, base).href;
    } catch (e) {
      throw syntaxError('invalid URL ' + given);
    }
  } else {
    // no URL parser (IE11): a link element resolves a relative URL, the rest is taken as written
    href = given;
    if (!/^[a-z][a-z0-9+.-]*:/i.test(given) && typeof document !== 'undefined') {
      const a = document.createElement('a');
      a.href = given;
      href = a.href;
    }
    if (!/^[a-z][a-z0-9+.-]*:\/\/[^\/?#]+/i.test(href)) throw syntaxError('invalid URL ' + given);
    href = href.replace(/^[a-z]+/i, (scheme) => scheme.toLowerCase());
  }
  href = href.replace(/^http(s?):/, 'ws$1:');
  if (!/^wss?:/.test(href)) throw syntaxError('the scheme must be ws, wss, http or https: ' + given);
  if (href.indexOf('#') >= 0) throw syntaxError('a fragment is not allowed: ' + given);
  return href;
}

/** The `origin` of the messages: the URL's scheme, host and port. */
export function urlOrigin(url: string): string {
  const m = /^[a-z]+:\/\/[^\/?#]*/.exec(url);
  return m ? m[0] : url;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The constructor's `protocols`: each a token (RFC 7230), none twice; a SyntaxError otherwise. */
export function checkProtocols(protocols: string | string[] | undefined): string[] {
  if (protocols === undefined) return [];
  const list: string[] = [];
  const given: unknown[] = Object.prototype.toString.call(protocols) === '[object Array]' ? (protocols as string[]) : [protocols];
  for (let i = 0; i < given.length; i++) {
    const p = String(given[i]);
    for (let j = 0; j < list.length; j++) if (list[j] === p) throw syntaxError('duplicate subprotocol ' + p);
    if (!TOKEN.test(p)) throw syntaxError('invalid subprotocol ' + p);
    list.push(p);
  }
  return list;
}

/**
 * `close(code, reason)`'s arguments, as WebIDL converts them (an unsigned short clamped, a USV
 * string) and the method checks them: the code 1000 or 3000–4999 (InvalidAccessError), the
 * reason at most 123 bytes of UTF-8 (SyntaxError).
 */
export function checkClose(code: unknown, reason: unknown): { code: number | undefined; reason: string | undefined } {
  let c: number | undefined;
  if (code !== undefined) {
    c = clampUnsignedShort(Number(code));
    if (c !== 1000 && (c < 3000 || c > 4999)) {
      throw domError('InvalidAccessError', 'WebSocket: the close code must be 1000 or 3000-4999, not ' + c);
    }
  }
  let r: string | undefined;
  if (reason !== undefined) {
    r = usvString(reason);
    if (utf8Length(r) > 123) throw domError('SyntaxError', 'WebSocket: the close reason is over 123 bytes');
  }
  return { code: c, reason: r };
}

/** WebIDL `[Clamp] unsigned short`: NaN is 0, the rest clamped to 0–65535 and rounded half to even. */
function clampUnsignedShort(n: number): number {
  if (n !== n) return 0;
  const x = Math.min(Math.max(n, 0), 65535);
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5 || (diff === 0.5 && f % 2 === 1)) return f + 1;
  return f;
}

/** A value as a WebIDL `USVString`: its string, with each lone surrogate replaced by U+FFFD. */
export function usvString(value: unknown): string {
  const s = String(value);
  if (!/[\uD800-\uDFFF]/.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      out += s.charAt(i) + s.charAt(i + 1);
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) out += '\uFFFD';
    else out += s.charAt(i);
  }
  return out;
}
