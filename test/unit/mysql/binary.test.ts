/**
 * Binary protocol values and rows (src/mysql/messages/binary.ts) on SYNTHETIC bytes: every byte below is built by
 * hand from the MySQL "Binary Protocol Value" / "Binary Protocol Resultset Row" pages; nothing was captured.
 * (The real-capture check is prepared-real.test.ts.)
 */
import fc from 'fast-check';
import { checkBounds, find, walk } from '../../support/tree.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/core/issues.js';
import type { FieldNode } from '../../../src/model/field.js';
import { PayloadReader } from '../../../src/mysql/codec/payload-reader.js';
import { MYSQL_TYPE as T } from '../../../src/mysql/constants/column-types.js';
import { decodeBinaryRow, decodeBinaryValue, float32Text, skipBinaryValue } from '../../../src/mysql/messages/binary.js';
import { TreeBuilder } from '../../../src/mysql/messages/tree.js';
import type { BinaryValue, ColumnDefinition } from '../../../src/mysql/messages/types.js';
import { cat, int2, int4, int8, lenencStr } from '../../builders/mysql.js';
import { F } from '../../../src/mysql/fields.js';




/** Decode one value behind a 3-byte prefix (so offsets are not 0), with and without a tree. */
function value(bytes: Uint8Array, type: number, unsigned = false, charset?: number): { v: BinaryValue; tree: FieldNode[] } {
  const payload = cat([0xaa, 0xbb, 0xcc], bytes);
  const plain = decodeBinaryValue(new PayloadReader().reset(payload, 3), null, type, unsigned, undefined, charset);
  const t = new TreeBuilder();
  const r = new PayloadReader().reset(payload, 3);
  const v = decodeBinaryValue(r, t, type, unsigned, undefined, charset);
  expect(v).toEqual(plain);
  expect(r.remaining, 'all value bytes read').toBe(0);
  checkBounds(t.roots, payload.length);
  // The top node covers exactly the value's bytes.
  expect(t.roots).toHaveLength(1);
  expect(t.roots[0]!.offset).toBe(3);
  expect(t.roots[0]!.length).toBe(bytes.length);
  // skipBinaryValue advances exactly as far.
  const s = new PayloadReader().reset(payload, 3);
  skipBinaryValue(s, type);
  expect(s.pos).toBe(payload.length);
  return { v, tree: t.roots };
}

const f32 = (x: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, x, true);
  return b;
};
const f64 = (x: number): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x, true);
  return b;
};
/** DATETIME wire bytes of the given length (0, 4, 7, 11). */
const dt = (len: number, y = 2024, mo = 2, d = 29, h = 13, mi = 14, s = 15, us = 123456): Uint8Array =>
  cat([len], len >= 4 ? cat(int2(y), [mo, d]) : [], len >= 7 ? [h, mi, s] : [], len === 11 ? int4(us) : []);
/** TIME wire bytes of the given length (0, 8, 12). */
const tm = (len: number, neg: number, days: number, h: number, mi: number, s: number, us = 0): Uint8Array =>
  cat([len], len >= 8 ? cat([neg], int4(days), [h, mi, s]) : [], len === 12 ? int4(us) : []);

interface Case { name: string; type: number; unsigned?: boolean; charset?: number; bytes: Uint8Array; kind: BinaryValue['kind']; value: unknown; text: string; field: string }

