// nginx in front of one or several Ferry nodes for the cluster scenario: one `upstream` over every
// node, plain round robin (no ip_hash, hash or cookie: nothing pins a client to a node), WebSocket
// upgrades forwarded, responses not buffered, keep-alive connections to the nodes. Everything nginx
// writes (pid, logs, temp files) lives in its own temp dir; stopped by its pid. The same config
// with one server in the upstream is the one-node baseline, so both pay the same proxy hop.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBinary, freePort, startDaemon, tempDir } from './daemon.mjs';

/** nginx from PATH, else /usr/sbin/nginx (Debian package `nginx`); null if neither. */
export const nginxBinary = () => findBinary('nginx', '/usr/sbin/nginx');

/**
 * `workers` and `connections` (per worker) for a deployment holding many connections: a worker
 * cannot hold more than the process's file limit, so the load is spread over several workers
 * (`reuseport`: the kernel shares the connections out evenly).
 */
function config(dir, port, nodePorts, { workers = 1, connections = 4096 } = {}) {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${join(dir, kind)};`).join('\n');
  const servers = nodePorts.map((p) => `    server 127.0.0.1:${p} max_fails=0;`).join('\n');
  return `worker_processes ${workers};
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections ${connections}; }
http {
  access_log off;
${temp}
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  upstream ferry_nodes {
${servers}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port}${workers > 1 ? ' reuseport' : ''};
    location / {
      proxy_pass http://ferry_nodes;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $http_host;
      proxy_buffering off;
      proxy_read_timeout 120s;
      proxy_next_upstream off;
    }
  }
}
`;
}

/** Starts nginx balancing round-robin over 127.0.0.1:`nodePorts`; resolves { port, pid, log(), stop() }. */
export async function startNginx(nodePorts, options = {}) {
  const binary = nginxBinary();
  if (!binary) throw new Error('nginx is missing (apt-get install nginx)');
  const dir = tempDir('ferry-bench-nginx-');
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, config(dir, port, nodePorts, options));
  const daemon = await startDaemon({
    name: 'nginx',
    binary,
    args: ['-p', `${dir}/`, '-c', conf, '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
    dir,
    port,
    logFile: 'error.log',
  });
  return { port, ...daemon };
}
