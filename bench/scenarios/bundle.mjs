// (7) Client bundle size: each browser client bundled with esbuild
// (--bundle --minify --platform=browser), then gzipped (zlib level 9). A target of several files
// (Ferry with the bundle its modern client loads on first use) counts each file as its own
// gzipped response and reports the sums.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const metrics = [
  { key: 'gz', label: 'client bundle, min+gz', unit: 'bytes', better: 'lower' },
  { key: 'min', label: 'client bundle, min', unit: 'bytes', better: 'lower', chart: false },
];

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What gets bundled for each target: built files or a one-line entry module. */
export const ENTRIES = {
  // what a page loads first: the goal's figure
  ferry: { files: ['dist/client/ferry.js'] },
  // plus ferry-cross-origin.js (JSONP, the cross-origin relay), which ferry.js loads only when it needs them
  'ferry+lazy-chunk': { files: ['dist/client/ferry.js', 'dist/client/ferry-cross-origin.js'] },
  // everything in one file
  'ferry-legacy': { files: ['dist/client/ferry.legacy.js'] },
  'engine.io-client': { source: "export * from 'engine.io-client';" },
  'socket.io-client': { source: "export * from 'socket.io-client';" },
  'sockjs-client': { source: "export { default } from 'sockjs-client';" },
};

export const targets = Object.keys(ENTRIES);

async function measure(input) {
  const options = { bundle: true, minify: true, platform: 'browser', write: false, globalName: 'benchClient', logLevel: 'silent', absWorkingDir: root, ...input };
  const { outputFiles } = await build(options);
  const code = outputFiles[0].contents;
  return { gz: gzipSync(code, { level: 9 }).length, min: code.length };
}

export async function run(target) {
  const entry = ENTRIES[target];
  if (entry.source) return measure({ stdin: { contents: entry.source, resolveDir: root, loader: 'js' } });
  const total = { gz: 0, min: 0 };
  for (const file of entry.files) {
    if (!existsSync(root + file)) throw new Error(`${file} is not built`);
    const size = await measure({ entryPoints: [root + file] });
    total.gz += size.gz;
    total.min += size.min;
  }
  return total;
}
