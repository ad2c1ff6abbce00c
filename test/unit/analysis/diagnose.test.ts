/**
 * `myshark diagnose` (runDiagnose) on REAL fixture captures; the frames it cites are checked with tshark where
 * installed (the ERR frame of a failed login, the RST frame). Slow statements are checked against the query log's
 * latencies of the same capture.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/analysis/diagnose.js';
import { parseDiagnoseOptions, runDiagnose } from '../../../src/cli/diagnose.js';
import { UsageError } from '../../../src/cli/read.js';
import { analyze } from '../../../src/pipeline/analyze.js';
import { queryRow } from '../../../src/analysis/queries.js';
import type { Exchange } from '../../../src/model/exchange.js';
import { StringSink } from '../../../src/output/sink.js';
import { tsharkAvailable } from '../../support/tshark.js';

const FIX = new URL('../../fixtures/', import.meta.url).pathname;
const TSHARK = tsharkAvailable();

async function diagnose(file: string, o: Record<string, string> = {}): Promise<{ code: number; findings: Finding[]; err: string }> {
  const out = new StringSink();
  let err = '';
  const c = parseDiagnoseOptions(FIX + file, { format: 'json', ...o }, process.stdin);
  const code = await runDiagnose(c, { stdout: out, stderr: (s) => (err += s) });
  const findings = out.toString().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Finding);
  return { code, findings, err };
}

const tsharkFrames = (file: string, filter: string): number[] =>
  execFileSync('tshark', ['-r', FIX + file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter((l) => l !== '').map(Number);

describe('myshark diagnose on real captures', () => {
  it('failed login (1045): one warning citing the ERR frame; --fail-on warning makes it exit 1', async () => {
    const r = await diagnose('login-failed.pcap');
    expect(r.findings.map((f) => [f.severity, f.kind, f.conn])).toEqual([['warning', 'failed_login', 0]]);
    expect(r.findings[0]!.message).toMatch(/^login failed for user 'app': access denied \(ERROR 1045 \(28000\): Access denied for user 'app'@'127\.0\.0\.1'/);
    expect(r.code).toBe(0); // default --fail-on error
    if (TSHARK) expect(r.findings[0]!.frames).toEqual(tsharkFrames('login-failed.pcap', 'mysql.error_code == 1045'));
    expect((await diagnose('login-failed.pcap', { failOn: 'warning' })).code).toBe(1);
  });

  it('unknown database (1049) on both attempts', async () => {
    const r = await diagnose('login-unknown-db.pcap');
    expect(r.findings.map((f) => [f.kind, f.conn])).toEqual([['failed_login', 0], ['failed_login', 1]]);
    for (const f of r.findings) expect(f.message).toMatch(/unknown database \(ERROR 1049 \(42000\): Unknown database 'scratch_missing'\)/);
    if (TSHARK) expect(r.findings.flatMap((f) => f.frames)).toEqual(tsharkFrames('login-unknown-db.pcap', 'mysql.error_code == 1049'));
  });

  it('a lost segment is a warning with the bytes lost', async () => {
    const r = await diagnose('lost-segment.pcap');
    expect(r.findings.map((f) => [f.severity, f.kind])).toEqual([['warning', 'lost_segments']]);
    expect(r.findings[0]!.message).toMatch(/^1 hole\(s\) in the TCP stream \(16384 bytes not captured;/);
  });

  it('a reset with no request open is info, citing the RST frame (tls.pcap stream 1)', async () => {
    const r = await diagnose('tls.pcap');
    expect(r.findings.map((f) => [f.severity, f.kind, f.conn, f.message])).toEqual([['info', 'reset', 1, 'connection reset (RST) by the server']]);
    if (TSHARK) expect(r.findings[0]!.frames).toEqual(tsharkFrames('tls.pcap', 'tcp.flags.reset == 1'));
  });

  it('a clean session has no findings (exit 0, a note on stderr)', async () => {
    const r = await diagnose('cli-session.pcap');
    expect(r.findings).toEqual([]);
    expect(r.code).toBe(0);
    const text = await diagnose('cli-session.pcap', { format: 'text' });
    expect(text.err).toBe('myshark: no findings in ' + FIX + 'cli-session.pcap (1 MySQL connection(s), 51 messages)\n');
  });

  it('--slow: exactly the exchanges whose query-log latency is over the threshold', async () => {
    const xs: Exchange[] = [];
    await analyze({ kind: 'file', path: FIX + 'multi-connections.pcap' }, { onExchange: (x) => xs.push(x) }, () => {});
    const lat = xs.map((x) => queryRow(x).latency_ms).filter((v): v is number => v !== null).sort((a, b) => a - b);
    const threshold = lat[Math.floor(lat.length / 2)]! / 1000; // the median: about half are slower
    const slower = lat.filter((v) => v / 1000 > threshold).length;
    expect(slower).toBeGreaterThan(0);
    const r = await diagnose('multi-connections.pcap', { slow: String(threshold) });
    expect(r.findings.filter((f) => f.kind === 'slow_statement').length).toBe(slower);
  });

  it('bad options are usage errors', () => {
    expect(() => parseDiagnoseOptions('x.pcap', { slow: 'fast' }, process.stdin)).toThrow(UsageError);
    expect(() => parseDiagnoseOptions('x.pcap', { failOn: 'fatal' }, process.stdin)).toThrow(UsageError);
    expect(() => parseDiagnoseOptions('x.pcap', { format: 'xml' }, process.stdin)).toThrow(UsageError);
  });
});

/**
 * trouble.pcap (scripts/fixtures/make-trouble.sh): connection churn, an error burst, max_allowed_packet, a KILL of an
 * idle session, a wait_timeout reset, a statement written after the server's FIN, idle connections with and without
 * TCP keepalive. Every cited frame is derived again from tshark's own dissection where installed.
 */
