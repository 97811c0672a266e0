// Builds dist/: the Node modules with declarations (TypeScript), the modern browser bundle
// (esbuild) and the legacy ES5 bundle (TypeScript 5.9 down to ES5, then esbuild to bundle),
// and proves the legacy bundle parses as ES5.
import { execFileSync } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { parse } from 'acorn';
import { readFileSync } from 'node:fs';

const run = (bin, args) => execFileSync(process.execPath, [bin, ...args], { stdio: 'inherit' });

// Everything is written to dist.next/ and swapped in at the end, so a running server or test never
// sees a half-built dist/.
const out = 'dist.next';
rmSync(out, { recursive: true, force: true });
rmSync('.tmp/legacy', { recursive: true, force: true });

run('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.json', '--outDir', out]);

await build({
  entryPoints: ['client/browser-global.ts'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2017', 'chrome60', 'firefox60', 'safari11'],
  outfile: `${out}/client/ferry.js`,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
});

run('node_modules/typescript-legacy/bin/tsc', ['-p', 'tsconfig.legacy.json']);
await build({
  entryPoints: ['.tmp/legacy/client/browser-global.js'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es5'],
  outfile: `${out}/client/ferry.legacy.js`,
  legalComments: 'none',
  logLevel: 'warning',
});

parse(readFileSync(`${out}/client/ferry.legacy.js`, 'utf8'), { ecmaVersion: 5 });
rmSync('dist', { recursive: true, force: true });
renameSync(out, 'dist');
console.log('build: dist/ written; dist/client/ferry.legacy.js parses as ES5');
