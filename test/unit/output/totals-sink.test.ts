import { describe, expect, it } from 'vitest';
import { formatTotals } from '../../../src/output/totals.js';
import { BufferedSink } from '../../../src/output/sink.js';
import { createReporter } from '../../../src/output/index.js';
import { StringSink } from '../../../src/output/sink.js';
import type { Totals } from '../../../src/api-types.js';
import { seedQuery } from './helpers.js';

const totals: Totals = {
  format: 'pcap', bytesRead: 1000, frames: 1234, tcpSegments: 1200, skipped: {}, connections: 12,
  mysqlConnections: 3, messages: 456, issues: 2, anomalies: 2, truncated: false, badIpChecksums: 0, lostBytes: 0,
};

describe('formatTotals', () => {
  it('plain', () => {
    expect(formatTotals(totals)).toBe('myshark: 1234 frames, 12 connections (3 MySQL), 456 MySQL messages, 2 anomalies');
  });
  it('singular, skipped and truncated notes', () => {
    expect(formatTotals({ ...totals, frames: 1, connections: 1, messages: 1, anomalies: 1, skipped: { 'not-tcp': 8, 'truncated-header': 2, x: 0 }, truncated: true }))
      .toBe('myshark: 1 frame, 1 connection (3 MySQL), 1 MySQL message, 1 anomaly; 10 frames skipped (not-tcp 8, truncated-header 2); the capture file is truncated (everything before the cut was decoded)');
  });
});

describe('BufferedSink', () => {
  const text = (c: string | Uint8Array): string => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8'));

  it('encodes into buffers of its size, hands each over when the next write would not fit, and on flush', () => {
    const chunks: string[] = [];
    const s = new BufferedSink((c) => chunks.push(text(c)), 12);
    s.write('ab');
    s.write('cd');
    expect(chunks).toEqual([]);
    s.write('efg'); // 4 + 3×3 bytes worst case > 12: the first two go out first
    expect(chunks).toEqual(['abcd']);
    s.write('k');
    s.flush();
    s.flush();
    expect(chunks).toEqual(['abcd', 'efgk']);
  });

  it('writes text longer than its buffer straight through, in order, and keeps multi-byte characters whole', () => {
    const chunks: (string | Uint8Array)[] = [];
    const s = new BufferedSink((c) => chunks.push(c), 8);
    s.write('é');
    s.write('0123456789');
    s.write('€😀');
    s.writeBytes(Uint8Array.of(0x21));
    s.flush();
    expect(chunks.map(text).join('')).toBe('é0123456789€😀!');
    // Bytes that fit are copied into the buffer (a parallel run hands over many small pieces).
    const few: (string | Uint8Array)[] = [];
    const t = new BufferedSink((c) => few.push(c), 8);
    t.write('a');
    t.writeBytes(Uint8Array.of(0x62, 0x63));
    t.writeBytes(Uint8Array.of(0x64));
    expect(few).toEqual([]);
    const reused = new Uint8Array(8).fill(0x65);
    t.writeBytes(reused);
    const big = new Uint8Array(9).fill(0x66);
    t.writeBytes(big);
    reused.fill(0x78); // the caller reuses its arrays at once
    big.fill(0x78);
    t.flush();
    expect(few.map(text)).toEqual(['abcd', 'eeeeeeee', 'fffffffff']);
    // Each handed-over buffer is its own: a later write does not change it.
    const first = chunks[0] as Uint8Array;
    expect(Buffer.from(first).toString('utf8')).toBe('é');
  });

  it('reuses its buffer only when out says it is done with the chunk', () => {
    for (const done of [true, false]) {
      const got: Uint8Array[] = [];
      const s = new BufferedSink((c) => {
        got.push(c as Uint8Array);
        return done;
      }, 16);
      s.write('abc');
      s.flush();
      s.write('xyz');
      s.flush();
      expect(got[0]).toBeInstanceOf(Uint8Array);
      expect(text(got[1]!)).toBe('xyz');
      if (done) expect(got[0]!.buffer).toBe(got[1]!.buffer); // the same memory, written over
      else {
        expect(text(got[0]!)).toBe('abc'); // a chunk the stream may still hold is never written over
        expect(got[0]!.buffer).not.toBe(got[1]!.buffer);
      }
    }
  });

  it('target/commit: a piece is written in place, may run past the size, and goes out on commit in chunks of exactly the size', () => {
    for (const reuse of [true, false]) {
      const chunks: string[] = [];
      const s = new BufferedSink((c) => {
        chunks.push(text(c));
        return reuse;
      }, 8);
      s.write('ab');
      s.target().ascii('cdef');
      s.commit();
      expect(chunks).toEqual([]);
      s.target().ascii('0123456789x');
      s.commit(); // 17 bytes: two chunks of 8 go out, 1 byte stays
      expect(chunks).toEqual(['abcdef01', '23456789']);
      s.target().string('é"');
      s.commit();
      s.flush();
      expect(chunks).toEqual(['abcdef01', '23456789', 'x"é\\""']);
    }
  });
});

describe('createReporter', () => {
  it('picks the reporter', () => {
    const rec = seedQuery().rec;
    const out = (o: Parameters<typeof createReporter>[1]): string => {
      const sink = new StringSink();
      createReporter(sink, o).record(rec);
      return sink.toString();
    };
    expect(out({ format: 'json', tree: false, hex: false }).startsWith('{"frame.number":5')).toBe(true);
    expect(out({ format: 'text', tree: true, hex: false }).startsWith('Frame 5:')).toBe(true);
    expect(out({ format: 'text', tree: false, hex: true })).toContain('[0004] Command: Query (3)');
    expect(out({ format: 'text', tree: false, hex: false })).toMatch(/^ {4}5 /);
  });
});
