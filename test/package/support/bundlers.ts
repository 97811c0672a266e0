// Runs esbuild, webpack and vite, as an app would, on the packed project's entry.js, for the
// browser or for Node, and reports what each emitted and which files went into it. Output goes to
// memory (esbuild, vite) or under the project's temporary directory (webpack).
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { parse } from 'acorn';
import { build as esbuild } from 'esbuild';
import { build as viteBuild, type Rolldown } from 'vite';
import webpack, { type Stats } from 'webpack';

export type Target = 'browser' | 'node';

export interface Bundle {
  /** The emitted JavaScript, one string per chunk. */
  code: string[];
  /** The absolute path of every module bundled. */
  inputs: string[];
}

export type Bundler = (app: string, target: Target) => Promise<Bundle>;

const runEsbuild: Bundler = async (app, target) => {
  const result = await esbuild({ entryPoints: ['entry.js'], absWorkingDir: app, bundle: true, platform: target, format: 'esm', write: false, metafile: true, logLevel: 'silent' });
  return { code: result.outputFiles.map((f) => f.text), inputs: Object.keys(result.metafile.inputs).map((p) => join(app, p)) };
};

const runWebpack: Bundler = async (app, target) => {
  const outDir = join(app, `webpack-${target}`);
  const compiler = webpack({
    mode: 'none',
    context: app,
    entry: './entry.js',
    target: target === 'browser' ? 'web' : 'node',
    devtool: false,
    output: { path: outDir, filename: 'bundle.js' },
    infrastructureLogging: { level: 'none' },
  });
  const stats = await new Promise<Stats>((resolve, reject) =>
    compiler.run((error, result) => {
      compiler.close(() => undefined);
      if (error || !result) reject(error ?? new Error('webpack gave no stats'));
      else if (result.hasErrors()) reject(new Error(result.toString({ all: false, errors: true })));
      else resolve(result);
    }),
  );
  const inputs = [...stats.compilation.modules].flatMap((m) => ('resource' in m && typeof m.resource === 'string' ? [m.resource] : []));
  const code = readdirSync(outDir).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(outDir, f), 'utf8'));
  return { code, inputs };
};

const runVite: Bundler = async (app, target) => {
  const entry = join(app, 'entry.js');
  const output = await viteBuild({
    root: app,
    configFile: false,
    envFile: false,
    logLevel: 'silent',
    cacheDir: join(app, '.vite-cache'),
    // an SSR build is vite's Node build; everything is bundled so that the test sees which
    // ferry/client file was picked (by default an SSR build leaves node_modules imports alone)
    ssr: target === 'node' ? { noExternal: true, target: 'node' } : undefined,
    build:
      target === 'node'
        ? { write: false, ssr: entry, minify: false }
        : { write: false, minify: false, lib: { entry, formats: ['es'], fileName: 'entry' } },
  });
  const chunks = (Array.isArray(output) ? output : [output as Rolldown.RolldownOutput]).flatMap((o) => o.output).filter((c) => c.type === 'chunk');
  return { code: chunks.map((c) => c.code), inputs: chunks.flatMap((c) => c.moduleIds) };
};

export const bundlers: Record<'esbuild' | 'webpack' | 'vite', Bundler> = { esbuild: runEsbuild, webpack: runWebpack, vite: runVite };

const builtins = new Set(builtinModules);
/** Whether a module specifier names a Node built-in (`node:http`, `http`, `fs/promises`). */
export const isNodeBuiltin = (specifier: string): boolean => specifier.startsWith('node:') || builtins.has(specifier) || builtins.has(specifier.split('/')[0]);

interface Node {
  type: string;
  [key: string]: unknown;
}

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';

const literal = (value: unknown): string[] => (isNode(value) && value.type === 'Literal' && typeof value.value === 'string' ? [value.value] : []);

/**
 * Every module a piece of JavaScript loads by name: `import … from 'x'`, `export … from 'x'`,
 * `import('x')` and `require('x')` (also webpack's and vite's `__require('x')`), from its syntax tree.
 */
export function loadedModules(code: string): string[] {
  let tree: Node;
  try {
    tree = parse(code, { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as Node;
  } catch {
    tree = parse(code, { ecmaVersion: 'latest', sourceType: 'script' }) as unknown as Node;
  }
  const found: string[] = [];
  const visit = (node: Node): void => {
    if (node.type === 'ImportDeclaration' || node.type === 'ExportAllDeclaration' || node.type === 'ExportNamedDeclaration' || node.type === 'ImportExpression') found.push(...literal(node.source));
    if (node.type === 'CallExpression') {
      const callee = node.callee as Node;
      const args = node.arguments as unknown[];
      if (callee.type === 'Identifier' && /require$/i.test(String(callee.name)) && args.length === 1) found.push(...literal(args[0]));
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.filter(isNode).forEach(visit);
      else if (isNode(value)) visit(value);
    }
  };
  visit(tree);
  return found;
}
