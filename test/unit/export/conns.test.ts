/**
 * `summarizeConnections`, the Wireshark / tcpdump filters and `myshark conns` (runConns) on the REAL fixtures
 * multi-connections.pcap (4 pooled connections, threads 17–20, see its general log) and login-failed.pcap.
 * Where tshark is installed, the printed display filters select exactly the expected streams' frames in tshark.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bpfFilter, summarizeConnections, wiresharkFilter } from '../../../src/analysis/conns.js';
import { runConns, parseConnsOptions, type ConnsConfig } from '../../../src/cli/conns.js';
import { UsageError } from '../../../src/cli/read.js';
import { analyzeFile } from '../../../src/index.js';
import type { MySqlRecord } from '../../../src/model/record.js';
import { StringSink } from '../../../src/output/sink.js';
import { buildPcap, buildUdpFrame } from '../../builders/frames.js';
import { tsharkAvailable } from '../../support/tshark.js';

const FIX = new URL('../../fixtures/', import.meta.url).pathname;
const MULTI = FIX + 'multi-connections.pcap';
const TSHARK = tsharkAvailable();
const VERSION = '5.5.5-10.11.19-MariaDB-0+deb12u1-log';

function tsharkFrames(path: string, filter: string): number[] {
  const out = execFileSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.number', '-Y', filter], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l !== '').map(Number);
}

const query = (r: MySqlRecord): string => (r.event.kind === 'command' && r.event.query) || '';

describe('summarizeConnections (multi-connections.pcap)', () => {
  it('one row per connection: stream, endpoints, version, thread id, user, schema, frames, counts', async () => {
    const { records } = await analyzeFile(MULTI);
    const rows = summarizeConnections(records);
    // tcp.stream → client port and thread id, as tshark shows them (tcp.stream, tcp.srcport of the SYN, mysql.thread_id)
    expect(rows.map((r) => [r.index, r.client.port, r.server.port, r.threadId])).toEqual([
      [0, 38148, 3306, 17],
      [1, 38152, 3306, 18],
      [2, 38158, 3306, 19],
      [3, 38170, 3306, 20],
    ]);
    for (const r of rows) {
      expect(r).toMatchObject({ serverVersion: VERSION, user: 'app', schema: 'shop', errors: 0 });
      expect(r.client.ip).toBe('127.0.0.1');
      // 3 worker queries + 1 customers query + COM_QUIT (general log)
      expect(r.requests).toBe(5);
      expect(r.messages).toBe(records.filter((x) => x.conn.index === r.index).length);
      expect(r.firstFrame).toBeLessThan(r.lastFrame);
      expect(r.matched).toBe(r.messages);
    }
  });

  it('a predicate keeps the connections with a matching message and counts the matches', async () => {
    const { records } = await analyzeFile(MULTI);
    const rows = summarizeConnections(records, (r) => query(r).includes('WHERE id = 2') || query(r).includes('WHERE id = 4'));
    expect(rows.map((r) => [r.threadId, r.matched])).toEqual([
      [18, 1],
      [20, 1],
    ]);
  });

  it('login-failed.pcap: the error is counted, no schema', async () => {
    const { records } = await analyzeFile(FIX + 'login-failed.pcap');
    const rows = summarizeConnections(records);
    expect(rows.length).toBe(1);
    expect(rows[0]!.errors).toBe(1);
    expect(rows[0]!.requests).toBe(0);
  });
});

describe('filters', () => {
  const conn = (index: number, port: number): { index: number; client: { ip: string; port: number }; server: { ip: string; port: number } } => ({
    index,
    client: { ip: '127.0.0.1', port },
    server: { ip: '127.0.0.1', port: 3306 },
  });

  it("the seed's filter, and the tcp.stream and BPF forms", () => {
    const seed = [conn(4, 51960), conn(0, 51834), conn(2, 51892), conn(9, 51867), conn(7, 51868)];
    expect(wiresharkFilter(seed)).toEqual({
      byPort: 'tcp.port == 51960 or tcp.port == 51834 or tcp.port == 51892 or tcp.port == 51867 or tcp.port == 51868',
      byStream: 'tcp.stream in {0, 2, 4, 7, 9}',
    });
    expect(bpfFilter(seed)).toBe('tcp port 51960 or tcp port 51834 or tcp port 51892 or tcp port 51867 or tcp port 51868');
    expect(wiresharkFilter([conn(3, 1000), conn(5, 1000)])).toEqual({ byPort: 'tcp.port == 1000', byStream: 'tcp.stream in {3, 5}' });
    expect(wiresharkFilter([conn(3, 1000)])!.byStream).toBe('tcp.stream == 3');
    expect(wiresharkFilter([])).toBeUndefined();
    expect(bpfFilter([])).toBeUndefined();
  });

  it.skipIf(!TSHARK)(`both display filters select exactly the connections' frames in tshark${TSHARK ? '' : ' (skipped: tshark is not installed)'}`, async () => {
    const { records } = await analyzeFile(MULTI);
    const rows = summarizeConnections(records, (r) => query(r).includes('SELECT 1 AS worker') || query(r).includes('SELECT 3 AS worker'));
    expect(rows.map((r) => r.index)).toEqual([1, 3]);
    const wf = wiresharkFilter(rows)!;
    const expected = tsharkFrames(MULTI, 'tcp.stream == 1 or tcp.stream == 3');
    expect(expected.length).toBe(44);
    expect(tsharkFrames(MULTI, wf.byPort)).toEqual(expected);
    expect(tsharkFrames(MULTI, wf.byStream)).toEqual(expected);
  });
});

describe('runConns', () => {
  const run = async (c: Partial<ConnsConfig> & { path: string }): Promise<{ code: number; out: string; err: string }> => {
    const out = new StringSink();
    let err = '';
    const config: ConnsConfig = {
      input: { kind: 'file', path: c.path },
      inputName: c.path,
      format: c.format ?? 'text',
      ports: [3306],
      autoDetect: true,
      wiresharkFilter: c.wiresharkFilter ?? false,
      ...(c.predicate ? { predicate: c.predicate, filterText: c.filterText ?? 'F' } : {}),
    };
    const code = await runConns(config, { stdout: out, stderr: (s) => (err += s) });
    return { code, out: out.toString(), err };
  };

  it('text table', async () => {
    const r = await run({ path: MULTI });
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines.length).toBe(5);
    expect(lines[0]).toMatch(/^stream\s+client\s+server\s+version\s+thread\s+user\s+schema\s+frames\s+first\s+last\s+msgs\s+reqs\s+errs\s+tls\/z\s+dur\s+bytes>\s+bytes<\s+retr\s+lost\s+silence\s+ended$/);
    expect(lines[1]).toMatch(new RegExp(`^\\s*0  127\\.0\\.0\\.1:38148  127\\.0\\.0\\.1:3306  ${VERSION.replace(/[.+]/g, '\\$&')}\\s+17  app\\s+shop\\s+1-\\d+\\s+0\\.000000\\s+0\\.\\d{6}\\s+\\d+\\s+5\\s+0\\s+-\\s+0\\.\\d{3}\\s+468\\s+757\\s+0\\s+0\\s+0\\.\\d{3}  QUIT, then FIN from server$`));
  });

  it('how each connection ended, from the TCP flags of real captures (tls.pcap: the server reset one; midstream.pcap)', async () => {
    const tls = await run({ path: FIX + 'tls.pcap', format: 'json' });
    const rows = tls.out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    // tshark: stream 0 ends with the client's FIN (its QUIT is inside TLS, unseen); in stream 1 the server sends
    // FIN (frame 44), then RST (frame 46)
    expect(rows.map((x) => [x.ended, x.fin_from, x.rst_from, x.started_before_capture])).toEqual([
      ['FIN from client (no QUIT seen)', 'client', null, false],
      ['FIN from server only, then RST from server (no QUIT seen)', 'server', 'server', false],
    ]);
    // tls.pcap: both connections switch to TLS after an SSLRequest (frames 6 and 29, test/fixtures/README.md)
    expect(rows.map((x) => [x.tls, x.compressed])).toEqual([[true, false], [true, false]]);
    const z = await run({ path: FIX + 'compressed.pcap', format: 'json' });
    expect(z.out.trimEnd().split('\n').map((l) => (JSON.parse(l) as Record<string, unknown>).compressed)).toEqual([true]);
    const mid = await run({ path: FIX + 'midstream.pcap' });
    expect(mid.out).toMatch(/QUIT, then FIN from server, started before capture$/m);
  });

  it('NDJSON rows', async () => {
    const r = await run({ path: MULTI, format: 'json' });
    const rows = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((x) => [x['tcp.stream'], x['client.port'], x['mysql.conn.id'], x['mysql.conn.user'], x['mysql.conn.schema']])).toEqual([
      [0, 38148, 17, 'app', 'shop'],
      [1, 38152, 18, 'app', 'shop'],
      [2, 38158, 19, 'app', 'shop'],
      [3, 38170, 20, 'app', 'shop'],
    ]);
    expect(rows[0]).toMatchObject({ client: '127.0.0.1:38148', server: '127.0.0.1:3306', 'mysql.version': VERSION, requests: 5, errors: 0, first_frame: 1 });
    expect(rows[0]!.first_time_epoch).toMatch(/^\d+\.\d{9}$/);
    // TCP statistics (tshark-checked in test/unit/pipeline/tcp-stats.test.ts)
    expect(rows[0]).toMatchObject({ quit: true, ended: 'QUIT, then FIN from server', end_reason: 'fin', fin_from: 'server', rst_from: null,
      started_before_capture: false, bytes_c2s: 468, bytes_s2c: 757, retransmissions: { client: 0, server: 0 }, lost_segments: { client: 0, server: 0 } });
  });

  it('--wireshark-filter with a predicate (what -Y gives): the filter lines for the matching connections', async () => {
    const r = await run({ path: MULTI, wiresharkFilter: true, predicate: (x) => query(x).includes('WHERE id = 3') });
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'Wireshark display filter: tcp.port == 38158\nWireshark display filter (this capture only): tcp.stream == 2\ntcpdump capture filter: tcp port 38158\n',
    );
    const j = await run({ path: MULTI, wiresharkFilter: true, format: 'json', predicate: () => true });
    expect(JSON.parse(j.out)).toEqual({
      display_filter: 'tcp.port == 38148 or tcp.port == 38152 or tcp.port == 38158 or tcp.port == 38170',
      display_filter_streams: 'tcp.stream in {0, 1, 2, 3}',
      capture_filter: 'tcp port 38148 or tcp port 38152 or tcp port 38158 or tcp port 38170',
    });
  });

  it('nothing matches: exit 1 and a sentence; no MySQL: exit 3; unreadable: exit 2', async () => {
    const r = await run({ path: MULTI, predicate: () => false, filterText: 'mysql.query contains "NOPE"' });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(`myshark: no connection of ${MULTI} has a message matching the filter "mysql.query contains \\"NOPE\\"" (4 MySQL connections in the capture)\n`);
    // SYNTHETIC: a pcap with one UDP datagram
    const noMysql = join(mkdtempSync(join(tmpdir(), 'myshark-conns-')), 'udp.pcap');
    const udp = buildUdpFrame();
    writeFileSync(noMysql, buildPcap({ linkType: udp.linkType }, [{ data: udp.data }]));
    const none = await run({ path: noMysql, wiresharkFilter: true });
    expect(none.code).toBe(3);
    expect(none.out).toBe('');
    expect(none.err).toMatch(/^myshark: no MySQL traffic in .*udp\.pcap/);
    rmSync(dirname(noMysql), { recursive: true, force: true });
    const missing = await run({ path: FIX + 'no-such.pcap' });
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no such file/);
  });

  it('option parsing', () => {
    const stdin = process.stdin;
    expect(parseConnsOptions('x.pcap', { decodePort: ['3307'], wiresharkFilter: true }, stdin)).toMatchObject({
      input: { kind: 'file', path: 'x.pcap' },
      ports: [3306, 3307],
      wiresharkFilter: true,
      format: 'text',
    });
    expect(parseConnsOptions('-', {}, stdin).input.kind).toBe('stream');
    expect(() => parseConnsOptions(undefined, {}, stdin)).toThrow(UsageError);
    expect(() => parseConnsOptions('x', { format: 'xml' }, stdin)).toThrow(/unknown output format/);
    expect(() => parseConnsOptions('x', { displayFilter: 'mysql' }, stdin)).toThrow(/-Y is not available/);
    const c = parseConnsOptions('x', { displayFilter: 'mysql.query' }, stdin, (t) => (r) => t === 'mysql.query' && query(r) !== '');
    expect(c.filterText).toBe('mysql.query');
    expect(typeof c.predicate).toBe('function');
  });
});

describe('addConnsCommand (commander wiring, as program.ts will call it)', () => {
  it('parses the options and runs', async () => {
    const { Command } = await import('commander');
    const { addConnsCommand } = await import('../../../src/cli/conns.js');
    const out = new StringSink();
    let code = -1;
    const program = new Command().exitOverride();
    addConnsCommand(program, { stdout: out, stderr: () => {}, stdin: process.stdin }, (c) => (code = c), (text) => (r) => query(r).includes(text));
    await program.parseAsync(['conns', MULTI, '-Y', 'WHERE id = 4', '--wireshark-filter'], { from: 'user' });
    expect(code).toBe(0);
    expect(out.toString()).toContain('Wireshark display filter: tcp.port == 38170\n');
  });
});
