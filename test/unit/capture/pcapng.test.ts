import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PcapngParser } from '../../../src/capture/pcapng.js';
import { buildTcpFrame, bytes, PcapngBuilder } from '../../builders/frames.js';
import { collector } from './helpers.js';

function parse(file: Uint8Array, chunks?: number[]) {
  const c = collector();
  const p = new PcapngParser(c.handlers);
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

const eth = buildTcpFrame().data;
const raw = buildTcpFrame({ link: 'raw', src: '::1', dst: '::1' }).data;

function multi(bigEndian = false): Uint8Array {
  return new PcapngBuilder()
    .section({ bigEndian })
    .iface({ linkType: 1, name: 'eth0' }) // default µs
    .iface({ linkType: 101, tsresol: 9, snaplen: 65535 }) // ns
    .iface({ linkType: 113, tsresol: { base2: 10 } }) // 1/1024 s
    .iface({ linkType: 276, tsresol: 3, tsoffset: 1000 }) // ms, +1000 s
    .epb(0, eth, { ts: 1_700_000_000_123_456n })
    .block(5, new Uint8Array(20)) // interface statistics: skipped
    .epb(1, raw, { ts: 1_700_000_000_987_654_321n, origLen: 2000 })
    .block(4, new Uint8Array(8)) // name resolution: skipped
    .epb(2, eth, { ts: 1700000000n * 1024n + 512n })
    .epb(3, eth, { ts: 1_700_000_000_999n })
    .pb(0, eth, { ts: 5_000_001n })
    .block(0x40000bad, bytes(1, 2, 3)) // custom: skipped
    .toBytes();
}

describe('PcapngParser', () => {
  for (const bigEndian of [false, true]) {
    it(`reads several interfaces with their own link types and resolutions (${bigEndian ? 'BE' : 'LE'})`, () => {
      const r = parse(multi(bigEndian));
      expect(r.issues).toEqual([]);
      expect(r.format).toBe('pcapng');
      expect(r.linkTypes).toEqual([1, 101, 113, 276]);
      expect(r.frames.map((f) => [f.no, f.interfaceId, f.linkType, f.tsSec, f.tsNsec])).toEqual([
        [1, 0, 1, 1700000000, 123456000],
        [2, 1, 101, 1700000000, 987654321],
        [3, 2, 113, 1700000000, 500000000],
        [4, 3, 276, 1700001000, 999000000],
        [5, 0, 1, 5, 1000],
      ]);
      expect(r.frames[1]!.data).toEqual(raw);
      expect(r.frames[1]!.capLen).toBe(raw.length);
      expect(r.frames[1]!.origLen).toBe(2000);
      expect(r.frames[0]!.data).toEqual(eth);
      expect([...r.parser.skippedBlocks.entries()]).toEqual([
        [5, 1],
        [4, 1],
        [0x40000bad, 1],
      ]);
    });
  }

  it('converts 64-bit timestamps exactly at every resolution', () => {
    const cases: { tsresol: number | { base2: number }; ts: bigint; sec: number; nsec: number }[] = [
      { tsresol: 9, ts: 0xffffffffffffffffn, sec: 18446744073, nsec: 709551615 },
      { tsresol: 9, ts: 1_700_000_000_999_999_999n, sec: 1700000000, nsec: 999999999 },
      { tsresol: 6, ts: 1_700_000_000_999_999n, sec: 1700000000, nsec: 999999000 },
      { tsresol: 0, ts: 42n, sec: 42, nsec: 0 },
      { tsresol: 12, ts: 1_700_000_123_456_789_123n, sec: 1700000, nsec: 123456789 },
      { tsresol: { base2: 32 }, ts: (1700000000n << 32n) | 0x80000000n, sec: 1700000000, nsec: 500000000 },
      { tsresol: { base2: 30 }, ts: (3n << 30n) | 1n, sec: 3, nsec: 0 },
      { tsresol: { base2: 0 }, ts: 7n, sec: 7, nsec: 0 },
    ];
    for (const c of cases) {
      const file = new PcapngBuilder().section().iface({ linkType: 1, tsresol: c.tsresol }).epb(0, eth, { ts: c.ts }).toBytes();
      const r = parse(file);
      expect(r.issues).toEqual([]);
      expect([r.frames[0]!.tsSec, r.frames[0]!.tsNsec], JSON.stringify(c, (_, v) => (typeof v === 'bigint' ? String(v) : v))).toEqual([c.sec, c.nsec]);
    }
    // property: equal to the BigInt reference for decimal resolutions
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 0, max: 15 }), (ts, k) => {
        const file = new PcapngBuilder().section().iface({ linkType: 1, tsresol: k }).epb(0, eth, { ts }).toBytes();
        const f = parse(file).frames[0]!;
        const d = 10n ** BigInt(k);
        const rem = ts % d;
        const nsec = k <= 9 ? rem * 10n ** BigInt(9 - k) : rem / 10n ** BigInt(k - 9);
        expect(f.tsSec).toBe(Number(ts / d));
        expect(f.tsNsec).toBe(Number(nsec));
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 0, max: 40 }), (ts, k) => {
        const file = new PcapngBuilder().section().iface({ linkType: 1, tsresol: { base2: k } }).epb(0, eth, { ts }).toBytes();
        const f = parse(file).frames[0]!;
        const rem = ts & ((1n << BigInt(k)) - 1n);
        expect(f.tsSec).toBe(Number(ts >> BigInt(k)));
        expect(f.tsNsec).toBe(Number((rem * 1000000000n) >> BigInt(k)));
      }),
    );
  });

  it('reads Simple Packet Blocks on interface 0, bounded by the snaplen', () => {
    const data = Uint8Array.from({ length: 100 }, (_, i) => i);
    const file = new PcapngBuilder()
      .section()
      .iface({ linkType: 1, snaplen: 64 })
      .spb(data.subarray(0, 64), 100) // snaplen cut
      .spb(data.subarray(0, 40)) // whole
      .toBytes();
    const r = parse(file);
    expect(r.issues).toEqual([]);
    expect(r.frames.map((f) => [f.capLen, f.origLen, f.tsSec])).toEqual([
      [64, 100, 0],
      [40, 40, 0],
    ]);
    expect(r.frames[1]!.data).toEqual(data.subarray(0, 40)); // not the padding
  });

  it('a new section resets the interfaces and may change byte order', () => {
    const file = new PcapngBuilder()
      .section()
      .iface({ linkType: 1 })
      .iface({ linkType: 101 })
      .epb(1, raw)
      .section({ bigEndian: true })
      .iface({ linkType: 228, tsresol: 9 })
      .epb(0, raw.subarray(0, 20), { ts: 5n })
      .epb(1, raw) // interface 1 does not exist in this section
      .toBytes();
    const r = parse(file);
    expect(r.parser.sections).toBe(2);
    expect(r.frames.map((f) => [f.no, f.linkType, f.tsNsec])).toEqual([
      [1, 101, 0],
      [2, 228, 5],
    ]);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ kind: 'malformed', code: 'capture.unknown_interface' });
  });

  it('gives the same frames however the input is split', () => {
    const file = multi();
    const whole = parse(file).frames;
    expect(whole).toHaveLength(5);
    for (let i = 0; i <= file.length; i++) {
      const r = parse(file, [i]);
      expect(r.issues).toEqual([]);
      expect(r.frames).toEqual(whole);
    }
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 20 }), (sizes) => {
        expect(parse(file, sizes).frames).toEqual(whole);
      }),
    );
  });

  it('every truncated prefix gives the frames before it and at most a truncated issue', () => {
    const file = multi();
    const whole = parse(file).frames;
    for (let n = 0; n < file.length; n++) {
      const r = parse(file.subarray(0, n), [Math.floor(n / 3)]);
      expect(whole.slice(0, r.frames.length)).toEqual(r.frames);
      expect(r.issues.length).toBeLessThanOrEqual(1);
      for (const i of r.issues) expect(i.kind).toBe('truncated');
    }
    const cut = parse(file.subarray(0, file.length - 5));
    expect(cut.issues[0]!.message).toMatch(/^the block at file offset \d+ needs at least 12 bytes for its header, only 11 present/);
    const two = new PcapngBuilder().section().iface({ linkType: 1 }).epb(0, eth).spb(new Uint8Array(8)).toBytes();
    const cut2 = parse(two.subarray(0, two.length - 5));
    expect(cut2.frames).toHaveLength(1);
    expect(cut2.issues[0]!.message).toBe(
      `the block at file offset ${two.length - 24} needs 24 bytes, only 19 present: the file is truncated (after frame 1)`,
    );
  });

  it('stops with an issue on a bad block length', () => {
    const good = new PcapngBuilder().section().iface({ linkType: 1 }).epb(0, eth).toBytes();
    for (const badLen of [8, 13, 0xfffffff0]) {
      const bad = new Uint8Array(12);
      const v = new DataView(bad.buffer);
      v.setUint32(0, 6, true);
      v.setUint32(4, badLen, true);
      const file = new Uint8Array([...good, ...bad, ...good]);
      const r = parse(file);
      expect(r.frames).toHaveLength(1);
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]).toMatchObject({ kind: 'malformed', code: 'capture.bad_block_length', offset: good.length });
      expect(r.parser.fatal()).toMatch(/invalid total length/);
    }
    // trailing length mismatch
    const file = new PcapngBuilder().section().iface({ linkType: 1 }).toBytes();
    const blk = new PcapngBuilder().epb(0, eth).toBytes();
    new DataView(blk.buffer).setUint32(blk.length - 4, 999, true);
    const r = parse(new Uint8Array([...file, ...blk]));
    expect(r.frames).toHaveLength(0);
    expect(r.issues[0]!.message).toMatch(/says \d+ bytes at its start and 999 at its end/);
  });

  it('reports an EPB whose captured length exceeds the block and goes on', () => {
    const file = new PcapngBuilder().section().iface({ linkType: 1 }).epb(0, eth, { capLen: 5000 }).epb(0, eth).toBytes();
    const r = parse(file);
    expect(r.frames).toHaveLength(1);
    expect(r.frames[0]!.no).toBe(1);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]!.code).toBe('capture.bad_block');
  });

  it('rejects a file that does not start with a section header', () => {
    const r = parse(new PcapngBuilder().iface({ linkType: 1 }).toBytes());
    expect(r.parser.fatal()).toMatch(/not a pcapng file/);
    const v2 = parse(new PcapngBuilder().section({ version: [2, 0] }).toBytes());
    expect(v2.parser.fatal()).toMatch(/version 2\.0/);
  });

  it('never throws on garbage after a section header', () => {
    const shb = new PcapngBuilder().section().iface({ linkType: 1 }).toBytes();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.integer({ min: 0, max: 64 }), { maxLength: 5 }), (junk, sizes) => {
        const r = parse(new Uint8Array([...shb, ...junk]), sizes);
        expect(r.issues.length).toBeLessThanOrEqual(3);
      }),
    );
    // structured garbage: valid framing, random bodies of packet-bearing types
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3, 6), fc.uint8Array({ maxLength: 64 }), (type, body) => {
        const file = new PcapngBuilder().section().iface({ linkType: 1 }).block(type, body).toBytes();
        parse(file);
      }),
    );
  });
});
