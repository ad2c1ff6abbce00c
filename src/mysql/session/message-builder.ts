/**
 * Turns MySQL packets into records: decodes a one-packet message, or gathers the packets of a multi-packet one
 * (result set, field list, prepare response) into one record; attaches issues (decode failures, trailing bytes,
 * limits, sequence mismatches, mid-stream assumptions) and, when asked, the field tree and packet bytes.
 * It knows nothing of the protocol's state: the session (connection.ts) decides what each packet is.
 */
import type { Issue } from '../../core/issues.js';
import { DecodeError } from '../../core/issues.js';
import type { Timestamp } from '../../core/time.js';
import type { TcpPacket } from '../../decode/types.js';
import type { ConnInfo, Dir } from '../../flow/types.js';
import type { MySqlRecord, PacketRef } from '../../model/record.js';
import type { FramedPacket } from '../codec/framer.js';
import { PayloadReader } from '../codec/payload-reader.js';
import type { TlsRecordHeader } from '../codec/tls-records.js';
import { F } from '../fields.js';
import { TreeBuilder, tRestBytes } from '../messages/tree.js';
import type { MySqlEvent, TlsData } from '../messages/types.js';
import type { ConnectionFacts, SessionOptions, SessionSink } from './connection.js';

export type Decode<T> = (r: PayloadReader, t: TreeBuilder | null) => T;

interface Building {
  dir: Dir;
  frameNo: number;
  ts: Timestamp;
  packets: PacketRef[];
  /** MySQL bytes of every packet, kept or not. */
  bytes: number;
  tree: TreeBuilder | null;
  issues: Issue[];
}

export const MIDSTREAM_ASSUMPTIONS =
  'the connection started before the capture: its handshake is missing, so capabilities are assumed ' +
  '(CLIENT_PROTOCOL_41, no compression, no query attributes), an OK packet\'s info is read as length-encoded ' +
  '(CLIENT_SESSION_TRACK) only when its first byte equals the length that follows, the end of each result set ' +
  '(EOF or OK) is told apart by its length, and user, schema and thread id stay unknown unless seen later';

export class MessageBuilder {
  private building: Building | null = null;
  private readonly reader = new PayloadReader();
  /** Issues for the next message made (e.g. a sequence id mismatch found while framing its packet). */
  private readonly nextIssues: Issue[] = [];
  private assumptionShown = false;
  private pkt!: TcpPacket;
  private dir: Dir = 'c2s';

  constructor(
    private readonly conn: ConnInfo,
    private readonly facts: ConnectionFacts,
    private readonly opts: SessionOptions,
    private readonly sink: SessionSink,
  ) {}

  /** How strings of the next packets are decoded (the connection's character set for that direction). */
  setTextDecoder(decode: (b: Uint8Array) => string): void {
    this.reader.decodeText = decode;
  }

  /** The packet being processed and the direction of the message it belongs to. */
  at(pkt: TcpPacket, dir: Dir): void {
    this.pkt = pkt;
    this.dir = dir;
  }

  /** Direction of the multi-packet message being built, if any. */
  get buildingDir(): Dir | undefined {
    return this.building?.dir;
  }

  /** Attach an issue to the next message made (also from inside a decode callback, for the message decoded). */
  noteForNext(issue: Issue): void {
    this.nextIssues.push(issue);
  }

  issue(kind: Issue['kind'], code: string, message: string, offset?: number): Issue {
    const i: Issue = { layer: 'mysql', kind, code, message, frame: this.pkt.frameNo };
    if (offset !== undefined) i.offset = offset;
    return i;
  }

  /** Decode a message that is exactly one packet, and emit its record. */
  single(p: FramedPacket, decode: Decode<MySqlEvent>, unexpectedCode?: string): void {
    const t = this.opts.tree ? new TreeBuilder() : null;
    if (t) headerNodes(t, p);
    const issues: Issue[] = [];
    const r = this.reader.view(p.buf, p.start, p.end);
    let ev: MySqlEvent;
    try {
      ev = decode(r, t);
      if (r.remaining > 0 && ev.kind !== 'unknown') {
        issues.push(this.issue('malformed', 'mysql.trailing_bytes', `${r.remaining} bytes left over after the message at payload offset ${r.pos}`));
        tRestBytes(r, t, F.payload);
      }
    } catch (e) {
      ev = { kind: 'unknown', reason: this.decodeFailure(e, issues), firstByte: p.firstByte >= 0 ? p.firstByte : undefined };
    }
    if (p.truncated) issues.push(this.overLimit(p));
    if (unexpectedCode && ev.kind === 'unknown') issues.push(this.issue('unexpected', unexpectedCode, ev.reason));
    if (this.nextIssues.length > 0) issues.unshift(...this.takeIssues()); // noted while framing this packet, or by the decode callback
    this.addAssumption(issues);
    const ts = this.now();
    this.sink.emit(this.record(this.dir, firstPartFrame(p, this.pkt.frameNo), ts, ts, ev, t, [this.packetRef(p)], issues, wireBytes(p)));
  }

