/**
 * One direction of a TCP connection: the next expected sequence number, a bounded out-of-order queue, overlap
 * trimming, retransmission and keepalive classification, and gap declaration. All sequence arithmetic goes through
 * core/seq.ts (wrap-around at 2^32).
 *
 * Memory: the queue holds copies of out-of-order payload (the packet's bytes are only valid during push), at most
 * `maxBytes` bytes in `maxSegments` entries (momentarily one segment more, while the excess is being released).
 * Queued pieces never overlap each other. In-order payload is passed on as a view, never copied.
 */
import { seqAdd, seqDiff, seqLe, seqLt } from '../core/seq.js';
import type { SegmentKind } from './types.js';

/** Why bytes were skipped. */
export type GapCause =
  | 'acked-unseen' // the peer acknowledged bytes that were never captured
  | 'ooo-limit' // the out-of-order queue was full: the oldest hole was given up
  | 'close' // the connection closed (FIN/RST/end of capture/eviction) with a hole still open
  | 'snaplen'; // the capture cut the segment's payload short

/** Where a half-stream sends its output; implemented once by the reassembler (no closure per packet). */
export interface HalfStreamSink<O> {
  /**
   * In-order bytes (a view valid during the call). Return false to stop the stream. `origin`: the bytes were queued
   * and are released because the hole before them was given up — they arrived in that frame, at that time.
   */
  data(h: HalfStream<O>, bytes: Uint8Array, origin?: Origin): boolean;
  /** `length` bytes were lost; the stream goes on at sequence number `endSeq`. */
  gap(h: HalfStream<O>, length: number, cause: GapCause, endSeq: number): void;
  /** The out-of-order queue went over one of its limits; a hole is about to be given up. */
  overLimit(h: HalfStream<O>, what: 'bytes' | 'segments', queuedBytes: number, queuedSegments: number): void;
}

/** The frame a queued piece arrived in. */
export interface Origin {
  frameNo: number;
  tsSec: number;
  tsNsec: number;
  /** That segment's acknowledgement number: what its sender had received of the other direction. */
  ack: number;
}

/** A queued piece: `data` then `missing` bytes that the snaplen cut (span = data.length + missing). */
interface Pending extends Origin {
  seq: number;
  data: Uint8Array;
  missing: number;
}

/** Ack jumps larger than this are treated as bogus rather than as a lost stretch of data. */
const MAX_ACK_GAP = 0x40000000;

export class HalfStream<O> {
  /** nextSeq is known (a SYN or a first payload was seen). */
  hasNext = false;
  /** Next expected sequence number. */
  nextSeq = 0;
  /** Base sequence number (SYN's seq, else the first packet's seq): decides whether a later SYN is a new conversation. */
  hasBase = false;
  baseSeq = 0;
  synSeen = false;
  finSeen = false;
  /** Sequence number of the FIN (the byte after the last data byte). */
  finSeq = 0;
  finConsumed = false;
  /** Stop delivering and buffering (the consumer is not interested); classification goes on. */
  stopped = false;
  /** Statistics. */
  bytesDelivered = 0;
  bytesGapped = 0;

  private q: Pending[] = [];
  private qBytes = 0;
  /** The frame of the segment being processed (set by the reassembler): queued pieces remember it. */
  readonly now: Origin = { frameNo: 0, tsSec: 0, tsNsec: 0, ack: 0 };

  constructor(
    readonly owner: O,
    /** Whether this half is sent by endpoint A of the connection key. */
    readonly fromA: boolean,
    private readonly sink: HalfStreamSink<O>,
    private readonly maxBytes: number,
    private readonly maxSegments: number,
  ) {}

  get queuedBytes(): number {
    return this.qBytes;
  }

  get queuedSegments(): number {
    return this.q.length;
  }

  /** The frame, time and acknowledgement of the segment about to be processed (queued pieces remember them). */
  stamp(frameNo: number, tsSec: number, tsNsec: number, ack: number): void {
    const now = this.now;
    now.frameNo = frameNo;
    now.tsSec = tsSec;
    now.tsNsec = tsNsec;
    now.ack = ack;
  }

  /**
   * Processes one segment sent in this direction (flags already split out; RST is handled by the caller).
   * Returns the classification of its payload part: 'data' | 'out-of-order' | 'retransmission' |
   * 'partial-retransmission' | 'keepalive' | 'ack' | 'syn' | 'fin' (the last two only when there is no payload).
   */
  segment(seq: number, payload: Uint8Array, missing: number, syn: boolean, fin: boolean): SegmentKind {
    return this.advance(seq, payload, payload.length, missing, syn, fin);
  }