const CASES: Case[] = [
  { name: 'TINY signed -1', type: T.TINY, bytes: Uint8Array.of(0xff), kind: 'int', value: -1, text: '-1', field: 'mysql.exec.field.tiny' },
  { name: 'TINY unsigned 255', type: T.TINY, unsigned: true, bytes: Uint8Array.of(0xff), kind: 'int', value: 255, text: '255', field: 'mysql.exec.field.unsigned_tiny' },
  { name: 'SHORT signed -2', type: T.SHORT, bytes: int2(0xfffe), kind: 'int', value: -2, text: '-2', field: 'mysql.exec.field.short' },
  { name: 'SHORT unsigned 65534', type: T.SHORT, unsigned: true, bytes: int2(0xfffe), kind: 'int', value: 65534, text: '65534', field: 'mysql.exec.field.unsigned_short' },
  { name: 'YEAR 2024', type: T.YEAR, unsigned: true, bytes: int2(2024), kind: 'int', value: 2024, text: '2024', field: 'mysql.exec.field.unsigned_short' },
  { name: 'INT24 signed -8388608 (sent as 4 bytes)', type: T.INT24, bytes: int4(0xff800000), kind: 'int', value: -8388608, text: '-8388608', field: 'mysql.exec.field.long' },
  { name: 'INT24 unsigned 16777215', type: T.INT24, unsigned: true, bytes: int4(0xffffff), kind: 'int', value: 16777215, text: '16777215', field: 'mysql.exec.field.unsigned_long' },
  { name: 'LONG signed min', type: T.LONG, bytes: int4(0x80000000), kind: 'int', value: -2147483648, text: '-2147483648', field: 'mysql.exec.field.long' },
  { name: 'LONG unsigned 2^31', type: T.LONG, unsigned: true, bytes: int4(0x80000000), kind: 'int', value: 2147483648, text: '2147483648', field: 'mysql.exec.field.unsigned_long' },
  { name: 'LONGLONG signed 42 (number)', type: T.LONGLONG, bytes: int8(42), kind: 'int', value: 42, text: '42', field: 'mysql.exec.field.longlong' },
  { name: 'LONGLONG signed -1', type: T.LONGLONG, bytes: int8(0xffffffffffffffffn), kind: 'int', value: -1, text: '-1', field: 'mysql.exec.field.longlong' },
  { name: 'LONGLONG signed 2^53+1 (bigint)', type: T.LONGLONG, bytes: int8(2n ** 53n + 1n), kind: 'int', value: 2n ** 53n + 1n, text: '9007199254740993', field: 'mysql.exec.field.longlong' },
  { name: 'LONGLONG signed min (bigint)', type: T.LONGLONG, bytes: int8(2n ** 63n), kind: 'int', value: -(2n ** 63n), text: '-9223372036854775808', field: 'mysql.exec.field.longlong' },
  { name: 'LONGLONG signed -(2^53-1) (number)', type: T.LONGLONG, bytes: int8(2n ** 64n - (2n ** 53n - 1n)), kind: 'int', value: -(2 ** 53 - 1), text: '-9007199254740991', field: 'mysql.exec.field.longlong' },
  { name: 'LONGLONG unsigned 2^63+5 (bigint)', type: T.LONGLONG, unsigned: true, bytes: int8(2n ** 63n + 5n), kind: 'int', value: 2n ** 63n + 5n, text: '9223372036854775813', field: 'mysql.exec.field.unsigned_longlong' },
  { name: 'LONGLONG unsigned max', type: T.LONGLONG, unsigned: true, bytes: int8(2n ** 64n - 1n), kind: 'int', value: 2n ** 64n - 1n, text: '18446744073709551615', field: 'mysql.exec.field.unsigned_longlong' },
  { name: 'FLOAT 1.5', type: T.FLOAT, bytes: f32(1.5), kind: 'float', value: 1.5, text: '1.5', field: 'mysql.exec.field.float' },
  { name: 'FLOAT 3.3 (shortest float32 text)', type: T.FLOAT, bytes: f32(3.3), kind: 'float', value: Math.fround(3.3), text: '3.3', field: 'mysql.exec.field.float' },
  { name: 'DOUBLE 3.14159', type: T.DOUBLE, bytes: f64(3.14159), kind: 'float', value: 3.14159, text: '3.14159', field: 'mysql.exec.field.double' },
  { name: 'NEWDECIMAL -12.340', type: T.NEWDECIMAL, bytes: lenencStr('-12.340'), kind: 'decimal', value: '-12.340', text: '-12.340', field: 'mysql.exec.field.string' },
  { name: 'DECIMAL 0.5', type: T.DECIMAL, bytes: lenencStr('0.5'), kind: 'decimal', value: '0.5', text: '0.5', field: 'mysql.exec.field.string' },
  { name: 'DATE length 4', type: T.DATE, bytes: dt(4), kind: 'datetime', value: { year: 2024, month: 2, day: 29, hour: 0, minute: 0, second: 0, micro: 0 }, text: '2024-02-29', field: 'mysql.exec.field.datetime' },
  { name: 'DATE length 0 (zero date)', type: T.DATE, bytes: dt(0), kind: 'datetime', value: { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, micro: 0 }, text: '0000-00-00', field: 'mysql.exec.field.datetime' },
  { name: 'DATETIME length 0', type: T.DATETIME, bytes: dt(0), kind: 'datetime', value: { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, micro: 0 }, text: '0000-00-00 00:00:00', field: 'mysql.exec.field.datetime' },
  { name: 'DATETIME length 4', type: T.DATETIME, bytes: dt(4), kind: 'datetime', value: { year: 2024, month: 2, day: 29, hour: 0, minute: 0, second: 0, micro: 0 }, text: '2024-02-29 00:00:00', field: 'mysql.exec.field.datetime' },
  { name: 'DATETIME length 7', type: T.DATETIME, bytes: dt(7), kind: 'datetime', value: { year: 2024, month: 2, day: 29, hour: 13, minute: 14, second: 15, micro: 0 }, text: '2024-02-29 13:14:15', field: 'mysql.exec.field.datetime' },
  { name: 'DATETIME length 11 (microseconds)', type: T.DATETIME, bytes: dt(11), kind: 'datetime', value: { year: 2024, month: 2, day: 29, hour: 13, minute: 14, second: 15, micro: 123456 }, text: '2024-02-29 13:14:15.123456', field: 'mysql.exec.field.datetime' },
  { name: 'TIMESTAMP length 11, 7 µs', type: T.TIMESTAMP, bytes: dt(11, 1999, 12, 31, 23, 59, 59, 7), kind: 'datetime', value: { year: 1999, month: 12, day: 31, hour: 23, minute: 59, second: 59, micro: 7 }, text: '1999-12-31 23:59:59.000007', field: 'mysql.exec.field.datetime' },
  { name: 'TIME length 0', type: T.TIME, bytes: tm(0, 0, 0, 0, 0, 0), kind: 'time', value: { negative: false, days: 0, hour: 0, minute: 0, second: 0, micro: 0 }, text: '00:00:00', field: 'mysql.exec.field.time' },
  { name: 'TIME length 8', type: T.TIME, bytes: tm(8, 0, 0, 12, 0, 0), kind: 'time', value: { negative: false, days: 0, hour: 12, minute: 0, second: 0, micro: 0 }, text: '12:00:00', field: 'mysql.exec.field.time' },
  { name: 'TIME length 12 negative with days', type: T.TIME, bytes: tm(12, 1, 34, 22, 59, 59, 0), kind: 'time', value: { negative: true, days: 34, hour: 22, minute: 59, second: 59, micro: 0 }, text: '-838:59:59.000000', field: 'mysql.exec.field.time' },
  { name: 'TIME length 12 fraction', type: T.TIME, bytes: tm(12, 0, 0, 12, 0, 0, 500000), kind: 'time', value: { negative: false, days: 0, hour: 12, minute: 0, second: 0, micro: 500000 }, text: '12:00:00.500000', field: 'mysql.exec.field.time' },
  { name: 'TIME length 8 negative', type: T.TIME, bytes: tm(8, 1, 0, 1, 2, 3), kind: 'time', value: { negative: true, days: 0, hour: 1, minute: 2, second: 3, micro: 0 }, text: '-01:02:03', field: 'mysql.exec.field.time' },
  { name: 'VAR_STRING utf8', type: T.VAR_STRING, charset: 45, bytes: lenencStr('Zürich 😀'), kind: 'string', value: 'Zürich 😀', text: 'Zürich 😀', field: 'mysql.exec.field.string' },
  { name: 'VARCHAR', type: T.VARCHAR, charset: 33, bytes: lenencStr('abc'), kind: 'string', value: 'abc', text: 'abc', field: 'mysql.exec.field.string' },
  { name: 'STRING empty', type: T.STRING, charset: 33, bytes: lenencStr(''), kind: 'string', value: '', text: '', field: 'mysql.exec.field.string' },
  { name: 'STRING of 300 bytes (0xfc length)', type: T.STRING, charset: 33, bytes: lenencStr('x'.repeat(300)), kind: 'string', value: 'x'.repeat(300), text: 'x'.repeat(300), field: 'mysql.exec.field.string' },
  { name: 'ENUM', type: T.ENUM, charset: 33, bytes: lenencStr('red'), kind: 'string', value: 'red', text: 'red', field: 'mysql.exec.field.string' },
  { name: 'SET', type: T.SET, charset: 33, bytes: lenencStr('a,b'), kind: 'string', value: 'a,b', text: 'a,b', field: 'mysql.exec.field.string' },
  { name: 'JSON with the binary collation (MySQL) is text', type: T.JSON, charset: 63, bytes: lenencStr('{"a":1}'), kind: 'string', value: '{"a":1}', text: '{"a":1}', field: 'mysql.exec.field.string' },
  { name: 'VAR_STRING binary (VARBINARY)', type: T.VAR_STRING, charset: 63, bytes: lenencStr(Uint8Array.of(0, 0xff, 0x10)), kind: 'bytes', value: Uint8Array.of(0, 0xff, 0x10), text: '0x00ff10', field: 'mysql.exec.field.bytes' },
  { name: 'BLOB binary', type: T.BLOB, charset: 63, bytes: lenencStr(Uint8Array.of(1, 2)), kind: 'bytes', value: Uint8Array.of(1, 2), text: '0x0102', field: 'mysql.exec.field.bytes' },
  { name: 'TEXT (BLOB type, text collation)', type: T.BLOB, charset: 224, bytes: lenencStr('long text'), kind: 'string', value: 'long text', text: 'long text', field: 'mysql.exec.field.string' },
  { name: 'TINY_BLOB', type: T.TINY_BLOB, charset: 63, bytes: lenencStr(Uint8Array.of(9)), kind: 'bytes', value: Uint8Array.of(9), text: '0x09', field: 'mysql.exec.field.bytes' },
  { name: 'MEDIUM_BLOB', type: T.MEDIUM_BLOB, charset: 63, bytes: lenencStr(Uint8Array.of(9)), kind: 'bytes', value: Uint8Array.of(9), text: '0x09', field: 'mysql.exec.field.bytes' },
  { name: 'LONG_BLOB', type: T.LONG_BLOB, charset: 63, bytes: lenencStr(Uint8Array.of(9)), kind: 'bytes', value: Uint8Array.of(9), text: '0x09', field: 'mysql.exec.field.bytes' },
  { name: 'parameter BLOB, printable (no charset)', type: T.BLOB, bytes: lenencStr('note\n'), kind: 'string', value: 'note\n', text: 'note\n', field: 'mysql.exec.field.string' },
  { name: 'parameter BLOB, not printable (no charset)', type: T.BLOB, bytes: lenencStr(Uint8Array.of(0, 1, 2)), kind: 'bytes', value: Uint8Array.of(0, 1, 2), text: '0x000102', field: 'mysql.exec.field.bytes' },
  { name: 'parameter VAR_STRING, invalid UTF-8 (no charset)', type: T.VAR_STRING, bytes: lenencStr(Uint8Array.of(0xc3, 0x28)), kind: 'bytes', value: Uint8Array.of(0xc3, 0x28), text: '0xc328', field: 'mysql.exec.field.bytes' },
  { name: 'GEOMETRY', type: T.GEOMETRY, charset: 63, bytes: lenencStr(Uint8Array.of(0, 0, 0, 0, 1, 1, 0, 0, 0)), kind: 'bytes', value: Uint8Array.of(0, 0, 0, 0, 1, 1, 0, 0, 0), text: '0x000000000101000000', field: 'mysql.exec.field.bytes' },
  { name: 'BIT(10)', type: T.BIT, unsigned: true, charset: 63, bytes: lenencStr(Uint8Array.of(0x02, 0x05)), kind: 'bytes', value: Uint8Array.of(2, 5), text: '0x0205', field: 'mysql.exec.field.bytes' },
  { name: 'NULL type (no bytes)', type: T.NULL, bytes: new Uint8Array(0), kind: 'null', value: null, text: 'NULL', field: 'mysql.exec.field.null' },
];

