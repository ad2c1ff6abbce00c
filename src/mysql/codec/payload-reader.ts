import { DecodeError } from '../../core/issues.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Reads the basic data types of the MySQL protocol ("Basic Data Types": int<n>, int<lenenc>, string<NUL>,
 * string<lenenc>, string<EOF>) from one payload. The reader owns the bounds and the bound is the logical end of
 * the payload (principle 1): reading past it throws a DecodeError that the message decoder turns into an issue.
 * One reader is reused by resetting it; it never copies bytes except to build strings.
 */
export class PayloadReader {
  /**
   * The bytes read are raw[base + pos] for pos in [0, end): positions (`pos`, `end`, offsets in messages and in the
   * field tree) are offsets in the payload even when it lies inside a larger buffer (view()), so no view of it has
   * to be made per packet.
   */
  private raw: Uint8Array = new Uint8Array(0);
  private base = 0;
  private payloadView: Uint8Array | undefined;
  pos = 0;
  end = 0;
  /** Decoder for string values; utf-8 unless the connection's collation says otherwise. */
  decodeText: (bytes: Uint8Array) => string = (b) => utf8.decode(b);

  /** Read `buf` from `start` (positions are offsets in `buf`) up to `end`. */
  reset(buf: Uint8Array, start = 0, end = buf.length): this {
    this.raw = buf;
    this.base = 0;
    this.payloadView = undefined;
    this.pos = start;
    this.end = end;
    return this;
  }

  /** Read the payload that is bytes [start, end) of `buf` (positions are offsets in the payload). */
  view(buf: Uint8Array, start: number, end: number): this {
    this.raw = buf;
    this.base = start;
    this.payloadView = undefined;
    this.pos = 0;
    this.end = end - start;
    return this;
  }

  /** The bytes positions index (the payload, as a view made on first use, when it lies inside a larger buffer). */
  get buf(): Uint8Array {
    if (this.base === 0) return this.raw;
    return (this.payloadView ??= this.raw.subarray(this.base, this.base + this.end));
  }

  /** Payload bytes [from, to) equal `b`, without making a view. */
  equals(from: number, to: number, b: Uint8Array): boolean {
    const n = to - from;
    if (b.length !== n || from < 0 || to > this.end) return false;
    const raw = this.raw;
    const o = this.base + from;
    for (let i = 0; i < n; i++) if (raw[o + i] !== b[i]) return false;
    return true;
  }

