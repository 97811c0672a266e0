// HAProxy in front of the app server, configured as README "Behind a reverse proxy" shows it:
// `mode http`, `option forwardfor`, `X-Forwarded-Proto` set when TLS is terminated, the README's
// timeouts, one backend server. HAProxy passes `Host` through and lets WebSocket upgrades through
// in `mode http` with no further directive. Plain HTTP, or terminating TLS with the test's
// self-signed certificate (HAProxy wants the certificate and key in one PEM file).
//
// HAProxy logs only to syslog, so what it proxied is read from its stats socket (in the temp
// directory) instead of a log file: the frontend's `req_tot` (and `hrsp_4xx`: the page's
// favicon.ico is one).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startConfiguredDaemon } from '../processes.js';
import type { RunningPath } from './network-path.js';
import type { SelfSignedCertificate } from './nginx-stock.js';

export const HAPROXY_BINARY = '/usr/sbin/haproxy';

export interface StockProxySpec {
  /** Terminate TLS with this certificate; plain HTTP without. */
  readonly tls?: SelfSignedCertificate;
  /** Drop the `Sec-Fetch-*` headers Chromium sends, as a browser without Fetch Metadata (see nginx-stock.ts). */
  readonly withoutFetchMetadata: boolean;
}

const FETCH_METADATA = ['Sec-Fetch-Site', 'Sec-Fetch-Mode', 'Sec-Fetch-Dest', 'Sec-Fetch-User'];

function config(dir: string, port: number, appPort: number, spec: StockProxySpec): string {
  const bind = spec.tls === undefined ? '' : ` ssl crt ${join(dir, 'site.pem')}`;
  const dropped = spec.withoutFetchMetadata ? FETCH_METADATA.map((name) => `\n    http-request del-header ${name}`).join('') : '';
  return `global
    maxconn 512
    stats socket ${join(dir, 'stats.sock')} mode 600 level user
defaults
    mode http
    timeout connect 5s
    timeout client  60s   # above pingInterval: a held poll is silent that long
    timeout server  60s
    timeout tunnel  1h
frontend www
    bind 127.0.0.1:${port}${bind}
    option forwardfor
    http-request set-header X-Forwarded-Proto https if { ssl_fc }${dropped}
    default_backend ferry
backend ferry
    server app 127.0.0.1:${appPort}
`;
}

/** Sends `show stat` to the stats socket and prints the answer (run in a child, so that counters() can stay synchronous). */
const SHOW_STAT = `
const socket = require('node:net').connect(process.argv[1]);
let text = '';
socket.on('data', (chunk) => { text += chunk; });
socket.on('end', () => process.stdout.write(text));
socket.on('error', (error) => { process.stderr.write(String(error)); process.exit(1); });
socket.end('show stat\\n');
`;

function frontendCounters(socketPath: string): Record<string, number> {
  const csv = execFileSync(process.execPath, ['-e', SHOW_STAT, socketPath], { encoding: 'utf8', timeout: 5_000 });
  const lines = csv.split('\n');
  const columns = (lines[0] ?? '').replace(/^# /, '').split(',');
  const row = lines.find((line) => line.startsWith('www,FRONTEND,'))?.split(',') ?? [];
  const value = (name: string): number => Number(row[columns.indexOf(name)] ?? 0);
  return { requests: value('req_tot'), responses4xx: value('hrsp_4xx') };
}

/** Starts HAProxy in front of 127.0.0.1:appPort. */
export async function startStockHaproxy(name: string, appPort: number, spec: StockProxySpec): Promise<RunningPath> {
  const haproxy = await startConfiguredDaemon({
    name,
    tempPrefix: 'haproxy-stock',
    binary: HAPROXY_BINARY,
    configFile: 'haproxy.cfg',
    config: (dir, port) => {
      if (spec.tls !== undefined) writeFileSync(join(dir, 'site.pem'), readFileSync(spec.tls.cert, 'utf8') + readFileSync(spec.tls.key, 'utf8'), { mode: 0o600 });
      return config(dir, port, appPort, spec);
    },
    // -db: stay in the foreground and log to stderr
    args: (_dir, conf) => ['-db', '-f', conf],
  });
  const socketPath = join(haproxy.dir, 'stats.sock');
  return {
    pageOrigin: `${spec.tls === undefined ? 'http' : 'https'}://127.0.0.1:${haproxy.port}`,
    diagnostics: () => {
      let stats: string;
      try {
        stats = JSON.stringify(frontendCounters(socketPath));
      } catch (error) {
        stats = `unavailable: ${String(error)}`;
      }
      return `haproxy.cfg:\n${haproxy.read('haproxy.cfg')}\nhaproxy frontend counters: ${stats}`;
    },
    counters: () => frontendCounters(socketPath),
    stop: haproxy.stop,
  };
}
