/**
 * Wires the stages: frames → PacketDecoder → TcpReassembler → (MySQL detection) → MySqlSession → records.
 * Push-based and synchronous per frame; `analyze` (analyze.ts) drives it from a capture stream.
 */
import type { AnalyzeOptions, Totals } from '../api-types.js';
import type { Frame } from '../capture/types.js';
import type { Issue } from '../core/issues.js';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import { PacketDecoder } from '../decode/decoder.js';
import type { TcpPacket } from '../decode/types.js';
import type { ConnInfo, Dir } from '../flow/types.js';
import type { MySqlRecord } from '../model/record.js';
import { MySqlSession, type SessionSink } from '../mysql/session/connection.js';
import { TcpReassembler } from '../reassembly/reassembler.js';
import type { CloseReason, SegmentKind, StreamHandler } from '../reassembly/types.js';
import { MySqlDetector } from './detect.js';
import { ForeignFrames } from './foreign.js';
import { countGap, countSegment, finishIdle, newTcpStats, type TcpConnStats } from './tcp-stats.js';

interface ConnEntry {
  session: MySqlSession | undefined;
  detector: MySqlDetector | undefined;
  /** Only when the caller asked for onConnection. */
  tcp: TcpConnStats | undefined;
}

export class Pipeline implements StreamHandler {
  readonly totals: Totals = newTotals();
  readonly limits: Limits;
  private readonly decoder = new PacketDecoder();
  private readonly reassembler: TcpReassembler;
  /** A share of a parallel run: the fast path over other shares' connections. */
  private readonly foreign: ForeignFrames | undefined;
  private readonly ports: Set<number>;
  private readonly autoDetect: boolean;
  private readonly conns = new Map<number, ConnEntry>();
  private recordId = 0;
  private firstFrameSeen = false;
  /** Set while end() closes what is still open: positions then follow the connection index. */
  private ending = false;

  constructor(
    private readonly opts: AnalyzeOptions,
    private readonly onRecord: (r: MySqlRecord) => void,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.ports = new Set(opts.ports ?? [3306]);
    this.autoDetect = opts.autoDetect !== false;
    this.reassembler = new TcpReassembler(this, {
      isServerPort: (p) => this.ports.has(p),
      limits: this.limits,
      onIssue: (i, conn) => this.issue(i, conn),
    });
    if (opts.share !== undefined && opts.share.count > 1) this.foreign = new ForeignFrames(this.reassembler, this.decoder, (i) => this.owns(i));
  }

  frame(f: Frame): void {
    this.totals.frames++;
    if (this.opts.clock !== undefined) this.opts.clock.position = f.no;
    if (!this.firstFrameSeen) {
      this.firstFrameSeen = true;
      this.opts.onFirstFrame?.({ sec: f.tsSec, nsec: f.tsNsec });
    }
    const foreign = this.foreign;
    if (foreign !== undefined && foreign.take(f)) {
      this.totals.tcpSegments++;
      return;
    }
    const pkt = this.decoder.decode(f);
    if (!pkt) return;
    this.totals.tcpSegments++;
    this.reassembler.push(pkt);
    foreign?.remember();
  }

  /** `conn`: the connection it is about, if any (a share of a parallel run counts only its own, see `owns`). */
  issue(i: Issue, conn?: number): void {
    const share = this.opts.share;
    if (share !== undefined && (conn === undefined ? share.index !== 0 : !this.owns(conn))) return;
    this.totals.issues++;
    if (i.kind !== 'info' && i.kind !== 'assumption') this.totals.anomalies++;
    this.opts.onIssue?.(i);
  }

