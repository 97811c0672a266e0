import { describe, expect, it } from 'vitest';
import * as browser from '../../client/env/browser-base64.js';
import * as pure from '../../protocol/base64.js';
import { mulberry32 } from '../support/seeded-random.js';

// The browser bundles swap protocol/base64.ts for client/env/browser-base64.ts: same answers.
describe('browser base64 (atob/btoa) against protocol/base64', () => {
  it('encodes and decodes random bytes of every length up to 300, and 100 KB, the same', () => {
    const random = mulberry32(7);
    const lengths = Array.from({ length: 301 }, (_, i) => i).concat([100_000]);
    for (const length of lengths) {
      const bytes = Uint8Array.from({ length }, () => Math.floor(random() * 256));
      const text = pure.encodeBase64(bytes);
      expect(browser.encodeBase64(bytes)).toBe(text);
      expect(browser.decodeBase64(text)).toEqual(bytes);
    }
  });

  it.each(['', 'QQ==', 'QR==', 'QUI=', 'QUJD', 'QUJDRA==', '+/+/', 'AAAA'])('decodes %j as the pure codec does', (text) => {
    expect(browser.decodeBase64(text)).toEqual(pure.decodeBase64(text));
  });

  it.each(['Q', 'QQ', 'QQ=', 'QQ=A', 'Q===', '=QQQ', 'QQ==QQ==', 'QU I', 'QUI\n', 'QUJ-', 'QUJ_', 'QUJ\u00e9', 'QUJ\u0141', '\u00ff\u00ff\u00ff\u00ff'])('refuses %j, as the pure codec does', (text) => {
    expect(pure.decodeBase64(text)).toBeNull();
    expect(browser.decodeBase64(text)).toBeNull();
  });
});
