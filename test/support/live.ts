/**
 * Live-test harness: tcpdump on loopback, client workloads (mariadb CLI and mysql2) against a server from
 * test/support/mariadb.ts, and the server's general query log as ground truth.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { parseGeneralLog, type GeneralLogEntry } from './general-log.js';
import { mariadbUnavailableReason, type MariaDb } from './mariadb.js';

export { parseGeneralLog, type GeneralLogEntry };

function which(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/usr/local/sbin']);
  for (const d of dirs) if (d && existsSync(join(d, name))) return join(d, name);
  return undefined;
}

/**
 * Why the live suite cannot run here (missing mariadbd / mariadb client / tcpdump, or no permission to capture
 * on lo), or undefined when it can. Tries a real capture for a moment to learn about permissions.
 */
export async function liveUnavailableReason(): Promise<string | undefined> {
  const m = mariadbUnavailableReason();
  if (m) return m;
  const tcpdump = which('tcpdump');
  if (!tcpdump) return 'tcpdump not found (apt-get install tcpdump)';
  try {
    const cap = await startCapture({ ports: [9], file: '/dev/null' });
    await cap.stop();
  } catch (e) {
    return `tcpdump cannot capture on lo: ${(e as Error).message}`;
  }
  return undefined;
}

export interface Capture {
  file: string;
  /**
   * Waits until the capture file stops growing, stops tcpdump with SIGINT (flushes the file) and waits for it to
   * exit. `{ settle: false }` waits a fixed 0.7 s instead, for a test that stops while traffic goes on by design
   * (retransmissions or keepalive probes into a partition never go quiet).
   */
  stop(opts?: { settle?: boolean }): Promise<void>;
}

export interface CaptureOptions {
  ports: number[];
  /** Default: a new file in a temp dir. */
  file?: string;
  iface?: string;
  extraArgs?: string[];
}

