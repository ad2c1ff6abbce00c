/** Where reporters write. Reporters never touch `console` or `process.stdout` directly (architecture principle 15). */
export interface Sink {
  write(s: string): void;
  /** UTF-8 text already encoded (parallel runs hand over their workers' output this way). */
  writeBytes?(b: Uint8Array): void;
  /** Push buffered output out now (live captures print each message as it arrives). */
  flush?(): void;
}

/** A sink that keeps everything in memory (tests, library users). */
export class StringSink implements Sink {
  private parts: string[] = [];
  write(s: string): void {
    this.parts.push(s);
  }
  writeBytes(b: Uint8Array): void {
    this.parts.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8'));
  }
  toString(): string {
    return this.parts.join('');
  }
}

/**
 * Encodes what is written, as UTF-8, straight into a buffer of `size` bytes and hands `out` each full buffer: one
 * write system call per ~64 KB instead of one per line, and no joined string in between. Each buffer handed out is
 * fresh (the stream may hold it until written). Call `flush()` at the end (and before exiting).
 */
export class BufferedSink implements Sink {
  private buf: Buffer;
  private pos = 0;

  constructor(
    private readonly out: (chunk: string | Uint8Array) => void,
    private readonly size = 64 * 1024,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /**
   * Bytes go out as they are, after the text written before them. They are copied (into the buffer, or on their own
   * when larger): the caller may reuse its array as soon as this returns.
   */
  writeBytes(b: Uint8Array): void {
    if (this.pos + b.byteLength > this.size) {
      this.flush();
      if (b.byteLength > this.size) {
        this.out(Uint8Array.prototype.slice.call(b));
        return;
      }
    }
    this.buf.set(b, this.pos);
    this.pos += b.byteLength;
  }

  write(s: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8 (a surrogate pair: 4 bytes for 2 units).
    if (this.pos + s.length * 3 > this.size) {
      this.flush();
      if (s.length * 3 > this.size) {
        if (s.length > 0) this.out(s);
        return;
      }
    }
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  flush(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.size);
    this.pos = 0;
    this.out(chunk);
  }
}
