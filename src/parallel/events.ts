/**
 * The calls a parallel run's reader makes on the sessions of one worker's connections, written down so that the
 * worker can make them itself (replay.ts). The reader runs the whole front end once — capture, link/IP/TCP,
 * reassembly, MySQL detection, tcp.stream numbering — exactly as a one-thread run does; where that run would call
 * a MySqlSession, a Forwarder appends the call to its worker's EventLog instead. So every connection gets the same
 * calls, with the same bytes, frames and positions, as in one thread.
 *
 * One event is SLOTS numbers in `meta` (below); the bytes of data events are copied into `bytes` (the reader's
 * chunks are not shared: the copy is only the worker's own payload). A batch goes out per chunk of input.
 */
import type { Timestamp } from '../core/time.js';
import type { TcpPacket } from '../decode/types.js';
import type { ConnInfo, Dir } from '../flow/types.js';
import type { ConnSession } from '../pipeline/pipeline.js';
import type { CloseReason } from '../reassembly/types.js';

export const EV_OPEN = 0;
export const EV_DATA = 1;
export const EV_GAP = 2;
export const EV_CLOSE = 3;

/** Slots of one event: [type, tcp.stream index, position, dir (0 c2s, 1 s2c), frame, ts sec, ts nsec, ack, x, y]. */
export const SLOTS = 10;
/**
 * x, y by type — open: index into `opens`; data: offset and length in `bytes`; gap: length, end sequence number
 * (NaN when none); close: reason (CLOSE_REASONS index), 1 when a packet closed it (else 0: no packet, and the frame
 * fields are those of the packet the session holds, see Forwarder.last).
 */
export const CLOSE_REASONS: readonly CloseReason[] = ['fin', 'rst', 'end-of-capture', 'limit'];

/** Reader → worker: the calls of one chunk of input. */
export interface InputBatch {
  t: 'input';
  meta: Float64Array;
  bytes: Uint8Array;
  /** The connections opened in this batch, as they were when their session was made. */
  opens: ConnInfo[];
  /** Every later event has a position above this (Infinity on the last batch). */
  upTo: number;
  /** The first frame's time, on the batch that follows it (before any event). */
  first?: Timestamp;
  /** No batch follows. */
  last: boolean;
}

/** Fresh memory that is not zeroed first (every byte sent is written) and can be handed to another thread. */
function unsafeBytes(n: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

export class EventLog {
  private meta = new Float64Array(SLOTS * 4096);
  private n = 0;
  private bytes: Uint8Array;
  private len = 0;
  private opens: ConnInfo[] = [];

  constructor(private capacity = 1 << 20) {
    this.bytes = unsafeBytes(capacity);
  }

  /**
   * The events so far, as a batch's parts; the log starts again empty. Its byte memory is handed over with the batch:
   * the log goes on in `spare` (memory a worker gave back: it reads a batch's bytes only while it applies it) or in
   * new memory.
   */
  take(spare?: ArrayBuffer): Pick<InputBatch, 'meta' | 'bytes' | 'opens'> {
    const out = { meta: this.meta.slice(0, this.n * SLOTS), bytes: this.bytes.subarray(0, this.len), opens: this.opens };
    this.n = 0;
    this.len = 0;
    this.opens = [];
    this.bytes = spare !== undefined ? new Uint8Array(spare) : unsafeBytes(this.capacity);
    return out;
  }

  open(conn: ConnInfo, position: number): void {
    const i = this.event(EV_OPEN, conn.index, position, 'c2s', null);
    this.meta[i + 8] = this.opens.length;
    this.opens.push({ ...conn, client: { ...conn.client }, server: { ...conn.server }, firstTs: { ...conn.firstTs } });
  }

  data(index: number, position: number, dir: Dir, bytes: Uint8Array, pkt: TcpPacket): void {
    const i = this.event(EV_DATA, index, position, dir, pkt);
    const n = bytes.length;
    if (this.len + n > this.bytes.length) this.grow(n);
    this.bytes.set(bytes, this.len);
    this.meta[i + 8] = this.len;
    this.meta[i + 9] = n;
    this.len += n;
  }

  gap(index: number, position: number, dir: Dir, length: number, pkt: TcpPacket, endSeq: number | undefined): void {
    const i = this.event(EV_GAP, index, position, dir, pkt);
    this.meta[i + 8] = length;
    this.meta[i + 9] = endSeq ?? Number.NaN;
  }

  /** `held`: without a packet, the one the session still holds (its frame and time are what the session reads). */
  close(index: number, position: number, reason: CloseReason, pkt: TcpPacket | null, held: TcpPacket | null): void {
    const i = this.event(EV_CLOSE, index, position, 'c2s', pkt ?? held);
    this.meta[i + 8] = CLOSE_REASONS.indexOf(reason);
    this.meta[i + 9] = pkt === null ? 0 : 1;
  }

  private event(type: number, index: number, position: number, dir: Dir, pkt: TcpPacket | null): number {
    if ((this.n + 1) * SLOTS > this.meta.length) {
      const m = new Float64Array(this.meta.length * 2);
      m.set(this.meta);
      this.meta = m;
    }
    const i = this.n++ * SLOTS;
    const m = this.meta;
    m[i] = type;
    m[i + 1] = index;
    m[i + 2] = position;
    m[i + 3] = dir === 'c2s' ? 0 : 1;
    m[i + 4] = pkt === null ? 0 : pkt.frameNo;
    m[i + 5] = pkt === null ? 0 : pkt.tsSec;
    m[i + 6] = pkt === null ? 0 : pkt.tsNsec;
    m[i + 7] = pkt === null ? 0 : pkt.ack;
    return i;
  }

  private grow(n: number): void {
    this.capacity = Math.max(this.bytes.length * 2, this.len + n);
    const b = unsafeBytes(this.capacity);
    b.set(this.bytes.subarray(0, this.len));
    this.bytes = b;
  }
}

/** Stands in for a connection's MySqlSession in the reader: its calls go to the worker that decodes the connection. */
export class Forwarder implements ConnSession {
  private readonly index: number;
  /**
   * The packet of the last call: a session keeps it and reads it again when it is closed without one (end of capture,
   * connection limit). The objects are reused by the decoder and reassembler, so what it reads then is what they
   * hold at that moment, and that is what the close event carries.
   */
  private last: TcpPacket | null = null;

  constructor(conn: ConnInfo, private readonly log: EventLog, private readonly clock: { position: number }) {
    this.index = conn.index;
    log.open(conn, clock.position);
  }

  data(dir: Dir, bytes: Uint8Array, pkt: TcpPacket): void {
    this.last = pkt;
    this.log.data(this.index, this.clock.position, dir, bytes, pkt);
  }

  gap(dir: Dir, length: number, pkt: TcpPacket, endSeq?: number): void {
    this.last = pkt;
    this.log.gap(this.index, this.clock.position, dir, length, pkt, endSeq);
  }

  close(reason: CloseReason, pkt: TcpPacket | null): void {
    this.log.close(this.index, this.clock.position, reason, pkt, this.last);
  }
}
