// Writes the matrix results as JSON and regenerates the compatibility table from them. A test run
// writes only under test/e2e/artifacts/ (git-ignored), so it leaves the work tree clean; the
// committed docs/ are rewritten only when asked: `npm run compat` (FERRY_WRITE_DOCS=1).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CellOutcome } from './cell.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const RESULTS_FILE = `${REPO_ROOT}test/e2e/artifacts/compat-results.json`;
const TABLE_SCRIPT = `${REPO_ROOT}scripts/compat-table.mjs`;
/** Whether this run rewrites the committed docs (the table, the screenshots). */
export const WRITE_DOCS = process.env.FERRY_WRITE_DOCS === '1';
const ARTIFACTS = `${REPO_ROOT}test/e2e/artifacts/`;
const TABLE_FILE = WRITE_DOCS ? `${REPO_ROOT}docs/compatibility.md` : `${ARTIFACTS}compatibility.md`;
/** Where the chat demo's screenshots go: docs/screenshots/ only with FERRY_WRITE_DOCS=1. */
export const SCREENSHOTS_DIR = WRITE_DOCS ? `${REPO_ROOT}docs/screenshots/` : `${ARTIFACTS}screenshots/`;

export interface ResultsMeta {
  readonly chromium: string;
  readonly randomCutSeed: number;
  readonly profiles: readonly string[];
  readonly paths: readonly string[];
}

/** `diagnostics`: the diagnostics page's verdict per path, where it ran. */
export function writeResults(meta: ResultsMeta, cells: readonly CellOutcome[], diagnostics: Readonly<Record<string, string>> = {}): void {
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  const body = {
    generatedAt: new Date().toISOString(),
    ...meta,
    diagnostics,
    cells: cells.map(({ evidence, ...cell }) => ({ ...cell, evidence: cell.pass ? undefined : evidence })),
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(body, null, 2)}\n`);
}

/** Runs scripts/compat-table.mjs; only a complete matrix may replace the committed table. */
export function regenerateTable(meta: ResultsMeta, cells: readonly CellOutcome[]): void {
  const expected = meta.profiles.length * meta.paths.length;
  if (cells.length !== expected) {
    console.warn(`[e2e] ${cells.length}/${expected} cells ran; the compatibility table is left as it is (results in ${RESULTS_FILE})`);
    return;
  }
  mkdirSync(dirname(TABLE_FILE), { recursive: true });
  execFileSync(process.execPath, [TABLE_SCRIPT, RESULTS_FILE, TABLE_FILE], { stdio: 'inherit' });
}
