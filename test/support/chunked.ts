/** Feeds `pieces` to `decoder` in order and returns everything it decoded. */
export function decodeAll<T>(decoder: { push(piece: string): T[] }, pieces: string[]): T[] {
  const out: T[] = [];
  for (const piece of pieces) out.push(...decoder.push(piece));
  return out;
}

/** Every way of cutting `text` in two, plus one character at a time. */
export function splits(text: string): string[][] {
  const out: string[][] = [text.split('')];
  for (let i = 0; i <= text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}
