/**
 * `myshark queries --workers N` and `digest --workers N`: every thread reads the capture and decodes every N-th
 * tcp.stream, the output is merged back. It must be the one-thread output byte for byte — on every fixture, in every
 * format, with and without a display filter — and the exit code and stderr the same.
 * The workers run the compiled dist/parallel/worker.js (`npm test` builds first).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { compileRecordFilter } from '../../../src/filter/index.js';
import { parseQueriesOptions, runQueries } from '../../../src/cli/queries.js';
import { parseDigestOptions, runDigest } from '../../../src/cli/digest.js';
import { StringSink } from '../../../src/output/sink.js';
import { mergeTotals } from '../../../src/parallel/protocol.js';
import { analyzeFile } from '../../../src/pipeline/analyze.js';
import type { Totals } from '../../../src/api-types.js';

const FIX = 'test/fixtures/';
const { fixtures } = JSON.parse(readFileSync(FIX + 'fixtures.json', 'utf8')) as { fixtures: { file: string; serverPorts: number[] }[] };

type Outcome = { code: number; out: string; err: string };

/** Parses the options as the CLI does and runs the command into a string: exit code, standard output and error. */
async function command<C>(
  parse: (capture: string, o: Record<string, unknown>, stdin: PassThrough, filter: (t: string) => ReturnType<typeof compileRecordFilter>) => C,
  exec: (c: C, io: { stdout: StringSink; stderr(s: string): void }) => Promise<number>,
  file: string,
  o: Record<string, unknown>,
  dir = FIX,
): Promise<Outcome> {
  const stdout = new StringSink();
  let err = '';
  const code = await exec(parse(dir + file, o, new PassThrough(), (t) => compileRecordFilter(t)), { stdout, stderr: (s) => (err += s) });
  return { code, out: stdout.toString(), err };
}

const run = (file: string, o: Record<string, unknown>): Promise<Outcome> => command(parseQueriesOptions, runQueries, file, o);
const runAt = (path: string, o: Record<string, unknown>): Promise<Outcome> => command(parseQueriesOptions, runQueries, path, o, '');
const digest = (file: string, o: Record<string, unknown>): Promise<Outcome> => command(parseDigestOptions, runDigest, file, o);

describe('digest --workers: the same classes, figures and examples as one thread', () => {
  for (const { file, serverPorts } of fixtures) {
    it(file, async () => {
      const base = { decodePort: serverPorts.map(String) };
      for (const o of [{ format: 'json' }, { format: 'text', groupBy: 'connection' }, { format: 'json', groupBy: 'user', displayFilter: 'tcp.stream != 1' }]) {
        const one = await digest(file, { ...base, ...o, workers: '1' });
        const many = await digest(file, { ...base, ...o, workers: '3' });
        expect(many, `${file} ${JSON.stringify(o)}`).toEqual(one);
      }
    });
  }
});

describe('queries --workers: the same output as one thread', () => {
  for (const { file, serverPorts } of fixtures) {
    it(file, async () => {
      const base = { decodePort: serverPorts.map(String) };
      for (const o of [{ format: 'json' }, { format: 'text' }, { format: 'csv', displayFilter: 'mysql.query contains "SELECT" or tcp.stream == 1' }]) {
        const one = await run(file, { ...base, ...o, workers: '1' });
        for (const workers of ['2', '3']) {
          const many = await run(file, { ...base, ...o, workers });
          expect(many, `${file} ${JSON.stringify(o)} --workers ${workers}`).toEqual(one);
        }
      }
    });
  }

  it('a file that is not there: the same error and exit code as one thread', async () => {
    const one = await run('no-such-file.pcap', { workers: '1' });
    const many = await run('no-such-file.pcap', { workers: '2' });
    expect(many).toEqual(one);
    expect(one.code).toBe(2);
  });

  it('a named pipe: the same error and exit code as one thread (its bytes cannot be read by position), no hang', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'myshark-fifo-'));
    try {
      const outcome = async (workers: string): Promise<Outcome> => {
        const fifo = join(dir, `w${workers}.pcap`);
        execFileSync('mkfifo', [fifo]);
        const writer = spawn('sh', ['-c', 'cat "$0" > "$1"', FIX + 'cli-session.pcap', fifo], { stdio: 'ignore' });
        try {
          const r = await runAt(fifo, { workers });
          return { ...r, err: r.err.replaceAll(fifo, 'FIFO') };
        } finally {
          writer.kill();
        }
      };
      const one = await outcome('1');
      expect(one.code).toBe(2);
      expect(one.err).toContain('FIFO: cannot be read');
      expect(await outcome('2')).toEqual(one);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--workers must be a whole number from 1 to 256', () => {
    for (const bad of ['0', '-1', '1.5', 'many', '1000']) {
      expect(() => parseQueriesOptions(FIX + 'cli-session.pcap', { workers: bad }, new PassThrough())).toThrow(/--workers wants a whole number/);
    }
  });
});

