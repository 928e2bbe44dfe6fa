/**
 * A throwaway PostgreSQL for tests: Debian's server binaries (`postgresql` package), a new
 * cluster made by `initdb` in a temporary directory, listening only on a Unix socket in
 * that directory (no TCP at all, so nothing on the host's network can reach it), stopped
 * and deleted by `stop()`.
 *
 * The socket is a file, so it is reachable from every network namespace of this machine:
 * the storm test's two bootfleet servers sit in namespaces of their own and still share
 * this one database.
 *
 * `initdb` and `postgres` refuse to run as root; as root the cluster runs as the
 * `postgres` user the Debian package creates (its files in a directory given to it).
 * Authentication is `trust` on the socket, which only local processes can open.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The PostgreSQL superuser `initdb` creates; tests connect as it. */
export const PG_TEST_USER = 'bootfleet';
const PG_ROOT = '/usr/lib/postgresql';
/** Only names the socket file (`.s.PGSQL.5432`): the directory is ours alone. */
const SOCKET_PORT = 5432;

interface RunAs {
  uid: number;
  gid: number;
}

/** The newest installed server's bin directory, or null. */
function findBinDir(): string | null {
  if (!existsSync(PG_ROOT)) return null;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => /^\d+$/.test(v) && existsSync(path.join(PG_ROOT, v, 'bin', 'initdb')) && existsSync(path.join(PG_ROOT, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : path.join(PG_ROOT, versions[0], 'bin');
}

/** As root: the `postgres` user's ids; otherwise null (run as ourselves). */
function runAsUser(): RunAs | { error: string } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return { error: 'running as root, and there is no postgres user to run the server as (apt-get install postgresql creates it)' };
  }
}

export class PgTestCluster {
  private stopped = false;
  private databases = 0;

  private constructor(
    /** Temporary directory holding the cluster (`data/`), the socket and the server log. */
    readonly dir: string,
    private readonly bin: string,
    private readonly runAs: RunAs | null,
  ) {}

  /**
   * Why a cluster cannot be started here, or null when it can. Tests skip with this
   * reason (the test script installs `postgresql`; a developer may not have it).
   */
  static unavailableReason(): string | null {
    if (findBinDir() === null) return `PostgreSQL server binaries not found under ${PG_ROOT} (apt-get install --no-install-recommends postgresql)`;
    const who = runAsUser();
    if (who !== null && 'error' in who) return who.error;
    return null;
  }

  /** Makes and starts a new cluster; throws with the server's log when it does not come up. */
  static async start(): Promise<PgTestCluster> {
    const bin = findBinDir();
    if (bin === null) throw new Error(PgTestCluster.unavailableReason() ?? 'no PostgreSQL');
    const who = runAsUser();
    if (who !== null && 'error' in who) throw new Error(who.error);
    const dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-pg-'));
    // The server needs to own its directory; root can still reach the socket inside it.
    if (who) chownSync(dir, who.uid, who.gid);
    chmodSync(dir, 0o755);
    const cluster = new PgTestCluster(dir, bin, who);
    try {
      cluster.run('initdb', ['-D', cluster.dataDir, '-U', PG_TEST_USER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
      cluster.run('pg_ctl', [
        '-D',
        cluster.dataDir,
        '-l',
        cluster.logFile,
        '-w',
        '-t',
        '30',
        // listen_addresses='' : no TCP socket at all; the Unix socket lives in our directory.
        '-o',
        `-c listen_addresses='' -c unix_socket_directories='${dir}' -p ${SOCKET_PORT} -c max_connections=200`,
        'start',
      ]);
    } catch (err) {
      const log = existsSync(cluster.logFile) ? readFileSync(cluster.logFile, 'utf8').slice(-2000) : '';
      await cluster.stop();
      throw new Error(`could not start PostgreSQL in ${dir}: ${err instanceof Error ? err.message : String(err)}\n${log}`);
    }
    return cluster;
  }

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  get logFile(): string {
    return path.join(this.dir, 'server.log');
  }

  /** The directory holding the socket: the `host` of a Unix-socket connection. */
  get socketDir(): string {
    return this.dir;
  }

  /** A `postgres://` URL for `database` over the Unix socket (the `store:` config form). */
  url(database = 'postgres'): string {
    return `postgres://${PG_TEST_USER}@${encodeURIComponent(this.socketDir)}:${SOCKET_PORT}/${encodeURIComponent(database)}`;
  }

  /** Creates an empty database with a fresh name and returns its URL. */
  createDatabase(prefix = 'db'): string {
    const name = `${prefix}_${this.databases++}`;
    this.run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', this.socketDir, '-p', String(SOCKET_PORT), '-U', PG_TEST_USER, '-d', 'postgres', '-c', `CREATE DATABASE "${name}"`]);
    return this.url(name);
  }

  /** Runs one SQL text through psql (unaligned, tuples only) and returns its output. */
  psql(database: string, sql: string): string {
    return this.run('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', this.socketDir, '-p', String(SOCKET_PORT), '-U', PG_TEST_USER, '-d', database, '-c', sql]);
  }

  /** Stops the server (fast shutdown: open sessions are ended) and deletes everything. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (existsSync(path.join(this.dataDir, 'postmaster.pid'))) {
      const r = spawnSync(path.join(this.bin, 'pg_ctl'), ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '30', 'stop'], this.spawnOptions());
      if (r.status !== 0) process.stderr.write(`pg-test-cluster: pg_ctl stop: ${r.stderr}\n`);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(tool: string, args: string[]): string {
    const r = spawnSync(path.join(this.bin, tool), args, this.spawnOptions());
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${tool} exited ${r.status}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  private spawnOptions(): { encoding: 'utf8'; timeout: number; cwd: string; env: NodeJS.ProcessEnv; uid?: number; gid?: number } {
    // cwd: the server user must be able to read its working directory (root's may be closed to it).
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C', HOME: this.dir };
    return { encoding: 'utf8', timeout: 60_000, cwd: this.dir, env, ...(this.runAs ?? {}) };
  }
}