describe('myshark diagnose on trouble.pcap', async () => {
  const r = await diagnose('trouble.pcap', { idle: '2' });
  const kinds = (k: string): Finding[] => r.findings.filter((f) => f.kind === k);
  const F = 'trouble.pcap';
  const tsharkFields = (filter: string, fields: string[]): string[][] =>
    execFileSync('tshark', ['-r', FIX + F, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n').filter((l) => l !== '').map((l) => l.split('\t'));

  it('the findings, by kind', () => {
    expect(r.findings.map((f) => [f.severity, f.kind]).sort()).toEqual([
      ['error', 'sent_after_server_closed'],
      ['error', 'server_gone_away'],
      ['info', 'connection_churn'],
      ['warning', 'error_burst'],
      ['warning', 'idle'],
      ['warning', 'idle'],
      ['warning', 'server_closed_idle'],
      ['warning', 'server_closed_idle'],
      ['warning', 'server_closed_idle'],
    ].sort());
    expect(r.code).toBe(1); // errors are at the default --fail-on
  });

  it('max_allowed_packet: ERR 1153 is "server has gone away", citing the ERR frame; the reset after it is not reported again', () => {
    const [f] = kinds('server_gone_away');
    expect(f!.message).toMatch(/^a packet was bigger than the server's max_allowed_packet, so it closed the connection \(ERROR 1153: Got a packet bigger than 'max_allowed_packet' bytes\); the client sees "MySQL server has gone away"/);
    expect(r.findings.filter((x) => x.conn === f!.conn).map((x) => x.kind)).toEqual(['server_gone_away']);
    if (TSHARK) expect(f!.frames).toEqual(tsharkFrames(F, 'mysql.error_code == 1153'));
  });

  it('error burst: the 8 failed statements (6 × 1146, 2 × 1062), citing their ERR frames', () => {
    const [f] = kinds('error_burst');
    expect(f!.conn).toBeNull();
    expect(f!.client).toBe('*');
    expect(f!.message).toMatch(/^burst of 8 failed statements in 0\.\d{3} s on 1 connection\(s\): 6× ERROR 1146 \(Table 'shop\.missing_table' doesn't exist\), 2× ERROR 1062 \(Duplicate entry '1' for key 'PRIMARY'\)$/);
    if (TSHARK) expect(f!.frames).toEqual(tsharkFrames(F, 'mysql.error_code == 1146 || mysql.error_code == 1062'));
  });

  it('connection churn: the peak of new connections per second and the short-lived ones agree with tshark', () => {
    const [f] = kinds('connection_churn');
    const m = /^connection churn: up to (\d+) new connections within one second; (\d+) of (\d+) connections lived under 1 s/.exec(f!.message);
    expect(m).not.toBeNull();
    if (!TSHARK) return;
    const syn = tsharkFields('tcp.flags.syn == 1 && tcp.flags.ack == 0', ['frame.number', 'frame.time_epoch']).map(([n, t]) => [Number(n), Number(t)] as const);
    let peak = 0;
    for (let i = 0; i < syn.length; i++) peak = Math.max(peak, syn.filter(([, t]) => t >= syn[i]![1] && t - syn[i]![1] < 1).length);
    expect(Number(m![1])).toBe(peak);
    expect(f!.frames).toEqual(syn.slice(0, 20).map(([n]) => n)); // the peak window starts at the first SYN here
    const span = new Map<string, [number, number]>();
    for (const [s, t] of tsharkFields('tcp', ['tcp.stream', 'frame.time_epoch'])) {
      const v = span.get(s!) ?? [Infinity, -Infinity];
      span.set(s!, [Math.min(v[0], Number(t)), Math.max(v[1], Number(t))]);
    }
    expect(Number(m![3])).toBe(span.size);
    expect(Number(m![2])).toBe([...span.values()].filter(([a, b]) => b - a < 1).length);
  });

  it('idle: 3 keepalive probes on the connection with keepalive, none on the other; frames and probe counts as tshark', () => {
    const idle = kinds('idle');
    const on = idle.find((f) => /keepalive probe\(s\) in that time/.test(f.message))!;
    const off = idle.find((f) => /no TCP keepalive probes/.test(f.message))!;
    expect(on.message).toMatch(/^idle for 3\.\d s \(frames \d+ → \d+\), (\d+) TCP keepalive probe\(s\) in that time, the first after 1\.0 s: keepalive is on/);
    expect(off.message).toMatch(/^idle for 3\.\d s \(frames \d+ → \d+\), no TCP keepalive probes: keepalive is off/);
    if (!TSHARK) return;
    const probes = tsharkFields(`tcp.stream == ${on.conn} && tcp.analysis.keep_alive`, ['frame.number']).map(([n]) => Number(n));
    expect(on.message).toContain(`, ${probes.length} TCP keepalive probe(s)`);
    expect(probes.every((n) => n > on.frames[0]! && n < on.frames[1]!)).toBe(true);
    expect(tsharkFields(`tcp.stream == ${off.conn} && tcp.analysis.keep_alive`, ['frame.number'])).toEqual([]);
    // The idle spell of the connection without keepalive: nothing at all between its two frames.
    expect(tsharkFields(`tcp.stream == ${off.conn} && frame.number > ${off.frames[0]} && frame.number < ${off.frames[1]}`, ['frame.number'])).toEqual([]);
  });

  it('the server ending idle sessions: KILL (FIN), wait_timeout (RST), and a statement written after the FIN', () => {
    const closed = kinds('server_closed_idle');
    expect(closed.map((f) => f.message.replace(/after \d+\.\d s/, 'after N s'))).toEqual([
      'the server closed (FIN) the connection after N s without a request, and no QUIT from the client: wait_timeout, a KILL or a restart; the client\'s next statement on it fails with "MySQL server has gone away"',
      'the server reset (RST) the connection after N s without a request, and no QUIT from the client: wait_timeout, a KILL or a restart; the client\'s next statement on it fails with "MySQL server has gone away"',
      'the server closed (FIN) the connection after N s without a request, and no QUIT from the client: wait_timeout, a KILL or a restart; the client\'s next statement on it fails with "MySQL server has gone away"',
    ]);
    // wait_timeout = 1: the reset comes 1 s after the last message.
    expect(closed[1]!.message).toMatch(/after 1\.0 s/);
    const [after] = kinds('sent_after_server_closed');
    expect(after!.conn).toBe(closed[2]!.conn);
    expect(after!.message).toMatch(/^COM_QUERY: SELECT 6 AS six was sent after the server had closed the connection \(FIN at frame \d+\): it fails with "MySQL server has gone away" \(2006\) or "Lost connection" \(2013\), and the server answered it with a reset$/);
    if (!TSHARK) return;
    for (const f of closed) {
      const end = tsharkFrames(F, `tcp.stream == ${f.conn} && tcp.srcport == 3306 && (tcp.flags.fin == 1 || tcp.flags.reset == 1)`)[0];
      const lastMysql = tsharkFrames(F, `tcp.stream == ${f.conn} && mysql && frame.number < ${end}`).at(-1);
      expect(f.frames).toEqual([lastMysql, end]);
    }
    const c = after!.conn;
    expect(after!.frames).toEqual([
      tsharkFrames(F, `tcp.stream == ${c} && tcp.srcport == 3306 && tcp.flags.fin == 1`)[0],
      tsharkFrames(F, `tcp.stream == ${c} && mysql.query == "SELECT 6 AS six"`)[0],
      tsharkFrames(F, `tcp.stream == ${c} && tcp.flags.reset == 1`)[0],
    ]);
  });
});
