import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The legacy bundle is TypeScript 5.9's ES5 output. There a class extending Error constructs a
// plain Error, so `instanceof ProtocolError` is false: the code must not depend on it.
const require = createRequire(import.meta.url);
/** The part of TypeScript 5.9's API used here (the `typescript` package, version 7, has no JS API). */
interface LegacyTypeScript {
  transpileModule(source: string, options: { compilerOptions: { target: number; module: number } }): { outputText: string };
  ScriptTarget: { ES5: number };
  ModuleKind: { CommonJS: number };
}
const ts = require('typescript-legacy') as LegacyTypeScript;

/** protocol/<name>.ts compiled the way the legacy build compiles it, loaded as a CommonJS module. */
function loadEs5(name: string, modules: Record<string, unknown> = {}): Record<string, unknown> {
  const source = readFileSync(new URL(`../../protocol/${name}.ts`, import.meta.url), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.CommonJS } });
  const exports: Record<string, unknown> = {};
  new Function('exports', 'require', outputText)(exports, (id: string) => modules[id]);
  return exports;
}

describe('ProtocolError in the ES5 build', () => {
  const base64 = loadEs5('base64');
  const frames = loadEs5('frames', { './base64.js': base64 });
  const ProtocolError = frames.ProtocolError as new (reason: string) => Error & { reason: string };
  const protocolErrorReason = frames.protocolErrorReason as (e: unknown, fallback: string) => string;
  const decodePacket = frames.decodePacket as (text: string) => unknown;

  it('is not an instance of its class there (why instanceof is not used)', () => {
    expect(new ProtocolError('x') instanceof ProtocolError).toBe(false);
  });

  it('still gives its reason to protocolErrorReason, and other errors get the fallback', () => {
    let thrown: unknown;
    try {
      decodePacket('{"not":"an array"}');
    } catch (e) {
      thrown = e;
    }
    expect(protocolErrorReason(thrown, 'fallback')).toBe('packet must be a JSON array of frames');
    expect(protocolErrorReason(new Error('other'), 'fallback')).toBe('fallback');
    expect(protocolErrorReason(null, 'fallback')).toBe('fallback');
    expect(protocolErrorReason('ProtocolError', 'fallback')).toBe('fallback');
  });
});
