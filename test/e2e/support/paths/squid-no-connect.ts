// A squid forward proxy that refuses CONNECT. Chromium tunnels ws:// through CONNECT
// when it has an HTTP proxy, so the WebSocket handshake fails while plain HTTP (polling,
// streaming) is proxied. squid may only reach 127.0.0.1 and resolves no names.
import { join } from 'node:path';
import { startConfiguredDaemon } from '../processes.js';
import type { NetworkPath, RunningPath } from './network-path.js';

export const SQUID_BINARY = '/usr/sbin/squid';

function squidConfig(dir: string, port: number): string {
  const runningAsRoot = process.getuid?.() === 0;
  return [
    `http_port 127.0.0.1:${port}`,
    `pid_filename ${join(dir, 'squid.pid')}`,
    `cache_log ${join(dir, 'cache.log')}`,
    `access_log stdio:${join(dir, 'access.log')}`,
    'cache_store_log none',
    `coredump_dir ${dir}`,
    'cache deny all',
    'cache_mem 8 MB',
    'dns_nameservers 127.0.0.1',
    'hosts_file none',
    'visible_hostname ferry-e2e-squid',
    'shutdown_lifetime 0 seconds',
    runningAsRoot ? 'cache_effective_user proxy' : '',
    'acl tunnel method CONNECT',
    'acl loopback_src src 127.0.0.1/32',
    'acl loopback_dst dst 127.0.0.1/32',
    'http_access deny tunnel',
    'http_access deny !loopback_dst',
    'http_access allow loopback_src',
    'http_access deny all',
    '',
  ].join('\n');
}

export const squidNoConnect: NetworkPath = {
  name: 'squid-no-connect',
  async start(appPort: number): Promise<RunningPath> {
    const squid = await startConfiguredDaemon({
      name: 'squid',
      tempPrefix: 'squid',
      binary: SQUID_BINARY,
      configFile: 'squid.conf',
      config: squidConfig,
      args: (_dir, conf) => ['-N', '-d', '1', '-f', conf],
    });
    return {
      pageOrigin: `http://127.0.0.1:${appPort}`,
      browserProxy: `http://127.0.0.1:${squid.port}`,
      diagnostics: () => `squid access.log (tail):\n${squid.read('access.log').slice(-3_000)}`,
      counters: () => {
        const lines = squid.read('access.log').split('\n').filter((line) => line.trim() !== '');
        const refused = lines.filter((line) => line.includes(' CONNECT ') && line.includes('TCP_DENIED')).length;
        return { proxied: lines.length - refused, connectRefused: refused };
      },
      stop: squid.stop,
    };
  },
};
