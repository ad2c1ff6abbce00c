/** PayloadReader on SYNTHETIC bytes (test/builders/mysql.ts): basic data types, bounds, error messages. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PayloadReader } from '../../../src/mysql/codec/payload-reader.js';
import { DecodeError } from '../../../src/core/issues.js';
import { cat, int8, lenencInt, lenencStr, nul, str } from '../../builders/mysql.js';

function rd(b: Uint8Array | number[], start?: number, end?: number): PayloadReader {
  const buf = b instanceof Uint8Array ? b : Uint8Array.from(b);
  return new PayloadReader().reset(buf, start, end);
}

function decodeError(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    expect(e).not.toBeInstanceOf(RangeError);
    return e as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

describe('PayloadReader: fixed-size integers', () => {
  it('reads int<1..4> little-endian', () => {
    const r = rd([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0xff, 0xfe, 0xfd, 0xfc]);
    expect(r.u8()).toBe(1);
    expect(r.u16()).toBe(0x0302);
    expect(r.u24()).toBe(0x060504);
    expect(r.u32()).toBe(0xfcfdfeff); // unsigned even with the top bit set
    expect(r.remaining).toBe(0);
  });

  it('int<3> and int<4> maxima are unsigned', () => {
    expect(rd([0xff, 0xff, 0xff]).u24()).toBe(0xffffff);
    expect(rd([0xff, 0xff, 0xff, 0xff]).u32()).toBe(0xffffffff);
  });

  it('int<8> is a number below 2^53 and a bigint from 2^53 up', () => {
    expect(rd(int8(0)).u64()).toBe(0);
    expect(rd(int8(2 ** 53 - 1)).u64()).toBe(2 ** 53 - 1);
    expect(rd(int8(0x1_0000_0001)).u64()).toBe(0x1_0000_0001);
    expect(rd(int8(2n ** 53n)).u64()).toBe(2n ** 53n);
    expect(rd(int8(2n ** 53n + 1n)).u64()).toBe(2n ** 53n + 1n);
    expect(rd(int8(0xffff_ffff_ffff_ffffn)).u64()).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('int<8> round-trips any 64-bit value (property)', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
      const got = rd(int8(v)).u64();
      expect(BigInt(got)).toBe(v);
      expect(typeof got).toBe(v < 2n ** 53n ? 'number' : 'bigint');
    }));
  });
});

describe('PayloadReader: int<lenenc>', () => {
  it('reads every form', () => {
    expect(rd([0x00]).lenenc()).toBe(0);
    expect(rd([0xfa]).lenenc()).toBe(250);
    expect(rd([0xfc, 0xfb, 0x00]).lenenc()).toBe(251);
    expect(rd([0xfc, 0xff, 0xff]).lenenc()).toBe(0xffff);
    expect(rd([0xfd, 0x00, 0x00, 0x01]).lenenc()).toBe(0x10000);
    expect(rd([0xfd, 0xff, 0xff, 0xff]).lenenc()).toBe(0xffffff);
    expect(rd([0xfe, 0, 0, 0, 1, 0, 0, 0, 0]).lenenc()).toBe(0x1000000);
    expect(rd(cat([0xfe], int8(2n ** 64n - 1n))).lenenc()).toBe(2n ** 64n - 1n);
  });

  it('accepts non-minimal encodings', () => {
    expect(rd(lenencInt(5, 3)).lenenc()).toBe(5);
    expect(rd(lenencInt(5, 4)).lenenc()).toBe(5);
    expect(rd(lenencInt(5, 9)).lenenc()).toBe(5);
  });

  it('round-trips (property) and consumes exactly the encoded bytes', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
      const b = cat(lenencInt(v), [0x77]);
      const r = rd(b);
      expect(BigInt(r.lenenc())).toBe(v);
      expect(r.u8()).toBe(0x77);
    }));
  });

  it('0xFB is NULL for lenencOrNull and malformed where a number is required', () => {
    expect(rd([0xfb]).lenencOrNull()).toBeNull();
    const e = decodeError(() => rd([0xfb]).lenenc('affected rows'));
    expect(e.kind).toBe('malformed');
    expect(e.code).toBe('mysql.invalid_lenenc');
    expect(e.message).toBe('affected rows is 0xfb (NULL) where a number is required');
    expect(e.offset).toBe(0);
  });

  it('0xFF is malformed in both forms', () => {
    for (const f of [(r: PayloadReader) => r.lenenc('x'), (r: PayloadReader) => r.lenencOrNull('x')]) {
      const r = rd([0x01, 0xff]);
      r.u8();
      const e = decodeError(() => f(r));
      expect(e.kind).toBe('malformed');
      expect(e.code).toBe('mysql.invalid_lenenc');
      expect(e.message).toBe('x starts with 0xff, which is not a valid length-encoded integer');
      expect(e.offset).toBe(1);
    }
  });

  it('a truncated multi-byte lenenc is a truncated DecodeError', () => {
    for (const b of [[0xfc], [0xfc, 0x01], [0xfd, 1, 2], [0xfe, 1, 2, 3, 4, 5, 6, 7]]) {
      const e = decodeError(() => rd(b).lenenc('num'));
      expect(e.kind).toBe('truncated');
      expect(e.code).toBe('mysql.truncated_payload');
    }
    expect(decodeError(() => rd([0xfd, 1, 2]).lenenc('num')).message).toBe('num needs 3 bytes at payload offset 1, but only 2 remain');
  });
});

describe('PayloadReader: strings', () => {
  it('string<NUL>, string<fix>, string<lenenc>, string<EOF>', () => {
    const b = cat(nul('abc'), str('XY'), lenencStr('héllo'), str('rest'));
    const r = rd(b);
    expect(r.nulString()).toBe('abc');
    expect(r.fixedString(2)).toBe('XY');
    expect(r.lenencString()).toBe('héllo');
    expect(r.restString()).toBe('rest');
    expect(r.remaining).toBe(0);
    expect(r.restString()).toBe('');
  });

  it('empty strings', () => {
    const r = rd([0x00, 0x00]);
    expect(r.nulString()).toBe('');
    expect(r.lenencString()).toBe('');
  });

  it('lenencStringOrNull: 0xFB is NULL, anything else a string', () => {
    const r = rd(cat([0xfb], lenencStr('x'), [0x00]));
    expect(r.lenencStringOrNull()).toBeNull();
    expect(r.lenencStringOrNull()).toBe('x');
    expect(r.lenencStringOrNull()).toBe('');
  });

  it('a string<NUL> without terminator is an error naming the field and offset', () => {
    const r = rd(str('xxuser'));
    r.skip(2);
    const e = decodeError(() => r.nulString('user name'));
    expect(e.kind).toBe('truncated');
    expect(e.code).toBe('mysql.missing_nul');
    expect(e.message).toBe('user name at payload offset 2 has no NUL terminator before the end of the packet');
    expect(e.offset).toBe(2);
  });

  it('nulStringOrRest tolerates a missing terminator', () => {
    const r = rd(str('plugin'));
    expect(r.nulStringOrRest()).toBe('plugin');
    expect(r.remaining).toBe(0);
    const r2 = rd(cat(nul('a'), str('b')));
    expect(r2.nulStringOrRest()).toBe('a');
    expect(r2.nulStringOrRest()).toBe('b');
  });

  it('a string<lenenc> longer than the rest of the payload says how long and how much is left', () => {
    const e = decodeError(() => rd([0x05, 0x61, 0x62]).lenencString('column name'));
    expect(e.kind).toBe('truncated');
    expect(e.message).toBe('column name says 5 bytes at payload offset 1, but only 2 remain');
  });

  it('a 64-bit lenenc string length (bigint) is rejected before any allocation', () => {
    const e = decodeError(() => rd(cat([0xfe], int8(2n ** 60n), [1, 2, 3])).lenencBytes('blob'));
    expect(e.kind).toBe('truncated');
    expect(e.message).toMatch(/^blob says 1152921504606846976 bytes at payload offset 9, but only 3 remain$/);
  });

  it('bytes() returns views into the buffer, not copies', () => {
    const buf = Uint8Array.from([1, 2, 3, 4]);
    const v = rd(buf).bytes(2);
    expect(v.buffer).toBe(buf.buffer);
    expect([...v]).toEqual([1, 2]);
  });
});

describe('PayloadReader: bounds are the logical end of the packet', () => {
  it('never reads into the neighbouring packet in the same buffer', () => {
    const buf = Uint8Array.from([0xaa, 0x01, 0x02, 0x03, 0x04, 0x05]);
    const r = rd(buf, 1, 3); // payload is [01 02]; 03.. belongs to the next packet
    expect(r.remaining).toBe(2);
    const e = decodeError(() => r.u32('status'));
    expect(e.message).toBe('status needs 4 bytes at payload offset 1, but only 2 remain');
    expect(r.u16()).toBe(0x0201);
    expect(decodeError(() => r.u8('x')).message).toBe('x needs 1 byte at payload offset 3, but only 0 remain');
    expect(rd(buf, 1, 3).restBytes().length).toBe(2);
    const r2 = rd(Uint8Array.from([0x61, 0x62, 0x00]), 0, 2);
    expect(decodeError(() => r2.nulString()).code).toBe('mysql.missing_nul');
  });

  it('each fixed read reports the default field name when none is given', () => {
    expect(decodeError(() => rd([]).u8()).message).toBe('int<1> needs 1 byte at payload offset 0, but only 0 remain');
    expect(decodeError(() => rd([1]).u16()).message).toBe('int<2> needs 2 bytes at payload offset 0, but only 1 remain');
    expect(decodeError(() => rd([1, 2]).u24()).message).toBe('int<3> needs 3 bytes at payload offset 0, but only 2 remain');
    expect(decodeError(() => rd([1, 2, 3]).u32()).message).toBe('int<4> needs 4 bytes at payload offset 0, but only 3 remain');
    expect(decodeError(() => rd([1, 2, 3, 4, 5, 6, 7]).u64()).message).toBe('int<8> needs 8 bytes at payload offset 0, but only 7 remain');
    expect(decodeError(() => rd([1]).bytes(2)).message).toBe('string<fix> needs 2 bytes at payload offset 0, but only 1 remain');
    expect(decodeError(() => rd([1]).skip(2)).message).toBe('filler needs 2 bytes at payload offset 0, but only 1 remain');
    expect(decodeError(() => rd([]).peek()).message).toBe('a byte needs 1 byte at payload offset 0, but only 0 remain');
  });

  it('a failed read does not move the position', () => {
    const r = rd([1, 2, 3]);
    r.u8();
    decodeError(() => r.u32());
    expect(r.pos).toBe(1);
  });

  it('random operation sequences over random bytes only ever throw DecodeError (property)', () => {
    const ops = ['u8', 'u16', 'u24', 'u32', 'u64', 'lenencOrNull', 'lenenc', 'lenencString', 'lenencStringOrNull', 'nulString',
      'nulStringOrRest', 'restString', 'peek'] as const;
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(40), fc.array(fc.constantFrom(...ops), { maxLength: 20 }), fc.nat(10),
      (buf, cut, seq, nBytes) => {
        const end = Math.min(buf.length, cut);
        const r = rd(buf, 0, end);
        for (const op of seq) {
          try {
            if (op === 'lenencString') r.lenencString();
            else r[op]();
            r.bytes(Math.min(nBytes, r.remaining));
          } catch (e) {
            if (!(e instanceof DecodeError)) throw e;
          }
          expect(r.pos).toBeLessThanOrEqual(end);
        }
      }));
  });
});
