/**
 * Row images of binlog rows events, decoded through the table map's column types (MySQL rows_event.h "Row format",
 * MariaDB "ROWS_EVENT_V1/V2" and "TABLE_MAP_EVENT"; the per-type value layouts are those of Field::pack in the
 * server: little-endian integers, big-endian temporal2 and DECIMAL). Values become text (see BinlogRowImage).
 */
import { DecodeError } from '../../core/issues.js';
import type { PayloadReader } from '../codec/payload-reader.js';
import { MYSQL_TYPE as T } from '../constants/column-types.js';
import type { BinlogColumn, BinlogRowImage } from './types.js';

/** Longest value text kept (bytes of the value); longer values end with `…`. */
export const MAX_BINLOG_VALUE_BYTES = 4096;

const utf8 = new TextDecoder('utf-8');
const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');
/** latin1 collations (latin1_*): decoded as windows-1252 like the server's latin1. */
const LATIN1_COLLATIONS = new Set([5, 8, 15, 31, 47, 48, 49, 94]);
const BINARY_COLLATION = 63;

/** Thrown (as a signal, caught by the rows decoder) when a column type has no known binlog layout. */
export class UnsupportedColumn extends Error {}

/** Bytes of type metadata in TABLE_MAP for a column type (0, 1 or 2). */
export function metaLength(type: number): number {
  switch (type) {
    case T.FLOAT: case T.DOUBLE: case T.BLOB: case T.TINY_BLOB: case T.MEDIUM_BLOB: case T.LONG_BLOB:
    case T.GEOMETRY: case T.JSON: case T.TIME2: case T.DATETIME2: case T.TIMESTAMP2:
      return 1;
    case T.VARCHAR: case T.VAR_STRING: case T.BIT: case T.NEWDECIMAL: case T.STRING: case T.ENUM: case T.SET:
      return 2;
    default:
      return 0;
  }
}

/** STRING columns carry their real type (ENUM/SET/STRING) and length in the metadata (Field_string::do_save_field_metadata). */
export function stringRealType(meta: number): { realType: number; length: number } {
  const b0 = meta & 0xff;
  const b1 = (meta >> 8) & 0xff;
  if ((b0 & 0x30) !== 0x30) return { realType: b0 | 0x30, length: b1 | (((b0 & 0x30) ^ 0x30) << 4) };
  return { realType: b0, length: b1 };
}

/** Numeric columns: one SIGNEDNESS bit each. */
export function isNumericType(type: number): boolean {
  return type === T.TINY || type === T.SHORT || type === T.INT24 || type === T.LONG || type === T.LONGLONG ||
    type === T.NEWDECIMAL || type === T.FLOAT || type === T.DOUBLE;
}

/** Character columns: one DEFAULT_CHARSET / COLUMN_CHARSET entry each (ENUM/SET have their own). */
export function isCharacterColumn(c: BinlogColumn): boolean {
  return c.realType === T.STRING || c.realType === T.VAR_STRING || c.realType === T.VARCHAR || c.realType === T.BLOB ||
    c.realType === T.TINY_BLOB || c.realType === T.MEDIUM_BLOB || c.realType === T.LONG_BLOB;
}

const DIG2BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4] as const;

export function decimalBinarySize(precision: number, scale: number): number {
  const intg = precision - scale;
  return Math.floor(intg / 9) * 4 + DIG2BYTES[intg % 9]! + Math.floor(scale / 9) * 4 + DIG2BYTES[scale % 9]!;
}

/** MySQL's binary DECIMAL (decimal2bin): sign in the top bit, groups of 9 digits in 4 big-endian bytes. */
export function decodeDecimal(bytes: Uint8Array, precision: number, scale: number): string {
  if (scale > precision || precision > 65 || precision === 0) {
    throw new DecodeError('malformed', 'mysql.binlog.bad_decimal', `DECIMAL(${precision},${scale}) is not a valid decimal type`, 0);
  }
  const b = new Uint8Array(bytes);
  const positive = (b[0]! & 0x80) !== 0;
  b[0] = b[0]! ^ 0x80;
  if (!positive) for (let i = 0; i < b.length; i++) b[i] = ~b[i]! & 0xff;
  let p = 0;
  const be = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + b[p++]!;
    return v;
  };
  const intg = precision - scale;
  const intg0 = Math.floor(intg / 9);
  const intg0x = intg % 9;
  const frac0 = Math.floor(scale / 9);
  const frac0x = scale % 9;
  let ip = '';
  if (intg0x > 0) ip += String(be(DIG2BYTES[intg0x]!));
  for (let i = 0; i < intg0; i++) ip += String(be(4)).padStart(ip === '' ? 0 : 9, '0');
  ip = ip.replace(/^0+/, '') || '0';
  let fp = '';
  for (let i = 0; i < frac0; i++) fp += String(be(4)).padStart(9, '0');
  if (frac0x > 0) fp += String(be(DIG2BYTES[frac0x]!)).padStart(frac0x, '0');
  const text = scale > 0 ? `${ip}.${fp}` : ip;
  return positive ? text : `-${text}`;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function fraction(usec: number, fsp: number): string {
  return fsp > 0 ? '.' + pad(usec, 6).slice(0, fsp) : '';
}

