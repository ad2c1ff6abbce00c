/**
 * MySQL packet framing ("MySQL Packets"): 3-byte little-endian payload length, 1-byte sequence id, payload.
 * A payload of exactly 0xFFFFFF bytes is continued by the next packet (which may be empty); the parts are joined
 * into one logical payload before decoding.
 *
 * One framing contract (architecture principle 12): push(chunk) → zero or more whole packets via the callback.
 * A packet wholly inside the chunk is passed where it lies (zero-copy); otherwise its bytes are gathered in a reusable
 * growable buffer (no concat per push); the packet says where its payload lies in either (no view is made unless
 * asked for). Both are valid only during the callback.
 * Payloads beyond `maxPayload` are cut there and flagged `truncated` (the rest is skipped, never buffered).
 */
import { isPlainTextRow } from './text-row.js';

export class FramedPacket {
  /** Sequence id of the first part. */
  seq = 0;
  /** Sequence id of the last part (differs from seq for continued packets). */
  lastSeq = 0;
  /** Logical payload length (sum of the parts), even when truncated. */
  length = 0;
  /** Number of wire packets joined (1 normally). */
  parts = 1;
  /**
   * The payload is bytes [start, end) of `buf` (the pushed chunk, or the framer's buffer for a packet that straddles
   * chunks). The hot path reads it there; `payload` makes a view only when asked (a view per packet was measurable).
   */
  buf: Uint8Array = new Uint8Array(0);
  start = 0;
  end = 0;
  /** The payload was cut at maxPayload. */
  truncated = false;
  /** Frame in which the first byte of the header arrived. */
  firstFrame = 0;
  /** For a payload joined from 0xFFFFFF-byte parts: the frame that completed each part, in order. */
  partFrames: number[] | undefined = undefined;

  /** The payload as a view (valid, like the packet, only during the callback). */
  get payload(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  /** The payload's first byte, or -1 when it is empty. */
  get firstByte(): number {
    return this.end > this.start ? this.buf[this.start]! : -1;
  }
}

export type PacketCallback = (p: FramedPacket) => void;

/** Rows counted by the framer (see PacketFramer.countColumns): how many, their bytes with headers, the next sequence id. */
export type CountedCallback = (rows: number, bytes: number, nextSeq: number) => void;

const MAX_PART = 0xffffff;

export class PacketFramer {
  private readonly hdr = new Uint8Array(4);
  private hdrHave = 0;
  private partLen = 0;
  private partHave = 0;
  private acc: Uint8Array = new Uint8Array(0);
  private accLen = 0;
  /** Bytes of the current logical payload, including those dropped beyond maxPayload. */
  private logicalLen = 0;
  private parts = 0;
  private firstSeq = 0;
  private firstFrame = 0;
  private readonly out = new FramedPacket();
  /** Frames completing each part of a continued payload (allocated only for continued packets). */
  private partFrames: number[] | undefined;

  /**
   * Row counting, armed by the session after a text row it only counts (no field tree, beyond limits.maxRowsKept):
   * whole packets that follow with sequence id `countSeq` and are plain text rows of `countColumns` values
   * (isPlainTextRow) are counted here instead of emitted, and `onCounted` hears of them before the next packet is
   * emitted and at the end of each push. Any other packet is emitted as usual and disarms it (-1).
   */
  countColumns = -1;
  countSeq = 0;
  private counted = 0;
  private countedBytes = 0;

  constructor(
    private readonly onPacket: PacketCallback,
    private readonly maxPayload: number,
    private readonly onCounted?: CountedCallback,
  ) {}

  /** True when a packet is partly received. */
  get midPacket(): boolean {
    return this.hdrHave > 0 || this.parts > 0;
  }

  /**
   * What a partial packet holds, said when the stream ends: the header bytes while the 4-byte header is incomplete,
   * else the payload bytes received of the current packet and how many its header announced.
   */
  pendingPacket(): { headerBytes: number; received: number; announced: number; seq: number; firstFrame: number } | undefined {
    if (!this.midPacket) return undefined;
    if (this.hdrHave < 4) return { headerBytes: this.hdrHave, received: 0, announced: 0, seq: 0, firstFrame: this.firstFrame };
    return { headerBytes: 4, received: this.partHave, announced: this.partLen, seq: this.hdr[3]!, firstFrame: this.firstFrame };
  }

  /** Forget any partial packet (after a gap, or when the stream switches to TLS/compression). */
  reset(): void {
    this.countColumns = -1;
    this.hdrHave = 0;
    this.partLen = 0;
    this.partHave = 0;
    this.accLen = 0;
    this.logicalLen = 0;
    this.parts = 0;
    this.partFrames = undefined;
    if (this.acc.length > 1 << 20) this.acc = new Uint8Array(0); // do not pin a large buffer
  }

  private halted = false;

