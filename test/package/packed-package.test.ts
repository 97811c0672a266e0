// The package as published (`npm pack`, after `npm run build`), installed into a throwaway project:
// what the tarball holds, how Node resolves it, and how esbuild, webpack and vite bundle
// `ferry/client` for the browser (the DOM build, not one Node built-in) and for Node.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlers, isNodeBuiltin, loadedModules } from './support/bundlers.js';
import { exportTargets, packAndInstall, type PackedProject } from './support/packed.js';

let pkg: PackedProject;
beforeAll(() => {
  pkg = packAndInstall();
}, 60_000);
afterAll(() => pkg?.remove());

const browserBuild = join('node_modules', 'ferry', 'dist', 'client', 'browser-module.js');
const nodeBuild = join('node_modules', 'ferry', 'dist', 'client', 'index.js');
const specifiers = ['ferry/server', 'ferry/client', 'ferry/protocol'];

describe('the tarball', () => {
  it('holds the LICENSE, the README and every file the exports map names', () => {
    const manifest = JSON.parse(readFileSync(join(pkg.installed, 'package.json'), 'utf8')) as { exports: unknown; license: string };
    expect(manifest.license).toBe('MIT');
    expect(pkg.files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
    expect(readFileSync(join(pkg.installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the Ferry authors\n/);
    const targets = exportTargets(manifest.exports).map((t) => posix.normalize(t));
    expect(targets.length).toBeGreaterThan(6);
    expect(targets.filter((t) => !pkg.files.includes(t))).toEqual([]);
  });

  it('has no source map whose sources are neither in the map nor in the package', () => {
    const maps = pkg.files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(10);
    const dangling = maps.flatMap((map) => {
      const { sources, sourcesContent, sourceRoot = '' } = JSON.parse(readFileSync(join(pkg.installed, map), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[]; sourceRoot?: string };
      return sources.flatMap((source, i) => {
        const path = posix.normalize(posix.join(posix.dirname(map), sourceRoot, source));
        return typeof sourcesContent?.[i] === 'string' || pkg.files.includes(path) ? [] : [`${map} → ${source}`];
      });
    });
    expect(dangling).toEqual([]);
  });
});

describe('Node', () => {
  it('imports every entry, and ferry/client is the Node build', () => {
    const script = `const out = {};
for (const s of ${JSON.stringify(specifiers)}) out[s] = { path: import.meta.resolve(s), names: Object.keys(await import(s)) };
console.log(JSON.stringify(out));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: pkg.app, encoding: 'utf8' })) as Record<string, { path: string; names: string[] }>;
    expect(out['ferry/client'].path).toBe('file://' + join(pkg.app, nodeBuild));
    expect(out['ferry/client'].names).toContain('connect');
    expect(out['ferry/server'].names).toContain('Server');
    expect(out['ferry/protocol'].names.length).toBeGreaterThan(0);
  });

  it('require()s every entry (require(esm), Node ^20.19 and >=22.12), and ferry/client is the Node build', () => {
    const script = `console.log(JSON.stringify(${JSON.stringify(specifiers)}.map((s) => [require.resolve(s), Object.keys(require(s))])))`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: pkg.app, encoding: 'utf8' })) as [string, string[]][];
    expect(out[1][0]).toBe(join(pkg.app, nodeBuild));
    expect(out[0][1]).toContain('Server');
    expect(out[1][1]).toContain('connect');
  });
});

describe.each(Object.entries(bundlers))('%s', (_name, bundle) => {
  it('bundles ferry/client for the browser from the DOM build, loading no Node built-in', async () => {
    const { code, inputs } = await bundle(pkg.app, 'browser');
    expect(inputs).toContain(join(pkg.app, browserBuild));
    expect(inputs).not.toContain(join(pkg.app, nodeBuild));
    expect(inputs.filter((p) => p.includes(join('ferry', 'dist', 'client', 'env', 'node')))).toEqual([]);
    expect(code.join('').length).toBeGreaterThan(10_000);
    expect(code.flatMap(loadedModules).filter(isNodeBuiltin)).toEqual([]);
    expect(code.join('')).not.toMatch(/["']node:[a-z_/]+["']/);
  }, 60_000);

  it('bundles ferry/client for Node from the Node build', async () => {
    const { code, inputs } = await bundle(pkg.app, 'node');
    expect(inputs).toContain(join(pkg.app, nodeBuild));
    expect(inputs).not.toContain(join(pkg.app, browserBuild));
    expect(code.flatMap(loadedModules).filter(isNodeBuiltin)).toEqual(expect.arrayContaining([expect.stringMatching(/^(node:)?http$/)]));
  }, 60_000);
});