function beUint(b: Uint8Array, off: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + b[off + i]!;
  return v;
}

/** Microseconds of a DATETIME2/TIMESTAMP2 fraction stored in (fsp+1)/2 big-endian bytes. */
function fracUsec(b: Uint8Array, off: number, fsp: number): number {
  const n = Math.ceil(fsp / 2);
  const v = beUint(b, off, n);
  return n === 1 ? v * 10000 : n === 2 ? v * 100 : v;
}

function checkFsp(fsp: number): void {
  if (fsp > 6) throw new DecodeError('malformed', 'mysql.binlog.bad_fsp', `fractional seconds precision ${fsp} is above 6`, 0);
}

/** DATETIME2: 5 bytes big-endian (sign bit, year*13+month, day, hour, minute, second) + fraction. */
export function decodeDatetime2(b: Uint8Array, fsp: number): string {
  checkFsp(fsp);
  const packed = beUint(b, 0, 5) - 0x8000000000;
  const ymd = Math.floor(packed / 0x20000);
  const hms = packed % 0x20000;
  const ym = Math.floor(ymd / 32);
  const s = `${pad(Math.floor(ym / 13), 4)}-${pad(ym % 13)}-${pad(ymd % 32)} ${pad(Math.floor(hms / 4096))}:${pad((hms >> 6) & 63)}:${pad(hms & 63)}`;
  return s + fraction(fracUsec(b, 5, fsp), fsp);
}

/** TIMESTAMP2: 4 bytes big-endian seconds since the epoch + fraction; shown in UTC. */
export function decodeTimestamp2(b: Uint8Array, fsp: number): string {
  checkFsp(fsp);
  return epochText(beUint(b, 0, 4)) + fraction(fracUsec(b, 4, fsp), fsp);
}

