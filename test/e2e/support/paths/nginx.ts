// nginx as a reverse proxy in front of the app server, in two configurations that
// real deployments get wrong: one that drops Upgrade and buffers responses, and one
// with a short idle timeout. Every path nginx writes lives in a temp prefix; the
// upstream is an IP literal, so nginx never resolves a name.
import { join } from 'node:path';
import { startConfiguredDaemon } from '../processes.js';
import type { NetworkPath, PathName, RunningPath } from './network-path.js';

export const NGINX_BINARY = '/usr/sbin/nginx';

/** nginx's idle timeout on the `nginx-idle-timeout` path. */
export const NGINX_IDLE_TIMEOUT_S = 8;

/** Drops Upgrade/Connection (nginx strips hop-by-hop headers unless told to forward them)
 * and buffers responses. `proxy_buffering on` alone still relays each upstream chunk as it
 * is read (measured with nginx 1.22), so, like many real deployments, this proxy also gzips
 * every type: deflate output is held until a 4 KiB buffer fills or the response ends.
 * `X-Accel-Buffering: no` is ignored, as a proxy that is not nginx-aware would. */
const NO_UPGRADE_BUFFERING = `
      proxy_set_header Connection "";
      proxy_buffering on;
      proxy_ignore_headers X-Accel-Buffering;
      gzip on;
      gzip_types *;
      gzip_min_length 0;
      gzip_proxied any;`;

/** Forwards WebSocket upgrades but closes any connection idle for a few seconds. */
const IDLE_TIMEOUT = `
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_buffering off;
      proxy_connect_timeout ${NGINX_IDLE_TIMEOUT_S}s;
      proxy_read_timeout ${NGINX_IDLE_TIMEOUT_S}s;
      proxy_send_timeout ${NGINX_IDLE_TIMEOUT_S}s;`;

/**
 * The lines that keep an nginx's pid, logs and temp files in its own `dir` (every nginx of the
 * tests runs in a temp dir): `main` for the top level, `http` for the `http` block.
 */
export function nginxOwnFiles(dir: string): { main: string; http: string } {
  return {
    main: `pid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'error.log')} info;`,
    http: ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${join(dir, kind)};`).join('\n'),
  };
}

function nginxConfig(dir: string, port: number, appPort: number, location: string): string {
  return `worker_processes 1;
${nginxOwnFiles(dir).main}
events { worker_connections 512; }
http {
  log_format timeline '$msec $status $request_time "$request" $body_bytes_sent';
  access_log ${join(dir, 'access.log')} timeline;
${nginxOwnFiles(dir).http}
  keepalive_timeout ${NGINX_IDLE_TIMEOUT_S}s;
  client_body_timeout ${NGINX_IDLE_TIMEOUT_S}s;
  send_timeout ${NGINX_IDLE_TIMEOUT_S}s;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${appPort};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;${location}
    }
  }
}
`;
}

function nginxPath(name: PathName, location: string): NetworkPath {
  return {
    name,
    async start(appPort: number): Promise<RunningPath> {
      const nginx = await startConfiguredDaemon({
        name,
        tempPrefix: 'nginx',
        binary: NGINX_BINARY,
        configFile: 'nginx.conf',
        config: (dir, port) => nginxConfig(dir, port, appPort, location),
        args: (dir, conf) => ['-p', `${dir}/`, '-c', conf, '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
      });
      const tail = (file: string): string => nginx.read(file).slice(-5_000);
      return {
        pageOrigin: `http://127.0.0.1:${nginx.port}`,
        diagnostics: () => `nginx access.log (tail):\n${tail('access.log')}\nnginx error.log (tail):\n${tail('error.log')}`,
        counters: () => {
          const statuses = nginx.read('access.log').split('\n').map((line) => line.split(' ')[1]);
          return {
            requests: statuses.filter((status) => status !== undefined).length,
            upgrades: statuses.filter((status) => status === '101').length,
            idleTimeouts: nginx.read('error.log').split('upstream timed out').length - 1,
          };
        },
        stop: nginx.stop,
      };
    },
  };
}

export const nginxNoUpgradeBuffering = nginxPath('nginx-no-upgrade-buffering', NO_UPGRADE_BUFFERING);
export const nginxIdleTimeout = nginxPath('nginx-idle-timeout', IDLE_TIMEOUT);