  /** A copy of payload bytes [from, to). */
  copy(from: number, to: number): Uint8Array {
    return this.raw.slice(this.base + from, this.base + to);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw new DecodeError(
        'truncated',
        'mysql.truncated_payload',
        `${what} needs ${n} byte${n === 1 ? '' : 's'} at payload offset ${this.pos}, but only ${this.end - this.pos} remain`,
        this.pos,
      );
    }
  }

  peek(): number {
    this.need(1, 'a byte');
    return this.raw[this.base + this.pos]!;
  }

  u8(what = 'int<1>'): number {
    this.need(1, what);
    return this.raw[this.base + this.pos++]!;
  }

  u16(what = 'int<2>'): number {
    this.need(2, what);
    const b = this.raw;
    const p = this.base + this.pos;
    this.pos += 2;
    return b[p]! | (b[p + 1]! << 8);
  }

  u24(what = 'int<3>'): number {
    this.need(3, what);
    const b = this.raw;
    const p = this.base + this.pos;
    this.pos += 3;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
  }

  u32(what = 'int<4>'): number {
    this.need(4, what);
    const b = this.raw;
    const p = this.base + this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
  }

  /** int<8>: a number when below 2^53, else a bigint. */
  u64(what = 'int<8>'): number | bigint {
    this.need(8, what);
    const lo = this.u32();
    const hi = this.u32();
    if (hi < 0x200000) return hi * 0x100000000 + lo;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /**
   * int<lenenc>. Returns null for 0xFB (NULL in a text row); 0xFF is not a valid first byte of an integer
   * (it starts an ERR packet) and is reported as malformed.
   */
  lenencOrNull(what = 'int<lenenc>'): number | bigint | null {
    const first = this.u8(what);
    if (first < 0xfb) return first;
    switch (first) {
      case 0xfb:
        return null;
      case 0xfc:
        return this.u16(what);
      case 0xfd:
        return this.u24(what);
      case 0xfe:
        return this.u64(what);
      default:
        throw new DecodeError('malformed', 'mysql.invalid_lenenc', `${what} starts with 0xff, which is not a valid length-encoded integer`, this.pos - 1);
    }
  }

  lenenc(what = 'int<lenenc>'): number | bigint {
    const v = this.lenencOrNull(what);
    if (v === null) {
      throw new DecodeError('malformed', 'mysql.invalid_lenenc', `${what} is 0xfb (NULL) where a number is required`, this.pos - 1);
    }
    return v;
  }

  /** A lenenc length that must fit in the rest of the payload. */
  lenencLength(what: string): number {
    const v = this.lenenc(what);
    if (typeof v === 'bigint' || v > this.end - this.pos) {
      throw new DecodeError(
        'truncated',
        'mysql.truncated_payload',
        `${what} says ${v} bytes at payload offset ${this.pos}, but only ${this.end - this.pos} remain`,
        this.pos,
      );
    }
    return v;
  }

  bytes(n: number, what = 'string<fix>'): Uint8Array {
    this.need(n, what);
    const o = this.base + this.pos;
    const v = this.raw.subarray(o, o + n);
    this.pos += n;
    return v;
  }

  skip(n: number, what = 'filler'): void {
    this.need(n, what);
    this.pos += n;
  }

  fixedString(n: number, what = 'string<fix>'): string {
    return this.decodeText(this.bytes(n, what));
  }

  /** string<NUL>; a missing terminator is malformed (the string would run into the next packet). */
  nulBytes(what = 'string<NUL>'): Uint8Array {
    const b = this.raw;
    const base = this.base;
    for (let i = base + this.pos, e = base + this.end; i < e; i++) {
      if (b[i] === 0) {
        const v = b.subarray(base + this.pos, i);
        this.pos = i - base + 1;
        return v;
      }
    }
    throw new DecodeError('truncated', 'mysql.missing_nul', `${what} at payload offset ${this.pos} has no NUL terminator before the end of the packet`, this.pos);
  }

  nulString(what = 'string<NUL>'): string {
    return this.decodeText(this.nulBytes(what));
  }

  /** string<NUL> that tolerates a missing terminator at the end of the payload (seen from old clients). */
  nulStringOrRest(what = 'string<NUL>'): string {
    const b = this.raw;
    const base = this.base;
    let i = this.pos;
    while (i < this.end && b[base + i] !== 0) i++;
    const v = this.decodeText(b.subarray(base + this.pos, base + i));
    this.pos = i < this.end ? i + 1 : i;
    return v;
  }

  lenencBytes(what = 'string<lenenc>'): Uint8Array {
    const n = this.lenencLength(what);
    return this.bytes(n, what);
  }

  /** Steps over a string<lenenc> or NULL (0xFB) without looking at it: counting rows needs no values. */
  skipLenencStringOrNull(what = 'string<lenenc>'): void {
    if (this.peek() === 0xfb) {
      this.pos++;
      return;
    }
    const n = this.lenencLength(what); // moves pos past the length first
    this.pos += n;
  }

  lenencString(what = 'string<lenenc>'): string {
    return this.decodeText(this.lenencBytes(what));
  }

  /** string<lenenc> or NULL (0xFB), as in text rows. */
  lenencStringOrNull(what = 'string<lenenc>'): string | null {
    if (this.peek() === 0xfb) {
      this.pos++;
      return null;
    }
    return this.lenencString(what);
  }

  restBytes(): Uint8Array {
    const v = this.raw.subarray(this.base + this.pos, this.base + this.end);
    this.pos = this.end;
    return v;
  }

  restString(): string {
    return this.decodeText(this.restBytes());
  }
}
