// Writes the matrix results as JSON and regenerates docs/compatibility.md from them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CellOutcome } from './cell.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const RESULTS_FILE = `${REPO_ROOT}test/e2e/artifacts/compat-results.json`;
const TABLE_SCRIPT = `${REPO_ROOT}scripts/compat-table.mjs`;
const TABLE_FILE = `${REPO_ROOT}docs/compatibility.md`;

export interface ResultsMeta {
  readonly chromium: string;
  readonly randomCutSeed: number;
  readonly profiles: readonly string[];
  readonly paths: readonly string[];
}

export function writeResults(meta: ResultsMeta, cells: readonly CellOutcome[]): void {
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  const body = {
    generatedAt: new Date().toISOString(),
    ...meta,
    cells: cells.map(({ evidence, ...cell }) => ({ ...cell, evidence: cell.pass ? undefined : evidence })),
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(body, null, 2)}\n`);
}

/** Runs scripts/compat-table.mjs; only a complete matrix may replace the committed table. */
export function regenerateTable(meta: ResultsMeta, cells: readonly CellOutcome[]): void {
  const expected = meta.profiles.length * meta.paths.length;
  if (cells.length !== expected) {
    console.warn(`[e2e] ${cells.length}/${expected} cells ran; docs/compatibility.md left as it is (results in ${RESULTS_FILE})`);
    return;
  }
  execFileSync(process.execPath, [TABLE_SCRIPT, RESULTS_FILE, TABLE_FILE], { stdio: 'inherit' });
}