  /**
   * A segment of a stopped half, without SYN or FIN, known by its length only: the same bookkeeping as segment()
   * (a stopped half never looks at the bytes). For a parallel run's fast path over other shares' connections.
   */
  segmentStopped(seq: number, len: number, missing: number): SegmentKind {
    return this.advance(seq, EMPTY, len, missing, false, false);
  }

  /** `payload` is only read when this half is not stopped (then len is its length). */
  private advance(seq: number, payload: Uint8Array, len: number, missing: number, syn: boolean, fin: boolean): SegmentKind {
    if (!this.hasBase) {
      this.hasBase = true;
      this.baseSeq = seq;
    }
    let dataSeq = seq;
    if (syn) {
      if (!this.synSeen) {
        this.synSeen = true;
        this.baseSeq = seq;
        if (!this.hasNext) {
          this.hasNext = true;
          this.nextSeq = seqAdd(seq, 1);
        }
      }
      dataSeq = seqAdd(seq, 1);
    }
    const span = len + missing;
    let kind: SegmentKind;
    if (span === 0) {
      if (syn) kind = 'syn';
      else if (fin) kind = 'fin';
      else if (this.hasNext && seqDiff(this.nextSeq, seq) === -1) kind = 'keepalive';
      else kind = 'ack';
    } else {
      if (!this.hasNext) {
        // Picked up mid-stream: the first payload defines where the stream starts.
        this.hasNext = true;
        this.nextSeq = dataSeq;
      }
      const rel = seqDiff(this.nextSeq, dataSeq);
      if (span === 1 && rel === -1 && !syn && !fin) kind = 'keepalive';
      else if (rel + span <= 0) kind = 'retransmission';
      else if (this.stopped) {
        kind = rel < 0 ? 'partial-retransmission' : rel === 0 ? 'data' : 'out-of-order';
        this.nextSeq = seqAdd(dataSeq, span);
      } else if (rel <= 0) {
        kind = rel < 0 ? 'partial-retransmission' : 'data';
        this.deliver(-rel, payload, missing);
        this.drain(false);
      } else {
        kind = this.enqueue(dataSeq, rel, payload, missing) ? 'out-of-order' : 'retransmission';
      }
    }
    if (fin && !this.finSeen) {
      this.finSeen = true;
      this.finSeq = seqAdd(dataSeq, span);
    }
    this.tryConsumeFin();
    return kind;
  }

  /** The peer acknowledged this direction up to `ack`: bytes before it that were never seen are declared lost. */
  ack(ack: number): void {
    if (!this.hasNext || this.stopped) return;
    let target = ack;
    if (this.finSeen && seqLe(seqAdd(this.finSeq, 1), ack)) target = this.finSeq;
    const d = seqDiff(this.nextSeq, target);
    if (d <= 0 || d > MAX_ACK_GAP) return;
    while (!this.stopped && seqLt(this.nextSeq, target)) {
      const first = this.q[0];
      const to = first !== undefined && seqLt(first.seq, target) ? first.seq : target;
      this.skipTo(to, 'acked-unseen');
      this.drain(true);
    }
    this.tryConsumeFin();
  }

  /** The connection is closing: give up every hole, deliver everything queued, and declare a gap up to a seen FIN. */
  flush(): void {
    while (!this.stopped && this.q.length > 0) {
      const first = this.q[0];
      if (first === undefined) break;
      this.skipTo(first.seq, 'close');
      this.drain(true);
    }
    if (!this.stopped && this.finSeen && this.hasNext) {
      this.skipTo(this.finSeq, 'close');
      this.tryConsumeFin();
    }
  }

  /** Stop delivering and buffering; drops the queue. */
  stop(): void {
    this.stopped = true;
    this.clear();
  }

  /** Drops the queue (the connection is closed). */
  clear(): void {
    this.q = [];
    this.qBytes = 0;
  }

  /** Declares the bytes from nextSeq to `to` lost (nothing when `to` is not ahead). */
  private skipTo(to: number, cause: GapCause): void {
    const g = seqDiff(this.nextSeq, to);
    if (g <= 0) return;
    this.nextSeq = to;
    this.bytesGapped += g;
    this.sink.gap(this, g, cause, to);
  }

