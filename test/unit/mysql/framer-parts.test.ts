/** 16 MiB continuation keeps the frame of each part (SYNTHETIC bytes). */
import { describe, expect, it } from 'vitest';
import { PacketFramer, type FramedPacket } from '../../../src/mysql/codec/framer.js';

describe('PacketFramer part frames', () => {
  it('records the frame completing each 0xFFFFFF part of a joined payload', () => {
    const got: Array<{ parts: number; partFrames: number[] | undefined; length: number }> = [];
    const f = new PacketFramer((p: FramedPacket) => got.push({ parts: p.parts, partFrames: p.partFrames && [...p.partFrames], length: p.length }), 64 << 20);
    const part1 = new Uint8Array(4 + 0xffffff);
    part1.set([0xff, 0xff, 0xff, 0x00]);
    const part2 = Uint8Array.from([0x03, 0x00, 0x00, 0x01, 0x61, 0x62, 0x63]);
    // Part 1 arrives over frames 10 and 11, part 2 in frame 12, then an ordinary packet in frame 13.
    f.push(part1.subarray(0, 1000), 10);
    f.push(part1.subarray(1000), 11);
    f.push(part2, 12);
    f.push(Uint8Array.from([0x01, 0x00, 0x00, 0x00, 0x0e]), 13);
    expect(got).toEqual([
      { parts: 2, partFrames: [11, 12], length: 0xffffff + 3 },
      { parts: 1, partFrames: undefined, length: 1 },
    ]);
  });
});
