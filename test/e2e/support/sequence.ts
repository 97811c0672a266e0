// Exactly-once, in-order check for a stream of sequence numbers 0..count-1.

export interface SequenceReport {
  readonly missing: number[];
  readonly duplicates: number[];
  /** New numbers that arrived after a larger one. */
  readonly reordered: number;
}

export function checkSequence(received: readonly number[], count: number): SequenceReport {
  const seen = new Set<number>();
  const duplicates: number[] = [];
  let reordered = 0;
  let highest = -1;
  for (const seq of received) {
    if (seen.has(seq)) {
      duplicates.push(seq);
      continue;
    }
    seen.add(seq);
    if (seq < highest) reordered += 1;
    highest = Math.max(highest, seq);
  }
  const missing: number[] = [];
  for (let seq = 0; seq < count; seq += 1) if (!seen.has(seq)) missing.push(seq);
  return { missing, duplicates, reordered };
}

/** A one-line account of what went wrong, or undefined when the stream was perfect. */
export function describeSequence(label: string, received: readonly number[], count: number): string | undefined {
  const report = checkSequence(received, count);
  const problems: string[] = [];
  if (report.missing.length > 0) problems.push(`${report.missing.length} missing (first: ${report.missing.slice(0, 8).join(', ')})`);
  if (report.duplicates.length > 0) problems.push(`${report.duplicates.length} duplicated (first: ${report.duplicates.slice(0, 8).join(', ')})`);
  if (report.reordered > 0) problems.push(`${report.reordered} out of order`);
  const extra = received.filter((seq) => seq < 0 || seq >= count || !Number.isInteger(seq));
  if (extra.length > 0) problems.push(`${extra.length} unexpected values`);
  return problems.length === 0 ? undefined : `${label}: got ${received.length}/${count}, ${problems.join(', ')}`;
}
