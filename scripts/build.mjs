// Builds dist/: the Node modules with declarations (TypeScript), the modern browser bundles
// (esbuild: ferry.js, its lazily loaded ferry-cross-origin.js, ferry-relay.js) and the legacy ES5
// bundles (TypeScript 5.9 down to ES5, then esbuild to bundle; everything in one file), and
// proves the legacy bundles parse as ES5.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { parse } from 'acorn';

const run = (bin, args) => execFileSync(process.execPath, [bin, ...args], { stdio: 'inherit' });

// Everything is written to dist.next-PID/ and swapped in at the end, so a running server or test
// never sees a half-built dist/, and two builds at once do not clobber each other's files.
const out = `dist.next-${process.pid}`;
const legacy = `.tmp/legacy-${process.pid}`;
rmSync(out, { recursive: true, force: true });
rmSync(legacy, { recursive: true, force: true });

const MODERN = ['es2017', 'chrome60', 'firefox60', 'safari11'];

/**
 * Size settings shared by every browser bundle. Class fields become plain assignments (as in the
 * ES5 build) instead of defineProperty helper calls. Private members (`_name`: one underscore,
 * then a lower-case letter) get short names: nothing outside a bundle reads them. `__ferryRelay`
 * and the `__ferry_*` callback names have two underscores and keep theirs.
 */
const SMALL = {
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
  mangleProps: /^_[a-z]/,
};

/**
 * In the browser, base64 is atob/btoa: protocol/base64.ts (pure, for Node and the server) is
 * swapped for client/env/browser-base64.ts, from the sources or from the legacy build's output.
 */
function browserBase64(root, ext) {
  const replacement = resolve(root, `client/env/browser-base64.${ext}`);
  return {
    name: 'browser-base64',
    setup(b) {
      b.onResolve({ filter: /^\.\/base64\.js$/ }, (args) => (args.resolveDir === resolve(root, 'protocol') ? { path: replacement } : undefined));
    },
  };
}

/**
 * TypeScript's ES5 classes are IIFEs, which esbuild cannot prove pure: without this, the legacy
 * bundles keep every protocol class they never use (the SSE and iframe stream decoders, …).
 * Nothing in protocol/ runs code on import, so its modules are marked free of side effects.
 */
function pureProtocol(root) {
  const dir = resolve(root, 'protocol');
  return {
    name: 'pure-protocol',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        const path = resolve(args.resolveDir, args.path);
        return path.startsWith(dir + '/') ? { path, sideEffects: false } : undefined;
      });
    },
  };
}

/** One minified IIFE bundle; legacy ones must also parse as ES5. */
async function bundle(entry, file, target, extra = {}) {
  const legacyBuild = target.includes('es5');
  const plugins = legacyBuild ? [browserBase64(legacy, 'js'), pureProtocol(legacy)] : [browserBase64('.', 'ts')];
  const inject = legacyBuild ? ['scripts/es5-extends.js'] : [];
  const result = await build({ entryPoints: [entry], bundle: true, minify: true, format: 'iife', target, outfile: `${out}/client/${file}`, legalComments: 'none', logLevel: 'warning', plugins, inject, ...SMALL, ...extra });
  if (legacyBuild) {
    const code = readFileSync(`${out}/client/${file}`, 'utf8');
    parse(code, { ecmaVersion: 5 });
    // noEmitHelpers: a helper other than the injected __extends would be an undefined global
    const helper = /\b__(assign|rest|decorate|param|metadata|awaiter|generator|values|read|spread\w*|makeTemplateObject|classPrivate\w*|createBinding|exportStar|importStar|importDefault)\b/.exec(code);
    if (helper) throw new Error(`${file} needs the TypeScript helper ${helper[0]}: add it next to scripts/es5-extends.js`);
  }
  return result;
}

run('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.json', '--outDir', out]);

// The modern client loads its cross-origin helpers (JSONP, the relay's page side) on first use
// from ferry-cross-origin.js, by a URL with that bundle's content hash. Both share one table of
// short names, so a private member would keep its name across them.
const helpers = await bundle('client/cross-origin-main.ts', 'ferry-cross-origin.js', MODERN, { sourcemap: true, mangleCache: {} });
const helpersHash = createHash('sha256').update(readFileSync(`${out}/client/ferry-cross-origin.js`)).digest('hex').slice(0, 12);
await bundle('client/browser-global.ts', 'ferry.js', MODERN, { sourcemap: true, mangleCache: helpers.mangleCache, define: { __FERRY_CROSS_ORIGIN_VERSION__: JSON.stringify('?v=' + helpersHash) } });
// the cross-origin relay run by {path}/iframe.html (client/relay/)
await bundle('client/relay/relay-main.ts', 'ferry-relay.js', MODERN);

run('node_modules/typescript-legacy/bin/tsc', ['-p', 'tsconfig.legacy.json', '--outDir', legacy]);
// the legacy client asks the relay page for the ES5 relay (client/env/relay.ts)
await bundle(`${legacy}/client/browser-global-legacy.js`, 'ferry.legacy.js', ['es5'], { define: { __FERRY_LEGACY__: 'true' } });
await bundle(`${legacy}/client/relay/relay-main.js`, 'ferry-relay.legacy.js', ['es5']);
// the diagnostics page's script ({path}/diagnostics.js): ES5, since the page must run wherever the client does
await bundle(`${legacy}/client/diagnostics/diagnostics-main.js`, 'ferry-diagnostics.js', ['es5']);

const old = `dist.old-${process.pid}`;
try {
  renameSync('dist', old);
} catch {
  // first build
}
renameSync(out, 'dist');
rmSync(old, { recursive: true, force: true });
rmSync(legacy, { recursive: true, force: true });
console.log('build: dist/ written; dist/client/ferry.legacy.js, ferry-relay.legacy.js and ferry-diagnostics.js parse as ES5');
