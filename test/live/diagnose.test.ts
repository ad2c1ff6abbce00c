/**
 * Live: `diagnose` and `queries` on scenarios made against a throwaway MariaDB on loopback, recorded by tcpdump:
 *   - slow statements: SELECT SLEEP(1.2) — the latency must match the sleep, and diagnose --slow 1 reports it;
 *   - KILL of a connection while it runs SELECT SLEEP(30) from another connection;
 *   - the server killed (SIGKILL) in the middle of a SELECT SLEEP(30).
 * What the server sent in each case is checked with tshark on the same capture where installed.
 * Skipped, with the reason in the suite name, when mariadbd, tcpdump or permission to capture on lo is missing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { startMariaDb, type MariaDb } from '../support/mariadb.js';
import { liveUnavailableReason, removeCapture, startCapture, type Capture } from '../support/live.js';
import type { Finding } from '../../src/analysis/diagnose.js';
import { parseDiagnoseOptions, runDiagnose } from '../../src/cli/diagnose.js';
import { queryRow, type QueryRow } from '../../src/analysis/queries.js';
import { analyze } from '../../src/pipeline/analyze.js';
import { StringSink } from '../../src/output/sink.js';
import { tsharkAvailable } from '../support/tshark.js';

const reason = await liveUnavailableReason();
if (reason) console.warn(`live diagnose skipped: ${reason}`);

async function findings(file: string, port: number, slow = '1'): Promise<Finding[]> {
  const out = new StringSink();
  const c = parseDiagnoseOptions(file, { format: 'json', decodePort: [String(port)], slow }, process.stdin);
  await runDiagnose(c, { stdout: out, stderr: () => {} });
  return out.toString().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Finding);
}

async function rows(file: string, port: number): Promise<QueryRow[]> {
  const r: QueryRow[] = [];
  await analyze({ kind: 'file', path: file }, { ports: [port], onExchange: (x) => r.push(queryRow(x)) }, () => {});
  return r;
}

describe.skipIf(reason !== undefined)(`live: diagnose scenarios${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let db: MariaDb | undefined;
  let cap: Capture | undefined;
  const caps: Capture[] = [];
  const conn = (): Promise<mysql.Connection> => mysql.createConnection({ host: db!.host, port: db!.port, user: db!.user, password: db!.password, database: 'shop' });

  beforeAll(async () => {
    db = await startMariaDb();
  });
  afterAll(async () => {
    await db?.stop().catch(() => {});
    for (const c of caps) removeCapture(c);
  });

  it('slow statement: latency matches SELECT SLEEP(1.2); KILL of a busy connection is seen and explained', async () => {
    cap = await startCapture({ ports: [db!.port] });
    caps.push(cap);
    const a = await conn();
    const b = await conn();
    try {
      await a.query('SELECT SLEEP(1.2) AS s');
      const [[idRow]] = (await a.query('SELECT CONNECTION_ID() AS id')) as unknown as [[{ id: number }]];
      const running = a.query('SELECT SLEEP(30) AS s').catch((e: Error) => e);
      await new Promise((r) => setTimeout(r, 300));
      await b.query(`KILL ${idRow.id}`);
      const res = await running;
      expect(res).toBeInstanceOf(Error);
    } finally {
      await b.end();
      a.destroy();
      await cap.stop();
    }
    const q = await rows(cap.file, db!.port);
    const sleep = q.find((r) => r.sql === 'SELECT SLEEP(1.2) AS s')!;
    expect(sleep.status).toBe('ok');
    expect(sleep.latency_ms!).toBeGreaterThanOrEqual(1200);
    expect(sleep.latency_ms!).toBeLessThan(2000);
    const f = await findings(cap.file, db!.port);
    const slow = f.filter((x) => x.kind === 'slow_statement');
    expect(slow.map((x) => x.message)).toEqual([expect.stringMatching(/^COM_QUERY took 1\.\d{3} s \(over 1 s\): SELECT SLEEP\(1\.2\) AS s$/)]);
    // The killed statement: MariaDB answers it with an ERR (1927 "Connection was killed") or closes without one.
    const killed = q.find((r) => r.sql === 'SELECT SLEEP(30) AS s')!;
    if (killed.status === 'error') {
      expect([1053, 1317, 1927]).toContain(killed.error_code);
    } else {
      expect(f.some((x) => x.conn === killed.conn && /no response/.test(x.message))).toBe(true);
    }
    if (tsharkAvailable()) {
      const fins = execFileSync('tshark', ['-r', cap.file, '-d', `tcp.port==${db!.port},mysql`, '-Y', `tcp.stream == ${killed.conn} && tcp.flags.fin == 1 && tcp.srcport == ${db!.port}`, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      expect(fins.trim()).not.toBe(''); // the server closed the killed connection
    }
  }, 60_000);

  it('server killed (SIGKILL) mid-query: the request is reported as left without a response, and why', async () => {
    cap = await startCapture({ ports: [db!.port] });
    caps.push(cap);
    const a = await conn();
    try {
      const [[p]] = (await a.query('SELECT @@pid_file AS f')) as unknown as [[{ f: string }]];
      const pidFile = p.f.startsWith('/') ? p.f : join(db!.dir, 'data', p.f);
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      const running = a.query('SELECT SLEEP(30) AS s').catch((e: Error) => e);
      await new Promise((r) => setTimeout(r, 300));
      process.kill(pid, 'SIGKILL');
      expect(await running).toBeInstanceOf(Error);
    } finally {
      a.destroy();
      await cap.stop();
    }
    const q = await rows(cap.file, db!.port);
    const lost = q.find((r) => r.sql === 'SELECT SLEEP(30) AS s')!;
    expect(lost.status).toBe('no_response');
    const f = await findings(cap.file, db!.port);
    const mine = f.filter((x) => x.conn === lost.conn && /SELECT SLEEP\(30\)/.test(x.message));
    expect(mine.map((x) => [x.severity, x.kind])).toEqual([['error', expect.stringMatching(/^(server_closed_during_request|reset_during_request)$/)]]);
  }, 60_000);
});
