/**
 * peekIpv4Tcp (the parallel run's fast path over other shares' connections) must find exactly what
 * PacketDecoder.decode finds on every frame it accepts, and accept no frame that decode() would skip: checked on
 * every frame of every fixture capture (real), and on mutated copies of real frames (SYNTHETIC: header bytes
 * overwritten at random, the frame cut short, its original length raised as a snaplen would).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openCaptureStream } from '../../../src/capture/open.js';
import type { Frame } from '../../../src/capture/types.js';
import { PacketDecoder } from '../../../src/decode/decoder.js';
import { newTcpPeek, peekedChecksumOk, peekIpv4Tcp } from '../../../src/decode/peek.js';

const FIX = 'test/fixtures/';
const dotted = (v: number): string => `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;

/** What differs between the peek and decode() on this frame ('' when they agree). */
function disagreement(f: Frame): string {
  const peek = newTcpPeek();
  const peeked = peekIpv4Tcp(f, peek);
  const dec = new PacketDecoder();
  const p = dec.decode(f);
  if (!peeked) return '';
  if (p === null) return `peeked, but decode() skips it (${dec.lastSkip})`;
  const want = {
    src: p.src, dst: p.dst, ports: `${p.srcPort}>${p.dstPort}`, seq: p.seq, ack: p.ack, flags: p.flags,
    len: p.payload.length, missing: p.payloadMissing, checksumOk: dec.badIpChecksums === 0,
  };
  const got = {
    src: dotted(peek.src), dst: dotted(peek.dst), ports: `${peek.ports >>> 16}>${peek.ports & 0xffff}`, seq: peek.seq,
    ack: peek.ack, flags: peek.flags, len: peek.len, missing: peek.missing, checksumOk: peekedChecksumOk(f),
  };
  return JSON.stringify(want) === JSON.stringify(got) ? '' : `decode() ${JSON.stringify(want)}, peek ${JSON.stringify(got)}`;
}

/** Every frame of a capture, copied (the reader reuses its memory). */
async function framesOf(path: string): Promise<Frame[]> {
  const out: Frame[] = [];
  await openCaptureStream({ kind: 'file', path }, { onFrame: (f) => out.push({ ...f, data: f.data.slice() }), onIssue: () => {} });
  return out;
}

describe('peekIpv4Tcp agrees with PacketDecoder.decode', () => {
  const captures = readdirSync(FIX).filter((n) => /\.(pcap|pcapng)(\.gz)?$/.test(n));

  it('on every frame of every fixture capture (real)', async () => {
    let peeked = 0;
    let frames = 0;
    const wrong: string[] = [];
    for (const name of captures) {
      for (const f of await framesOf(FIX + name)) {
        frames++;
        if (peekIpv4Tcp(f, newTcpPeek())) peeked++;
        const d = disagreement(f);
        if (d) wrong.push(`${name} frame ${f.no}: ${d}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(frames).toBeGreaterThan(3000);
    // Most fixtures are Ethernet on loopback: the fast path must apply to most of their frames.
    expect(peeked).toBeGreaterThan(frames / 2);
  });

  it('on mutated copies of real frames (SYNTHETIC mutations)', async () => {
    const real = (await framesOf(FIX + 'cli-session.pcap')).filter((f) => peekIpv4Tcp(f, newTcpPeek()));
    expect(real.length).toBeGreaterThan(20);
    fc.assert(
      fc.property(
        fc.nat(real.length - 1),
        fc.array(fc.tuple(fc.nat(80), fc.nat(255)), { maxLength: 4 }),
        fc.option(fc.nat(120)),
        fc.nat(3000),
        (which, writes, cutTo, extra) => {
          const base = real[which]!;
          let data = base.data.slice();
          for (const [at, v] of writes) if (at < data.length) data[at] = v;
          if (cutTo !== null) data = data.subarray(0, Math.min(cutTo, data.length));
          const f: Frame = { ...base, data, capLen: data.length, origLen: Math.max(base.origLen, data.length) + extra };
          expect(disagreement(f)).toBe('');
        },
      ),
      { numRuns: 3000 },
    );
  });
});
