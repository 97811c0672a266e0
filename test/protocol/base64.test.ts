import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../../protocol/index.js';

describe('base64', () => {
  it('matches Node for every length 0..300 and all byte values', () => {
    for (let n = 0; n <= 300; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 151 + n) & 255);
      const text = encodeBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(decodeBase64(text)).toEqual(bytes);
    }
  });

  it.each(['A', 'AB=', '====', 'AB=C', 'A*==', 'QUJD\u0100'])('rejects %j', (text) => {
    expect(decodeBase64(text)).toBeNull();
  });
});
