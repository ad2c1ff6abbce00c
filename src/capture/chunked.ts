/**
 * The push-parser skeleton shared by the pcap and pcapng readers (architecture principle 12: push(chunk) → zero or
 * more whole records; the remainder waits in a growable, compacting buffer, never `concat(remainder, chunk)`).
 *
 * A subclass implements `step(buf, off, end)`: parse ONE unit (file header, record, block) that starts at `off`,
 * with `end` the end of the available bytes. It returns the bytes consumed (> 0), or 0 after setting `want` to the
 * number of bytes the unit needs (counted from `off`) when not enough are available. Records are parsed straight
 * out of the caller's chunk whenever they lie entirely inside it; only a unit that straddles chunks is copied, and
 * only up to its own end.
 */
import type { CaptureHandlers } from './types.js';
import type { Issue } from '../core/issues.js';

/** Largest record or block accepted before the input is declared malformed (a corrupt length would else allocate). */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

export abstract class ChunkedParser {
  /** Bytes of the pending (incomplete) unit; valid from 0 to `qLen`. */
  private q: Uint8Array = new Uint8Array(0);
  private qLen = 0;
  /** Bytes consumed by completed units (file offset of the pending unit). */
  private consumed = 0;
  protected stopped = false;
  protected fatalMessage: string | undefined;
  /** Bytes the pending unit needs, counted from its start; set by `step` when it returns 0. */
  protected want = 0;

  constructor(protected readonly handlers: CaptureHandlers) {}

  get bytesConsumed(): number {
    return this.consumed;
  }

  /** Bytes of an incomplete record or block waiting for more input. */
  get pendingBytes(): number {
    return this.qLen;
  }

  /** File offset of the unit `step` is currently looking at. */
  protected get unitOffset(): number {
    return this.consumed;
  }

  fatal(): string | undefined {
    return this.fatalMessage;
  }

  protected abstract step(buf: Uint8Array, off: number, end: number): number;
  /** Message for the truncated unit at the end of input (`have` bytes of it present). */
  protected abstract truncatedMessage(have: number): string;
  /** Called once at end of input after the truncation check. */
  protected onEnd(): void {}

  /** Reports a fatal problem and stops: later input is ignored. */
  protected fail(code: string, message: string, frame?: number): void {
    const issue: Issue = { layer: 'capture', kind: 'malformed', code, message, offset: this.consumed };
    if (frame !== undefined) issue.frame = frame;
    this.fatalMessage = message;
    this.stopped = true;
    this.handlers.onIssue(issue);
  }

  push(input: Uint8Array): void {
    // Node Buffers make every subarray() a JS-level FastBuffer construction; a plain Uint8Array view of the same
    // memory makes the per-frame and per-packet views downstream native (and several times cheaper).
    const chunk = input instanceof Buffer ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : input;
    let pos = 0;
    const n = chunk.length;
    // 1. Complete a unit that straddles the previous chunk boundary, copying only its own bytes.
    while (this.qLen > 0 && pos < n && !this.stopped) {
      const need = this.want - this.qLen;
      const take = need > 0 ? Math.min(need, n - pos) : 0;
      this.append(chunk, pos, take);
      pos += take;
      if (this.qLen < this.want) return; // chunk exhausted
      const used = this.step(this.q, 0, this.qLen);
      if (this.stopped) return;
      if (used === 0 && this.want <= this.qLen) {
        this.fail('capture.internal', `internal parser error at file offset ${this.consumed}: no progress`);
        return;
      }
      if (used > 0) {
        this.consumed += used;
        if (used >= this.qLen) this.qLen = 0;
        else {
          this.q.copyWithin(0, used, this.qLen);
          this.qLen -= used;
        }
      }
    }
    if (this.stopped || pos >= n) return;
    // 2. Parse whole units straight out of the chunk.
    while (pos < n && !this.stopped) {
      const used = this.step(chunk, pos, n);
      if (used === 0) break;
      pos += used;
      this.consumed += used;
    }
    // 3. Keep the remainder.
    if (!this.stopped && pos < n) this.append(chunk, pos, n - pos);
  }

  end(): void {
    if (!this.stopped && this.qLen > 0) {
      this.handlers.onIssue({
        layer: 'capture',
        kind: 'truncated',
        code: 'capture.truncated',
        message: this.truncatedMessage(this.qLen),
        offset: this.consumed,
      });
    }
    this.onEnd();
    this.stopped = true;
    this.qLen = 0;
    this.q = new Uint8Array(0);
  }

  private append(src: Uint8Array, from: number, len: number): void {
    if (len <= 0) return;
    const needed = this.qLen + len;
    if (needed > this.q.length) {
      // Grow geometrically, but never beyond what the pending unit is known to need (plus a little slack).
      let cap = Math.max(needed, this.q.length * 2, 4096);
      if (this.want > 0 && this.want >= needed) cap = Math.min(cap, Math.max(this.want, 4096));
      const nq = new Uint8Array(cap);
      nq.set(this.q.subarray(0, this.qLen));
      this.q = nq;
    }
    this.q.set(src.subarray(from, from + len), this.qLen);
    this.qLen = needed;
  }
}

/** Unsigned 16/32-bit reads in either byte order, without DataView allocation. */
export function rd16(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
}

export function rd32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