  /** Start a multi-packet message; the caller finishes any previous one first. */
  begin(): void {
    this.building = {
      dir: this.dir, frameNo: this.pkt.frameNo, ts: this.now(), packets: [], bytes: 0,
      tree: this.opts.tree ? new TreeBuilder() : null, issues: this.takeIssues(),
    };
  }

  /**
   * Decode one packet of the message being built; false when it could not be decoded (the issue is recorded).
   * `skipTree`: count it but keep neither its tree nor its bytes (rows beyond limits.maxRowsKept).
   */
  part(p: FramedPacket, decode: Decode<void>, skipTree = false): boolean {
    const b = this.building;
    if (!b) return false;
    const keep = !skipTree && b.packets.length < this.opts.limits.maxRowsKept + 64;
    const t = keep ? b.tree : null;
    if (t) {
      t.packet = b.packets.length;
      headerNodes(t, p);
    }
    if (keep) b.packets.push(this.packetRef(p));
    b.bytes += wireBytes(p);
    if (this.nextIssues.length > 0) b.issues.push(...this.takeIssues());
    const r = this.reader.view(p.buf, p.start, p.end);
    try {
      decode(r, t);
      if (r.remaining > 0) {
        b.issues.push(this.issue('malformed', 'mysql.trailing_bytes', `${r.remaining} bytes left over in packet ${p.seq} at payload offset ${r.pos}`));
      }
    } catch (e) {
      this.decodeFailure(e, b.issues);
      return false;
    }
    if (p.truncated) b.issues.push(this.overLimit(p));
    return true;
  }

  /**
   * Count a packet of the message being built that keeps nothing and has nothing to report (a row beyond
   * maxRowsKept); false when no message is being built or issues wait to be attached, which the general path does.
   */
  countPart(wire: number): boolean {
    const b = this.building;
    if (b === null || this.nextIssues.length > 0) return false;
    b.bytes += wire;
    return true;
  }

  /** Emit the message being built as `ev`, with `extra` issues (e.g. why it is incomplete). */
  finish(ev: MySqlEvent, extra?: Issue): void {
    const b = this.building;
    if (!b) return;
    this.building = null;
    if (extra && !b.issues.some((i) => i.kind !== 'assumption')) b.issues.push(extra);
    this.addAssumption(b.issues);
    // The same problem on every row of a result set is reported once.
    if (b.issues.length > 1) {
      const seen = new Set<string>();
      b.issues = b.issues.filter((i) => !seen.has(i.code + i.message) && seen.add(i.code + i.message) !== undefined);
    }
    if (b.tree && ev.kind === 'resultset') {
      b.tree.derived(F.rows, ev.rowCount);
      // The bound on rows kept is hit: say how many the tree leaves out.
      const notShown = ev.rowCount - this.opts.limits.maxRowsKept;
      if (notShown > 0) b.tree.derived(F.rowsNotShown, notShown);
    }
    this.sink.emit(this.record(b.dir, b.frameNo, b.ts, this.now(), ev, b.tree, b.packets, b.issues, b.bytes));
  }

  /** Add an issue to the message being built; false when there is none. */
  addToBuilding(issue: Issue): boolean {
    if (!this.building) return false;
    this.building.issues.push(issue);
    return true;
  }

  /** One TLS record after an SSLRequest (record layer only). */
  tls(h: TlsRecordHeader, frameNo: number, handshakes?: (t: TreeBuilder | null) => TlsData['handshakes']): void {
    const t = this.opts.tree ? new TreeBuilder() : null;
    let node;
    if (t) {
      node = t.open(F.tlsRecord, null, 0, 5 + h.length);
      t.add(F.tlsContentType, h.contentType, 0, 1);
      t.add(F.tlsVersion, h.version, 1, 2);
      t.add(F.tlsLength, h.length, 3, 2);
    }
    const ev: TlsData = { kind: 'tls', length: h.length, contentType: h.contentType };
    const hs = handshakes?.(t);
    if (hs && hs.length > 0) ev.handshakes = hs;
    if (t && node) t.close(node);
    const ts = this.now();
    this.sink.emit(this.record(this.dir, h.firstFrame || frameNo, ts, ts, ev, t, [{ seq: -1, length: h.length, frameNo }], this.takeIssues(), 5 + h.length));
  }