describe('decodeBinaryValue: every type (SYNTHETIC bytes)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { v, tree } = value(c.bytes, c.type, c.unsigned ?? false, c.charset);
      expect(v.kind).toBe(c.kind);
      expect(v.value).toEqual(c.value);
      expect(v.text).toBe(c.text);
      expect(v.type).toBe(c.type);
      expect(tree[0]!.field.name).toBe(c.field);
    });
  }

  it('every truncated prefix of every case gives a DecodeError', () => {
    for (const c of CASES) {
      for (let n = 0; n < c.bytes.length; n++) {
        const r = new PayloadReader().reset(c.bytes, 0, n);
        expect(() => decodeBinaryValue(r, new TreeBuilder(), c.type, c.unsigned ?? false, undefined, c.charset), `${c.name} cut at ${n}`).toThrow(DecodeError);
        expect(() => skipBinaryValue(new PayloadReader().reset(c.bytes, 0, n), c.type), `${c.name} cut at ${n} (skip)`).toThrow(DecodeError);
      }
    }
  });

  it('DATETIME parts point at their bytes (length 11)', () => {
    const { tree } = value(dt(11), T.DATETIME);
    const at = (name: string): [number, number] => {
      const n = find(tree, name);
      return [n.offset, n.length];
    };
    expect(at('mysql.exec.field.datetime.length')).toEqual([3, 1]);
    expect(at('mysql.exec.field.year')).toEqual([4, 2]);
    expect(at('mysql.exec.field.month')).toEqual([6, 1]);
    expect(at('mysql.exec.field.day')).toEqual([7, 1]);
    expect(at('mysql.exec.field.hour')).toEqual([8, 1]);
    expect(at('mysql.exec.field.second')).toEqual([10, 1]);
    expect(at('mysql.exec.field.secondb')).toEqual([11, 4]);
    expect(find(tree, 'mysql.exec.field.secondb').value).toBe(123456);
  });

  it('TIME parts point at their bytes (length 12, negative)', () => {
    const { tree } = value(tm(12, 1, 34, 22, 59, 59, 1), T.TIME);
    expect(find(tree, 'mysql.exec.field.time.sign')).toMatchObject({ offset: 4, length: 1, value: 1 });
    expect(find(tree, 'mysql.exec.field.time.days')).toMatchObject({ offset: 5, length: 4, value: 34 });
    expect(find(tree, 'mysql.exec.field.hour')).toMatchObject({ offset: 9, value: 22 });
    expect(find(tree, 'mysql.exec.field.secondb')).toMatchObject({ offset: 12, length: 4, value: 1 });
  });

  it('impossible DATETIME / TIME lengths and unknown types are malformed', () => {
    const bad = (bytes: number[], type: number, code: string): void => {
      try {
        decodeBinaryValue(new PayloadReader().reset(Uint8Array.from(bytes)), null, type, false);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
        expect((e as DecodeError).kind).toBe('malformed');
        expect((e as DecodeError).code).toBe(code);
      }
    };
    bad([5, 0, 0, 0, 0, 0], T.DATETIME, 'mysql.binary_datetime_length');
    bad([9, 0, 0, 0, 0, 0, 0, 0, 0, 0], T.TIME, 'mysql.binary_time_length');
    bad([1, 2, 3], T.TYPED_ARRAY, 'mysql.unknown_binary_type');
    bad([1, 2, 3], 0x7f, 'mysql.unknown_binary_type');
  });

  it('a label wraps the value in a mysql.row.column node', () => {
    const t = new TreeBuilder();
    decodeBinaryValue(new PayloadReader().reset(int4(7)), t, T.LONG, false, 'qty');
    expect(t.roots[0]).toMatchObject({ field: { name: 'mysql.row.column' }, value: 'qty', offset: 0, length: 4 });
    expect(t.roots[0]!.children![0]).toMatchObject({ field: { name: 'mysql.exec.field.long' }, value: 7 });
  });

  it('long byte values keep every byte but show a bounded hex text', () => {
    const big = new Uint8Array(1000).fill(0xab);
    const v = decodeBinaryValue(new PayloadReader().reset(lenencStr(big)), null, T.BLOB, false, undefined, 63);
    expect(v.kind).toBe('bytes');
    expect((v.value as Uint8Array).length).toBe(1000);
    expect(v.text).toMatch(/^0x(ab){256}… \(1000 bytes\)$/);
  });

  it('float32Text gives the shortest text that reads back as the same float', () => {
    expect(float32Text(Math.fround(0.1))).toBe('0.1');
    expect(float32Text(Math.fround(123456.789))).toBe('123456.79');
    expect(float32Text(-0)).toBe('0');
  });

  it('property: integers of every width round-trip (SYNTHETIC)', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }), (x) => {
      const unsigned = x >= 0n && (x >= 2n ** 63n || x % 2n === 0n);
      const v = decodeBinaryValue(new PayloadReader().reset(int8(BigInt.asUintN(64, x))), null, T.LONGLONG, unsigned);
      const expected = unsigned ? BigInt.asUintN(64, x) : BigInt.asIntN(64, x);
      expect(BigInt(v.value as number | bigint)).toBe(expected);
      expect(typeof v.value === 'number').toBe(expected >= -(2n ** 53n - 1n) && expected <= 2n ** 53n - 1n);
      expect(v.text).toBe(String(expected));
    }));
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (x) => {
      expect(decodeBinaryValue(new PayloadReader().reset(int4(x)), null, T.LONG, false).value).toBe(x);
      expect(decodeBinaryValue(new PayloadReader().reset(int2(x)), null, T.SHORT, false).value).toBe((x << 16) >> 16);
      expect(decodeBinaryValue(new PayloadReader().reset(Uint8Array.of(x & 0xff)), null, T.TINY, false).value).toBe((x << 24) >> 24);
    }));
  });
});

