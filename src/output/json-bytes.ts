/**
 * Builds one line of JSON as UTF-8 bytes, straight into a reused buffer: no string per piece, no concatenation, no
 * encoding pass afterwards. What it writes is what JSON.stringify would give, encoded as UTF-8 (the tests compare):
 * plain ASCII strings are copied byte by byte, anything else goes through JSON.stringify.
 */
const utf8 = new TextEncoder();

export class JsonBytes {
  /** A plain Uint8Array: its subarray and set are the engine's own, not Buffer's JavaScript wrappers. */
  buf: Uint8Array;
  len = 0;

  constructor(capacity = 4096) {
    this.buf = new Uint8Array(capacity);
  }

  /** Writing into `buf` (memory to reuse). */
  static over(buf: Uint8Array): JsonBytes {
    const j = new JsonBytes(0);
    j.buf = buf;
    return j;
  }

  /** Room for `n` more bytes. */
  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    bigger.set(this.buf.subarray(0, this.len));
    this.buf = bigger;
  }

  /** Text known to be ASCII and to need no escaping (keys, punctuation, numbers as text). */
  ascii(s: string): void {
    const n = s.length;
    this.reserve(n);
    const b = this.buf;
    let o = this.len;
    for (let i = 0; i < n; i++) b[o++] = s.charCodeAt(i);
    this.len = o;
  }

  /** Bytes as they are (a piece prepared earlier). */
  bytes(p: Uint8Array): void {
    this.reserve(p.length);
    this.buf.set(p, this.len);
    this.len += p.length;
  }

  /** A non-negative integer (or anything else, through String). */
  uint(v: number): void {
    if (!(v >= 0 && v <= 0xffffffff && Number.isInteger(v))) {
      this.ascii(String(v));
      return;
    }
    this.reserve(10);
    const b = this.buf;
    if (v < 10) {
      b[this.len++] = 0x30 + v;
      return;
    }
    let digits = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
    let o = this.len + digits;
    this.len = o;
    for (let t = v; digits-- > 0; t = Math.floor(t / 10)) b[--o] = 0x30 + (t % 10);
  }

  /** `n` then `.` and the six decimals of `frac` (0 ≤ frac < 1e6) without trailing zeros; just `n` when frac is 0. */
  sixDecimals(n: number, frac: number): void {
    this.uint(n);
    this.decimals(frac);
  }

  /** `.` and the six decimals of `frac` (0 ≤ frac < 1e6) without trailing zeros; nothing when frac is 0. */
  decimals(frac: number): void {
    if (frac === 0) return;
    let digits = 6;
    while (frac % 10 === 0) {
      frac /= 10;
      digits--;
    }
    this.reserve(7);
    const b = this.buf;
    b[this.len] = 0x2e;
    let o = this.len + 1 + digits;
    this.len = o;
    for (let t = frac; digits-- > 0; t = Math.floor(t / 10)) b[--o] = 0x30 + (t % 10);
  }

  /** A JSON string: `"…"` with JSON.stringify's escapes, as UTF-8. */
  string(s: string): void {
    const n = s.length;
    this.reserve(n + 2);
    const b = this.buf;
    const start = this.len;
    let o = start;
    b[o++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        // Escapes, non-ASCII, lone surrogates: JSON.stringify knows them all.
        this.len = start;
        this.utf8(JSON.stringify(s));
        return;
      }
      b[o++] = c;
    }
    b[o++] = 0x22;
    this.len = o;
  }

  /** Any text, as UTF-8 (no escaping). */
  utf8(s: string): void {
    this.reserve(s.length * 3); // a UTF-16 code unit takes at most 3 bytes of UTF-8
    this.len += utf8.encodeInto(s, this.buf.subarray(this.len)).written;
  }

  /** The line so far, valid until the next write; then start again. */
  take(): Uint8Array {
    const v = this.buf.subarray(0, this.len);
    this.len = 0;
    return v;
  }
}
