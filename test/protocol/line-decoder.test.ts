import { describe, expect, it } from 'vitest';
import { LineDecoder, lineChunk, linePrelude } from '../../protocol/index.js';
import { decodeAll, splits } from '../support/chunked.js';

const decode = (pieces: string[]): string[] => decodeAll(new LineDecoder(), pieces);

describe('LineDecoder', () => {
  it('skips the padding line and decodes each packet line, split at every boundary', () => {
    const packets = ['[]', '[["a",1],["m",1,"é 𝄞 \\n"]]', '[["ping",1]]'];
    const stream = linePrelude() + packets.map(lineChunk).join('');
    expect(linePrelude()).toBe(' '.repeat(2048) + '\n');
    for (const pieces of splits(stream)) expect(decode(pieces)).toEqual(packets);
  });

  it('holds a line until its line feed arrives', () => {
    const decoder = new LineDecoder();
    expect(decoder.push('[["m",1,"a"]')).toEqual([]);
    expect(decoder.push(']')).toEqual([]);
    expect(decoder.push('\n[')).toEqual(['[["m",1,"a"]]']);
  });

  it('drops the CR of a CRLF and skips blank keep-alive lines', () => {
    for (const pieces of splits('[1]\r\n\n  \r\n\t\n[2]\n')) expect(decode(pieces)).toEqual(['[1]', '[2]']);
  });
});
