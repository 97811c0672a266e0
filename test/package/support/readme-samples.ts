// README code samples and a strict type check of them against the package's public types.
// TypeScript 7 (the `typescript` package) is the native compiler with no JavaScript API, so the
// check runs on TypeScript 5.9's compiler API (`typescript-legacy`).
import { join } from 'node:path';
import ts from 'typescript-legacy';

export interface Sample {
  /** README line of the opening fence. */
  line: number;
  lang: 'ts' | 'js';
  code: string;
}

/**
 * The fenced blocks whose info string is exactly `ts` or `js`: complete modules. Any other fence
 * (`sh`, `html`, `nginx`, no language, or a qualified one such as `ts fragment`) is not a sample.
 */
export function readmeSamples(markdown: string): Sample[] {
  const samples: Sample[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(.*)$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((text, j) => j > i && text.startsWith(open[1]) && text.slice(open[1].length).trim() === '');
    if (end < 0) throw new Error(`README line ${i + 1}: fence never closed`);
    const info = open[2].trim();
    if (info === 'ts' || info === 'js') samples.push({ line: i + 1, lang: info, code: lines.slice(i + 1, end).join('\n') + '\n' });
    i = end;
  }
  return samples;
}

export interface Setting {
  name: string;
  options: ts.CompilerOptions;
}

const strict = { strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, moduleDetection: ts.ModuleDetectionKind.Force, types: ['node'] };

/** A strict Node project, and a strict browser-bundler project (`ferry/client` is the DOM build there). */
export const settings: Setting[] = [
  { name: 'Node (NodeNext)', options: { ...strict, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, lib: ['lib.es2022.d.ts'] } },
  { name: 'bundler (DOM)', options: { ...strict, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] } },
];

/**
 * Type-checks each sample as its own `.ts` module inside `root` (in memory; nothing is written),
 * so that `ferry/server` and `ferry/client` resolve through root's package.json `exports` to the
 * built declarations, as they do for an installed package. Returns the formatted errors.
 */
export function typecheckSamples(root: string, samples: Sample[], setting: Setting): string[] {
  const files = new Map(samples.map((s) => [join(root, `README.md-line-${s.line}.ts`), s.code]));
  const host = ts.createCompilerHost(setting.options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  host.readFile = (name) => files.get(name) ?? readFile.call(host, name);
  host.getSourceFile = (name, language, onError) => {
    const text = files.get(name);
    return text === undefined ? getSourceFile.call(host, name, language, onError) : ts.createSourceFile(name, text, language, true);
  };
  host.writeFile = () => {
    throw new Error('a README type check must not write files');
  };
  const program = ts.createProgram([...files.keys()], setting.options, host);
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file === undefined || files.has(d.file.fileName));
  return diagnostics.map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return message;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    const fenceLine = Number(/line-(\d+)\.ts$/.exec(d.file.fileName)?.[1]);
    return `README.md:${fenceLine + line + 1}:${character + 1}: ${message}`;
  });
}
