/**
 * Per-connection TCP statistics (analyze's onConnection, behind `myshark conns`) on every REAL fixture capture,
 * checked field by field against tshark's TCP analysis of the same frames: payload bytes each way (retransmissions
 * not counted), retransmissions, who sent the first FIN and the first RST, whether the SYN was captured, keepalives,
 * zero windows, lost segments (holes) and the longest silence between two segments of the connection. Skipped (reported) without tshark.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline/analyze.js';
import type { TcpConnStats } from '../../../src/pipeline/tcp-stats.js';
import { describeEnd } from '../../../src/pipeline/tcp-stats.js';
import { tsharkAvailable } from '../../support/tshark.js';

const FIX = new URL('../../fixtures/', import.meta.url).pathname;
const TSHARK = tsharkAvailable();

interface FixtureMeta {
  file: string;
  serverPorts: number[];
}
const FIXTURES = (JSON.parse(readFileSync(FIX + 'fixtures.json', 'utf8')) as { fixtures: FixtureMeta[] }).fixtures;

interface TsharkConn {
  bytes: { c2s: number; s2c: number };
  lost: { c2s: number; s2c: number };
  retrans: number;
  keepalives: number;
  zeroWindows: number;
  firstFin: 'c2s' | 's2c' | undefined;
  firstRst: 'c2s' | 's2c' | undefined;
  sawSyn: boolean;
  silence: number;
}

/** tshark's view, per tcp.stream, with the direction taken from the server port we found. */
function tsharkConns(path: string, serverPort: Map<number, number>): Map<number, TsharkConn> {
  const fields = ['tcp.stream', 'tcp.srcport', 'tcp.len', 'tcp.flags.fin', 'tcp.flags.reset', 'tcp.flags.syn', 'tcp.analysis.retransmission',
    'tcp.analysis.fast_retransmission', 'tcp.analysis.keep_alive', 'tcp.analysis.zero_window', 'frame.time_epoch', 'tcp.analysis.lost_segment'];
  const out = execFileSync('tshark', ['-r', path, '-T', 'fields', ...fields.flatMap((f) => ['-e', f]), '-Y', 'tcp'], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28,
  });
  const res = new Map<number, TsharkConn & { last?: number }>();
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const [stream, sport, len, fin, rst, syn, retr, fretr, ka, zw, t, lost] = line.split('\t');
    const idx = Number(stream);
    const sp = serverPort.get(idx);
    if (sp === undefined) continue;
    let c = res.get(idx);
    if (!c) {
      c = { bytes: { c2s: 0, s2c: 0 }, lost: { c2s: 0, s2c: 0 }, retrans: 0, keepalives: 0, zeroWindows: 0, firstFin: undefined, firstRst: undefined, sawSyn: syn === '1' || syn === 'True', silence: 0 };
      res.set(idx, c);
    }
    const dir = Number(sport) === sp ? 's2c' : 'c2s';
    const time = Number(t);
    if (c.last !== undefined) c.silence = Math.max(c.silence, time - c.last);
    c.last = time;
    const isRetr = retr !== '' || fretr !== '';
    if (isRetr) c.retrans++;
    if (ka !== '') c.keepalives++;
    if (zw !== '') c.zeroWindows++;
    // Wireshark marks the segment after a hole "previous segment not captured": one mark per hole.
    if (lost !== undefined && lost !== '') c.lost[dir]++;
    if (!isRetr && ka === '') c.bytes[dir] += Number(len);
    if ((fin === '1' || fin === 'True') && c.firstFin === undefined) c.firstFin = dir;
    if ((rst === '1' || rst === 'True') && c.firstRst === undefined) c.firstRst = dir;
  }
  return res;
}

describe.skipIf(!TSHARK)('TCP statistics per MySQL connection agree with tshark (real fixtures)', () => {
  it.each(FIXTURES.map((f) => [f.file, f.serverPorts] as const))('%s', async (file, ports) => {
    const path = FIX + file;
    const stats: TcpConnStats[] = [];
    const serverPort = new Map<number, number>();
    await analyze({ kind: 'file', path }, { ports: [...ports], onConnection: (s) => stats.push(s) }, (r) => serverPort.set(r.conn.index, r.conn.server.port));
    expect(stats.length).toBe(serverPort.size);
    const ref = tsharkConns(path, serverPort);
    for (const s of stats) {
      const t = ref.get(s.index)!;
      expect(t, `tcp.stream ${s.index}`).toBeDefined();
      const where = `${file} tcp.stream ${s.index}`;
      expect(s.sawSyn, where).toBe(t.sawSyn);
      expect(s.firstFin, where).toBe(t.firstFin);
      expect(s.firstRst, where).toBe(t.firstRst);
      expect(s.retransmissions.c2s + s.retransmissions.s2c, where).toBe(t.retrans);
      expect(s.keepalives.c2s + s.keepalives.s2c, where).toBe(t.keepalives);
      expect(s.zeroWindows.c2s + s.zeroWindows.s2c, where).toBe(t.zeroWindows);
      expect(s.bytes, where).toEqual(t.bytes);
      expect(s.lostSegments, where).toEqual(t.lost);
      expect(s.longestSilence, where).toBeCloseTo(t.silence, 6);
    }
  });
});

describe('describeEnd', () => {
  const base = (): TcpConnStats => ({
    index: 0, sawSyn: true, end: 'fin', firstFin: 'c2s', firstRst: undefined, fin: { c2s: 1, s2c: 1 },
    retransmissions: { c2s: 0, s2c: 0 }, outOfOrder: { c2s: 0, s2c: 0 }, lostSegments: { c2s: 0, s2c: 0 }, lostBytes: { c2s: 0, s2c: 0 },
    keepalives: { c2s: 0, s2c: 0 }, zeroWindows: { c2s: 0, s2c: 0 }, bytes: { c2s: 0, s2c: 0 }, segments: { c2s: 0, s2c: 0 },
    firstRetransFrame: undefined, firstGapFrame: undefined, firstZeroWindowFrame: undefined, firstRstFrame: undefined,
    tls: false, compressed: false, firstTs: { sec: 0, nsec: 0 }, firstFrame: 1, lastTs: { sec: 0, nsec: 0 }, lastFrame: 1, longestSilence: 0,
    silenceFromFrame: undefined, silenceToFrame: undefined,
  });
  it('says who ended the connection and whether QUIT came first', () => {
    expect(describeEnd(base(), true)).toBe('QUIT, then FIN from client');
    expect(describeEnd({ ...base(), firstFin: 's2c' }, false)).toBe('FIN from server (no QUIT seen)');
    expect(describeEnd({ ...base(), fin: { c2s: 1, s2c: 0 }, end: 'end-of-capture' }, false)).toBe('FIN from client only (no QUIT seen)');
    expect(describeEnd({ ...base(), firstFin: undefined, fin: { c2s: 0, s2c: 0 }, firstRst: 's2c', end: 'rst' }, false)).toBe('RST from server');
    expect(describeEnd({ ...base(), firstFin: 's2c', fin: { c2s: 0, s2c: 1 }, firstRst: 'c2s', end: 'rst' }, true)).toBe('QUIT, then FIN from server only, then RST from client');
    expect(describeEnd({ ...base(), firstFin: undefined, fin: { c2s: 0, s2c: 0 }, end: 'end-of-capture' }, false)).toBe('open at end of capture');
    expect(describeEnd({ ...base(), firstFin: undefined, fin: { c2s: 0, s2c: 0 }, end: 'limit' }, false)).toBe('dropped (reassembly limits)');
  });
});