function epochText(sec: number): string {
  if (sec === 0) return '0000-00-00 00:00:00';
  const d = new Date(sec * 1000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** TIME2: 3 bytes big-endian (offset 0x800000; 10 bits hour, 6 minute, 6 second) + fraction, negative values included. */
export function decodeTime2(b: Uint8Array, fsp: number): string {
  checkFsp(fsp);
  let intpart = beUint(b, 0, 3) - 0x800000;
  let frac = 0; // in units of 1/2^24 of the packed value: microseconds
  let packed: number;
  switch (Math.ceil(fsp / 2)) {
    case 0:
      packed = intpart * 0x1000000;
      break;
    case 1:
      frac = b[3]!; // unsigned; a negative time borrows one second
      if (intpart < 0 && frac !== 0) { intpart++; frac -= 0x100; }
      packed = intpart * 0x1000000 + frac * 10000;
      break;
    case 2:
      frac = beUint(b, 3, 2);
      if (intpart < 0 && frac !== 0) { intpart++; frac -= 0x10000; }
      packed = intpart * 0x1000000 + frac * 100;
      break;
    default:
      packed = beUint(b, 0, 6) - 0x800000000000;
  }
  const neg = packed < 0;
  if (neg) packed = -packed;
  const hms = Math.floor(packed / 0x1000000);
  const usec = packed % 0x1000000;
  const text = `${pad(Math.floor(hms / 4096) & 0x3ff)}:${pad((hms >> 6) & 63)}:${pad(hms & 63)}` + fraction(usec, fsp);
  return neg ? `-${text}` : text;
}

/** Shortest decimal text that reads back as the same float32. */
export function float32Text(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  for (let p = 1; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(v);
}

function hexLiteral(b: Uint8Array): string {
  let s = "x'";
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s + "'";
}

function clip(b: Uint8Array): { bytes: Uint8Array; more: boolean } {
  return b.length > MAX_BINLOG_VALUE_BYTES ? { bytes: b.subarray(0, MAX_BINLOG_VALUE_BYTES), more: true } : { bytes: b, more: false };
}

/** Text of a string value: the column's collation when known (binary → hex), else utf-8 if it is valid utf-8, else hex. */
function stringText(raw: Uint8Array, collation: number | undefined, binaryType: boolean): string {
  const { bytes, more } = clip(raw);
  const tail = more ? '…' : '';
  if (collation === BINARY_COLLATION) return hexLiteral(bytes) + tail;
  if (collation !== undefined && LATIN1_COLLATIONS.has(collation)) return latin1.decode(bytes) + tail;
  if (collation !== undefined) return utf8.decode(bytes) + tail;
  if (!binaryType) return utf8.decode(bytes) + tail;
  try {
    return utf8Strict.decode(bytes) + tail;
  } catch {
    return hexLiteral(bytes) + tail;
  }
}

function leUint(r: PayloadReader, n: number, what: string): number {
  const b = r.bytes(n, what);
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[i]!;
  return v;
}

function intText(r: PayloadReader, n: number, unsigned: boolean | undefined): string {
  if (n === 8) {
    const lo = r.u32('BIGINT value');
    const hi = r.u32('BIGINT value');
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    return String(unsigned ? v : BigInt.asIntN(64, v));
  }
  const v = leUint(r, n, 'integer value');
  if (unsigned) return String(v);
  const half = 2 ** (8 * n - 1);
  return String(v >= half ? v - 2 * half : v);
}

/** Read one non-NULL value of column `c`; throws UnsupportedColumn for types without a known layout. */
export function readValue(r: PayloadReader, c: BinlogColumn): string {
  const meta = c.meta;
  switch (c.realType) {
    case T.TINY: return intText(r, 1, c.unsigned);
    case T.SHORT: return intText(r, 2, c.unsigned);
    case T.INT24: return intText(r, 3, c.unsigned);
    case T.LONG: return intText(r, 4, c.unsigned);
    case T.LONGLONG: return intText(r, 8, c.unsigned);
    case T.FLOAT: {
      const b = r.bytes(4, 'FLOAT value');
      return float32Text(new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true));
    }
    case T.DOUBLE: {
      const b = r.bytes(8, 'DOUBLE value');
      return String(new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true));
    }
    case T.NEWDECIMAL: {
      const precision = meta & 0xff;
      const scale = meta >> 8;
      if (scale > precision || precision > 65 || precision === 0) {
        throw new DecodeError('malformed', 'mysql.binlog.bad_decimal', `DECIMAL(${precision},${scale}) in the table map is not a valid decimal type`, r.pos);
      }
      return decodeDecimal(r.bytes(decimalBinarySize(precision, scale), 'DECIMAL value'), precision, scale);
    }
    case T.YEAR: {
      const v = r.u8('YEAR value');
      return v === 0 ? '0000' : String(1900 + v);
    }
    case T.DATE: case T.NEWDATE: {
      const v = r.u24('DATE value');
      return `${pad(v >> 9, 4)}-${pad((v >> 5) & 15)}-${pad(v & 31)}`;
    }
    case T.TIME: {
      let v = r.u24('TIME value');
      if (v >= 0x800000) v -= 0x1000000;
      const neg = v < 0;
      const a = Math.abs(v);
      const s = `${pad(Math.floor(a / 10000))}:${pad(Math.floor(a / 100) % 100)}:${pad(a % 100)}`;
      return neg ? `-${s}` : s;
    }
    case T.DATETIME: {
      const lo = r.u32('DATETIME value');
      const hi = r.u32('DATETIME value');
      const s = String(hi * 0x100000000 + lo).padStart(14, '0');
      return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)} ${s.slice(8, 10)}:${s.slice(10, 12)}:${s.slice(12, 14)}`;
    }
    case T.TIMESTAMP: return epochText(r.u32('TIMESTAMP value'));
    case T.TIME2: return decodeTime2(r.bytes(3 + Math.ceil((meta & 0xff) / 2), 'TIME(n) value'), meta & 0xff);
    case T.DATETIME2: return decodeDatetime2(r.bytes(5 + Math.ceil((meta & 0xff) / 2), 'DATETIME(n) value'), meta & 0xff);
    case T.TIMESTAMP2: return decodeTimestamp2(r.bytes(4 + Math.ceil((meta & 0xff) / 2), 'TIMESTAMP(n) value'), meta & 0xff);
    case T.VARCHAR: case T.VAR_STRING: {
      const n = meta > 255 ? r.u16('VARCHAR length') : r.u8('VARCHAR length');
      return stringText(r.bytes(n, 'VARCHAR value'), c.collation, false);
    }
    case T.STRING: {
      const { length } = stringRealType(meta);
      const n = length > 255 ? r.u16('CHAR length') : r.u8('CHAR length');
      return stringText(r.bytes(n, 'CHAR value'), c.collation, false);
    }
    case T.ENUM: {
      const size = c.type === T.STRING ? stringRealType(meta).length : meta >> 8;
      if (size !== 1 && size !== 2) throw new DecodeError('malformed', 'mysql.binlog.bad_enum', `ENUM pack length ${size} is not 1 or 2`, r.pos);
      const i = leUint(r, size, 'ENUM value');
      if (i === 0) return '';
      return c.enumValues?.[i - 1] ?? String(i);
    }
    case T.SET: {
      const size = c.type === T.STRING ? stringRealType(meta).length : meta >> 8;
      if (size < 1 || size > 8) throw new DecodeError('malformed', 'mysql.binlog.bad_set', `SET pack length ${size} is not 1..8`, r.pos);
      const b = r.bytes(size, 'SET value');
      if (!c.setValues) {
        let v = 0n;
        for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
        return String(v);
      }
      const out: string[] = [];
      for (let bit = 0; bit < size * 8; bit++) {
        if (b[bit >> 3]! & (1 << (bit & 7))) out.push(c.setValues[bit] ?? `#${bit + 1}`);
      }
      return out.join(',');
    }
    case T.BIT: {
      const bits = meta & 0xff;
      const nbytes = (meta >> 8) + (bits > 0 ? 1 : 0);
      const b = r.bytes(nbytes, 'BIT value');
      const width = (meta >> 8) * 8 + bits;
      let s = '';
      for (const x of b) s += x.toString(2).padStart(8, '0');
      return `b'${s.slice(s.length - width)}'`;
    }
    case T.BLOB: case T.TINY_BLOB: case T.MEDIUM_BLOB: case T.LONG_BLOB: case T.GEOMETRY: case T.JSON: {
      const lb = meta & 0xff;
      if (lb < 1 || lb > 4) throw new DecodeError('malformed', 'mysql.binlog.bad_blob_meta', `BLOB length bytes ${lb} is not 1..4`, r.pos);
      const n = leUint(r, lb, 'BLOB length');
      if (n > r.remaining) {
        throw new DecodeError('truncated', 'mysql.truncated_payload', `BLOB value says ${n} bytes at payload offset ${r.pos}, but only ${r.remaining} remain`, r.pos);
      }
      const bytes = r.bytes(n, 'BLOB value');
      // MySQL JSON is a binary format and GEOMETRY is WKB: shown as hex. MariaDB JSON is LONGTEXT (type BLOB).
      if (c.realType === T.GEOMETRY || c.realType === T.JSON) return hexLiteral(clip(bytes).bytes) + (bytes.length > MAX_BINLOG_VALUE_BYTES ? '…' : '');
      return stringText(bytes, c.collation, true);
    }
    case T.NULL: return 'NULL';
    default:
      throw new UnsupportedColumn(`column type ${c.realType} has no known row layout`);
  }
}

function bitSet(bm: Uint8Array, i: number): boolean {
  return (bm[i >> 3]! & (1 << (i & 7))) !== 0;
}

/**
 * One row image: NULL bitmap over the present columns, then the non-NULL values.
 * `present` = indexes of the present columns.
 */
export function readRowImage(r: PayloadReader, columns: readonly BinlogColumn[], present: readonly number[]): BinlogRowImage {
  const nulls = r.bytes((present.length + 7) >> 3, 'row NULL bitmap');
  const values: Array<string | null> = [];
  for (let k = 0; k < present.length; k++) {
    if (bitSet(nulls, k)) { values.push(null); continue; }
    const c = columns[present[k]!];
    if (!c) throw new DecodeError('malformed', 'mysql.binlog.column_mismatch', `rows event names column ${present[k]} but the table map has ${columns.length} columns`, r.pos);
    values.push(readValue(r, c));
  }
  return { cols: [...present], values };
}

export function presentColumns(bitmap: Uint8Array, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (bitSet(bitmap, i)) out.push(i);
  return out;
}
