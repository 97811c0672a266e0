// The package as a user gets it: `npm pack` of the repo (which must be built: `npm run build`)
// into a temporary directory, unpacked into a temporary project's node_modules/ferry the way
// `npm install ferry-x.y.z.tgz` lays it out. The package's own dependencies (ws, eventemitter3)
// are linked from the repo's node_modules instead of being downloaded: tests send no traffic
// anywhere but 127.0.0.1. Nothing is written into the working tree.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface PackedProject {
  /** The temporary directory holding everything below; removed by `remove()`. */
  root: string;
  /** Paths inside the tarball, relative to the package root (`dist/client/index.js`, `LICENSE`). */
  files: string[];
  /** A project with `node_modules/ferry` unpacked from the tarball, and an `entry.js` to bundle. */
  app: string;
  /** `app/node_modules/ferry` */
  installed: string;
  remove(): void;
}

interface PackResult {
  filename: string;
  files: { path: string }[];
}

export function packAndInstall(): PackedProject {
  const root = mkdtempSync(join(tmpdir(), 'ferry-pack-'));
  try {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', root], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as PackResult[];
    const app = join(root, 'app');
    const installed = join(app, 'node_modules', 'ferry');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(root, packed.filename), '-C', installed, '--strip-components=1']);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) symlinkSync(join(repoRoot, 'node_modules', dep), join(app, 'node_modules', dep), 'dir');
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'ferry-user', private: true, type: 'module' }));
    // a side effect keeps `connect` in every bundler's output
    writeFileSync(join(app, 'entry.js'), "import { connect } from 'ferry/client';\nglobalThis.ferryConnect = connect;\n");
    return { root, app, installed, files: packed.files.map((f) => f.path), remove: () => rmSync(root, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

/** Every file a package.json `exports` map can resolve to, under any condition. */
export function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(exportTargets);
}
