/** PacketFramer on SYNTHETIC bytes (test/builders/mysql.ts): chunking, 16 MiB continuation, limits, halt. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PacketFramer, type FramedPacket } from '../../../src/mysql/codec/framer.js';
import { cat, header, packet, packets16M, seqPackets, str } from '../../builders/mysql.js';

interface Got { seq: number; lastSeq: number; length: number; parts: number; payload: number[] | string; truncated: boolean; firstFrame: number }

/** Copy each packet (the payload view is valid only during the callback). */
function framer(maxPayload = 1 << 30, onPacket?: (p: FramedPacket, f: PacketFramer) => void): { f: PacketFramer; got: Got[]; raw: Uint8Array[] } {
  const got: Got[] = [];
  const raw: Uint8Array[] = [];
  const f: PacketFramer = new PacketFramer((p) => {
    raw.push(p.payload.slice());
    got.push({
      seq: p.seq, lastSeq: p.lastSeq, length: p.length, parts: p.parts,
      payload: p.payload.length <= 64 ? [...p.payload] : `${p.payload.length} bytes`, truncated: p.truncated, firstFrame: p.firstFrame,
    });
    onPacket?.(p, f);
  }, maxPayload);
  return { f, got, raw };
}

/** Byte equality without vitest's deep diff (which cannot cope with 16 MiB arrays). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

const P = (seq: number, payload: number[], firstFrame = 1): Got =>
  ({ seq, lastSeq: seq, length: payload.length, parts: 1, payload, truncated: false, firstFrame });

describe('PacketFramer', () => {
  it('several packets in one chunk, including an empty one', () => {
    const { f, got } = framer();
    const n = f.push(cat(packet(0, Uint8Array.of(3, 0x61)), packet(1, new Uint8Array(0)), packet(2, Uint8Array.of(9))), 1);
    expect(n).toBe(15);
    expect(got).toEqual([P(0, [3, 0x61]), P(1, []), P(2, [9])]);
    expect(f.midPacket).toBe(false);
  });

  it('one packet over many chunks: reported in the frame of its first header byte', () => {
    const { f, got } = framer();
    const bytes = packet(5, str('SELECT 1'));
    f.push(bytes.subarray(0, 2), 10);
    expect(f.midPacket).toBe(true);
    f.push(bytes.subarray(2, 6), 11);
    expect(got).toEqual([]);
    f.push(bytes.subarray(6), 12);
    expect(got).toEqual([{ ...P(5, [...str('SELECT 1')]), firstFrame: 10 }]);
    expect(f.midPacket).toBe(false);
  });

  it('split at every byte offset, and into random pieces, gives identical packets (property)', () => {
    const payloadArb = fc.uint8Array({ maxLength: 300 });
    fc.assert(fc.property(fc.array(payloadArb, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(2000), { maxLength: 12 }), (payloads, cuts) => {
      const stream = seqPackets(0, payloads);
      const whole = framer();
      whole.f.push(stream, 1);
      expect(whole.raw.map((b) => [...b])).toEqual(payloads.map((b) => [...b]));
      const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      const pieces = framer();
      let prev = 0;
      for (const p of [...points, stream.length]) {
        pieces.f.push(stream.subarray(prev, p), 1);
        prev = p;
      }
      expect(pieces.got).toEqual(whole.got);
    }));
  });

  it('split at every single byte offset of a fixed stream', () => {
    const stream = seqPackets(3, [str('abc'), new Uint8Array(0), new Uint8Array(300).fill(7), Uint8Array.of(0xfe, 0, 0, 2, 0)]);
    const whole = framer();
    whole.f.push(stream, 1);
    for (let i = 0; i <= stream.length; i++) {
      const g = framer();
      g.f.push(stream.subarray(0, i), 1);
      g.f.push(stream.subarray(i), 1);
      expect(g.got, `cut at ${i}`).toEqual(whole.got);
    }
    // One byte per push.
    const g = framer();
    for (let i = 0; i < stream.length; i++) g.f.push(stream.subarray(i, i + 1), 1);
    expect(g.got).toEqual(whole.got);
  });

  it('payloads that stay views do not alias later chunks (the slow path copies)', () => {
    const { f, raw } = framer();
    const chunk = cat(packet(0, str('xyz')), header(3, 1), str('a'));
    f.push(chunk, 1);
    const rest = str('bc');
    f.push(rest, 2);
    rest.fill(0);
    expect(new TextDecoder().decode(raw[1]!)).toBe('abc');
  });

  describe('16 MiB continuation', () => {
    const big = new Uint8Array(0xffffff + 10);
    for (let i = 0; i < big.length; i++) big[i] = i & 0xff;

    it('a 0xFFFFFF part followed by more is one logical payload', () => {
      const wire = packets16M(0, big);
      expect(wire.length).toBe(big.length + 8);
      const { f, got, raw } = framer();
      f.push(wire, 1);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ seq: 0, lastSeq: 1, length: big.length, parts: 2, truncated: false });
      expect(raw[0]!.length).toBe(big.length);
      expect(same(raw[0]!, big)).toBe(true);
    });

    it('a payload of exactly 0xFFFFFF bytes is followed by an empty packet', () => {
      const exact = big.subarray(0, 0xffffff);
      const wire = packets16M(7, exact);
      expect(wire.length).toBe(0xffffff + 8);
      const { f, got } = framer();
      f.push(cat(wire, packet(9, Uint8Array.of(1))), 1);
      expect(got).toHaveLength(2);
      expect(got[0]).toMatchObject({ seq: 7, lastSeq: 8, length: 0xffffff, parts: 2 });
      expect(got[1]).toEqual(P(9, [1]));
    });

    it('continuation split into many chunks', () => {
      const wire = packets16M(0, big);
      const { f, got, raw } = framer();
      for (let off = 0, fr = 1; off < wire.length; off += 1_000_003, fr++) f.push(wire.subarray(off, off + 1_000_003), fr);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ parts: 2, length: big.length, firstFrame: 1 });
      expect(same(raw[0]!, big)).toBe(true);
    });
  });

  describe('maxPayload', () => {
    it('a packet over the limit is cut, flagged, and the stream stays in sync (fast path)', () => {
      const { f, got } = framer(4);
      f.push(cat(packet(0, Uint8Array.of(1, 2, 3, 4, 5, 6)), packet(1, Uint8Array.of(9))), 1);
      expect(got).toEqual([{ ...P(0, [1, 2, 3, 4]), length: 6, truncated: true }, P(1, [9])]);
    });

    it('the same over many chunks (slow path)', () => {
      const { f, got } = framer(4);
      const stream = cat(packet(0, Uint8Array.of(1, 2, 3, 4, 5, 6)), packet(1, Uint8Array.of(9)));
      for (let i = 0; i < stream.length; i++) f.push(stream.subarray(i, i + 1), i + 1);
      expect(got).toEqual([{ ...P(0, [1, 2, 3, 4]), length: 6, truncated: true }, { ...P(1, [9]), firstFrame: 11 }]);
    });

    it('a packet exactly at the limit is not truncated', () => {
      const { f, got } = framer(3);
      f.push(packet(0, Uint8Array.of(1, 2, 3)), 1);
      expect(got).toEqual([P(0, [1, 2, 3])]);
    });

    it('a continued payload over the limit is cut and its logical length kept', () => {
      const big = new Uint8Array(0xffffff + 5).fill(1);
      const { f, got, raw } = framer(100);
      f.push(packets16M(0, big), 1);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ length: big.length, parts: 2, truncated: true });
      expect(raw[0]!.length).toBe(100);
    });
  });

  describe('halt', () => {
    it('stops after the packet whose callback halted, returning the bytes consumed', () => {
      const tail = Uint8Array.of(0x16, 0x03, 0x01, 0x00, 0x05);
      const stream = cat(packet(1, new Uint8Array(32).fill(2)), tail);
      const { f, got } = framer(1 << 20, (_p, fr) => fr.halt());
      const used = f.push(stream, 1);
      expect(used).toBe(36);
      expect(got).toHaveLength(1);
      expect(f.midPacket).toBe(false);
    });

    it('halt on the slow path (packet completed across chunks)', () => {
      const stream = cat(packet(1, new Uint8Array(32).fill(2)), Uint8Array.of(0x16, 0x03, 0x01));
      const { f, got } = framer(1 << 20, (_p, fr) => fr.halt());
      expect(f.push(stream.subarray(0, 10), 1)).toBe(10);
      expect(f.push(stream.subarray(10), 2)).toBe(26);
      expect(got).toHaveLength(1);
      // The framer is usable again afterwards.
      const more = packet(0, Uint8Array.of(7));
      let n = 0;
      const g = new PacketFramer(() => n++, 100);
      g.push(more, 1);
      expect(n).toBe(1);
    });

    it('halt after an empty packet', () => {
      const { f } = framer(1 << 20, (_p, fr) => fr.halt());
      expect(f.push(cat(packet(0, new Uint8Array(0)), Uint8Array.of(1, 2, 3)), 1)).toBe(4);
    });
  });

  it('reset forgets a partial packet', () => {
    const { f, got } = framer();
    f.push(Uint8Array.of(10, 0, 0, 0, 1, 2), 1);
    expect(f.midPacket).toBe(true);
    f.reset();
    expect(f.midPacket).toBe(false);
    f.push(packet(0, Uint8Array.of(5)), 2);
    expect(got).toEqual([{ ...P(0, [5]), firstFrame: 2 }]);
  });
});
