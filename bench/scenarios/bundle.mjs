// (7) Client bundle size: each browser client bundled with esbuild
// (--bundle --minify --platform=browser), then gzipped (zlib level 9).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const metrics = [
  { key: 'gz', label: 'client bundle, min+gz', unit: 'bytes', better: 'lower' },
  { key: 'min', label: 'client bundle, min', unit: 'bytes', better: 'lower', chart: false },
];

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What gets bundled for each target: a built file or a one-line entry module. */
export const ENTRIES = {
  ferry: { file: 'dist/client/ferry.js' },
  'ferry-legacy': { file: 'dist/client/ferry.legacy.js' },
  'engine.io-client': { source: "export * from 'engine.io-client';" },
  'socket.io-client': { source: "export * from 'socket.io-client';" },
  'sockjs-client': { source: "export { default } from 'sockjs-client';" },
};

export const targets = Object.keys(ENTRIES);

export async function run(target) {
  const entry = ENTRIES[target];
  const options = { bundle: true, minify: true, platform: 'browser', write: false, globalName: 'benchClient', logLevel: 'silent', absWorkingDir: root };
  if (entry.file) {
    if (!existsSync(root + entry.file)) throw new Error(`${entry.file} is not built`);
    options.entryPoints = [root + entry.file];
  } else {
    options.stdin = { contents: entry.source, resolveDir: root, loader: 'js' };
  }
  const { outputFiles } = await build(options);
  const code = outputFiles[0].contents;
  return { gz: gzipSync(code, { level: 9 }).length, min: code.length };
}
