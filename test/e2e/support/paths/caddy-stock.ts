// Caddy in front of the app server, configured as README "Behind a reverse proxy" shows it: a site
// whose only directive is `reverse_proxy 127.0.0.1:PORT`, with its defaults (Host passed through,
// X-Forwarded-For/-Proto/-Host set, WebSocket upgrades proxied). Plain HTTP with `auto_https off`,
// or terminating TLS with the test's self-signed certificate (`tls cert key`) instead of one from
// ACME. `admin off`, storage and HOME/XDG directories in the temp directory:
// Caddy writes nothing outside it and reaches no network.
import { join } from 'node:path';
import { startConfiguredDaemon } from '../processes.js';
import type { StockProxySpec } from './haproxy-stock.js';
import type { RunningPath } from './network-path.js';

export const CADDY_BINARY = '/usr/bin/caddy';

const FETCH_METADATA = ['Sec-Fetch-Site', 'Sec-Fetch-Mode', 'Sec-Fetch-Dest', 'Sec-Fetch-User'];

function caddyfile(dir: string, port: number, appPort: number, spec: StockProxySpec): string {
  const scheme = spec.tls === undefined ? 'http' : 'https';
  const tls = spec.tls === undefined ? '' : `\n\ttls ${spec.tls.cert} ${spec.tls.key}`;
  const proxy =
    spec.withoutFetchMetadata
      ? `reverse_proxy 127.0.0.1:${appPort} {${FETCH_METADATA.map((name) => `\n\t\theader_up -${name}`).join('')}\n\t}`
      : `reverse_proxy 127.0.0.1:${appPort}`;
  return `{
\tadmin off
\tauto_https off
\tstorage file_system ${join(dir, 'storage')}
}
${scheme}://127.0.0.1:${port} {
\tbind 127.0.0.1${tls}
\tlog {
\t\toutput file ${join(dir, 'access.log')}
\t\tformat json
\t}
\t${proxy}
}
`;
}

/** Starts Caddy in front of 127.0.0.1:appPort. */
export async function startStockCaddy(name: string, appPort: number, spec: StockProxySpec): Promise<RunningPath> {
  const caddy = await startConfiguredDaemon({
    name,
    tempPrefix: 'caddy-stock',
    binary: CADDY_BINARY,
    configFile: 'Caddyfile',
    config: (dir, port) => caddyfile(dir, port, appPort, spec),
    args: (_dir, conf) => ['run', '--config', conf, '--adapter', 'caddyfile'],
    // Caddy keeps its data and config under HOME / XDG_*: all in the temp directory
    env: (dir) => ({
      PATH: process.env.PATH,
      HOME: dir,
      XDG_DATA_HOME: join(dir, 'data'),
      XDG_CONFIG_HOME: join(dir, 'config'),
    }),
  });
  // whole lines only: Caddy may be writing the last one
  const entries = (): Array<{ status?: number }> => {
    const log = caddy.read('access.log');
    return log
      .slice(0, log.lastIndexOf('\n') + 1)
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { status?: number });
  };
  return {
    pageOrigin: `${spec.tls === undefined ? 'http' : 'https'}://127.0.0.1:${caddy.port}`,
    diagnostics: () => `Caddyfile:\n${caddy.read('Caddyfile')}\ncaddy access.log (tail):\n${caddy.read('access.log').slice(-5_000)}`,
    counters: () => {
      const logged = entries();
      return { requests: logged.length, refused: logged.filter((entry) => entry.status === 403).length };
    },
    stop: caddy.stop,
  };
}
