/**
 * Live: a sysbench OLTP workload (`oltp_read_write`, 4 threads, 3 s) captured on loopback against a throwaway
 * MariaDB, and myshark's view of it checked against three independent witnesses of the same traffic:
 *
 *   1. pt-query-digest (Debian `percona-toolkit`) — the digest classes and their counts:
 *        tcpdump -r FILE -x -n -q -tttt | pt-query-digest --type tcpdump --watch-server 127.0.0.1:P --output json --limit 100%
 *      against `Digest` over the file's COM_QUERY exchanges, equal after the normalisation below.
 *   2. sysbench's own "queries performed" report. Its MySQL driver (drv_mysql.c, mysql_drv_query) sorts every
 *      statement it sent by what came back: a result set (mysql_store_result gave one) → read; no result set and
 *      mysql_affected_rows() > 0 → write; no result set and 0 rows affected → other (BEGIN, COMMIT, and any
 *      UPDATE/DELETE that matched nothing); an error from --mysql-ignore-errors (1213 deadlock, 1020, 1205 lock wait
 *      timeout) → "ignored errors", which is not part of total = read + write + other. An event (transaction) that
 *      hits such an error is abandoned and not counted, so: transactions = successful COMMITs and
 *      BEGINs = transactions + ignored errors (every event starts with BEGIN; it ends in COMMIT or in one error).
 *      Each relation is asserted from the exchanges.
 *   3. tshark — the timestamps: for every COM_QUERY exchange, latency (request's last byte → response's last byte,
 *      src/analysis/queries.ts) and time to first byte must equal the difference of tshark's frame.time_epoch of
 *      the frames the exchange names (request.lastFrameNo, firstResponseFrame, endFrame), to the microsecond, and
 *      those frames must carry payload in the right direction.
 *
 * sysbench runs with --db-ps-mode=disable: its "prepared" statements are then built client-side and sent as text
 * (COM_QUERY), which pt-query-digest can read (it does not decode COM_STMT_EXECUTE's binary parameters). The tables
 * are created by `sysbench ... prepare` before the capture starts, so only the benchmark is recorded.
 *
 * Documented differences between our fingerprint (src/analysis/fingerprint.ts) and pt-query-digest's, normalised:
 *   - Numbers inside identifiers: pt turns the table names sbtest1 / sbtest2 into `sbtest?` (so both tables are one
 *     class there), we keep the names; normalised to `name?` and the counts of the merged classes summed.
 *   - Signs: pt's number pattern `[0-9+-][0-9a-f.xb+-]*` eats the operator of `k=k+1` with the number (`k=k?`),
 *     we keep it (`k=k+?`); normalised to pt's form (with spaces, `k = k + 1`, it becomes `k = k ? ?` there).
 *   - VALUES lists: pt gives `values(?+)`, we keep the first row `values (?, ?, ?, ?)`; normalised to `values(?+)`.
 *   - pt reports COM_QUIT ('administrator command: Quit') and logins, which have no response and so no exchange
 *     in myshark; only SQL classes (COM_QUERY) are compared. (pt also fails on some logins — 'client cmd not packet
 *     0' — and saves those sessions to /tmp/pt-query-digest-errors.*, removed here; the counts show that no
 *     statement is lost by it.)
 *
 * Every comparison needs every packet: a segment tcpdump drops (it falls behind on a busy machine) takes its
 * statements from pt-query-digest and myshark alike, and they no longer add up to sysbench's counts. tcpdump gets a
 * 64 MiB buffer (-B), tshark's tcp.analysis.lost_segment / ack_lost_segment must find nothing, and the capture is
 * taken once more if they do (then the suite fails, saying so).
 *
 * Skipped, with the reason in the suite name, when sysbench, pt-query-digest, tshark, mariadbd, the mariadb client,
 * tcpdump or permission to capture on lo is missing.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMariaDb, type MariaDb } from '../support/mariadb.js';
import { liveUnavailableReason, removeCapture, startCapture, type Capture } from '../support/live.js';
import type { Exchange } from '../../src/model/exchange.js';
import type { MySqlRecord } from '../../src/model/record.js';
import { analyze } from '../../src/pipeline/analyze.js';
import { Digest } from '../../src/analysis/digest.js';
import { queryRow } from '../../src/analysis/queries.js';
import { COM } from '../../src/mysql/constants/commands.js';
import { digestCounts, ptCounts, sortedCounts } from '../support/pt-query-digest.js';

const execFileP = promisify(execFile);

function onPath(name: string): boolean {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/local/bin']);
  return dirs.some((d) => d && existsSync(`${d}/${name}`));
}

function toolsUnavailableReason(): string | undefined {
  if (!onPath('sysbench')) return 'sysbench not found (apt-get install sysbench)';
  if (!onPath('pt-query-digest')) return 'pt-query-digest not found (apt-get install percona-toolkit)';
  if (!onPath('tshark')) return 'tshark not found (apt-get install tshark)';
  return undefined;
}

const reason = toolsUnavailableReason() ?? (await liveUnavailableReason());
if (reason) console.warn(`digest vs sysbench, pt-query-digest and tshark skipped: ${reason}`);

/** Whitespace collapsed, lower case, and the documented identifier, sign and VALUES differences made equal. */
function normalise(fp: string): string {
  return fp
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase()
    .replace(/\b([a-z_]+)\d+\b/g, '$1?')
    .replace(/ [+-] \?/g, ' ? ?')
    .replace(/(?<=[\w)])[+-]\?/g, '?')
    .replace(/\bvalues ?\((?:\s*\?\s*,?)+\)(?:\s*,\s*\((?:\s*\?\s*,?)+\))*|\bvalues\(\?\+\)/g, 'values(?+)');
}

