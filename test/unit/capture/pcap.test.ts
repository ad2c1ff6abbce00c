import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PcapParser } from '../../../src/capture/pcap.js';
import { PcapBuilder } from '../../../src/capture/pcap-writer.js';
import { buildPcap, buildTcpFrame, type PcapFileOptions, type PcapRecord } from '../../builders/frames.js';
import { collector } from './helpers.js';

function parse(file: Uint8Array, chunks?: number[]) {
  const c = collector();
  const p = new PcapParser(c.handlers);
  if (!chunks) p.push(file);
  else {
    let o = 0;
    for (const n of chunks) {
      p.push(file.subarray(o, o + n));
      o += n;
    }
    p.push(file.subarray(o));
  }
  p.end();
  return { ...c, parser: p };
}

const recs: PcapRecord[] = [
  { data: buildTcpFrame({ payload: Uint8Array.from([1, 2, 3]) }).data, sec: 1700000000, frac: 123456 },
  { data: buildTcpFrame({ seq: 4 }).data, sec: 1700000001, frac: 999999 },
  { data: new Uint8Array(0), sec: 1700000002, frac: 0 },
  { data: Uint8Array.from({ length: 1500 }, (_, i) => i & 0xff), sec: 1700000003, frac: 5, origLen: 9000 },
];

describe('PcapParser', () => {
  for (const bigEndian of [false, true]) {
    for (const nanosecond of [false, true]) {
      it(`reads ${bigEndian ? 'big' : 'little'}-endian ${nanosecond ? 'ns' : 'µs'} files`, () => {
        const opts: PcapFileOptions = { linkType: 1, bigEndian, nanosecond, snaplen: 65535 };
        const r = parse(buildPcap(opts, recs));
        expect(r.issues).toEqual([]);
        expect(r.format).toBe(nanosecond ? 'pcap-ns' : 'pcap');
        expect(r.linkTypes).toEqual([1]);
        expect(r.parser.snaplen).toBe(65535);
        expect(r.frames.map((f) => f.no)).toEqual([1, 2, 3, 4]);
        expect(r.frames.map((f) => f.tsSec)).toEqual([1700000000, 1700000001, 1700000002, 1700000003]);
        const mul = nanosecond ? 1 : 1000;
        expect(r.frames.map((f) => f.tsNsec)).toEqual([123456 * mul, 999999 * mul, 0, 5 * mul]);
        expect(r.frames[3]!.capLen).toBe(1500);
        expect(r.frames[3]!.origLen).toBe(9000);
        expect(r.frames[3]!.linkType).toBe(1);
        expect(r.frames[3]!.interfaceId).toBe(0);
        recs.forEach((rec, i) => expect(r.frames[i]!.data).toEqual(rec.data));
        expect(r.parser.bytesConsumed).toBe(buildPcap(opts, recs).length);
      });
    }
  }

  it('reads what PcapBuilder writes', () => {
    const f = buildTcpFrame().data;
    const file = new PcapBuilder({ linkType: 1, nanosecond: true }).add(5, 7, f).toBuffer();
    const r = parse(file);
    expect(r.frames).toHaveLength(1);
    expect(r.frames[0]!.tsNsec).toBe(7);
  });

  it('normalises a sub-second field that overflows', () => {
    const r = parse(buildPcap({ linkType: 1 }, [{ data: new Uint8Array(1), sec: 10, frac: 2_500_000 }]));
    expect(r.frames[0]!.tsSec).toBe(12);
    expect(r.frames[0]!.tsNsec).toBe(500_000_000);
  });

  it('reuses one Frame object with a view as data', () => {
    const c = collector();
    const seen: unknown[] = [];
    const p = new PcapParser({ ...c.handlers, onFrame: (f) => seen.push(f) });
    p.push(buildPcap({ linkType: 1 }, recs));
    p.end();
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(1);
  });

  it('gives the same frames however the input is split (every split point, and random splits)', () => {
    const file = buildPcap({ linkType: 1 }, recs.slice(0, 3));
    const whole = parse(file).frames;
    for (let i = 0; i <= file.length; i++) {
      const r = parse(file, [i]);
      expect(r.issues).toEqual([]);
      expect(r.frames).toEqual(whole);
    }
    // one byte at a time
    expect(parse(file, Array(file.length).fill(1)).frames).toEqual(whole);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 20 }), (sizes) => {
        const r = parse(file, sizes);
        expect(r.frames).toEqual(whole);
        expect(r.issues).toEqual([]);
      }),
    );
  });

  it('every truncated prefix gives the whole records before it and at most one truncated issue', () => {
    const file = buildPcap({ linkType: 1 }, recs.slice(0, 3));
    const whole = parse(file).frames;
    const ends = [24];
    for (const rec of recs.slice(0, 3)) ends.push(ends[ends.length - 1]! + 16 + rec.data.length);
    for (let n = 0; n < file.length; n++) {
      const r = parse(file.subarray(0, n), [Math.floor(n / 2)]);
      const complete = ends.filter((e) => e <= n).length - 1;
      expect(r.frames).toEqual(whole.slice(0, Math.max(0, complete)));
      if (ends.includes(n)) expect(r.issues).toEqual([]);
      else {
        expect(r.issues).toHaveLength(n === 0 ? 0 : 1);
        if (n > 0) expect(r.issues[0]!.kind).toBe('truncated');
      }
    }
  });

  it('says precisely what the truncated record needed', () => {
    const file = buildPcap({ linkType: 1 }, [{ data: new Uint8Array(100) }, { data: new Uint8Array(100) }]);
    const r = parse(file.subarray(0, file.length - 30));
    expect(r.frames).toHaveLength(1);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ kind: 'truncated', layer: 'capture', offset: 140 });
    expect(r.issues[0]!.message).toBe('record 2 at file offset 140 needs 116 bytes, only 86 present: the file is truncated');
    const h = parse(file.subarray(0, 150));
    expect(h.issues[0]!.message).toContain('record 2 at file offset 140 needs 16 bytes for its header, only 10 present');
    const fh = parse(file.subarray(0, 10));
    expect(fh.issues[0]!.message).toContain('file header needs 24 bytes, only 10 present');
  });

  it('stops on an absurd captured length', () => {
    const file = buildPcap({ linkType: 1 }, [{ data: new Uint8Array(10) }, { data: new Uint8Array(10), capLen: 0x7fffffff }]);
    const r = parse(file);
    expect(r.frames).toHaveLength(1);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ kind: 'malformed', code: 'capture.bad_record_length', frame: 2 });
    expect(r.parser.fatal()).toMatch(/record 2 at file offset 50 has a captured length of 2147483647/);
  });

  it('reads records longer than the snaplen, with one issue', () => {
    const file = buildPcap({ linkType: 1, snaplen: 8 }, [{ data: new Uint8Array(10) }, { data: new Uint8Array(12) }]);
    const r = parse(file);
    expect(r.frames).toHaveLength(2);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]!.code).toBe('capture.caplen_over_snaplen');
  });

  it('reports a bad magic as fatal', () => {
    const r = parse(Uint8Array.from([1, 2, 3, 4, ...new Array(40).fill(0)]));
    expect(r.frames).toEqual([]);
    expect(r.parser.fatal()).toMatch(/not a pcap file/);
  });

  it('never throws on garbage after a valid header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (junk, be) => {
        const file = new Uint8Array(24 + junk.length);
        file.set(buildPcap({ linkType: 1, bigEndian: be }, []));
        file.set(junk, 24);
        const r = parse(file, [7, 13]);
        expect(r.issues.length).toBeLessThanOrEqual(2);
      }),
    );
  });
});
