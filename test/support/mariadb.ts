/**
 * A throwaway MariaDB for live tests: a fresh datadir in a temp dir, loopback only, a free port, real
 * authentication, the general query log on. Thin wrapper over scripts/mariadb/server.sh (one implementation for
 * the shell and the tests); the schema and users come from scripts/mariadb/setup.sql:
 *   app/secret (mysql_native_password; all on shop.*, inventory.*, `scratch\_%`.*), other/other-pw (SELECT on shop.*),
 *   shop.customers, shop.orders (UTF-8 data), procedure shop.two_sets(min_qty) returning two result sets,
 *   inventory.stock.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER_SCRIPT = join(REPO_ROOT, 'scripts/mariadb/server.sh');

export interface MariaDb {
  /** Where clients connect: 127.0.0.1, or the bind address inside the network namespace. */
  host: string;
  port: number;
  socketPath: string;
  generalLogPath: string;
  /** Everything of this instance: data/, mysqld.sock, general.log, error.log. */
  dir: string;
  /** `mariadbd --version` line. */
  version: string;
  /** The user the workloads log in with. */
  user: 'app';
  password: 'secret';
  /** Stops the server (SIGTERM, waits) and removes its directory unless started with keep. */
  stop(): Promise<void>;
}

function findBinary(names: string[]): string | undefined {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin', '/usr/libexec']);
  for (const n of names) for (const d of dirs) if (d && existsSync(join(d, n))) return join(d, n);
  return undefined;
}

/** Why a MariaDB cannot be started here, or undefined when it can. */
export function mariadbUnavailableReason(): string | undefined {
  if (!findBinary(['mariadbd', 'mysqld'])) return 'mariadbd not found (apt-get install mariadb-server)';
  if (!findBinary(['mariadb-install-db', 'mysql_install_db'])) return 'mariadb-install-db not found (apt-get install mariadb-server)';
  if (!findBinary(['mariadb', 'mysql'])) return 'mariadb client not found (apt-get install mariadb-client)';
  return undefined;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

export interface StartOptions {
  /** Default: a free port. */
  port?: number;
  /** Comma-separated addresses for --bind-address (default '127.0.0.1'; '127.0.0.1,::1' for IPv6 too). */
  bind?: string;
  /** Keep the directory after stop() (for debugging). Also MYSHARK_KEEP_MARIADB=1. */
  keep?: boolean;
  /** Run mariadbd inside this network namespace (made by the test, see netns.ts); `bind` is then its address. */
  netns?: string;
}

export async function startMariaDb(opts: StartOptions = {}): Promise<MariaDb> {
  const reason = mariadbUnavailableReason();
  if (reason) throw new Error(reason);
  const dir = mkdtempSync(join(tmpdir(), 'myshark-mariadb-'));
  const keep = opts.keep ?? process.env.MYSHARK_KEEP_MARIADB === '1';
  const bind = opts.bind ?? '127.0.0.1';
  let lastError: unknown;
  // A free port can be taken between freePort() and the server's bind: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      const env = opts.netns !== undefined ? { ...process.env, MARIADB_NETNS: opts.netns } : process.env;
      await execFileP('bash', [SERVER_SCRIPT, 'start', dir, String(port), bind], { encoding: 'utf8', env });
    } catch (e) {
      lastError = e;
      if (opts.port !== undefined) break;
      continue;
    }
    const mariadbd = findBinary(['mariadbd', 'mysqld'])!;
    const version = execFileSync(mariadbd, ['--version'], { encoding: 'utf8' }).trim();
    let stopped = false;
    return {
      host: opts.netns !== undefined ? bind.split(',')[0]! : '127.0.0.1',
      port,
      socketPath: join(dir, 'mysqld.sock'),
      generalLogPath: join(dir, 'general.log'),
      dir,
      version,
      user: 'app',
      password: 'secret',
      async stop() {
        if (stopped) return;
        stopped = true;
        await execFileP('bash', [SERVER_SCRIPT, 'stop', dir], { encoding: 'utf8' });
        if (!keep) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const err = lastError as { stderr?: string; message?: string } | undefined;
  if (!keep) rmSync(dir, { recursive: true, force: true });
  throw new Error(`MariaDB did not start: ${err?.stderr || err?.message || 'unknown error'}`);
}
