// Module hooks for register.mjs: resolve `./x.js` to `./x.ts` when only the source exists, and
// strip the types of `.ts` files with esbuild. Nothing is written to disk.
import { readFile } from 'node:fs/promises';
import { transform } from 'esbuild';

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!specifier.endsWith('.js') || !(specifier.startsWith('.') || specifier.startsWith('/'))) throw error;
    return nextResolve(specifier.slice(0, -3) + '.ts', context);
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const { code } = await transform(source, { loader: 'ts', format: 'esm', target: 'node20', sourcefile: url });
  return { format: 'module', source: code, shortCircuit: true };
}