/** Starts `tcpdump -i lo -U -s 0 -w FILE 'tcp port P or ...'` and resolves once it is capturing. */
export async function startCapture(opts: CaptureOptions): Promise<Capture> {
  const file = opts.file ?? join(mkdtempSync(join(tmpdir(), 'myshark-cap-')), 'live.pcap');
  const filter = opts.ports.map((p) => `tcp port ${p}`).join(' or ');
  const args = ['-i', opts.iface ?? 'lo', ...(opts.extraArgs ?? []), '-U', '-s', '0', '-w', file, filter];
  const child = spawn(which('tcpdump') ?? 'tcpdump', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tcpdump did not start within 10 s: ${stderr.trim()}`));
    }, 10_000);
    child.stderr!.on('data', (d: string) => {
      stderr += d;
      if (stderr.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(stderr.trim() || `tcpdump exited with ${code}`));
    });
  });
  await sleep(300); // "listening on" comes just before the capture loop
  let stopped = false;
  return {
    file,
    async stop(opts?: { settle?: boolean }) {
      if (stopped) return;
      stopped = true;
      await (opts?.settle === false ? sleep(700) : settled(file));
      await stopChild(child);
    },
  };
}

/**
 * Waits until tcpdump has written what the kernel handed it: SIGINT ends its loop at once, and what is still
 * queued in its buffer is lost, so on a busy host a fixed pause cut off the last exchanges of a workload. The
 * file (written per packet with -U) must keep its size for 1.2 s, longer than libpcap's 1 s buffer timeout
 * (a partly filled kernel block reaches tcpdump only then), and at most 15 s in all.
 */
async function settled(file: string): Promise<void> {
  const size = () => (existsSync(file) ? statSync(file).size : 0);
  const start = Date.now();
  let last = size();
  let since = Date.now();
  await sleep(200);
  while (Date.now() - start < 15_000) {
    const now = size();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= 1200) {
      return;
    }
    await sleep(100);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGINT');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

/** Size of the general log now; pass it to readGeneralLogSince to get only what a workload logged. */
export function generalLogMark(db: MariaDb): number {
  return existsSync(db.generalLogPath) ? statSync(db.generalLogPath).size : 0;
}

/** The general-log entries written after `mark` (waits briefly so the server has written the last lines). */
export async function readGeneralLogSince(db: MariaDb, mark: number): Promise<GeneralLogEntry[]> {
  await sleep(300);
  const all = readFileSync(db.generalLogPath);
  return parseGeneralLog(all.subarray(mark).toString('utf8'));
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the mariadb CLI over TCP with `sql` on stdin (batch mode: the CLI splits statements itself, `USE db` becomes
 * COM_INIT_DB, the end of input sends COM_QUIT). `interactive: true` runs it on a pseudo-terminal through `script`
 * (util-linux) so it behaves as typed: `select @@version_comment limit 1`, auto-rehash (`show databases`,
 * `show tables`, COM_FIELD_LIST per table). End the SQL with `quit` in that mode.
 */
export async function runCli(
  db: MariaDb,
  sql: string,
  opts: { database?: string; user?: string; password?: string; host?: string; interactive?: boolean; extraArgs?: string[] } = {},
): Promise<CliResult> {
  const client = which('mariadb') ?? which('mysql') ?? 'mariadb';
  const args = [
    '--no-defaults',
    '--default-character-set=utf8mb4',
    '--protocol=TCP',
    `-h${opts.host ?? db.host}`,
    `-P${db.port}`,
    `-u${opts.user ?? db.user}`,
    `-p${opts.password ?? db.password}`,
    ...(opts.extraArgs ?? []),
    ...(opts.database !== undefined ? [opts.database] : []),
  ];
  let cmd = client;
  let argv = args;
  if (opts.interactive) {
    const script = which('script');
    if (!script) throw new Error('`script` (util-linux) is needed for an interactive CLI session');
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    cmd = script;
    argv = ['-qec', [client, ...args].map(quote).join(' '), '/dev/null'];
  }
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'dumb' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(sql);
  });
}

/** SQL for the CLI part of the live workload (database shop). */
export const CLI_WORKLOAD_SQL = `CREATE TABLE live_notes (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, body VARCHAR(200) NULL) DEFAULT CHARSET=utf8mb4;
INSERT INTO live_notes (body) VALUES ('Zürich'), ('東京'), (NULL), ('🎉 emoji');
UPDATE live_notes SET body = CONCAT(body, '!') WHERE body IS NOT NULL;
SELECT id, body FROM live_notes ORDER BY id;
SELECT * FROM live_missing_table;
CALL two_sets(1);
DELIMITER //
SELECT 1 AS one; SELECT 'zwei' AS two, NULL AS nothing //
DELIMITER ;
SHOW DATABASES;
USE inventory
SELECT sku, label, amount FROM stock ORDER BY sku;
DROP TABLE shop.live_notes;
`;

/** Interactive CLI session (field lists, version comment); ends with quit. */
export const CLI_INTERACTIVE_SQL = `SELECT name, city FROM customers ORDER BY id;
USE inventory
SELECT COUNT(*) FROM stock;
quit
`;

/**
 * mysql2 part of the live workload: several connections at once, text protocol only (connection.query), a
 * multi-line statement, a multi-statement query, CALL, an error, COM_PING and COM_CHANGE_USER.
 */
export async function runMysql2Workload(db: MariaDb, connections = 3): Promise<void> {
  const base = { host: db.host, port: db.port, user: db.user, password: db.password, charset: 'utf8mb4_unicode_ci' };
  await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      const c = await mysql.createConnection({ ...base, database: 'shop', multipleStatements: true, connectAttributes: { worker: String(i) } });
      try {
        await c.query('SELECT id, name, city, email FROM customers WHERE id >= ? ORDER BY id', [i + 1]);
        await c.query(`SELECT id,\n       item,\n       qty -- worker ${i}\nFROM orders\nWHERE qty > 0\nORDER BY id`);
        await c.query(`INSERT INTO orders (customer_id, item, qty, price, note) VALUES (1, 'live-${i}', ${i + 1}, NULL, 'Grüße')`);
        await c.query(`DELETE FROM orders WHERE item = 'live-${i}'`);
        await c.ping();
        await c.query('CALL two_sets(2)');
        await c.query(`SELECT ${i} AS worker; SELECT 'Zürich' AS city, NULL AS n`);
        await c.query('SELECT no_such_column FROM customers').catch((e: { errno?: number }) => {
          if (e.errno !== 1054) throw e;
        });
        if (i === 0) {
          await c.changeUser({ user: 'other', password: 'other-pw', database: 'shop' });
          await c.query('SELECT CURRENT_USER() AS who');
        }
      } finally {
        await c.end();
      }
    }),
  );
}

/** A login with a wrong password (ERR 1045) and one to a missing schema (ERR 1049). */
export async function runFailedLogins(db: MariaDb): Promise<void> {
  const r1 = await runCli(db, 'SELECT 1;\n', { password: 'wrong-password', database: 'shop' });
  if (r1.code === 0 || !r1.stderr.includes('1045')) throw new Error(`expected ERROR 1045, got ${r1.code}: ${r1.stderr}`);
  const r2 = await runCli(db, 'SELECT 1;\n', { database: 'scratch_missing' });
  if (r2.code === 0 || !r2.stderr.includes('1049')) throw new Error(`expected ERROR 1049, got ${r2.code}: ${r2.stderr}`);
}

/** The whole live workload: CLI batch, CLI interactive (when `script` exists), mysql2 connections, failed logins. */
export async function runWorkload(db: MariaDb): Promise<{ interactive: boolean }> {
  const batch = await runCli(db, CLI_WORKLOAD_SQL, { database: 'shop', extraArgs: ['--force'] });
  if (!batch.stderr.includes('1146')) throw new Error(`CLI workload: expected ERROR 1146 in: ${batch.stderr}`);
  const interactive = which('script') !== undefined;
  if (interactive) {
    const r = await runCli(db, CLI_INTERACTIVE_SQL, { database: 'shop', interactive: true });
    if (r.code !== 0) throw new Error(`interactive CLI exited ${r.code}: ${r.stdout}${r.stderr}`);
  }
  await runMysql2Workload(db);
  await runFailedLogins(db);
  return { interactive };
}

/** Removes a capture's temp directory. */
export function removeCapture(cap: Capture): void {
  if (cap.file.includes('myshark-cap-')) rmSync(join(cap.file, '..'), { recursive: true, force: true });
}

