// Every README code sample compiles in a strict TypeScript project, against the built package's
// public types (`npm run build` first: ferry/server and ferry/client resolve to dist/*.d.ts).
//
// Which fences are samples: a block whose info string is exactly `ts` or `js` is a complete module
// (its imports, and a declaration for every name it uses) and is checked, `js` ones as TypeScript
// too (that is what pasting them into a .ts file does). Anything else is not checked: `sh`,
// `html`, `nginx` and other languages, a fence with no language, and partial snippets, which
// must be marked as such (` ```ts fragment `).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/packed.js';
import { readmeSamples, settings, typecheckSamples } from './support/readme-samples.js';

const samples = readmeSamples(readFileSync(`${repoRoot}/README.md`, 'utf8'));

describe('README samples', () => {
  it('include the quick start, the Node client, the server API and the client API', () => {
    const has = (text: string) => samples.some((s) => s.code.includes(text));
    expect(has("ferry.on('connection'")).toBe(true);
    expect(has("socket.on('message'")).toBe(true);
    expect(has('ferry.handleUpgrade(')).toBe(true);
    expect(has("socket.on('reconnecting'")).toBe(true);
    expect(has('ferry.use(')).toBe(true);
    expect(has('.emitWithAck(')).toBe(true);
    expect(has("ferry.to('lobby')")).toBe(true);
    expect(has("socket.once('drain'")).toBe(true);
  });

  it.each(settings)('compile under strict TypeScript in a $name project', (setting) => {
    expect(typecheckSamples(repoRoot, samples, setting)).toEqual([]);
  }, 60_000);

  it('a sample with a type error is reported at its README line', () => {
    const errors = typecheckSamples(repoRoot, [{ line: 100, lang: 'ts', code: "import { connect } from 'ferry/client';\n\nconnect(42);\n" }], settings[0]);
    expect(errors).toEqual([expect.stringMatching(/^README\.md:103:9: Argument of type 'number'/)]);
  }, 60_000);
});
