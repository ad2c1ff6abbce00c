import { JsonBytes } from './json-bytes.js';

/** Where reporters write. Reporters never touch `console` or `process.stdout` directly (architecture principle 15). */
export interface Sink {
  write(s: string): void;
  /** UTF-8 text already encoded (parallel runs hand over their workers' output this way). */
  writeBytes?(b: Uint8Array): void;
  /**
   * Output built in place (the query log's lines): append to `target()` — the sink's own buffer, so the bytes are
   * neither copied nor handed over line by line — then call `commit()` to end the piece.
   */
  target?(): JsonBytes;
  commit?(): void;
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
 * Encodes what is written, as UTF-8, straight into a buffer of about `size` bytes and hands `out` each full buffer:
 * one write system call per ~64 KB instead of one per line, and no joined string in between. `out` returns true when
 * it is done with the chunk (written synchronously, as standard output is to files and pipes on Linux): the buffer is
 * then reused; otherwise the stream may still hold it and the next one is fresh. Call `flush()` at the end (and
 * before exiting).
 */
export class BufferedSink implements Sink {
  /** The buffer being filled (bytes [0, len)); it grows past `size` only for one piece written in place. */
  private readonly j: JsonBytes;

  constructor(
    private readonly out: (chunk: string | Uint8Array) => boolean | void,
    private readonly size = 64 * 1024,
  ) {
    this.j = new JsonBytes(size);
  }

  /**
   * Bytes go out as they are, after the text written before them. They are copied (into the buffer, or on their own
   * when larger): the caller may reuse its array as soon as this returns.
   */
  writeBytes(b: Uint8Array): void {
    if (this.j.len + b.byteLength > this.size) {
      this.flush();
      if (b.byteLength > this.size) {
        this.out(Uint8Array.prototype.slice.call(b));
        return;
      }
    }
    this.j.bytes(b);
  }

  write(s: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8 (a surrogate pair: 4 bytes for 2 units).
    if (this.j.len + s.length * 3 > this.size) {
      this.flush();
      if (s.length * 3 > this.size) {
        if (s.length > 0) this.out(s);
        return;
      }
    }
    this.j.utf8(s);
  }

  target(): JsonBytes {
    return this.j;
  }

  /** Hands over whole chunks of `size` bytes (a pipe takes exactly its capacity at once); the rest stays. */
  commit(): void {
    const j = this.j;
    while (j.len >= this.size) {
      const full = j.buf;
      const rest = j.len - this.size;
      const reuse = this.out(full.subarray(0, this.size)) === true;
      if (!reuse) j.buf = new Uint8Array(Math.max(this.size, rest, 4096));
      j.buf.set(full.subarray(this.size, this.size + rest));
      j.len = rest;
    }
  }

  flush(): void {
    const j = this.j;
    if (j.len === 0) return;
    const chunk = j.buf.subarray(0, j.len);
    j.len = 0;
    if (this.out(chunk) !== true) j.buf = new Uint8Array(Math.max(this.size, 4096));
  }
}
