/**
 * nginx under test, as Debian configures it where it matters for speed (`worker_processes
 * auto`, `sendfile on`, `tcp_nopush on`), access log off (bootfleet logs at warn), serving
 * the same directory as bootfleet on the same port. Run with its own config and prefix;
 * the Debian service is never started on the host.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Netns } from '../../lab/netns.js';
import { LANE } from '../lane.js';
import { asRunning, startLogged, waitListening, type RunningServer } from './running-server.js';

export interface NginxBenchOptions {
  ns: Netns;
  dir: string;
  root: string;
  port: number;
  cpu?: string;
}

export async function startNginx(opts: NginxBenchOptions): Promise<RunningServer> {
  const prefix = path.join(opts.dir, 'nginx');
  mkdirSync(path.join(prefix, 'tmp'), { recursive: true });
  const errorLog = path.join(prefix, 'error.log');
  const tmp = path.join(prefix, 'tmp');
  const conf = `
worker_processes auto;
daemon off;
pid ${path.join(prefix, 'nginx.pid')};
error_log ${errorLog} warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  default_type application/octet-stream;
  types { text/plain ipxe; }
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  server {
    listen ${LANE.serverAddr}:${opts.port};
    root ${opts.root};
  }
}
`;
  const confPath = path.join(prefix, 'nginx.conf');
  writeFileSync(confPath, conf);
  const child = startLogged(opts.ns, 'nginx', ['-p', prefix, '-e', errorLog, '-c', confPath], errorLog, opts.cpu !== undefined ? { cpu: opts.cpu } : {});
  const server = asRunning(opts.ns, 'nginx', child, errorLog);
  try {
    await waitListening(opts.ns, child, [{ proto: 'tcp', port: opts.port }], errorLog, 'nginx');
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