  /** Close every connection (end of capture) and complete the totals. */
  end(): Totals {
    this.ending = true;
    this.reassembler.end();
    const t = this.totals;
    t.connections = this.reassembler.connectionCount;
    const skipped: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.decoder.skipped)) if (v > 0) skipped[k] = v;
    t.skipped = skipped;
    t.badIpChecksums = this.decoder.badIpChecksums;
    return t;
  }

  // ------------------------------------------------------------- StreamHandler

  /** Whether this run decodes the connection: always, except in a share of a parallel run (AnalyzeOptions.share). */
  private owns(index: number): boolean {
    const share = this.opts.share;
    return share === undefined || index % share.count === share.index;
  }

  onOpen(conn: ConnInfo): void {
    // Another share's connection: no entry, so its first bytes stop it (onData false) and nothing of it is counted.
    if (!this.owns(conn.index)) return;
    const entry: ConnEntry = { session: undefined, detector: undefined, tcp: this.opts.onConnection ? newTcpStats(conn) : undefined };
    if (this.ports.has(conn.server.port)) entry.session = this.newSession(conn);
    else if (this.autoDetect) entry.detector = new MySqlDetector();
    this.conns.set(conn.index, entry);
  }

  onData(conn: ConnInfo, dir: Dir, bytes: Uint8Array, pkt: TcpPacket): boolean {
    const e = this.conns.get(conn.index);
    if (!e) return false;
    if (e.session) {
      e.session.data(dir, bytes, pkt);
      return true;
    }
    if (!e.detector) return false;
    const verdict = e.detector.look(dir, bytes, pkt.frameNo);
    if (verdict === 'not-mysql') {
      e.detector = undefined;
      return false;
    }
    if (verdict === 'undecided') return true;
    const s = this.newSession(conn);
    e.session = s;
    const replay = e.detector.takeReplay();
    e.detector = undefined;
    if (replay) s.data('c2s', replay.bytes, { ...pkt, frameNo: replay.frameNo, payload: replay.bytes });
    s.data(dir, bytes, pkt);
    return true;
  }

  onGap(conn: ConnInfo, dir: Dir, length: number, pkt: TcpPacket, endSeq: number): void {
    if (!this.owns(conn.index)) return;
    this.totals.lostBytes += length;
    const e = this.conns.get(conn.index);
    if (e?.tcp) countGap(e.tcp, dir, length, pkt.frameNo);
    e?.session?.gap(dir, length, pkt, endSeq);
  }

  onSegment(conn: ConnInfo, dir: Dir, kind: SegmentKind, pkt: TcpPacket): void {
    if (this.opts.onConnection === undefined) return;
    const t = this.conns.get(conn.index)?.tcp;
    if (t) countSegment(t, dir, kind, pkt);
  }

  onClose(conn: ConnInfo, reason: CloseReason, pkt: TcpPacket): void {
    if (this.ending && this.opts.clock !== undefined) this.opts.clock.position = this.totals.frames + 1 + conn.index;
    const e = this.conns.get(conn.index);
    if (!e) return;
    e.session?.close(reason, pkt);
    this.conns.delete(conn.index);
    if (e.tcp && e.session?.facts) {
      e.tcp.end = reason;
      e.tcp.sawSyn = conn.sawSyn;
      e.tcp.tls = e.session.facts.tls;
      e.tcp.compressed = e.session.facts.compressed;
      finishIdle(e.tcp);
      this.opts.onConnection?.(e.tcp);
    }
  }

  private newSession(conn: ConnInfo): MySqlSession {
    this.totals.mysqlConnections++;
    const opts = this.opts;
    const sink: SessionSink = {
      emit: (r) => this.emit(r),
      nextId: () => ++this.recordId,
      swapRoles: (c) => this.reassembler.swapRoles(c, 'greeting'),
    };
    return new MySqlSession(conn, {
      tree: opts.tree === true, hex: opts.hex === true, limits: this.limits, holdRequests: opts.holdRequests !== false,
    }, opts.onExchange ? { ...sink, exchange: opts.onExchange } : sink);
  }

  private emit(r: MySqlRecord): void {
    countRecord(this.totals, r);
    this.onRecord(r);
  }
}

/** Totals with nothing counted yet. */
export function newTotals(): Totals {
  return {
    format: undefined, bytesRead: 0, frames: 0, tcpSegments: 0, skipped: {}, connections: 0, mysqlConnections: 0,
    messages: 0, issues: 0, anomalies: 0, truncated: false, badIpChecksums: 0, lostBytes: 0,
  };
}

/** A record into the totals: messages, issues, and the message as an anomaly when one of its issues is. */
export function countRecord(t: Totals, r: MySqlRecord): void {
  t.messages++;
  if (r.issues.some((i) => i.kind !== 'assumption' && i.kind !== 'info')) t.anomalies++;
  t.issues += r.issues.length;
}
