import { describe, expect, it } from 'vitest';
import { IframeStreamDecoder, iframeChunk, iframePrelude } from '../../protocol/index.js';

describe('iframe codec', () => {
  it('decodes chunks split at any byte boundary', () => {
    const packets = ['[["m",1,"</script>"]]', '[["m",2,"\u2028"]]', '[]'];
    const stream = iframePrelude('42') + packets.map(iframeChunk).join('');
    for (const step of [1, 3, 17, 1000]) {
      const decoder = new IframeStreamDecoder();
      const out: string[] = [];
      for (let i = 0; i < stream.length; i += step) out.push(...decoder.push(stream.slice(i, i + step)));
      expect(out).toEqual(packets);
    }
  });

  it('writes unsafe characters as \\u escapes', () => {
    expect(iframeChunk('<>&\u2028\u2029')).toBe('<script>f("\\u003c\\u003e\\u0026\\u2028\\u2029");</script>\n');
  });
});
