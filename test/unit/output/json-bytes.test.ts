/** JsonBytes (output/json-bytes.ts): what it writes must be JSON.stringify's text as UTF-8 (property, synthetic values). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonBytes } from '../../../src/output/json-bytes.js';

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

describe('JsonBytes', () => {
  it('string: JSON.stringify as UTF-8 — ASCII, escapes, non-ASCII, lone surrogates (property)', () => {
    const o = new JsonBytes();
    // Long printable text with at most one character that needs care, anywhere: strings of 24 characters or more
    // take the regular-expression path, shorter ones the loop (both sides of the boundary).
    const special = fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u0080', 'é', '€', '\ud800', '\udfff', '😀', '~', ' ');
    const long = fc.tuple(fc.string({ minLength: 20, maxLength: 200 }), fc.option(special), fc.nat()).map(([s, c, at]) => {
      if (c === null) return s;
      const i = at % (s.length + 1);
      return s.slice(0, i) + c + s.slice(i);
    });
    const str = fc.oneof(fc.string({ maxLength: 60 }), long, fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 30 }),
      fc.string({ unit: 'binary', minLength: 24, maxLength: 80 }));
    fc.assert(fc.property(fc.array(str, { minLength: 1, maxLength: 5 }), (parts) => {
      for (const s of parts) o.string(s);
      expect(Buffer.compare(Buffer.from(o.take()), Buffer.from(parts.map((s) => JSON.stringify(s)).join(''), 'utf8'))).toBe(0);
    }), { numRuns: 3000 });
  });

  it('uint and sixDecimals: the digits String gives; grows past its first buffer', () => {
    const o = new JsonBytes();
    fc.assert(fc.property(fc.oneof(fc.nat(), fc.constantFrom(0, 9, 10, 99, 100, 0xffffffff, 2 ** 32, 2 ** 53 - 1, -1, 1.5)), (v) => {
      o.uint(v);
      expect(text(o.take())).toBe(String(v));
    }));
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 0, max: 999_999 }), (n, f) => {
      o.sixDecimals(n, f);
      const want = f === 0 ? String(n) : `${n}.${String(f).padStart(6, '0').replace(/0+$/, '')}`;
      expect(text(o.take())).toBe(want);
    }));
    for (let i = 0; i < 1000; i++) o.ascii('0123456789');
    expect(text(o.take())).toBe('0123456789'.repeat(1000));
  });
});