  /** Called from the packet callback: stop after this packet (the stream switches to TLS); push returns early. */
  halt(): void {
    this.halted = true;
  }

  /** Returns the bytes consumed: all of them unless the callback halted the framer. */
  push(chunk: Uint8Array, frameNo: number): number {
    const used = this.framePackets(chunk, frameNo);
    if (this.counted > 0) this.flushCounted();
    return used;
  }

  private flushCounted(): void {
    const rows = this.counted;
    const bytes = this.countedBytes;
    this.counted = 0;
    this.countedBytes = 0;
    this.onCounted?.(rows, bytes, this.countSeq);
  }

  private framePackets(chunk: Uint8Array, frameNo: number): number {
    let off = 0;
    const n = chunk.length;
    while (off < n) {
      if (this.hdrHave < 4) {
        // Fast path: a whole, uncontinued packet inside this chunk.
        if (this.hdrHave === 0 && this.parts === 0 && n - off >= 4) {
          const len = chunk[off]! | (chunk[off + 1]! << 8) | (chunk[off + 2]! << 16);
          if (len < MAX_PART && n - off - 4 >= len) {
            const seq = chunk[off + 3]!;
            if (this.countColumns >= 0 && seq === this.countSeq && len <= this.maxPayload
              && isPlainTextRow(chunk, this.countColumns, off + 4, off + 4 + len)) {
              this.counted++;
              this.countedBytes += 4 + len;
              this.countSeq = (seq + 1) & 0xff;
              off += 4 + len;
              continue;
            }
            const cut = len > this.maxPayload;
            this.emit(seq, seq, len, 1, chunk, off + 4, off + 4 + (cut ? this.maxPayload : len), cut, frameNo);
            off += 4 + len;
            if (this.halted) return this.stop(off);
            continue;
          }
        }
        const take = Math.min(4 - this.hdrHave, n - off);
        for (let i = 0; i < take; i++) this.hdr[this.hdrHave + i] = chunk[off + i]!;
        if (this.hdrHave === 0 && this.parts === 0) this.firstFrame = frameNo;
        this.hdrHave += take;
        off += take;
        if (this.hdrHave < 4) break;
        this.partLen = this.hdr[0]! | (this.hdr[1]! << 8) | (this.hdr[2]! << 16);
        this.partHave = 0;
        if (this.parts === 0) this.firstSeq = this.hdr[3]!;
        this.parts++;
        this.reserve(Math.min(this.accLen + this.partLen, this.maxPayload));
        if (this.partLen === 0) {
          this.finishPart(frameNo);
          if (this.halted) return this.stop(off);
          continue;
        }
      }
      const take = Math.min(this.partLen - this.partHave, n - off);
      const room = Math.max(0, Math.min(take, this.maxPayload - this.accLen));
      if (room > 0) {
        this.acc.set(chunk.subarray(off, off + room), this.accLen);
        this.accLen += room;
      }
      this.partHave += take;
      this.logicalLen += take;
      off += take;
      if (this.partHave === this.partLen) {
        this.finishPart(frameNo);
        if (this.halted) return this.stop(off);
      }
    }
    return n;
  }

  private stop(off: number): number {
    this.halted = false;
    this.reset();
    return off;
  }

  private finishPart(frameNo: number): void {
    this.hdrHave = 0;
    if (this.partLen === MAX_PART || this.partFrames) (this.partFrames ??= []).push(frameNo);
    if (this.partLen === MAX_PART) return; // continued by the next packet
    const seq = this.hdr[3]!;
    this.out.partFrames = this.partFrames;
    this.partFrames = undefined;
    this.emit(this.firstSeq, seq, this.logicalLen, this.parts, this.acc, 0, this.accLen, this.logicalLen > this.accLen, frameNo, this.firstFrame);
    this.out.partFrames = undefined;
    this.accLen = 0;
    this.logicalLen = 0;
    this.parts = 0;
  }

  private reserve(size: number): void {
    if (this.acc.length >= size) return;
    let cap = Math.max(256, this.acc.length * 2);
    while (cap < size) cap *= 2;
    const next = new Uint8Array(Math.min(cap, Math.max(size, this.maxPayload)));
    next.set(this.acc.subarray(0, this.accLen));
    this.acc = next;
  }

  private emit(seq: number, lastSeq: number, length: number, parts: number, buf: Uint8Array, start: number, end: number,
    truncated: boolean, frameNo: number, firstFrame = frameNo): void {
    if (this.counted > 0) this.flushCounted();
    this.countColumns = -1;
    const o = this.out;
    o.seq = seq;
    o.lastSeq = lastSeq;
    o.length = length;
    o.parts = parts;
    o.buf = buf;
    o.start = start;
    o.end = end;
    o.truncated = truncated;
    o.firstFrame = firstFrame;
    this.onPacket(o);
  }
}
