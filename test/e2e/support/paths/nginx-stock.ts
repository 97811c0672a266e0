// nginx as most deployments run it, in front of the app server: the documentation's plain
// `proxy_pass http://127.0.0.1:PORT;` with WebSocket upgrades forwarded and nothing else (so `Host`
// is not forwarded: the app sees `Host: 127.0.0.1:PORT`), and the same terminating TLS for an
// `https://` page with a plain-HTTP upstream, adding the X-Forwarded-Host / -Proto / -For a TLS
// terminator usually sends (README "Behind a reverse proxy" shows these two configurations). The certificate is self-signed, made by `openssl` per run.
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, startConfiguredDaemon, type TempDir } from '../processes.js';
import { NGINX_BINARY, nginxOwnFiles } from './nginx.js';
import type { RunningPath } from './network-path.js';

export const OPENSSL_BINARY = '/usr/bin/openssl';

export interface SelfSignedCertificate {
  readonly cert: string;
  readonly key: string;
  /** base64 SHA-256 of the certificate's public key: Chromium's `--ignore-certificate-errors-spki-list`. */
  readonly spkiHash: string;
  remove(): void;
}

/** A one-day self-signed certificate for 127.0.0.1, in a temp directory. */
export function selfSignedCertificate(): SelfSignedCertificate {
  const dir: TempDir = makeTempDir('tls');
  const cert = join(dir.path, 'cert.pem');
  const key = join(dir.path, 'key.pem');
  execFileSync(OPENSSL_BINARY, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'pipe' });
  const spki = new X509Certificate(readFileSync(cert)).publicKey.export({ type: 'spki', format: 'der' });
  return { cert, key, spkiHash: createHash('sha256').update(spki).digest('base64'), remove: dir.remove };
}

export interface StockNginxSpec {
  /** Terminate TLS with this certificate (and add X-Forwarded-Host/-Proto); plain HTTP without. */
  readonly tls?: SelfSignedCertificate;
  /**
   * Emulates a browser without Fetch Metadata (IE11, Safari before 16.4): Chromium sends
   * `Sec-Fetch-*` whatever globals a profile removes, and no page or DevTools route can take them
   * off, so the proxy drops them before the app sees the request.
   */
  readonly withoutFetchMetadata: boolean;
}

const NO_FETCH_METADATA = ['Sec-Fetch-Site', 'Sec-Fetch-Mode', 'Sec-Fetch-Dest', 'Sec-Fetch-User'].map((name) => `\n      proxy_set_header ${name} "";`).join('');

function config(dir: string, port: number, appPort: number, spec: StockNginxSpec): string {
  const tls = spec.tls === undefined ? '' : ` ssl;\n    ssl_certificate ${spec.tls.cert};\n    ssl_certificate_key ${spec.tls.key}`;
  const forwarded = spec.tls === undefined ? '' : '\n      proxy_set_header X-Forwarded-Host $http_host;\n      proxy_set_header X-Forwarded-Proto $scheme;\n      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;';
  return `worker_processes 1;
${nginxOwnFiles(dir).main}
events { worker_connections 512; }
http {
  log_format seen '$msec $status "$request" host="$http_host" sec_fetch_site="$http_sec_fetch_site"';
  access_log ${join(dir, 'access.log')} seen;
${nginxOwnFiles(dir).http}
  server {
    listen 127.0.0.1:${port}${tls};
    location / {
      proxy_pass http://127.0.0.1:${appPort};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";${forwarded}${spec.withoutFetchMetadata ? NO_FETCH_METADATA : ''}
    }
  }
}
`;
}

/** Starts nginx in front of 127.0.0.1:appPort. */
export async function startStockNginx(name: string, appPort: number, spec: StockNginxSpec): Promise<RunningPath> {
  const nginx = await startConfiguredDaemon({
    name,
    tempPrefix: 'nginx-stock',
    binary: NGINX_BINARY,
    configFile: 'nginx.conf',
    config: (dir, port) => config(dir, port, appPort, spec),
    args: (dir, conf) => ['-p', `${dir}/`, '-c', conf, '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
  });
  const tail = (file: string): string => nginx.read(file).slice(-5_000);
  return {
    pageOrigin: `${spec.tls === undefined ? 'http' : 'https'}://127.0.0.1:${nginx.port}`,
    diagnostics: () => `nginx.conf:\n${nginx.read('nginx.conf')}\nnginx access.log (tail):\n${tail('access.log')}\nnginx error.log (tail):\n${tail('error.log')}`,
    counters: () => {
      const lines = nginx.read('access.log').split('\n').filter((line) => line !== '');
      return {
        requests: lines.length,
        refused: lines.filter((line) => line.split(' ')[1] === '403').length,
      };
    },
    stop: nginx.stop,
  };
}
