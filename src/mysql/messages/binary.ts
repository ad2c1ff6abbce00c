/**
 * Binary protocol values and rows (MySQL "Binary Protocol Value" and "Binary Protocol Resultset Row" pages,
 * page_protocol_binary_resultset; MariaDB "Binary Protocol (Prepared Statements)").
 *
 * Used by COM_STMT_EXECUTE / COM_STMT_BULK_EXECUTE parameters (messages/prepared.ts) and by the rows of a
 * result set that answers COM_STMT_EXECUTE or COM_STMT_FETCH. Pure decoders (principle 8): no capability changes
 * the value layout; the string decoder of the reader (`r.decodeText`) carries the connection's charset.
 *
 * How the session calls them:
 *   const values = decodeBinaryRow(r, t, rs.columns);            // r at the row's 0x00 header; whole payload
 *   const v = decodeBinaryValue(r, t, type, unsigned, label?, charset?)  // one value at r.pos
 *   skipBinaryValue(r, type)                                    // advance over one value without decoding it
 * Truncated or impossible bytes throw DecodeError ('truncated' / 'malformed'); nothing else is thrown.
 */
import { DecodeError } from '../../core/issues.js';
import type { FieldDef } from '../../model/field.js';
import type { PayloadReader } from '../codec/payload-reader.js';
import { MYSQL_TYPE } from '../constants/column-types.js';
import { F, FB } from '../fields.js';
import { copyBytes, type TreeBuilder } from './tree.js';
import type { BinaryDateTime, BinaryTime, BinaryValue, ColumnDefinition } from './types.js';

/** Column flag UNSIGNED_FLAG (0x20) in a column definition. */
export const UNSIGNED_FLAG = 0x20;
/** The binary collation (63): string-typed values with it are bytes, not text. */
export const BINARY_CHARSET = 63;
/** Byte values longer than this show only their first bytes in the display text (the value keeps them all). */
export const MAX_HEX_DISPLAY_BYTES = 256;

/** How a column type is laid out in the binary protocol. */
type Layout = 'int1' | 'int2' | 'int4' | 'int8' | 'float' | 'double' | 'null' | 'datetime' | 'time' | 'decimal' | 'string' | 'blob' | 'bytes';

const LAYOUT: ReadonlyMap<number, Layout> = new Map<number, Layout>([
  [MYSQL_TYPE.TINY, 'int1'],
  [MYSQL_TYPE.SHORT, 'int2'],
  [MYSQL_TYPE.YEAR, 'int2'],
  [MYSQL_TYPE.INT24, 'int4'],
  [MYSQL_TYPE.LONG, 'int4'],
  [MYSQL_TYPE.LONGLONG, 'int8'],
  [MYSQL_TYPE.FLOAT, 'float'],
  [MYSQL_TYPE.DOUBLE, 'double'],
  [MYSQL_TYPE.NULL, 'null'],
  [MYSQL_TYPE.DATE, 'datetime'],
  [MYSQL_TYPE.NEWDATE, 'datetime'],
  [MYSQL_TYPE.DATETIME, 'datetime'],
  [MYSQL_TYPE.DATETIME2, 'datetime'],
  [MYSQL_TYPE.TIMESTAMP, 'datetime'],
  [MYSQL_TYPE.TIMESTAMP2, 'datetime'],
  [MYSQL_TYPE.TIME, 'time'],
  [MYSQL_TYPE.TIME2, 'time'],
  [MYSQL_TYPE.DECIMAL, 'decimal'],
  [MYSQL_TYPE.NEWDECIMAL, 'decimal'],
  [MYSQL_TYPE.VARCHAR, 'string'],
  [MYSQL_TYPE.VAR_STRING, 'string'],
  [MYSQL_TYPE.STRING, 'string'],
  [MYSQL_TYPE.ENUM, 'string'],
  [MYSQL_TYPE.SET, 'string'],
  [MYSQL_TYPE.JSON, 'string'],
  [MYSQL_TYPE.TINY_BLOB, 'blob'],
  [MYSQL_TYPE.MEDIUM_BLOB, 'blob'],
  [MYSQL_TYPE.LONG_BLOB, 'blob'],
  [MYSQL_TYPE.BLOB, 'blob'],
  [MYSQL_TYPE.GEOMETRY, 'bytes'],
  [MYSQL_TYPE.BIT, 'bytes'],
  [MYSQL_TYPE.VECTOR, 'bytes'],
]);

/** True when the type has a known binary layout (used to validate guessed parameter types). */
export function isBinaryType(type: number): boolean {
  return LAYOUT.has(type);
}

