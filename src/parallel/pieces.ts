/**
 * The output of one share of a parallel run, as the merge needs it: the bytes written, in pieces, each with the
 * position (AnalyzeOptions.clock) it was written at. Each thread fills one and takes a batch of it after each chunk
 * of input (a worker posts it to the main thread).
 */
import type { Sink } from '../output/sink.js';
import { JsonBytes } from '../output/json-bytes.js';
import type { BatchMessage } from './protocol.js';

export class PieceBatch {
  private out = new JsonBytes(64 * 1024);
  private keys = new Float64Array(4096);
  private ends = new Uint32Array(4096);
  private pieces = 0;
  /** Memory of batches written out, for the next ones. */
  readonly free: ArrayBuffer[] = [];
  /** Where the command writes: every write (or in-place line) is one piece at the clock's position. */
  readonly sink: Sink;

  constructor(private readonly clock: { position: number }) {
    this.sink = {
      write: (s: string): void => {
        this.out.utf8(s);
        this.endPiece();
      },
      writeBytes: (b: Uint8Array): void => {
        this.out.bytes(b);
        this.endPiece();
      },
      target: () => this.out,
      commit: () => this.endPiece(),
    };
  }

  /**
   * The pieces so far, as a batch: every later piece comes from a position above `watermark`. The bytes' memory goes
   * with it; the next pieces go into memory given back, or new memory the size of this batch.
   */
  take(watermark: number): BatchMessage {
    if (this.pieces === 0) {
      return { t: 'batch', bytes: new Uint8Array(0), keys: new Float64Array(0), ends: new Uint32Array(0), watermark };
    }
    const n = this.out.len;
    const m: BatchMessage = {
      t: 'batch', bytes: this.out.buf.subarray(0, n), keys: this.keys.slice(0, this.pieces), ends: this.ends.slice(0, this.pieces),
      watermark,
    };
    const back = this.free.pop();
    this.out = back !== undefined ? JsonBytes.over(new Uint8Array(back)) : new JsonBytes(Math.max(64 * 1024, n + (n >> 2)));
    this.pieces = 0;
    return m;
  }

  private endPiece(): void {
    if (this.pieces === this.keys.length) {
      const k = new Float64Array(this.pieces * 2);
      k.set(this.keys);
      this.keys = k;
      const e = new Uint32Array(this.pieces * 2);
      e.set(this.ends);
      this.ends = e;
    }
    this.keys[this.pieces] = this.clock.position;
    this.ends[this.pieces] = this.out.len;
    this.pieces++;
  }
}