describe('--workers on a capture read in several chunks (SYNTHETIC: bench/generate.mjs, 10 interleaved connections, 4.8 MB)', () => {
  it('queries and digest: the same as one thread with 2, 3 and 4 threads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'myshark-workers-'));
    try {
      const path = join(dir, 'synthetic.pcap');
      execFileSync(process.execPath, ['bench/generate.mjs', '--size', '4M', '--seed', '3', '--out', path], { stdio: 'ignore' });
      for (const o of [{ format: 'json' }, { format: 'csv', displayFilter: 'tcp.stream != 2' }]) {
        const one = await runAt(path, { ...o, workers: '1' });
        expect(one.out.split('\n').length).toBeGreaterThan(500);
        for (const workers of ['2', '3', '4']) expect(await runAt(path, { ...o, workers }), `${JSON.stringify(o)} --workers ${workers}`).toEqual(one);
      }
      const d1 = await command(parseDigestOptions, runDigest, path, { format: 'json', workers: '1' }, '');
      expect(await command(parseDigestOptions, runDigest, path, { format: 'json', workers: '2' }, '')).toEqual(d1);

      // Damaged copies: cut in the middle of a record; a record header claiming 1 GB at about 3 MB (the reading
      // stops there, in every thread).
      const bytes = readFileSync(path);
      const cut = join(dir, 'cut.pcap');
      writeFileSync(cut, bytes.subarray(0, 3_000_001));
      const bad = join(dir, 'bad.pcap');
      const broken = Buffer.from(bytes);
      let at = 24;
      while (at < 3_000_000) at += 16 + broken.readUInt32LE(at + 8);
      broken.writeUInt32LE(1 << 30, at + 8);
      broken.writeUInt32LE(1 << 30, at + 12);
      writeFileSync(bad, broken);
      for (const damaged of [cut, bad]) {
        const one = await runAt(damaged, { format: 'json', workers: '1' });
        expect(one.code, damaged).toBe(4);
        expect(one.out.split('\n').length).toBeGreaterThan(300);
        for (const workers of ['2', '3']) expect(await runAt(damaged, { format: 'json', workers }), `${damaged} --workers ${workers}`).toEqual(one);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a capture of more chunks than the threads share at once (SYNTHETIC, 80 MB): chunk memory is reused, same output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'myshark-workers-'));
    try {
      const path = join(dir, 'synthetic.pcap');
      execFileSync(process.execPath, ['bench/generate.mjs', '--size', '80M', '--seed', '5', '--out', path], { stdio: 'ignore' });
      const one = await runAt(path, { format: 'json', workers: '1' });
      expect(one.code).toBe(0);
      expect(await runAt(path, { format: 'json', workers: '2' })).toEqual(one);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('AnalyzeOptions.share', () => {
  for (const { file, serverPorts } of fixtures) {
    it(`${file}: the shares' records are the one-thread records, split by tcp.stream, and their totals add up to its`, async () => {
      const o = { ports: serverPorts };
      const one = await analyzeFile(FIX + file, o);
      for (const count of [2, 3]) {
        const shares = await Promise.all(Array.from({ length: count }, (_, index) => analyzeFile(FIX + file, { ...o, share: { index, count } })));
        shares.forEach((s, index) => {
          const mine = one.records.filter((r) => r.conn.index % count === index);
          // Record ids count the share's own messages: everything else is the same.
          expect(s.records.map((r) => ({ ...r, id: 0 })), `${file} share ${index}/${count}`).toEqual(mine.map((r) => ({ ...r, id: 0 })));
        });
        expect(mergeTotals(shares[0]!.totals, shares.slice(1).map((s) => s.totals)), `${file} ${count} shares`).toEqual(one.totals);
      }
    });
  }
});

describe('mergeTotals', () => {
  it("keeps share 0's counts of the capture and adds what each share counted of its own connections", () => {
    const t = (o: Partial<Totals>): Totals => ({
      format: 'pcap', bytesRead: 100, frames: 10, tcpSegments: 9, skipped: { 'not-tcp': 1 }, connections: 3, mysqlConnections: 0,
      messages: 0, issues: 0, anomalies: 0, truncated: false, badIpChecksums: 0, lostBytes: 0, ...o,
    });
    const main = t({ mysqlConnections: 2, issues: 1, anomalies: 1, lostBytes: 7 });
    const m = mergeTotals(main, [t({ messages: 5, issues: 2, anomalies: 1, mysqlConnections: 1 }), t({ messages: 3, issues: 1, anomalies: 1, lostBytes: 4 })]);
    expect(m).toEqual(t({ mysqlConnections: 3, messages: 8, issues: 4, anomalies: 3, lostBytes: 11 }));
  });
});
