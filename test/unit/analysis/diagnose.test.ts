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
    expect(r.findings[0]!.message).toMatch(/^login failed: access denied \(ERROR 1045 \(28000\): Access denied for user 'app'@'127\.0\.0\.1'/);
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
