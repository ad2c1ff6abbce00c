/**
 * Live: what the network did, explained by `diagnose`, against a MariaDB running in a network namespace this test
 * creates (test/support/netns.ts), reached over a veth pair and recorded by tcpdump on the host side:
 *   - a network partition: the namespace starts dropping everything towards the client while a SELECT is on its
 *     way; the client retransmits into silence and diagnose reports the server not answering (critical);
 *   - idle connections with TCP keepalive on (first probe after 1 s) and off: probes counted as tshark counts them;
 *   - half-open: keepalive probes sent into a partition, never answered;
 *   - a client that stops reading a large result: zero-window advertisements, as tshark flags them;
 *   - failed logins: a wrong password (1045) and an unknown database (1049), citing tshark's ERR frames.
 * Skipped, with the reason in the suite name, without mariadbd / tcpdump / root for namespaces / tshark.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { startMariaDb, type MariaDb } from '../support/mariadb.js';
import { liveUnavailableReason, removeCapture, startCapture, type Capture } from '../support/live.js';
import { createNetNs, netnsUnavailableReason, type NetNs } from '../support/netns.js';
import { tsharkAvailable } from '../support/tshark.js';
import type { Finding } from '../../src/analysis/diagnose.js';
import { parseDiagnoseOptions, runDiagnose } from '../../src/cli/diagnose.js';
import { StringSink } from '../../src/output/sink.js';

const reason = (await liveUnavailableReason()) ?? netnsUnavailableReason() ?? (tsharkAvailable() ? undefined : 'tshark not found (apt-get install tshark)');
if (reason) console.warn(`live network scenarios skipped: ${reason}`);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function diagnose(file: string, port: number, extra: Record<string, string> = {}): Promise<Finding[]> {
  const out = new StringSink();
  const c = parseDiagnoseOptions(file, { format: 'json', decodePort: [String(port)], ...extra }, process.stdin);
  await runDiagnose(c, { stdout: out, stderr: () => {} });
  return out.toString().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Finding);
}

function tshark(file: string, port: number, filter: string, fields: string[]): string[][] {
  return execFileSync('tshark', ['-r', file, '-d', `tcp.port==${port},mysql`, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}
const frames = (file: string, port: number, filter: string): number[] => tshark(file, port, filter, ['frame.number']).map(([n]) => Number(n));

describe.skipIf(reason !== undefined)(`live: network scenarios in a namespace${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let ns: NetNs | undefined;
  let db: MariaDb | undefined;
  const caps: Capture[] = [];
  const options = (): mysql.ConnectionOptions => ({ host: db!.host, port: db!.port, user: db!.user, password: db!.password, database: 'shop' });
  const capture = async (): Promise<Capture> => {
    const c = await startCapture({ ports: [db!.port], iface: ns!.hostIf });
    caps.push(c);
    return c;
  };

  beforeAll(async () => {
    ns = createNetNs();
    db = await startMariaDb({ netns: ns.name, bind: ns.nsIp });
  });
  afterAll(async () => {
    try { ns?.heal(); } catch { /* not partitioned */ }
    await db?.stop().catch(() => {});
    ns?.remove();
    for (const c of caps) removeCapture(c);
  });

  it('partition: the client retransmits a SELECT into silence; diagnose says the server stopped answering', async () => {
    const cap = await capture();
    const a = await mysql.createConnection(options());
    let pending: Promise<unknown> | undefined;
    try {
      await a.query('SELECT 1 AS before_partition');
      ns!.partition();
      pending = a.query('SELECT 2 AS lost').catch((e: Error) => e);
      await sleep(3500); // RTO 200 ms, doubling: 4 or 5 retransmissions
      await cap.stop({ settle: false });
    } finally {
      a.destroy();
      ns!.heal();
    }
    await pending;
    const f = await diagnose(cap.file, db!.port);
    const request = frames(cap.file, db!.port, 'mysql.query == "SELECT 2 AS lost"')[0]!;
    const stream = Number(tshark(cap.file, db!.port, `frame.number == ${request}`, ['tcp.stream'])[0]![0]);
    const mine = f.filter((x) => x.conn === stream);
    const retrans = frames(cap.file, db!.port, `tcp.stream == ${stream} && tcp.analysis.retransmission && tcp.dstport == ${db!.port}`);
    expect(retrans.length).toBeGreaterThanOrEqual(3);
    expect(mine.map((x) => [x.severity, x.kind])).toEqual([['critical', 'server_not_answering'], ['info', 'retransmissions']]);
    expect(mine[0]!.message).toBe(`COM_QUERY: SELECT 2 AS lost got no response and the client retransmitted ${retrans.length} segment(s): the server (or the path to it) stopped answering`);
    expect(mine[0]!.frames[0]).toBe(request);
    expect(mine[1]!.frames).toEqual([retrans[0]]);
    // Nothing from the server after the request: the silence is real, not a decoding gap.
    expect(frames(cap.file, db!.port, `tcp.stream == ${stream} && tcp.srcport == ${db!.port} && frame.number > ${request}`)).toEqual([]);
  }, 60_000);

  it('idle with and without TCP keepalive: probes seen only where keepalive is on, as tshark counts them', async () => {
    const cap = await capture();
    const on = await mysql.createConnection({ ...options(), enableKeepAlive: true, keepAliveInitialDelay: 1000 });
    const off = await mysql.createConnection({ ...options(), enableKeepAlive: false });
    try {
      await sleep(3000);
      await on.query('SELECT 1 AS keepalive_on');
      await off.query('SELECT 1 AS keepalive_off');
    } finally {
      await on.end();
      await off.end();
      await cap.stop();
    }
    const f = (await diagnose(cap.file, db!.port, { idle: '2' })).filter((x) => x.kind === 'idle');
    const streamOf = (sql: string): number => Number(tshark(cap.file, db!.port, `mysql.query == "${sql}"`, ['tcp.stream'])[0]![0]);
    const sOn = streamOf('SELECT 1 AS keepalive_on');
    const sOff = streamOf('SELECT 1 AS keepalive_off');
    const probes = frames(cap.file, db!.port, `tcp.stream == ${sOn} && tcp.analysis.keep_alive`);
    expect(probes.length).toBeGreaterThanOrEqual(1);
    expect(frames(cap.file, db!.port, `tcp.stream == ${sOff} && tcp.analysis.keep_alive`)).toEqual([]);
    const fOn = f.find((x) => x.conn === sOn)!;
    const fOff = f.find((x) => x.conn === sOff)!;
    expect(fOn.message).toMatch(new RegExp(`^idle for [23]\\.\\d s \\(frames \\d+ → \\d+\\), ${probes.length} TCP keepalive probe\\(s\\) in that time, the first after 1\\.\\d s: keepalive is on`));
    expect(fOff.message).toMatch(/^idle for [23]\.\d s \(frames \d+ → \d+\), no TCP keepalive probes: keepalive is off/);
    expect(probes.every((n) => n > fOn.frames[0]! && n < fOn.frames[1]!)).toBe(true);
  }, 60_000);

  it('half-open: keepalive probes into a partition go unanswered', async () => {
    const cap = await capture();
    const a = await mysql.createConnection({ ...options(), enableKeepAlive: true, keepAliveInitialDelay: 1000 });
    try {
      await a.query('SELECT 1 AS before_half_open');
      ns!.partition();
      await sleep(3000); // the first probe after 1 s of silence; later ones every tcp_keepalive_intvl
      await cap.stop({ settle: false });
    } finally {
      a.destroy();
      ns!.heal();
    }
    const stream = Number(tshark(cap.file, db!.port, 'mysql.query == "SELECT 1 AS before_half_open"', ['tcp.stream'])[0]![0]);
    const probes = frames(cap.file, db!.port, `tcp.stream == ${stream} && tcp.analysis.keep_alive`);
    expect(probes.length).toBeGreaterThanOrEqual(1);
    expect(frames(cap.file, db!.port, `tcp.stream == ${stream} && tcp.analysis.keep_alive_ack`)).toEqual([]);
    const f = (await diagnose(cap.file, db!.port)).filter((x) => x.conn === stream);
    expect(f.map((x) => [x.severity, x.kind])).toEqual([['error', 'half_open']]);
    expect(f[0]!.message).toMatch(new RegExp(`^half-open: ${probes.length} TCP keepalive probe\\(s\\) after \\d+\\.\\d s of silence and none answered`));
    expect(f[0]!.frames[1]).toBe(probes.at(-1));
  }, 60_000);

  it('a client that stops reading a large result: zero windows, counted as tshark flags them', async () => {
    const cap = await capture();
    const a = await mysql.createConnection(options());
    try {
      const sock = (a as unknown as { connection: { stream: { pause(): void; resume(): void } } }).connection.stream;
      // ~16 MB of rows: more than the receive buffer can hold while the client is not reading.
      const q = a.query("SELECT seq, REPEAT('x', 1000) AS pad FROM seq_1_to_16000");
      sock.pause();
      await sleep(1500);
      sock.resume();
      const [rows] = (await q) as unknown as [unknown[]];
      expect(rows.length).toBe(16000);
    } finally {
      await a.end();
      await cap.stop();
    }
    const f = (await diagnose(cap.file, db!.port)).filter((x) => x.kind === 'zero_window');
    const zw = frames(cap.file, db!.port, 'tcp.analysis.zero_window');
    expect(zw.length).toBeGreaterThan(0);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(new RegExp(`^${zw.length} zero-window advertisement\\(s\\), mostly by the client: it could not take more data`));
    expect(f[0]!.frames).toEqual([zw[0]]);
  }, 60_000);

  it('failed logins: wrong password (1045) and unknown database (1049: a schema the user may use but that does not exist), citing the ERR frames', async () => {
    const cap = await capture();
    try {
      await expect(mysql.createConnection({ ...options(), password: 'wrong' })).rejects.toMatchObject({ errno: 1045 });
      await expect(mysql.createConnection({ ...options(), database: 'scratch_missing' })).rejects.toMatchObject({ errno: 1049 });
    } finally {
      await cap.stop();
    }
    const f = await diagnose(cap.file, db!.port);
    expect(f.map((x) => [x.severity, x.kind])).toEqual([['warning', 'failed_login'], ['warning', 'failed_login']]);
    expect(f[0]!.message).toMatch(/^login failed for user 'app': access denied \(ERROR 1045 \(28000\): Access denied for user 'app'@'10\.213\./);
    expect(f[1]!.message).toMatch(/^login failed for user 'app': unknown database \(ERROR 1049 \(42000\): Unknown database 'scratch_missing'\)$/);
    expect(f.flatMap((x) => x.frames)).toEqual(frames(cap.file, db!.port, 'mysql.error_code == 1045 || mysql.error_code == 1049'));
  }, 60_000);
});
