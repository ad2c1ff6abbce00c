/**
 * End to end: the built `myshark` executable (dist/cli/main.js; `npm test` builds first) on the bundled example,
 * standard input, and every documented error exit. Real captures come from test/fixtures; the "no MySQL" and
 * "unknown format" inputs are synthetic (made here) because they are about file handling, not MySQL.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPcap, buildTcpFrame, ascii } from '../../builders/frames.js';

const ROOT = join(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'dist/cli/main.js');
const EXAMPLE = join(ROOT, 'examples/example.pcap');

function run(args: string[], input?: Buffer): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', cwd: ROOT });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'myshark-e2e-'));
});

describe('myshark read (built executable)', () => {
  it('npm start: decodes the bundled example and prints totals', () => {
    const r = run(['read', EXAMPLE]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Server Greeting {2}proto=10 version=10\.11\.\d+-MariaDB\S* \(sent as 5\.5\.5-…\)/);
    expect(r.out).toMatch(/Request Query {2}show databases/);
    expect(r.out).toMatch(/Response Result set {2}1 column, 3 rows/);
    expect(r.out).toMatch(/Request Quit\n$/);
    expect(r.err).toMatch(/^myshark: \d+ frames, 1 connection \(1 MySQL\), \d+ MySQL messages, 0 anomalies/m);
  });

  it('reads a capture from standard input (-)', () => {
    const fromFile = run(['read', EXAMPLE]);
    const fromStdin = run(['read', '-'], readFileSync(EXAMPLE));
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.out).toBe(fromFile.out);
  });

  it('-T json gives one JSON object per line with Wireshark field names', () => {
    const r = run(['read', EXAMPLE, '-T', 'json']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const query = lines.find((l) => l['mysql.query'] === 'show databases');
    expect(query?.['mysql.command']).toBe(3);
    expect(query?.['tcp.dstport']).toBe(3306);
    const greeting = lines.find((l) => l['mysql.version'] !== undefined);
    expect(greeting?.['mysql.thread_id']).toBeTypeOf('number');
  });

  it('exit 2 and one sentence for a missing file', () => {
    const r = run(['read', join(dir, 'nope.pcap')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^myshark: .*nope\.pcap: no such file/);
    expect(r.out).toBe('');
  });

  it('exit 2 for a file that is not a capture', () => {
    const f = join(dir, 'notes.txt');
    writeFileSync(f, 'hello world\n');
    const r = run(['read', f]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not a capture file/);
  });

  it('exit 2 for an empty file', () => {
    const f = join(dir, 'empty.pcap');
    writeFileSync(f, '');
    const r = run(['read', f]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/empty/);
  });

  it('exit 4 for a truncated capture, after printing what precedes the cut', () => {
    const whole = readFileSync(EXAMPLE);
    const f = join(dir, 'cut.pcap');
    writeFileSync(f, whole.subarray(0, Math.floor(whole.length / 2)));
    const r = run(['read', f]);
    expect(r.code).toBe(4);
    expect(r.out).toMatch(/Server Greeting/);
    expect(r.err).toMatch(/truncated/);
  });

  it('exit 3 and a hint for a capture without MySQL traffic (synthetic HTTP-like frames)', () => {
    const frames = [
      buildTcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 40000, dstPort: 80, seq: 1, ack: 1, flags: 0x18, payload: ascii('GET / HTTP/1.1\r\nHost: x\r\n\r\n') }),
      buildTcpFrame({ src: '10.0.0.2', dst: '10.0.0.1', srcPort: 80, dstPort: 40000, seq: 1, ack: 28, flags: 0x18, payload: ascii('HTTP/1.1 200 OK\r\n\r\n') }),
    ];
    const f = join(dir, 'http.pcap');
    writeFileSync(f, buildPcap({ linkType: frames[0]!.linkType }, frames.map((fr, i) => ({ data: fr.data, sec: 1_700_000_000 + i, frac: 0 }))));
    const r = run(['read', f]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/no MySQL/i);
    expect(r.err).toMatch(/-d PORT/);
  });

  it('exit 2 for a bad option value', () => {
    const r = run(['read', EXAMPLE, '-d', 'notaport']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/-d\/--decode-port/);
  });

  it('npx-style: the bin is executable with a node shebang', () => {
    const head = readFileSync(BIN, 'utf8').split('\n')[0];
    expect(head).toBe('#!/usr/bin/env node');
    const out = execFileSync(BIN, ['--version'], { encoding: 'utf8' });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('myshark follow and the progress bar (built executable)', () => {
  const SESSION = join(ROOT, 'test/fixtures/cli-session.pcap');

  it('follow is a command of the program: header, then the conversation in order', () => {
    const r = run(['follow', SESSION, '0']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('Connection tcp.stream 0: 127.0.0.1:58712 → 127.0.0.1:3306');
    expect(r.out).toMatch(/^ +[0-9.]+ +C> Query +show databases$/m);
    expect(r.err).toBe('');
  });

  it('follow: an unknown connection is exit 2 with a sentence', () => {
    const r = run(['follow', SESSION, '9']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('myshark: no MySQL connection 9 in the capture; myshark conns lists them\n');
  });

  it('-q is accepted by read, queries and digest; with stderr not a terminal no bar is drawn either way', () => {
    for (const cmd of ['read', 'queries', 'digest']) {
      for (const extra of [['-q'], []]) {
        const r = run([cmd, ...extra, SESSION]);
        expect(r.code, `${cmd} ${extra.join(' ')}`).toBe(0);
        expect(r.err).not.toMatch(/\r|\x1b\[K/);
      }
    }
  });
});

describe('myshark conns -Y (built executable, real filter)', () => {
  it('a filter on a tree field (mysql.query) selects the connection that sent it (multi-connections.pcap)', () => {
    const r = run(['conns', join(ROOT, 'test/fixtures/multi-connections.pcap'), '-Y', 'mysql.query contains "id = 3"', '--wireshark-filter']);
    expect(r.code).toBe(0);
    // tshark: frame 63, tcp.stream 2, client port 38158 sent "SELECT id, name FROM customers WHERE id = 3"
    expect(r.out.split('\n').slice(0, 2)).toEqual(['Wireshark display filter: tcp.port == 38158', 'Wireshark display filter (this capture only): tcp.stream == 2']);
  });
});
