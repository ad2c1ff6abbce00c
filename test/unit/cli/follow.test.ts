/**
 * `myshark follow` on real fixtures: by tcp.stream index and by client ip:port (IPv4 and IPv6), -V, and the
 * errors (no such connection, malformed CONN) with exit code 2.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addFollowCommand, parseConnSelector } from '../../../src/cli/follow.js';
import { UsageError } from '../../../src/cli/read.js';
import { StringSink } from '../../../src/output/sink.js';

const FIX = join(import.meta.dirname, '../../fixtures');

async function follow(...args: string[]): Promise<{ code: number; out: string; err: string; thrown?: unknown }> {
  const stdout = new StringSink();
  let err = '';
  let code = -1;
  const program = new Command().exitOverride();
  addFollowCommand(program, { stdout, stderr: (s) => (err += s), stdin: process.stdin }, (c) => (code = c));
  try {
    await program.parseAsync(['follow', ...args], { from: 'user' });
  } catch (e) {
    return { code, out: stdout.toString(), err, thrown: e };
  }
  return { code, out: stdout.toString(), err };
}

describe('myshark follow', () => {
  it('follows tcp.stream 0 of cli-session.pcap: header, C>/S< lines with relative times, rows, NULL, errors', async () => {
    const r = await follow(join(FIX, 'cli-session.pcap'), '0');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('Connection tcp.stream 0: 127.0.0.1:58712 → 127.0.0.1:3306');
    expect(lines[1]).toBe('Server:   10.11.19-MariaDB-0+deb12u1-log (sent as 5.5.5-…), thread id 6');
    expect(lines[2]).toBe('User:     app@shop');
    expect(lines[3]).toMatch(/^First: {4}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} UTC \(frame 1\)$/);
    expect(lines[4]).toMatch(/^Last: {5}.* UTC \(frame \d+\), 0\.0\d{5} s later$/);
    expect(lines[5]).toBe('Messages: 51 (23 requests, 1 error)');
    expect(lines).toContain('  0.000265  S< Server Greeting  proto=10 version=10.11.19-MariaDB-0+deb12u1-log (sent as 5.5.5-…) thread_id=6');
    expect(lines).toContain('  0.002261  C> Query  show databases');
    expect(lines).toContain('  0.010079  S< Error 1146 (42S02) Table \'shop.no_such_table\' doesn\'t exist');
    // A result set with its column names and rows, NULL shown as NULL.
    const i = lines.indexOf('  0.009249  S< Result set  3 columns, 3 rows');
    expect(i).toBeGreaterThan(0);
    expect(lines[i - 1]).toBe('  0.009155  C> Query  SELECT id, body, lang FROM notes ORDER BY id');
    expect(lines.slice(i + 1, i + 5)).toEqual([
      '                columns: id | body | lang',
      '                | 1 | Grüezi from Zürich | de |',
      '                | 2 | こんにちは、東京 | ja |',
      '                | 3 | NULL | xx |',
    ]);
    expect(lines.at(-2)).toBe('  0.014257  C> Quit');
  });

  it('follows a connection by client ip:port, only that connection, in order', async () => {
    const byPort = await follow(join(FIX, 'multi-connections.pcap'), '127.0.0.1:38158');
    expect(byPort.code).toBe(0);
    expect(byPort.out).toMatch(/^Connection tcp.stream 2: 127\.0\.0\.1:38158 → 127\.0\.0\.1:3306\n/);
    expect(byPort.out).toContain('thread id 19');
    expect(byPort.out).toContain('Messages: 12 (5 requests, 0 errors)');
    expect(byPort.out).toContain('  0.003326  S< Server Greeting');
    expect(byPort.out).not.toContain('38148');
    const queries = byPort.out.split('\n').filter((l) => l.includes('C> Query'));
    expect(queries[0]).toMatch(/C> Query {2}SELECT 2 AS worker, 0 AS step/);
    expect(queries[1]).toMatch(/C> Query {2}SELECT 2 AS worker, 1 AS step/);
    const byIndex = await follow(join(FIX, 'multi-connections.pcap'), '2');
    expect(byIndex.out).toBe(byPort.out);
  });

  it('IPv6 client [addr]:port', async () => {
    const r = await follow(join(FIX, 'ipv6.pcap'), '[::1]:50518');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Connection tcp.stream 0: \[::1\]:50518 → \[::1\]:3306\n/);
  });

  it('-V adds the field tree under each message', async () => {
    const r = await follow('-V', join(FIX, 'cli-session.pcap'), '0');
    expect(r.code).toBe(0);
    expect(r.out).toContain('                Frame 4: 127.0.0.1:3306 → 127.0.0.1:58712, tcp.stream 0\n                MySQL Protocol\n');
    expect(r.out).toContain('Statement: show databases');
  });

  it('an unknown connection: one sentence on stderr, nothing on stdout, exit 2', async () => {
    const r = await follow(join(FIX, 'multi-connections.pcap'), '7');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe('myshark: no MySQL connection 7 in the capture; myshark conns lists them\n');
    const p = await follow(join(FIX, 'multi-connections.pcap'), '127.0.0.1:1');
    expect(p.code).toBe(2);
    expect(p.err).toBe('myshark: no MySQL connection from client 127.0.0.1:1 in the capture; myshark conns lists them\n');
  });

  it('a malformed CONN or a missing one is a usage error (exit 2 through runCli)', async () => {
    for (const bad of ['1.2.3', 'abc', '10.0.0.1:99999', '300.1.1.1:5', '[zz]:1', '-1']) {
      expect(() => parseConnSelector(bad), bad).toThrow(UsageError);
    }
    const r = await follow(join(FIX, 'cli-session.pcap'), 'x:y');
    expect(r.thrown).toBeInstanceOf(UsageError);
    expect(String((r.thrown as Error).message)).toMatch(/'x:y' is not a connection: CONN is a tcp.stream index/);
    const none = await follow(join(FIX, 'cli-session.pcap'));
    expect(none.thrown).toBeInstanceOf(UsageError);
  });

  it('parses selectors', () => {
    expect(parseConnSelector('7')).toEqual({ kind: 'index', index: 7 });
    expect(parseConnSelector('10.0.0.5:51234')).toEqual({ kind: 'client', ip: '10.0.0.5', port: 51234, text: '10.0.0.5:51234' });
    expect(parseConnSelector('[::1]:3307')).toMatchObject({ kind: 'client', ip: '::1', port: 3307 });
  });
});