  /** Delivers a segment at nextSeq - skip (skip ≥ 0 bytes already seen): its new data, then its snaplen-cut bytes. */
  private deliver(skip: number, data: Uint8Array, missing: number, origin?: Origin): void {
    const len = data.length;
    if (skip < len) {
      const bytes = skip === 0 ? data : data.subarray(skip);
      this.nextSeq = seqAdd(this.nextSeq, bytes.length);
      this.bytesDelivered += bytes.length;
      if (!this.sink.data(this, bytes, origin)) {
        if (!this.stopped) this.stop();
      }
      if (this.stopped) {
        this.nextSeq = seqAdd(this.nextSeq, missing);
        return;
      }
    }
    const lost = skip <= len ? missing : missing - (skip - len);
    if (lost > 0) this.skipTo(seqAdd(this.nextSeq, lost), 'snaplen');
  }

  /**
   * Releases queued pieces that have become in order. `afterGap`: a hole was just given up, so they are handed on
   * with the frame they arrived in (a filled hole instead completes them in the current frame, as Wireshark shows).
   */
  private drain(afterGap: boolean): void {
    const q = this.q;
    while (!this.stopped && q.length > 0) {
      const e = q[0];
      if (e === undefined) break;
      const d = seqDiff(this.nextSeq, e.seq);
      if (d > 0) break;
      q.shift();
      this.qBytes -= e.data.length;
      if (-d < e.data.length + e.missing) this.deliver(-d, e.data, e.missing, afterGap ? e : undefined);
    }
    this.tryConsumeFin();
  }

  /**
   * Queues the parts of a segment (at `rel` > 0 bytes ahead of nextSeq) not already queued; copies them.
   * Returns false when every byte was already queued (a retransmission of out-of-order data).
   */
  private enqueue(seq: number, rel: number, data: Uint8Array, missing: number): boolean {
    const q = this.q;
    const span = data.length + missing;
    const end = rel + span;
    // Walk the (sorted, non-overlapping) queue and insert the uncovered pieces [cur, next queued start).
    let cur = rel;
    let added = false;
    let i = 0;
    // Skip queued pieces entirely before the new segment.
    while (i < q.length) {
      const e = q[i]!;
      const eEnd = seqDiff(this.nextSeq, e.seq) + e.data.length + e.missing;
      if (eEnd > cur) break;
      i++;
    }
    while (cur < end) {
      const e = q[i];
      const eStart = e === undefined ? end : seqDiff(this.nextSeq, e.seq);
      if (eStart > cur) {
        const pieceEnd = Math.min(eStart, end);
        q.splice(i, 0, this.piece(seq, cur - rel, pieceEnd - rel, data));
        i++;
        added = true;
        cur = pieceEnd;
      }
      if (e === undefined) break;
      const eEnd = eStart + e.data.length + e.missing;
      if (eEnd > cur) cur = eEnd;
      i++;
    }
    if (!added) return false;
    while (q.length > 0 && (this.qBytes > this.maxBytes || q.length > this.maxSegments)) {
      const first = q[0]!;
      this.sink.overLimit(this, this.qBytes > this.maxBytes ? 'bytes' : 'segments', this.qBytes, q.length);
      this.skipTo(first.seq, 'ooo-limit');
      this.drain(true);
    }
    return true;
  }

  /** A copy of bytes [a, b) of a segment starting at seq (offsets beyond data are snaplen-missing bytes). */
  private piece(seq: number, a: number, b: number, data: Uint8Array): Pending {
    const len = data.length;
    const dEnd = Math.min(b, len);
    const bytes = a < dEnd ? data.slice(a, dEnd) : EMPTY;
    const missing = b - Math.max(a, len);
    this.qBytes += bytes.length;
    const now = this.now;
    return { seq: seqAdd(seq, a), data: bytes, missing: missing > 0 ? missing : 0, frameNo: now.frameNo, tsSec: now.tsSec, tsNsec: now.tsNsec, ack: now.ack };
  }

  private tryConsumeFin(): void {
    if (!this.finSeen || this.finConsumed) return;
    if (this.stopped ? seqLe(this.finSeq, this.nextSeq) : this.nextSeq === this.finSeq) {
      this.finConsumed = true;
      const afterFin = seqAdd(this.finSeq, 1);
      if (seqLt(this.nextSeq, afterFin)) this.nextSeq = afterFin;
      this.clear();
    }
  }
}

const EMPTY = new Uint8Array(0);
