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
 * Accumulates strings and hands them to `out` in chunks of about `threshold` characters: one write system call
 * per ~64 KB instead of one per line. Call `flush()` at the end (and before exiting).
 */
export class BufferedSink implements Sink {
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly out: (chunk: string | Uint8Array) => void,
    private readonly threshold = 64 * 1024,
  ) {}

  /** Bytes go out as they are, after the text written before them. */
  writeBytes(b: Uint8Array): void {
    this.flush();
    if (b.byteLength > 0) this.out(b);
  }

  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= this.threshold) this.flush();
  }

  flush(): void {
    if (this.size === 0 && this.parts.length === 0) return;
    const chunk = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (chunk.length > 0) this.out(chunk);
  }
}
