/** A cookie name: an RFC 6265 token (no separators, controls, spaces or `=`). */
const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A cookie value: RFC 6265 cookie-octets, optionally in double quotes. */
const VALUE = /^(?:"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*"|[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*)$/;

/**
 * The cookies of a `Cookie` request header, as name → value (RFC 6265 section 4.2: `a=1; b=2`).
 * Strict: a pair that is not `token=cookie-value` is skipped, not guessed at; surrounding double
 * quotes are removed; a value with `%` escapes is percent-decoded when it decodes cleanly (as
 * Express's `cookie` does), else kept as written. The first of two cookies with one name wins
 * (browsers send the most specific first). The object has no prototype, so a cookie named
 * `__proto__` or `constructor` is an ordinary entry.
 */
export function parseCookies(header: string | string[] | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null) as Record<string, string>;
  if (header === undefined) return cookies;
  const text = typeof header === 'string' ? header : header.join('; ');
  for (const pair of text.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (!NAME.test(name) || !VALUE.test(value) || Object.prototype.hasOwnProperty.call(cookies, name)) continue;
    if (value.length >= 2 && value[0] === '"') value = value.slice(1, -1);
    cookies[name] = value.includes('%') ? decode(value) : value;
  }
  return cookies;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