/** sysbench's defaults for --mysql-ignore-errors: the errors it counts as "ignored errors" and carries on. */
const SYSBENCH_IGNORED_ERRORS = [1213, 1020, 1205];

interface SysbenchCounts {
  read: number;
  write: number;
  other: number;
  total: number;
  transactions: number;
  ignoredErrors: number;
  reconnects: number;
}

/** The "SQL statistics" block of `sysbench ... run`. */
function parseSysbench(out: string): SysbenchCounts {
  const num = (label: string): number => {
    const m = new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm').exec(out);
    if (!m) throw new Error(`no "${label}:" in sysbench's output:\n${out}`);
    return Number(m[1]);
  };
  return {
    read: num('read'),
    write: num('write'),
    other: num('other'),
    total: num('total'),
    transactions: num('transactions'),
    ignoredErrors: num('ignored errors'),
    reconnects: num('reconnects'),
  };
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command in the background (so pt-query-digest, tshark and myshark can work at the same time) in its own
 * process group, so that `stop()` ends it with its pipeline; `done` never rejects.
 */
function run(cmd: string, args: string[]): { done: Promise<Ran>; stop(): void } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const done = new Promise<Ran>((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.once('error', (e) => resolve({ status: -1, stdout: '', stderr: String(e) }));
    child.once('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
  return {
    done,
    stop() {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    },
  };
}

/** pt-query-digest saves the sessions it could not parse (it fails on some handshakes) in /tmp: remove them. */
function removePtErrorFiles(stderr: string): void {
  for (const m of stderr.matchAll(/will save them in (\/tmp\/pt-query-digest-errors\.\w+)/g)) rmSync(m[1]!, { force: true });
}


/** One frame as tshark sees it: time in microseconds since the epoch, TCP source port, TCP payload length. */
interface TsharkFrame {
  us: number;
  srcPort: number;
  len: number;
}

/** `1795246394.743697000` → microseconds (exact: pcap has microsecond resolution, and 1.8e15 < 2^53). */
function epochMicros(s: string): number {
  const [sec, frac = ''] = s.split('.');
  return Number(sec) * 1e6 + Number(frac.padEnd(6, '0').slice(0, 6));
}

/** tshark's frames, and how many of them follow or acknowledge a segment missing from the capture. */
function parseTsharkFrames(out: string): { frames: Map<number, TsharkFrame>; lost: number } {
  const frames = new Map<number, TsharkFrame>();
  let lost = 0;
  for (const line of out.split('\n')) {
    const [no, epoch, src, len, lostSegment, ackLostSegment] = line.split('\t');
    if (!no || !epoch) continue;
    frames.set(Number(no), { us: epochMicros(epoch), srcPort: Number(src), len: Number(len) });
    if (lostSegment || ackLostSegment) lost++;
  }
  return { frames, lost };
}

describe.skipIf(reason !== undefined)(`live: digest vs sysbench, pt-query-digest and tshark${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let db: MariaDb | undefined;
  let cap: Capture | undefined;
  let sb: SysbenchCounts;
  let pt: ReturnType<typeof run> | undefined;
  let frames = new Map<number, TsharkFrame>();
  /** The COM_QUERY exchanges of the capture, and which of them were answered by a result set. */
  const exchanges: Exchange[] = [];
  const answeredBySet = new Set<Exchange>();

  beforeAll(async () => {
    db = await startMariaDb();
    if ([3306, 3399, 3411, 3420].includes(db.port)) throw new Error(`the throwaway server got a reserved port ${db.port}`);
    await execFileP('mariadb', ['--no-defaults', '-uroot', '-S', db.socketPath, '-e', "CREATE DATABASE sbtest; GRANT ALL ON sbtest.* TO 'app'@'%', 'app'@'localhost'"]);
    const port = db.port;
    const common = [
      'oltp_read_write', '--db-driver=mysql', `--mysql-host=${db.host}`, `--mysql-port=${port}`, `--mysql-user=${db.user}`,
      `--mysql-password=${db.password}`, '--mysql-db=sbtest', '--tables=2', '--table-size=1000',
    ];
    await execFileP('sysbench', [...common, 'prepare'], { timeout: 60_000 });

    // A complete capture or none (see the top): -B is in KiB; a second try when tshark finds a lost segment.
    for (let attempt = 1; ; attempt++) {
      cap = await startCapture({ ports: [port], extraArgs: ['-B', '65536'] });
      let out: string;
      try {
        out = (await execFileP('sysbench', [...common, '--threads=4', '--time=3', '--db-ps-mode=disable', 'run'], { timeout: 60_000 })).stdout;
      } finally {
        await cap.stop();
      }
      sb = parseSysbench(out);
      // pt-query-digest (the slowest) works while tshark and then myshark read the file.
      pt = run('bash', ['-c', 'tcpdump -r "$1" -x -n -q -tttt 2>/dev/null | pt-query-digest --type tcpdump --watch-server "127.0.0.1:$2" --output json --limit 100% --no-version-check', 'pt', cap.file, String(port)]);
      const ts = await run('tshark', [
        '-r', cap.file, '-d', `tcp.port==${port},mysql`, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch',
        '-e', 'tcp.srcport', '-e', 'tcp.len', '-e', 'tcp.analysis.lost_segment', '-e', 'tcp.analysis.ack_lost_segment',
      ]).done;
      if (ts.status !== 0) throw new Error(`tshark failed: ${ts.stderr}`);
      const parsed = parseTsharkFrames(ts.stdout);
      if (parsed.lost === 0) {
        frames = parsed.frames;
        break;
      }
      pt.stop();
      removePtErrorFiles((await pt.done).stderr);
      pt = undefined;
      const why = `${parsed.lost} frames follow or acknowledge a segment missing from the capture (tshark): tcpdump dropped packets`;
      if (attempt === 2) throw new Error(`${why} again; the counts cannot be compared on an incomplete capture`);
      console.warn(`digest vs sysbench: ${why}; capturing again`);
      if (process.env.MYSHARK_KEEP_CAPTURE) console.warn(`capture kept: ${cap.file}`);
      else removeCapture(cap);
    }

    // A server message that answers a request names the request's frame (mysql.response_to).
    const setFor = new Set<string>();
    const byRequest = new Map<string, Exchange>();
    await analyze({ kind: 'file', path: cap.file }, {
      ports: [port],
      onExchange: (x: Exchange) => {
        if (x.request.event.kind !== 'command' || x.request.event.command !== COM.QUERY) return;
        exchanges.push(x);
        byRequest.set(`${x.conn.index}:${x.request.lastFrameNo}`, x);
      },
    }, (r: MySqlRecord) => {
      if (r.dir === 's2c' && r.event.kind === 'resultset' && r.responseTo !== undefined) setFor.add(`${r.conn.index}:${r.responseTo}`);
    });
    for (const k of setFor) {
      const x = byRequest.get(k);
      if (x) answeredBySet.add(x);
    }
  });

  afterAll(async () => {
    if (pt) {
      pt.stop();
      removePtErrorFiles((await pt.done).stderr);
    }
    await db?.stop();
    if (cap && !process.env.MYSHARK_KEEP_CAPTURE) removeCapture(cap);
    else if (cap) console.warn(`capture kept: ${cap.file}`);
  });

  it("the same fingerprints with the same counts as pt-query-digest's", async () => {
    const res = await pt!.done;
    expect(res.status, res.stderr).toBe(0);
    const theirs = ptCounts(res.stdout, normalise);

    const digest = new Digest();
    for (const x of exchanges) digest.add(x);
    const ours = digestCounts(digest, normalise);
    expect(sortedCounts(ours)).toEqual(sortedCounts(theirs));
    // every statement sysbench sent, failed ones included, is in the digest
    expect(digest.total).toBe(sb.total + sb.ignoredErrors);
  });

  it("sysbench's read / write / other / total, transactions and ignored errors follow from the exchanges", () => {
    expect(sb.reconnects).toBe(0);
    expect(sb.read + sb.write + sb.other).toBe(sb.total);
    let read = 0;
    let write = 0;
    let other = 0;
    let begins = 0;
    let commits = 0;
    const errors: number[] = [];
    const beginCommitNotOther: string[] = [];
    const noResponse: string[] = [];
    const setMismatch: string[] = [];
    for (const x of exchanges) {
      const sql = queryRow(x).sql.trim().toUpperCase();
      if (sql === 'BEGIN') begins++;
      if (x.status === 'no_response') noResponse.push(sql);
      else if (x.status === 'error') errors.push(x.error?.code ?? -1);
      else {
        if (sql === 'COMMIT') commits++;
        const set = answeredBySet.has(x);
        // in this workload exactly the SELECTs return result sets
        if (set !== sql.startsWith('SELECT')) setMismatch.push(sql);
        if (set) read++;
        else if (BigInt(x.affectedRows) > 0n) write++;
        else other++;
        if ((sql === 'BEGIN' || sql === 'COMMIT') && (set || BigInt(x.affectedRows) > 0n)) beginCommitNotOther.push(sql);
      }
    }
    expect(noResponse).toEqual([]);
    expect(setMismatch).toEqual([]);
    expect({ read, write, other, total: read + write + other }).toEqual({ read: sb.read, write: sb.write, other: sb.other, total: sb.total });
    expect(errors.length).toBe(sb.ignoredErrors);
    expect(errors.filter((c) => !SYSBENCH_IGNORED_ERRORS.includes(c))).toEqual([]);
    expect(commits).toBe(sb.transactions);
    expect(begins).toBe(sb.transactions + sb.ignoredErrors);
    // BEGIN and COMMIT are sysbench's "other": no result set, no row affected
    expect(beginCommitNotOther).toEqual([]);
  });

  it("latency and time to first byte equal the differences of tshark's frame times", () => {
    const port = db!.port;
    expect(exchanges.length).toBeGreaterThan(0);
    const wrong: string[] = [];
    for (const x of exchanges) {
      const row = queryRow(x);
      const req = frames.get(x.request.lastFrameNo);
      const first = x.firstResponseFrame === undefined ? undefined : frames.get(x.firstResponseFrame);
      const end = x.endFrame === undefined ? undefined : frames.get(x.endFrame);
      const where = `conn ${x.conn.index}, request frame ${x.request.lastFrameNo}, ${row.sql.slice(0, 60)}`;
      if (!req || !first || !end || row.latency_ms === null || row.ttfb_ms === null) {
        wrong.push(`${where}: frames ${x.request.lastFrameNo} / ${x.firstResponseFrame} / ${x.endFrame} not all in tshark's list or no latency`);
        continue;
      }
      if (req.srcPort === port || req.len === 0) wrong.push(`${where}: request's last frame is not client data`);
      if (first.srcPort !== port || first.len === 0 || end.srcPort !== port || end.len === 0) wrong.push(`${where}: response frames ${x.firstResponseFrame} / ${x.endFrame} are not server data`);
      if (!(x.request.lastFrameNo < x.firstResponseFrame! && x.firstResponseFrame! <= x.endFrame!)) wrong.push(`${where}: frames out of order`);
      const latencyUs = Math.round(row.latency_ms * 1000);
      const ttfbUs = Math.round(row.ttfb_ms * 1000);
      if (latencyUs !== end.us - req.us) wrong.push(`${where}: latency ${latencyUs} µs, tshark ${end.us - req.us} µs`);
      if (ttfbUs !== first.us - req.us) wrong.push(`${where}: ttfb ${ttfbUs} µs, tshark ${first.us - req.us} µs`);
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  });
});
