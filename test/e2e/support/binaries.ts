// The system binaries the suite drives, and the Debian package each comes from.
import { accessSync, constants } from 'node:fs';
import { CHROMIUM_BINARY } from './browser.js';
import { NGINX_BINARY } from './paths/nginx.js';
import { SQUID_BINARY } from './paths/squid-no-connect.js';

export interface RequiredBinary {
  readonly path: string;
  readonly debianPackage: string;
}

const REQUIRED: readonly RequiredBinary[] = [
  { path: CHROMIUM_BINARY, debianPackage: 'chromium' },
  { path: SQUID_BINARY, debianPackage: 'squid' },
  { path: NGINX_BINARY, debianPackage: 'nginx' },
];

/** Which of `required` (by default the matrix's binaries) are not installed. */
export function missingBinaries(required: readonly RequiredBinary[] = REQUIRED): RequiredBinary[] {
  return required.filter((binary) => {
    try {
      accessSync(binary.path, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}

export function missingBinariesBanner(missing: readonly RequiredBinary[]): string {
  const rule = '!'.repeat(78);
  const lines = missing.map((binary) => `!!  ${binary.path} is missing: apt-get install -y ${binary.debianPackage}`);
  const packages = missing.map((binary) => binary.debianPackage).join(' ');
  return [
    rule,
    '!!  Ferry e2e suite: required system binaries are missing.',
    ...lines,
    `!!  Fix:  apt-get update && apt-get install -y ${packages}`,
    '!!  Outside CI the browser/proxy suite is SKIPPED; with CI=true it FAILS.',
    rule,
  ].join('\n');
}