function layoutOf(r: PayloadReader, type: number): Layout {
  const l = LAYOUT.get(type);
  if (l === undefined) {
    throw new DecodeError('malformed', 'mysql.unknown_binary_type',
      `column type ${type} (0x${type.toString(16)}) at payload offset ${r.pos} has no known binary encoding, so the value length is unknown`, r.pos);
  }
  return l;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const pad4 = (n: number): string => String(n).padStart(4, '0');
const pad6 = (n: number): string => String(n).padStart(6, '0');

/** Shortest decimal text that reads back as the same float32 (what a FLOAT column holds). */
export function float32Text(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  for (let p = 1; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(v);
}

function hexText(b: Uint8Array): string {
  const n = Math.min(b.length, MAX_HEX_DISPLAY_BYTES);
  let s = '0x';
  for (let i = 0; i < n; i++) s += b[i]!.toString(16).padStart(2, '0');
  return n < b.length ? `${s}… (${b.length} bytes)` : s;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Text for bytes whose charset is not known (parameters): valid UTF-8 without control characters, else undefined. */
function asPrintableText(b: Uint8Array): string | undefined {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return undefined;
  }
  try {
    return strictUtf8.decode(b);
  } catch {
    return undefined;
  }
}

function dataView(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function readDateTime(r: PayloadReader, t: TreeBuilder | null, type: number): BinaryValue {
  const p = r.pos;
  const len = r.u8('DATETIME length');
  if (len !== 0 && len !== 4 && len !== 7 && len !== 11) {
    throw new DecodeError('malformed', 'mysql.binary_datetime_length',
      `a binary DATE/DATETIME/TIMESTAMP has length ${len} at payload offset ${p}; only 0, 4, 7 and 11 exist`, p);
  }
  const v: BinaryDateTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, micro: 0 };
  if (len >= 4) {
    v.year = r.u16('year');
    v.month = r.u8('month');
    v.day = r.u8('day');
  }
  if (len >= 7) {
    v.hour = r.u8('hour');
    v.minute = r.u8('minute');
    v.second = r.u8('second');
  }
  if (len === 11) v.micro = r.u32('microseconds');
  let text = `${pad4(v.year)}-${pad2(v.month)}-${pad2(v.day)}`;
  if (type !== MYSQL_TYPE.DATE && type !== MYSQL_TYPE.NEWDATE) {
    text += ` ${pad2(v.hour)}:${pad2(v.minute)}:${pad2(v.second)}`;
    if (len === 11) text += `.${pad6(v.micro)}`;
  }
  if (t) {
    const node = t.open(FB.datetime, text, p);
    t.add(FB.dtLength, len, p, 1);
    if (len >= 4) {
      t.add(FB.year, v.year, p + 1, 2);
      t.add(FB.month, v.month, p + 3, 1);
      t.add(FB.day, v.day, p + 4, 1);
    }
    if (len >= 7) {
      t.add(FB.hour, v.hour, p + 5, 1);
      t.add(FB.minute, v.minute, p + 6, 1);
      t.add(FB.second, v.second, p + 7, 1);
    }
    if (len === 11) t.add(FB.micro, v.micro, p + 8, 4);
    t.close(node, r.pos);
  }
  return { kind: 'datetime', type, value: v, text };
}

function readTime(r: PayloadReader, t: TreeBuilder | null, type: number): BinaryValue {
  const p = r.pos;
  const len = r.u8('TIME length');
  if (len !== 0 && len !== 8 && len !== 12) {
    throw new DecodeError('malformed', 'mysql.binary_time_length',
      `a binary TIME has length ${len} at payload offset ${p}; only 0, 8 and 12 exist`, p);
  }
  const v: BinaryTime = { negative: false, days: 0, hour: 0, minute: 0, second: 0, micro: 0 };
  let sign = 0;
  if (len >= 8) {
    sign = r.u8('is_negative');
    v.negative = sign === 1;
    v.days = r.u32('days');
    v.hour = r.u8('hour');
    v.minute = r.u8('minute');
    v.second = r.u8('second');
  }
  if (len === 12) v.micro = r.u32('microseconds');
  const hours = v.days * 24 + v.hour;
  let text = `${v.negative ? '-' : ''}${pad2(hours)}:${pad2(v.minute)}:${pad2(v.second)}`;
  if (len === 12) text += `.${pad6(v.micro)}`;
  if (t) {
    const node = t.open(FB.time, text, p);
    t.add(FB.timeLength, len, p, 1);
    if (len >= 8) {
      t.add(FB.timeSign, sign, p + 1, 1);
      t.add(FB.timeDays, v.days, p + 2, 4);
      t.add(FB.hour, v.hour, p + 6, 1);
      t.add(FB.minute, v.minute, p + 7, 1);
      t.add(FB.second, v.second, p + 8, 1);
    }
    if (len === 12) t.add(FB.micro, v.micro, p + 9, 4);
    t.close(node, r.pos);
  }
  return { kind: 'time', type, value: v, text };
}

/** BIGINT from two 32-bit halves: a number when safe, else a bigint. */
function int64(lo: number, hi: number, unsigned: boolean): number | bigint {
  if (unsigned) {
    if (hi < 0x200000) return hi * 0x100000000 + lo;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
  const hs = hi | 0;
  if (hs < 0x200000 && (hs > -0x200000 || (hs === -0x200000 && lo > 0))) return hs * 0x100000000 + lo;
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

/**
 * One binary protocol value of column type `type` at r.pos. `unsigned` (column flag 0x20 or parameter flag 0x80)
 * selects the integer interpretation. `charset` (a column's collation id) decides whether string and BLOB types
 * are text (any collation but 63) or bytes (63 = binary); without it (parameters) printable UTF-8 is shown as text.
 * With a tree: one value node (mysql.exec.field.*; DATE/TIME values get a subtree of their parts), wrapped in a
 * `mysql.row.column` node named `label` when a label is given.
 */
export function decodeBinaryValue(
  r: PayloadReader, t: TreeBuilder | null, type: number, unsigned: boolean, label?: string, charset?: number,
): BinaryValue {
  if (t && label !== undefined) {
    const node = t.open(FB.rowColumn, label, r.pos);
    try {
      return decodeValue(r, t, type, unsigned, charset);
    } finally {
      t.close(node, r.pos);
    }
  }
  return decodeValue(r, t, type, unsigned, charset);
}

function intNode(t: TreeBuilder | null, def: FieldDef, v: number | bigint, p: number, n: number): void {
  t?.add(def, v, p, n);
}

function decodeValue(r: PayloadReader, t: TreeBuilder | null, type: number, unsigned: boolean, charset: number | undefined): BinaryValue {
  const p = r.pos;
  switch (layoutOf(r, type)) {
    case 'int1': {
      const u = r.u8('int<1> value');
      const v = unsigned ? u : (u << 24) >> 24;
      intNode(t, unsigned ? FB.utiny : FB.tiny, v, p, 1);
      return { kind: 'int', type, unsigned, value: v, text: String(v) };
    }
    case 'int2': {
      const u = r.u16('int<2> value');
      const v = unsigned ? u : (u << 16) >> 16;
      intNode(t, unsigned ? FB.ushort : FB.short, v, p, 2);
      return { kind: 'int', type, unsigned, value: v, text: String(v) };
    }
    case 'int4': {
      const u = r.u32('int<4> value');
      const v = unsigned ? u : u | 0;
      intNode(t, unsigned ? FB.ulong : FB.long, v, p, 4);
      return { kind: 'int', type, unsigned, value: v, text: String(v) };
    }
    case 'int8': {
      const lo = r.u32('int<8> value');
      const hi = r.u32('int<8> value');
      const v = int64(lo, hi, unsigned);
      intNode(t, unsigned ? FB.ulonglong : FB.longlong, v, p, 8);
      return { kind: 'int', type, unsigned, value: v, text: String(v) };
    }
    case 'float': {
      const v = dataView(r.bytes(4, 'FLOAT value')).getFloat32(0, true);
      t?.add(FB.float, v, p, 4);
      return { kind: 'float', type, value: v, text: float32Text(v) };
    }
    case 'double': {
      const v = dataView(r.bytes(8, 'DOUBLE value')).getFloat64(0, true);
      t?.add(FB.double, v, p, 8);
      return { kind: 'float', type, value: v, text: String(v) };
    }
    case 'null':
      t?.add(FB.null, null, p, 0);
      return { kind: 'null', type, value: null, text: 'NULL' };
    case 'datetime':
      return readDateTime(r, t, type);
    case 'time':
      return readTime(r, t, type);
    case 'decimal': {
      const n = r.lenencLength('DECIMAL value');
      const v = r.fixedString(n, 'DECIMAL value');
      t?.add(FB.string, v, p, r.pos - p);
      return { kind: 'decimal', type, value: v, text: v };
    }
    case 'string':
    case 'blob': {
      const n = r.lenencLength('string<lenenc> value');
      const b = r.bytes(n, 'string<lenenc> value');
      let text: string | undefined;
      // JSON is text even when its column reports the binary collation (MySQL does).
      if (type === MYSQL_TYPE.JSON || (charset !== undefined && charset !== BINARY_CHARSET)) text = r.decodeText(b);
      else if (charset === undefined) text = asPrintableText(b);
      if (text !== undefined) {
        t?.add(FB.string, text, p, r.pos - p);
        return { kind: 'string', type, value: text, text };
      }
      const copy = copyBytes(b);
      t?.add(FB.bytes, copy, p, r.pos - p);
      return { kind: 'bytes', type, value: copy, text: hexText(copy) };
    }
    case 'bytes': {
      const n = r.lenencLength('bytes value');
      const copy = copyBytes(r.bytes(n, 'bytes value'));
      t?.add(FB.bytes, copy, p, r.pos - p);
      return { kind: 'bytes', type, value: copy, text: hexText(copy) };
    }
  }
}

/** Advance over one binary value of `type` without building it (for rows not kept and for layout inference). */
export function skipBinaryValue(r: PayloadReader, type: number): void {
  switch (layoutOf(r, type)) {
    case 'int1':
      r.skip(1, 'int<1> value');
      return;
    case 'int2':
      r.skip(2, 'int<2> value');
      return;
    case 'int4':
    case 'float':
      r.skip(4, 'value');
      return;
    case 'int8':
    case 'double':
      r.skip(8, 'value');
      return;
    case 'null':
      return;
    case 'datetime': {
      const p = r.pos;
      const len = r.u8('DATETIME length');
      if (len !== 0 && len !== 4 && len !== 7 && len !== 11) {
        throw new DecodeError('malformed', 'mysql.binary_datetime_length', `a binary DATE/DATETIME/TIMESTAMP has length ${len} at payload offset ${p}; only 0, 4, 7 and 11 exist`, p);
      }
      r.skip(len, 'DATETIME value');
      return;
    }
    case 'time': {
      const p = r.pos;
      const len = r.u8('TIME length');
      if (len !== 0 && len !== 8 && len !== 12) {
        throw new DecodeError('malformed', 'mysql.binary_time_length', `a binary TIME has length ${len} at payload offset ${p}; only 0, 8 and 12 exist`, p);
      }
      r.skip(len, 'TIME value');
      return;
    }
    default:
      r.skip(r.lenencLength('string<lenenc> value'), 'string<lenenc> value');
  }
}

/**
 * A binary protocol result row: 0x00 header, NULL bitmap of (columns + 7 + 2) / 8 bytes whose first two bits are
 * reserved (column i is bit i + 2), then the non-NULL values in column order, each by its column's type and
 * UNSIGNED flag (0x20). Returns one entry per column, null for SQL NULL. Bytes left after the last value are
 * malformed (DecodeError, after they were added to the tree).
 * With a tree: a `mysql.row` subtree with `mysql.row.nullbuffer` and one `mysql.row.column` per column.
 */
export function decodeBinaryRow(r: PayloadReader, t: TreeBuilder | null, columns: readonly ColumnDefinition[]): Array<BinaryValue | null> {
  const node = t?.open(F.row, null, r.pos);
  try {
    const p0 = r.pos;
    const header = r.u8('binary row header');
    if (header !== 0x00) {
      throw new DecodeError('malformed', 'mysql.binary_row_header', `a binary row starts with 0x00, not 0x${header.toString(16).padStart(2, '0')} (payload offset ${p0})`, p0);
    }
    t?.add(F.responseCode, header, p0, 1);
    const n = columns.length;
    const pb = r.pos;
    const bitmap = r.bytes((n + 9) >> 3, 'NULL bitmap');
    t?.add(FB.rowNullBuffer, copyBytes(bitmap), pb, bitmap.length);
    const out: Array<BinaryValue | null> = new Array<BinaryValue | null>(n);
    for (let i = 0; i < n; i++) {
      const col = columns[i]!;
      const bit = i + 2;
      if ((bitmap[bit >> 3]! & (1 << (bit & 7))) !== 0) {
        out[i] = null;
        if (t) {
          const c = t.open(FB.rowColumn, col.name, r.pos, 0);
          t.derived(FB.null, null);
          t.close(c);
        }
        continue;
      }
      out[i] = decodeBinaryValue(r, t, col.type, (col.flags & UNSIGNED_FLAG) !== 0, col.name, col.charset);
    }
    if (r.remaining > 0) {
      const p = r.pos;
      const rest = r.restBytes();
      t?.add(F.payload, copyBytes(rest), p, rest.length);
      throw new DecodeError('malformed', 'mysql.binary_row_trailing',
        `the binary row has ${rest.length} byte${rest.length === 1 ? '' : 's'} after the value of its last column (payload offset ${p})`, p);
    }
    return out;
  } finally {
    if (node) t!.close(node, r.pos);
  }
}