function col(name: string, type: number, o: { flags?: number; charset?: number } = {}): ColumnDefinition {
  return { catalog: 'def', schema: 's', table: 't', orgTable: 't', name, orgName: name, charset: o.charset ?? 45, columnLength: 0, type, flags: o.flags ?? 0, decimals: 0 };
}

describe('decodeBinaryRow (SYNTHETIC bytes)', () => {
  const columns = [
    col('id', T.LONG, { flags: 0x20 }),
    col('name', T.VAR_STRING),
    col('big', T.LONGLONG, { flags: 0x20 }),
    col('at', T.DATETIME),
    col('t', T.TIME),
    col('bin', T.BLOB, { charset: 63 }),
    col('n7', T.TINY),
  ];
  // Column i is bit i + 2: name (1) → bit 3, n7 (6) → bit 8 = second byte bit 0.
  const row = cat(
    [0x00], [0x08, 0x01],
    int4(0xffffffff), int8(2n ** 63n + 1n), dt(7), tm(8, 1, 1, 1, 0, 0), lenencStr(Uint8Array.of(0xde, 0xad)),
  );

  it('NULL bitmap with the 2-bit offset, values by column type and UNSIGNED flag', () => {
    const t = new TreeBuilder();
    const r = new PayloadReader().reset(row);
    const v = decodeBinaryRow(r, t, columns);
    expect(r.remaining).toBe(0);
    expect(v.map((x) => (x === null ? null : x.text))).toEqual(['4294967295', null, '9223372036854775809', '2024-02-29 13:14:15', '-25:00:00', '0xdead', null]);
    expect(v).toEqual(decodeBinaryRow(new PayloadReader().reset(row), null, columns));
    checkBounds(t.roots, row.length);
    expect(t.roots[0]).toMatchObject({ field: { name: 'mysql.row' }, offset: 0, length: row.length });
    expect(find(t.roots, 'mysql.row.nullbuffer')).toMatchObject({ offset: 1, length: 2, value: Uint8Array.of(0x08, 0x01) });
    const cols = t.roots[0]!.children!.filter((n) => n.field.name === 'mysql.row.column');
    expect(cols.map((n) => n.value)).toEqual(columns.map((c) => c.name));
    expect(cols[0]).toMatchObject({ offset: 3, length: 4 });
    expect(cols[2]).toMatchObject({ offset: 7, length: 8 });
    expect(cols[1]!.children![0]!.field.name).toBe('mysql.exec.field.null');
  });

  it('bitmap size is (n + 9) / 8: 6 columns → 1 byte, 7 → 2', () => {
    const six = columns.slice(0, 6);
    const b6 = cat([0x00], [0x08], int4(1), int8(2), dt(0), tm(0, 0, 0, 0, 0, 0), lenencStr(''));
    expect(decodeBinaryRow(new PayloadReader().reset(b6), null, six).map((x) => x?.text ?? null))
      .toEqual(['1', null, '2', '0000-00-00 00:00:00', '00:00:00', '0x']);
  });

  it('all columns NULL, and a row with no columns', () => {
    const b = cat([0x00], [0xfc, 0x01]);
    expect(decodeBinaryRow(new PayloadReader().reset(b), new TreeBuilder(), columns)).toEqual(new Array(7).fill(null));
    expect(decodeBinaryRow(new PayloadReader().reset(Uint8Array.of(0, 0)), null, [])).toEqual([]);
  });

  it('a header other than 0x00, and bytes after the last value, are malformed', () => {
    expect(() => decodeBinaryRow(new PayloadReader().reset(cat([0x01], row.subarray(1))), null, columns)).toThrow(/starts with 0x00/);
    const t = new TreeBuilder();
    expect(() => decodeBinaryRow(new PayloadReader().reset(cat(row, [0x99])), t, columns)).toThrow(/after the value of its last column/);
    expect(find(t.roots, 'mysql.payload')).toMatchObject({ offset: row.length, length: 1 });
  });

  it('every truncated prefix gives a DecodeError, and the row subtree is closed', () => {
    for (let n = 0; n < row.length; n++) {
      const t = new TreeBuilder();
      expect(() => decodeBinaryRow(new PayloadReader().reset(row, 0, n), t, columns), `cut at ${n}`).toThrow(DecodeError);
      const after = t.add(F.payload, null, 0, 0);
      expect(t.roots.at(-1), 'nodes added after the failure land at the top level').toBe(after);
    }
  });

  it('property: random bytes and columns only ever raise DecodeError', () => {
    const types = [...Object.values(T)];
    fc.assert(fc.property(
      fc.uint8Array({ maxLength: 64 }),
      fc.array(fc.record({ type: fc.constantFrom(...types), flags: fc.constantFrom(0, 0x20), charset: fc.constantFrom(33, 63) }), { maxLength: 12 }),
      (bytes, cols) => {
        try {
          decodeBinaryRow(new PayloadReader().reset(bytes), new TreeBuilder(), cols.map((c, i) => col(`c${i}`, c.type, c)));
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      },
    ), { numRuns: 2000 });
  });
});
