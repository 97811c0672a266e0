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

// the cross-origin relay run by {path}/iframe.html (client/relay/)
await build({
  entryPoints: ['client/relay/relay-main.ts'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2017', 'chrome60', 'firefox60', 'safari11'],
  outfile: `${out}/client/ferry-relay.js`,
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
  // the legacy client asks the relay page for the ES5 relay (client/env/relay.ts)
  define: { __FERRY_LEGACY__: 'true' },
  outfile: `${out}/client/ferry.legacy.js`,
  legalComments: 'none',
  logLevel: 'warning',
});

parse(readFileSync(`${out}/client/ferry.legacy.js`, 'utf8'), { ecmaVersion: 5 });
await build({
  entryPoints: ['.tmp/legacy/client/relay/relay-main.js'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es5'],
  outfile: `${out}/client/ferry-relay.legacy.js`,
  legalComments: 'none',
  logLevel: 'warning',
});
parse(readFileSync(`${out}/client/ferry-relay.legacy.js`, 'utf8'), { ecmaVersion: 5 });
rmSync('dist.old', { recursive: true, force: true });
try {
  renameSync('dist', 'dist.old');
} catch {
  // first build
}
renameSync(out, 'dist');
rmSync('dist.old', { recursive: true, force: true });
console.log('build: dist/ written; dist/client/ferry.legacy.js and ferry-relay.legacy.js parse as ES5');
