import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TcpReassembler } from '../../../src/reassembly/reassembler.js';
import type { Limits } from '../../../src/core/limits.js';
import { seqAdd } from '../../../src/core/seq.js';
import { Convo, Feeder, Recorder, seg, TCP_ACK, type LabelledPacket } from '../../builders/segments.js';

const C = { ip: '192.168.1.10', port: 40000 };
const S = { ip: '192.168.1.20', port: 3306 };

/** Split [0, n) at sorted cut points into [start, end) ranges. */
function ranges(n: number, cuts: number[]): [number, number][] {
  const pts = [...new Set(cuts.map((c) => c % Math.max(1, n)).filter((c) => c > 0))].sort((a, b) => a - b);
  const out: [number, number][] = [];
  let s = 0;
  for (const p of [...pts, n]) {
    out.push([s, p]);
    s = p;
  }
  return n === 0 ? [] : out;
}

function dataSeg(isn: number, data: Uint8Array, r: [number, number]): LabelledPacket {
  return seg({ src: C, dst: S, seq: seqAdd(isn, 1 + r[0]), ack: 1, payload: data.subarray(r[0], r[1]), label: `[${r[0]},${r[1]})` });
}

function run(packets: LabelledPacket[], limits?: Partial<Limits>): Recorder {
  const rec = new Recorder();
  const r = new TcpReassembler(rec, { isServerPort: (p) => p === 3306, ...(limits ? { limits } : {}) });
  new Feeder(r).push(...packets);
  r.end();
  expect(rec.violations).toEqual([]);
  return rec;
}

const isnArb = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0xffffffff - 3000, max: 0xffffffff }), // wraps inside the stream
);
const streamArb = fc.uint8Array({ minLength: 1, maxLength: 2000 });
const cutsArb = fc.array(fc.nat(), { maxLength: 40 });

function synOf(isn: number): LabelledPacket {
  return new Convo(C, S, isn, 7).syn();
}

const stats = { ooo: 0, partial: 0, retrans: 0 };

describe('reassembly properties', () => {
  it('in-order segments deliver the exact stream, without gaps', () => {
    fc.assert(
      fc.property(streamArb, cutsArb, isnArb, fc.boolean(), (data, cuts, isn, withSyn) => {
        const segs = ranges(data.length, cuts).map((r) => dataSeg(isn, data, r));
        const rec = run(withSyn ? [synOf(isn), ...segs] : segs);
        expect(rec.stream('c2s')).toEqual(data);
        expect(rec.gaps()).toEqual([]);
      }),
    );
  });

  it('shuffled, duplicated and re-segmented (overlapping) segments deliver the stream exactly once', () => {
    fc.assert(
      fc.property(
        streamArb,
        cutsArb,
        cutsArb,
        isnArb,
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.array(fc.boolean(), { maxLength: 40 }),
        (data, cuts1, cuts2, isn, order, dups, takeB) => {
          const a = ranges(data.length, cuts1).map((r) => dataSeg(isn, data, r));
          const b = ranges(data.length, cuts2).map((r) => dataSeg(isn, data, r));
          let pool = [...a];
          // Mix in some of the second segmentation (overlapping the first) and duplicates.
          for (const d of dups) {
            const from = d % 2 === 0 ? b : a;
            const p = from[d % Math.max(1, from.length)];
            if (p !== undefined) pool.push(p);
          }
          pool = pool.concat(b.filter((_, i) => takeB[i] ?? false));
          // Deterministic shuffle driven by `order`.
          for (let i = pool.length - 1; i > 0; i--) {
            const j = (order[i % Math.max(1, order.length)] ?? 0) % (i + 1);
            [pool[i], pool[j]] = [pool[j]!, pool[i]!];
          }
          const rec = run([synOf(isn), ...pool]);
          stats.ooo += rec.kinds().filter((k) => k === 'out-of-order').length;
          stats.partial += rec.kinds().filter((k) => k === 'partial-retransmission').length;
          stats.retrans += rec.kinds().filter((k) => k === 'retransmission').length;
          expect(rec.stream('c2s')).toEqual(data);
          expect(rec.gaps()).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
    // The generator must actually exercise reordering, overlap and duplicates.
    expect(stats.ooo).toBeGreaterThan(100);
    expect(stats.partial).toBeGreaterThan(20);
    expect(stats.retrans).toBeGreaterThan(20);
  });

  it('with dropped segments and tight limits, every delivered byte sits at its true offset and gaps fill the rest', () => {
    fc.assert(
      fc.property(
        streamArb,
        cutsArb,
        isnArb,
        fc.array(fc.boolean(), { maxLength: 50 }),
        fc.array(fc.nat(), { maxLength: 50 }),
        fc.record({ maxOutOfOrderSegments: fc.integer({ min: 0, max: 5 }), maxOutOfOrderBytes: fc.integer({ min: 0, max: 3000 }) }),
        fc.boolean(),
        (data, cuts, isn, drops, order, limits, peerAcks) => {
          const all = ranges(data.length, cuts).map((r) => dataSeg(isn, data, r));
          let pool = all.filter((_, i) => !(drops[i] ?? false));
          for (let i = pool.length - 1; i > 0; i--) {
            const j = (order[i % Math.max(1, order.length)] ?? 0) % (i + 1);
            [pool[i], pool[j]] = [pool[j]!, pool[i]!];
          }
          const end = seqAdd(isn, 1 + data.length);
          const tail: LabelledPacket[] = [
            seg({ src: C, dst: S, seq: end, ack: 1, flags: TCP_ACK | 1 /* FIN */, label: 'FIN' }),
          ];
          if (peerAcks) tail.unshift(seg({ src: S, dst: C, seq: 1, ack: end, flags: TCP_ACK, label: 'peer ack' }));
          const rec = run([synOf(isn), ...pool, ...tail], limits);
          // Walk the events: offsets must line up with the original stream, and end at its length.
          let off = 0;
          for (const e of rec.events) {
            if (e.t === 'data' && e.dir === 'c2s') {
              expect(e.bytes).toEqual(data.subarray(off, off + e.bytes.length));
              off += e.bytes.length;
            } else if (e.t === 'gap' && e.dir === 'c2s') off += e.length;
          }
          expect(off).toBe(data.length);
          if (pool.length === all.length && limits.maxOutOfOrderSegments >= all.length && limits.maxOutOfOrderBytes >= data.length) {
            expect(rec.gaps()).toEqual([]);
          }
        },
      ),
    );
  });
});
