import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CaptureError, type AnalyzeOptions, type CaptureInput, type Totals } from '../../../src/api-types.js';
import { runCli } from '../../../src/cli/program.js';
import { parseReadOptions, UsageError, analyzeOptions, type AnalyzeFn } from '../../../src/cli/read.js';
import { EXIT, exitCodeForCaptureError, exitCodeForTotals } from '../../../src/cli/exit-codes.js';
import { StringSink } from '../../../src/output/sink.js';
import type { MySqlRecord } from '../../../src/model/record.js';
import { record, seedQuery } from '../output/helpers.js';

const stdin = new PassThrough();

const totals: Totals = {
  format: 'pcap', bytesRead: 100, frames: 10, tcpSegments: 10, skipped: {}, connections: 1,
  mysqlConnections: 1, messages: 2, issues: 0, anomalies: 0, truncated: false, badIpChecksums: 0, lostBytes: 0,
};

function io() {
  const stdout = new StringSink();
  const err: string[] = [];
  return { stdout, stderr: (s: string) => void err.push(s), stdin, err };
}

/** A fake library: emits the given records, returns the given totals, remembers its arguments. */
function fake(records: MySqlRecord[], t: Partial<Totals> = {}, issues: Parameters<NonNullable<AnalyzeOptions['onIssue']>>[0][] = []) {
  const calls: Array<{ input: CaptureInput; options: AnalyzeOptions }> = [];
  const fn: AnalyzeFn = async (input, options, onRecord) => {
    calls.push({ input, options });
    for (const i of issues) options.onIssue?.(i);
    for (const r of records) onRecord(r);
    return { ...totals, messages: records.length, ...t };
  };
  return { fn, calls };
}

describe('parseReadOptions', () => {
  it('file, defaults', () => {
    const c = parseReadOptions('x.pcap', {}, stdin);
    expect(c).toMatchObject({ input: { kind: 'file', path: 'x.pcap' }, format: 'text', tree: false, hex: false, ports: [3306], autoDetect: true, count: undefined });
    expect(analyzeOptions(c)).toEqual({ ports: [3306], autoDetect: true, tree: false, hex: false });
  });
  it('stdin, live, ports, count', () => {
    expect(parseReadOptions('-', {}, stdin).input).toEqual({ kind: 'stream', stream: stdin, name: 'stdin' });
    expect(parseReadOptions(undefined, { interface: 'lo', captureFilter: 'tcp port 3306' }, stdin).input)
      .toEqual({ kind: 'live', iface: 'lo', filter: 'tcp port 3306' });
    expect(parseReadOptions('x', { decodePort: ['3307', '3306', '3307', '13306'] }, stdin).ports).toEqual([3306, 3307, 13306]);
    expect(parseReadOptions('x', { count: '5', autoDetect: false }, stdin)).toMatchObject({ count: 5, autoDetect: false });
  });
  it('tree for -V, -x and json; bytes for -x', () => {
    expect(analyzeOptions(parseReadOptions('x', { tree: true }, stdin))).toMatchObject({ tree: true, hex: false });
    expect(analyzeOptions(parseReadOptions('x', { hex: true }, stdin))).toMatchObject({ tree: true, hex: true });
    expect(analyzeOptions(parseReadOptions('x', { format: 'json' }, stdin))).toMatchObject({ tree: true, hex: false });
  });
  it.each([
    [undefined, {}, /no capture given/],
    ['x', { interface: 'lo' }, /either a capture file/],
    ['x', { captureFilter: 'port 1' }, /live capture only/],
    ['x', { decodePort: ['0'] }, /1 to 65535/],
    ['x', { decodePort: ['70000'] }, /1 to 65535/],
    ['x', { decodePort: ['33o6'] }, /1 to 65535/],
    ['x', { count: '0' }, /positive/],
    ['x', { count: '-1' }, /positive/],
    ['x', { format: 'xml' }, /unknown output format/],
    ['x', { format: 'json', tree: true }, /-V and -x/],
  ] as const)('usage error: %s %o', (capture, opts, msg) => {
    expect(() => parseReadOptions(capture, { ...opts } as never, stdin)).toThrow(UsageError);
    expect(() => parseReadOptions(capture, { ...opts } as never, stdin)).toThrow(msg);
  });
});