  /** A stream-level problem with no message of its own: shown as an `unknown` record so it is never lost. */
  streamIssue(issue: Issue): void {
    const ts = this.now();
    const t = this.opts.tree ? new TreeBuilder() : null;
    const reason = issue.code === 'mysql.resync' ? 'decoding resynchronised'
      : issue.kind === 'gap' ? 'lost segment'
        : issue.code === 'mysql.incomplete_packet' ? 'incomplete packet at the end' : 'stream problem';
    this.sink.emit(this.record(this.dir, this.pkt.frameNo, ts, ts, { kind: 'unknown', reason, firstByte: undefined }, t, [], [issue], 0));
  }

  /** The pending issues, handed over (a new array; the usual empty case allocates only the result). */
  private takeIssues(): Issue[] {
    if (this.nextIssues.length === 0) return [];
    return this.nextIssues.splice(0);
  }

  /** The mid-stream assumptions, once per connection, on its first message — checked after decoding, since a
   *  greeting (capture started after the SYN but before the greeting) makes them unnecessary. */
  private addAssumption(issues: Issue[]): void {
    if (this.assumptionShown || !this.facts.midstream) return;
    this.assumptionShown = true;
    issues.push({ layer: 'session', kind: 'assumption', code: 'mysql.midstream', message: MIDSTREAM_ASSUMPTIONS, frame: this.pkt.frameNo });
  }

  private now(): Timestamp {
    return { sec: this.pkt.tsSec, nsec: this.pkt.tsNsec };
  }

  /** The packet's header and payload for -x (bytes copied only when asked, capped). */
  private packetRef(p: FramedPacket): PacketRef {
    const ref: PacketRef = { seq: p.seq, length: p.length, frameNo: this.pkt.frameNo };
    if (p.parts > 1) {
      ref.parts = p.parts;
      if (p.partFrames) ref.partFrames = [...p.partFrames];
    }
    if (this.opts.hex) {
      const n = Math.min(p.payload.length, this.opts.limits.maxHexBytesPerMessage);
      const b = new Uint8Array(4 + n);
      const hdrLen = Math.min(p.length, 0xffffff);
      b[0] = hdrLen & 0xff;
      b[1] = (hdrLen >> 8) & 0xff;
      b[2] = (hdrLen >> 16) & 0xff;
      b[3] = p.seq;
      b.set(p.payload.subarray(0, n), 4);
      ref.bytes = b;
      if (n < p.length) ref.truncated = true;
    }
    return ref;
  }

  private decodeFailure(e: unknown, issues: Issue[]): string {
    if (e instanceof DecodeError) {
      issues.push(this.issue(e.kind, e.code, e.message, e.offset));
      return e.message;
    }
    const msg = e instanceof Error ? e.message : String(e);
    issues.push(this.issue('malformed', 'mysql.decoder_error', `decoder failed: ${msg}`));
    return msg;
  }

  private overLimit(p: FramedPacket): Issue {
    return this.issue('over-limit', 'mysql.payload_over_limit',
      `payload of ${p.length} bytes is larger than the ${this.opts.limits.maxMessageBytes}-byte decoding limit; only its start was decoded`);
  }

  /** A record ending at the current frame. */
  private record(dir: Dir, frameNo: number, ts: Timestamp, lastTs: Timestamp, event: MySqlEvent,
    t: TreeBuilder | null, packets: PacketRef[], issues: Issue[], bytes: number): MySqlRecord {
    if (t) for (const i of issues) t.derived(F.anomaly, i.message);
    return {
      id: this.sink.nextId(), conn: this.conn, dir, frameNo, ts, lastFrameNo: this.pkt.frameNo, lastTs, event,
      tree: t ? t.roots : null, packets, bytes, issues,
      connUser: this.facts.user, connSchema: this.facts.schema, connThreadId: this.facts.threadId, connCharset: this.facts.charset,
    };
  }
}

/** A framed packet's bytes on the wire: a 4-byte header per part, and the payload. */
function wireBytes(p: FramedPacket): number {
  return 4 * p.parts + p.length;
}

/**
 * The frame a message is shown in: the one completing its first packet — for a payload joined from 16 MiB parts,
 * the one completing the first part (as Wireshark shows it).
 */
function firstPartFrame(p: FramedPacket, current: number): number {
  return p.partFrames?.[0] ?? current;
}

/** Every packet's header fields come first in its part of the tree (offsets are relative to the payload). */
function headerNodes(t: TreeBuilder, p: FramedPacket): void {
  t.add(F.packetLength, p.length, -4, 3);
  t.add(F.packetNumber, p.seq, -1, 1);
}
