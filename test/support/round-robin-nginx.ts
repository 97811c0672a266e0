// nginx as a plain round-robin load balancer in front of several Ferry nodes: one `upstream` with
// every node and nothing that pins a client to one (no `ip_hash`, no `hash`, no cookie), WebSocket
// upgrades forwarded, and otherwise nginx's defaults, as in the README's config (a node that
// refuses connections is passed over for 10 s, and the request tried on the next one). Every
// request is logged with the node that served it and its `sid`, so a test can count how many nodes
// one session's requests reached.
import { join } from 'node:path';
import { startConfiguredDaemon } from '../e2e/support/processes.js';
import { NGINX_BINARY, nginxOwnFiles } from '../e2e/support/paths/nginx.js';

export interface RoundRobinNginx {
  readonly origin: string;
  /** The node ports each session's requests reached, by `sid` (requests without one are left out). */
  nodesBySession(): Map<string, Set<string>>;
  /** The access log, for a failure's message. */
  log(): string;
  stop(): Promise<void>;
}

function config(dir: string, port: number, nodePorts: readonly number[]): string {
  const servers = nodePorts.map((p) => `    server 127.0.0.1:${p};`).join('\n');
  return `worker_processes 1;
${nginxOwnFiles(dir).main}
events { worker_connections 1024; }
http {
  log_format node '$upstream_addr $status sid=$arg_sid "$request"';
  access_log ${join(dir, 'access.log')} node;
${nginxOwnFiles(dir).http}
  upstream ferry_nodes {
${servers}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://ferry_nodes;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host $http_host;
      proxy_buffering off;
    }
  }
}
`;
}

/** Starts nginx balancing round-robin over 127.0.0.1:`nodePorts`. */
export async function startRoundRobinNginx(nodePorts: readonly number[]): Promise<RoundRobinNginx> {
  const nginx = await startConfiguredDaemon({
    name: 'nginx round-robin',
    tempPrefix: 'nginx-rr',
    binary: NGINX_BINARY,
    configFile: 'nginx.conf',
    config: (dir, port) => config(dir, port, nodePorts),
    args: (dir, conf) => ['-p', `${dir}/`, '-c', conf, '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
  });
  return {
    origin: `http://127.0.0.1:${nginx.port}`,
    nodesBySession() {
      const nodes = new Map<string, Set<string>>();
      for (const line of nginx.read('access.log').split('\n')) {
        const match = /^(\S+) \d+ sid=(\S+) /.exec(line);
        if (match === null || match[2] === '') continue;
        const sid = decodeURIComponent(match[2]);
        let set = nodes.get(sid);
        if (set === undefined) nodes.set(sid, (set = new Set()));
        set.add(match[1]);
      }
      return nodes;
    },
    log: () => nginx.read('access.log').slice(-5_000) + '\n' + nginx.read('error.log').slice(-3_000),
    stop: nginx.stop,
  };
}