describe('exit codes', () => {
  it('maps totals and capture errors', () => {
    expect(exitCodeForTotals(totals)).toBe(EXIT.OK);
    expect(exitCodeForTotals({ ...totals, messages: 0 })).toBe(EXIT.NO_MYSQL);
    expect(exitCodeForTotals({ ...totals, truncated: true })).toBe(EXIT.DAMAGED);
    expect(exitCodeForTotals({ ...totals, messages: 0, truncated: true })).toBe(EXIT.DAMAGED);
    expect(exitCodeForTotals(totals, true)).toBe(EXIT.DAMAGED);
    for (const code of ['not-found', 'unreadable', 'unknown-format', 'empty', 'live-unavailable', 'live-permission', 'live-failed'] as const) {
      expect(exitCodeForCaptureError(code)).toBe(2);
    }
  });
});

describe('runCli', () => {
  it('prints summaries on stdout and the totals last on stderr', async () => {
    const o = io();
    const f = fake([seedQuery().rec, record({ kind: 'command', command: 1 })]);
    expect(await runCli(['read', '-d', '3307', 'x.pcap'], o, f.fn)).toBe(0);
    expect(o.stdout.toString().split('\n')).toHaveLength(3);
    expect(o.stdout.toString()).toContain('Request Query  show databases');
    expect(o.err).toEqual(['myshark: 10 frames, 1 connection (1 MySQL), 2 MySQL messages, 0 anomalies\n']);
    expect(f.calls[0]!.options).toMatchObject({ ports: [3306, 3307], autoDetect: true, tree: false, hex: false });
  });

  it("-d takes tshark's Decode As form too, and refuses another protocol", async () => {
    const f = fake([seedQuery().rec]);
    expect(await runCli(['read', '-d', 'tcp.port==3307,mysql', '-d', 'tcp.port == 3308 , MySQL', 'x.pcap'], io(), f.fn)).toBe(0);
    expect(f.calls[0]!.options).toMatchObject({ ports: [3306, 3307, 3308] });
    const o = io();
    expect(await runCli(['read', '-d', 'tcp.port==5432,pgsql', 'x.pcap'], o, f.fn)).toBe(2);
    expect(o.err.join('')).toContain("myshark decodes only MySQL, not 'pgsql'");
    const bad = io();
    expect(await runCli(['read', '-d', 'tcp.port==70000,mysql', 'x.pcap'], bad, f.fn)).toBe(2);
    expect(bad.err.join('')).toContain("wants a TCP port from 1 to 65535 (or tcp.port==PORT,mysql), not 'tcp.port==70000,mysql'");
  });

  it('json: NDJSON and no totals line', async () => {
    const o = io();
    expect(await runCli(['read', '-T', 'json', 'x.pcap'], o, fake([seedQuery().rec]).fn)).toBe(0);
    expect(JSON.parse(o.stdout.toString())['frame.number']).toBe(5);
    expect(o.err).toEqual([]);
  });

  it('-V -x together', async () => {
    const o = io();
    expect(await runCli(['read', '-V', '-x', 'x.pcap'], o, fake([seedQuery().rec]).fn)).toBe(0);
    expect(o.stdout.toString()).toMatch(/^Frame 5:[\s\S]*Statement: show databases\n[\s\S]*\[0005-0012\] Statement/);
  });

  it('no MySQL traffic: exit 3 with a hint', async () => {
    const o = io();
    expect(await runCli(['read', 'x.pcap'], o, fake([], { frames: 1234, connections: 12, mysqlConnections: 0 }).fn)).toBe(3);
    expect(o.err[0]).toBe('myshark: no MySQL traffic in x.pcap: read 1234 frames and 12 TCP connections; if a MySQL server listens on a port other than 3306, name it with -d PORT\n');
    expect(o.err.at(-1)).toMatch(/^myshark: 1234 frames/);
  });

  it('truncated capture: exit 4, output kept', async () => {
    const o = io();
    expect(await runCli(['read', '-T', 'json', 'x.pcap'], o, fake([seedQuery().rec], { truncated: true }).fn)).toBe(4);
    expect(o.stdout.toString()).not.toBe('');
    expect(o.err).toEqual(['myshark: x.pcap is truncated; everything before the cut was decoded\n']);
  });

  it('capture-level damage: warnings on stderr and exit 4', async () => {
    const o = io();
    const issue = { layer: 'capture', kind: 'malformed', code: 'pcap.bad_length', message: 'record length 99999999 exceeds the snaplen', frame: 7 } as const;
    expect(await runCli(['read', 'x.pcap'], o, fake([seedQuery().rec], {}, [issue]).fn)).toBe(4);
    expect(o.err[0]).toBe('myshark: warning: record length 99999999 exceeds the snaplen (frame 7)\n');
  });

  it('CaptureError: exit 2 and one sentence', async () => {
    const o = io();
    const fn: AnalyzeFn = async () => {
      throw new CaptureError('not-found', 'cannot open nope.pcap: no such file');
    };
    expect(await runCli(['read', 'nope.pcap'], o, fn)).toBe(2);
    expect(o.err).toEqual(['myshark: cannot open nope.pcap: no such file\n']);
  });

  it('a raw errno error is an input error', async () => {
    const o = io();
    const fn: AnalyzeFn = async () => {
      throw Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR' });
    };
    expect(await runCli(['read', 'dir'], o, fn)).toBe(2);
    expect(o.err[0]).toMatch(/^myshark: cannot read dir: EISDIR/);
  });

  it('an unexpected exception is an internal error with a trace', async () => {
    const o = io();
    const fn: AnalyzeFn = async () => {
      throw new TypeError('boom');
    };
    expect(await runCli(['read', 'x'], o, fn)).toBe(EXIT.INTERNAL);
    expect(o.err[0]).toMatch(/internal error[\s\S]*TypeError: boom/);
  });

  it('-c stops after n messages', async () => {
    const o = io();
    const recs = [seedQuery().rec, record({ kind: 'command', command: 1 }), record({ kind: 'command', command: 0x0e })];
    expect(await runCli(['read', '-c', '2', 'x.pcap'], o, fake(recs).fn)).toBe(0);
    expect(o.stdout.toString().trim().split('\n')).toHaveLength(2);
    expect(o.err).toEqual(['myshark: stopped after 2 MySQL messages (-c 2)\n']);
  });

  it('-c when the library swallows the stop: the rest is ignored', async () => {
    const o = io();
    const recs = [seedQuery().rec, record({ kind: 'command', command: 1 }), record({ kind: 'command', command: 0x0e })];
    const fn: AnalyzeFn = async (_i, _o, onRecord) => {
      for (const r of recs) {
        try {
          onRecord(r);
        } catch {
          /* ignored */
        }
      }
      return totals;
    };
    expect(await runCli(['read', '-c', '1', 'x.pcap'], o, fn)).toBe(0);
    expect(o.stdout.toString().trim().split('\n')).toHaveLength(1);
  });

  it('usage errors exit 2 with a myshark: prefix', async () => {
    for (const args of [['read'], ['read', '--bogus', 'x'], ['read', '-T', 'xml', 'x'], ['read', '-d'], ['nope'], [], ['read', '-d', 'abc', 'x']]) {
      const o = io();
      expect(await runCli(args, o, fake([]).fn), args.join(' ')).toBe(2);
      expect(o.err.join(''), args.join(' ')).toMatch(/myshark: |Usage: myshark/);
    }
    for (const [args, hint] of [[['queries', 'x', '--bogus'], 'queries'], [['digest', '-d', '0', 'x'], 'digest'], [['read', '-d', '0', 'x'], 'read']] as const) {
      const o = io();
      expect(await runCli(args, o, fake([]).fn)).toBe(2);
      expect(o.err.join('')).toContain(`(run myshark ${hint} --help for usage)`);
    }
  });

  it('--help and --version exit 0 on stdout', async () => {
    const h = io();
    expect(await runCli(['read', '--help'], h, fake([]).fn)).toBe(0);
    expect(h.stdout.toString()).toContain('Usage: myshark read [options] [capture]');
    expect(h.stdout.toString()).toContain('Exit codes');
    const v = io();
    expect(await runCli(['--version'], v, fake([]).fn)).toBe(0);
    expect(v.stdout.toString()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
