import { describe, expect, it } from 'vitest';
import { JSONP_CALLBACK_PATTERN, decodeJsonpBody, jsonpBody, jsonpCallbackName } from '../../protocol/index.js';

describe('JSONP codec', () => {
  it('writes one call whose string literal escapes <, >, &, U+2028 and U+2029', () => {
    expect(jsonpBody('__ferry_jsonp_5', '["</script>&\u2028\u2029"]')).toBe('/**/__ferry_jsonp_5("[\\"\\u003c/script\\u003e\\u0026\\u2028\\u2029\\"]");');
  });

  it('decodes what it writes, without evaluating it', () => {
    const text = '[["m",1,"\\"); alert(1); //<!-- é 𝄞"]]';
    expect(decodeJsonpBody(jsonpBody('__ferry_jsonp_5', text), '__ferry_jsonp_5')).toBe(text);
  });

  it.each([
    ['another callback', '/**/__ferry_jsonp_6("[]");'],
    ['a second statement', '/**/__ferry_jsonp_5("[]");alert(1);'],
    ['an expression in the argument', '/**/__ferry_jsonp_5("a"+alert(1)+"");'],
    ['two arguments', '/**/__ferry_jsonp_5("a","b");'],
    ['a non-string argument', '/**/__ferry_jsonp_5(1);'],
    ['no comment prefix', '__ferry_jsonp_5("[]");'],
    ['an empty body', ''],
  ])('refuses %s', (_name, body) => {
    expect(decodeJsonpBody(body, '__ferry_jsonp_5')).toBeNull();
  });

  it('names callbacks only from digits', () => {
    expect(jsonpCallbackName(42)).toBe('__ferry_jsonp_42');
    expect(JSONP_CALLBACK_PATTERN.test(jsonpCallbackName(999999999999))).toBe(true);
    expect(JSONP_CALLBACK_PATTERN.test(jsonpCallbackName(1e12))).toBe(false);
  });
});
