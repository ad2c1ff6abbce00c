/**
 * TCP reassembly: turns captured TCP packets into per-connection, per-direction ordered byte streams with gaps,
 * following the StreamHandler contract in ./types.ts (onOpen, then onData/onGap, then onClose exactly once).
 *
 * Memory bounds (all from core/limits.ts):
 *   - Connections: at most `maxConnections` entries in the table, open or closed (a closed entry is kept as a small
 *     tombstone so late packets stay with their conversation). One more evicts the least recently active entry;
 *     an open one is closed with reason 'limit' and an over-limit issue.
 *   - Per direction of each open connection: out-of-order payload is copied into a queue of at most
 *     `maxOutOfOrderBytes` bytes and `maxOutOfOrderSegments` pieces (plus, momentarily, the segment that went over).
 *     Going over gives up the oldest hole (onGap + over-limit issue) and releases what follows.
 *   - Nothing else is buffered: in-order payload is handed on as a view of the packet (zero copy), and the packet
 *     object is never referenced after `push` returns.
 *   Worst case: maxConnections × 2 × (maxOutOfOrderBytes + one segment) of payload copies, plus a few hundred bytes of
 *   state per connection.
 *
 * Roles: the sender of a SYN without ACK is the client, the sender of a SYN+ACK the server (basis 'syn'); otherwise a
 * configured server port decides ('port'); otherwise the lower port is the server ('guess'). `swapRoles` corrects them
 * later; from then on `dir` follows the new roles.
 *
 * Lost data: a hole is given up (onGap with its exact length, then what follows is delivered) when the other
 * direction acknowledges beyond it, when the out-of-order limits are hit, or when the connection closes. A segment
 * cut by the snaplen delivers its captured part and then onGap(payloadMissing).
 *
 * After close: packets for the same 4-tuple without a new SYN are not delivered (the handler saw onClose); payload
 * among them is counted (`lateSegments`) and reported once per connection. A SYN without ACK after a close, or with
 * another ISN than the previous conversation's, opens a new conversation with a new index (like tcp.stream). If the
 * previous conversation on that 4-tuple was still open, it is closed first with 'end-of-capture' (its capture
 * ended: the port was reused) and an info issue.
 *
 * Issues (layer 'reassembly'): reassembly.lost_segment (gap; not for snaplen cuts, which decode reports),
 * reassembly.out_of_order_limit and reassembly.connection_limit (over-limit), reassembly.data_after_close
 * (unexpected, once per connection), reassembly.port_reuse (info).
 */
import type { TcpPacket } from '../decode/types.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../decode/types.js';
import type { ConnInfo, Dir, Endpoint, RoleBasis } from '../flow/types.js';
import { ConnTable, connKey, isEndpointA, startsNewConversation, type TableEntry } from '../flow/conn-table.js';
import type { Issue } from '../core/issues.js';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import { HalfStream, type GapCause, type HalfStreamSink } from './half-stream.js';
import type { CloseReason, SegmentKind, ServerPortTest, StreamHandler } from './types.js';

export interface TcpReassemblerOptions {
  isServerPort: ServerPortTest;
  limits?: Partial<Limits>;
  /** `conn`: the tcp.stream index of the connection the issue is about (a parallel run counts it where it is decoded). */
  onIssue?(issue: Issue, conn: number): void;
}

/** One conversation in the table. Halves are stored by sending endpoint (A = the canonical first endpoint). */
export class Conn implements TableEntry<Conn> {
  lruPrev: Conn | null = null;
  lruNext: Conn | null = null;
  readonly a: HalfStream<Conn>;
  readonly b: HalfStream<Conn>;
  closed = false;
  stopped = false;
  lateSegments = 0;
  lastFrame = 0;
  lastTsSec = 0;
  lastTsNsec = 0;

  constructor(
    readonly key: string,
    readonly aIp: string,
    readonly aPort: number,
    readonly bIp: string,
    readonly bPort: number,
    readonly info: ConnInfo,
    /** Endpoint A is the client (flipped by swapRoles). */
    public aIsClient: boolean,
    sink: HalfStreamSink<Conn>,
    limits: Limits,
  ) {
    this.a = new HalfStream<Conn>(this, true, sink, limits.maxOutOfOrderBytes, limits.maxOutOfOrderSegments);
    this.b = new HalfStream<Conn>(this, false, sink, limits.maxOutOfOrderBytes, limits.maxOutOfOrderSegments);
  }

  dirOf(fromA: boolean): Dir {
    return fromA === this.aIsClient ? 'c2s' : 's2c';
  }
}

const EMPTY = new Uint8Array(0);

export class TcpReassembler {
  private readonly handler: StreamHandler;
  private readonly isServerPort: ServerPortTest;
  private readonly limits: Limits;
  private readonly onIssue: ((i: Issue, conn: number) => void) | undefined;
  private readonly table: ConnTable<Conn>;
  private readonly sink: HalfStreamSink<Conn>;
  /** The packet being processed (or a synthetic one at end/eviction); only set during push/end. */
  private cur: TcpPacket | null = null;
  /** Reused packet for output that happens without a current packet (end of capture, eviction). */
  private readonly synthetic: TcpPacket = {
    frameNo: 0, tsSec: 0, tsNsec: 0, ipVersion: 4, src: '', dst: '', srcPort: 0, dstPort: 0, seq: 0, ack: 0,
    flags: 0, window: 0, payload: EMPTY, payloadMissing: 0, checksumOk: undefined, vlan: [],
  };
  /** Reused packet for bytes released from an out-of-order queue (their own frame and time). */
  private readonly released: TcpPacket = { ...this.synthetic };
  private openCount = 0;
  private lateTotal = 0;
  /** The previous packet's connection and 4-tuple (see push). */
  private last: Conn | undefined;
  private lastGeneration = -1;
  private lastFwd = true;
  private lastSrc = '';
  private lastDst = '';
  private lastSrcPort = -1;
  private lastDstPort = -1;
  /** The connection of the packet being pushed, once push() knows it goes on (see lastConn). */
  private pushed: Conn | undefined;

  constructor(handler: StreamHandler, opts: TcpReassemblerOptions) {
    this.handler = handler;
    this.isServerPort = opts.isServerPort;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.onIssue = opts.onIssue;
    this.table = new ConnTable<Conn>(this.limits.maxConnections, (c) => this.evict(c));
    this.sink = {
      data: (h, bytes, origin) => {
        const c = h.owner;
        let pkt = this.cur ?? this.synthetic;
        if (origin !== undefined) {
          // Released after a hole was given up: these bytes belong to the frame they arrived in (its time and its
          // acknowledgement, which pairing after a gap reads), not to the frame that gave the hole up.
          pkt = Object.assign(this.released, pkt);
          pkt.frameNo = origin.frameNo;
          pkt.tsSec = origin.tsSec;
          pkt.tsNsec = origin.tsNsec;
          pkt.ack = origin.ack;
        }
        const ok = this.handler.onData(c.info, c.dirOf(h.fromA), bytes, pkt);
        if (!ok) this.stopConn(c);
        return ok;
      },
      gap: (h, length, cause, endSeq) => {
        const c = h.owner;
        const pkt = this.cur ?? this.synthetic;
        if (cause !== 'snaplen') this.reportGap(c, h, length, cause, pkt.frameNo);
        this.handler.onGap(c.info, c.dirOf(h.fromA), length, pkt, endSeq);
      },
      overLimit: (h, what, bytes, segments) => {
        const c = h.owner;
        this.issue(
          'over-limit',
          'reassembly.out_of_order_limit',
          `Connection #${c.info.index} ${dirText(c.dirOf(h.fromA))}: the out-of-order queue reached ${segments} ` +
            `segments / ${bytes} bytes (limits ${this.limits.maxOutOfOrderSegments} segments, ` +
            `${this.limits.maxOutOfOrderBytes} bytes); the oldest hole is given up as lost (raise the limit if the capture is just reordered).`,
          (this.cur ?? this.synthetic).frameNo,
          c.info.index,
        );
      },
    };
  }

  /** TCP conversations seen so far (= the next tcp.stream index). */
  get connectionCount(): number {
    return this.table.conversations;
  }

  /** Connections open right now. */
  get openConnections(): number {
    return this.openCount;
  }

  /** Segments with payload that arrived after their connection was closed (not delivered). */
  get lateSegments(): number {
    return this.lateTotal;
  }

  /**
   * The connection the last push() went on with, and whether that packet was sent by A (undefined when it was a
   * closed connection's late segment).
   */
  get lastConn(): Conn | undefined {
    return this.pushed;
  }

  get lastForward(): boolean {
    return this.lastFwd;
  }

  /** Changes whenever a connection is added to or removed from the table: a Conn kept while it stays is current. */
  get generation(): number {
    return this.table.generation;
  }

  /**
   * A segment without SYN, FIN or RST on an open connection whose data is not wanted (stopped), given by its
   * numbers: what push() does for it, without a TcpPacket (a parallel run's fast path over the connections other
   * threads decode, pipeline/foreign.ts). `fwd`: sent by endpoint A. No onSegment: this thread counts nothing
   * of those connections.
   */
  pushStopped(c: Conn, fwd: boolean, seq: number, ack: number, flags: number, len: number, missing: number, frameNo: number, tsSec: number, tsNsec: number): void {
    this.table.touch(c);
    this.arrived(c, fwd, flags, ack, frameNo, tsSec, tsNsec);
    const h = fwd ? c.a : c.b;
    h.stamp(frameNo, tsSec, tsNsec, ack);
    h.segmentStopped(seq, len, missing);
  }

  /** A segment of `c` arrived: its last frame and time, and the acknowledgement it carries for the other half. */
  private arrived(c: Conn, fwd: boolean, flags: number, ack: number, frameNo: number, tsSec: number, tsNsec: number): void {
    c.lastFrame = frameNo;
    c.lastTsSec = tsSec;
    c.lastTsNsec = tsNsec;
    if ((flags & TCP_ACK) !== 0) (fwd ? c.b : c.a).ack(ack);
  }

  push(pkt: TcpPacket): void {
    this.pushed = undefined;
    const flags = pkt.flags;
    let fwd: boolean;
    let c: Conn | undefined;
    const last = this.last;
    if (last !== undefined && this.lastGeneration === this.table.generation && pkt.srcPort === this.lastSrcPort
      && pkt.dstPort === this.lastDstPort && pkt.src === this.lastSrc && pkt.dst === this.lastDst) {
      // Same 4-tuple as the previous packet (decoded addresses are shared strings): no key to build or look up.
      c = last;
      fwd = this.lastFwd;
    } else if (last !== undefined && this.lastGeneration === this.table.generation && pkt.srcPort === this.lastDstPort
      && pkt.dstPort === this.lastSrcPort && pkt.src === this.lastDst && pkt.dst === this.lastSrc) {
      c = last; // the reply direction of the previous packet
      fwd = !this.lastFwd;
    } else {
      fwd = isEndpointA(pkt.src, pkt.srcPort, pkt.dst, pkt.dstPort);
      c = fwd ? this.table.find(pkt.src, pkt.srcPort, pkt.dst, pkt.dstPort) : this.table.find(pkt.dst, pkt.dstPort, pkt.src, pkt.srcPort);
    }
    this.cur = pkt;
    try {
      if (c !== undefined && (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
        const h = fwd ? c.a : c.b;
        const prev = { closed: c.closed, senderBaseSeq: h.hasBase ? h.baseSeq : undefined };
        if (startsNewConversation(prev, flags, pkt.seq)) {
          if (!c.closed) {
            this.issue(
              'info',
              'reassembly.port_reuse',
              `Connection #${c.info.index} was still open when a new SYN reused its addresses and ports; ` +
                `it ends here and a new connection starts.`,
              pkt.frameNo,
              c.info.index,
            );
          }
          if (!c.closed) this.close(c, 'end-of-capture', null);
          c = undefined;
        }
      }
      if (c === undefined) {
        c = this.open(fwd, pkt);
      } else {
        this.table.touch(c);
        if (c.closed) {
          if (pkt.payload.length + pkt.payloadMissing > 0 && (flags & TCP_RST) === 0) {
            this.lateTotal++;
            if (c.lateSegments++ === 0) {
              this.issue(
                'unexpected',
                'reassembly.data_after_close',
                `Connection #${c.info.index} received data after it was closed (without a new SYN); it is ignored.`,
                pkt.frameNo,
                c.info.index,
              );
            }
          }
          return;
        }
      }
      this.last = c;
      this.pushed = c;
      this.lastGeneration = this.table.generation;
      this.lastFwd = fwd;
      this.lastSrc = pkt.src;
      this.lastDst = pkt.dst;
      this.lastSrcPort = pkt.srcPort;
      this.lastDstPort = pkt.dstPort;
      this.arrived(c, fwd, flags, pkt.ack, pkt.frameNo, pkt.tsSec, pkt.tsNsec);
      const h = fwd ? c.a : c.b;
      if ((flags & TCP_RST) !== 0) {
        if (this.handler.onSegment !== undefined) this.handler.onSegment(c.info, c.dirOf(fwd), 'rst', pkt);
        this.close(c, 'rst', pkt);
        return;
      }
      const syn = (flags & TCP_SYN) !== 0;
      h.stamp(pkt.frameNo, pkt.tsSec, pkt.tsNsec, pkt.ack);
      let kind: SegmentKind = h.segment(pkt.seq, pkt.payload, pkt.payloadMissing, syn, (flags & TCP_FIN) !== 0);
      if (syn) kind = 'syn';
      if (this.handler.onSegment !== undefined) this.handler.onSegment(c.info, c.dirOf(fwd), kind, pkt);
      if (c.a.finSeen && c.b.finSeen) this.close(c, 'fin', pkt);
    } finally {
      this.cur = null;
    }
  }

  /** End of capture: closes every open connection (in index order) with 'end-of-capture', after giving up holes. */
  end(): void {
    for (const c of [...this.table.values()]) {
      if (!c.closed) this.close(c, 'end-of-capture', null);
    }
  }

  /**
   * Corrects client/server roles (e.g. the greeting came from the side taken for the client). From now on dirs
   * passed to the handler follow the new roles. `conn` is updated in place.
   */
  swapRoles(conn: ConnInfo, basis: RoleBasis): void {
    const client = conn.client;
    conn.client = conn.server;
    conn.server = client;
    conn.roleBasis = basis;
    const c = this.find(conn);
    if (c !== undefined) c.aIsClient = !c.aIsClient;
  }

  private find(conn: ConnInfo): Conn | undefined {
    const { client: x, server: y } = conn;
    const c = this.table.get(connKey(x.ip, x.port, y.ip, y.port));
    return c !== undefined && c.info === conn ? c : undefined;
  }

  private open(fwd: boolean, pkt: TcpPacket): Conn {
    const flags = pkt.flags;
    const src: Endpoint = { ip: pkt.src, port: pkt.srcPort };
    const dst: Endpoint = { ip: pkt.dst, port: pkt.dstPort };
    let srcIsClient: boolean;
    let basis: RoleBasis;
    if ((flags & TCP_SYN) !== 0) {
      srcIsClient = (flags & TCP_ACK) === 0;
      basis = 'syn';
    } else if (this.isServerPort(pkt.dstPort)) {
      srcIsClient = true;
      basis = 'port';
    } else if (this.isServerPort(pkt.srcPort)) {
      srcIsClient = false;
      basis = 'port';
    } else {
      // The lower port is most likely the listening one; on a tie the destination is taken as the server.
      srcIsClient = pkt.srcPort >= pkt.dstPort;
      basis = 'guess';
    }
    const info: ConnInfo = {
      index: this.table.allocIndex(),
      ipVersion: pkt.ipVersion,
      client: srcIsClient ? src : dst,
      server: srcIsClient ? dst : src,
      roleBasis: basis,
      sawSyn: (flags & TCP_SYN) !== 0,
      firstTs: { sec: pkt.tsSec, nsec: pkt.tsNsec },
      firstFrame: pkt.frameNo,
    };
    const c = fwd
      ? new Conn(connKey(pkt.src, pkt.srcPort, pkt.dst, pkt.dstPort), pkt.src, pkt.srcPort, pkt.dst, pkt.dstPort, info, srcIsClient === fwd, this.sink, this.limits)
      : new Conn(connKey(pkt.src, pkt.srcPort, pkt.dst, pkt.dstPort), pkt.dst, pkt.dstPort, pkt.src, pkt.srcPort, info, srcIsClient === fwd, this.sink, this.limits);
    this.table.add(c); // may evict (and close) the least recently active connection first
    this.openCount++;
    this.handler.onOpen(info, pkt);
    return c;
  }

  /** Gives up holes, delivers what is queued, then onClose. `pkt` null: a synthetic packet stands for the last one. */
  private close(c: Conn, reason: CloseReason, pkt: TcpPacket | null): void {
    if (c.closed) return;
    const saved = this.cur;
    // Without a packet (end of capture, eviction): the connection's own last frame and time, never those of
    // whichever frame of another connection came last.
    const at = pkt ?? this.fillSynthetic(c);
    this.cur = at;
    try {
      if (!c.stopped) {
        c.a.flush();
        c.b.flush();
      }
    } finally {
      this.cur = saved;
    }
    c.closed = true;
    c.a.clear();
    c.b.clear();
    this.openCount--;
    this.handler.onClose(c.info, reason, at);
  }

  private evict(c: Conn): void {
    if (c.closed) return;
    this.issue(
      'over-limit',
      'reassembly.connection_limit',
      `More than ${this.limits.maxConnections} connections are tracked at once; the least recently active one ` +
        `(#${c.info.index}) is closed early (raise maxConnections to keep it).`,
      this.cur?.frameNo,
      c.info.index,
    );
    this.close(c, 'limit', null);
  }

  private stopConn(c: Conn): void {
    if (c.stopped) return;
    c.stopped = true;
    c.a.stop();
    c.b.stop();
  }

  private fillSynthetic(c: Conn): TcpPacket {
    const p = this.synthetic;
    p.frameNo = c.lastFrame;
    p.tsSec = c.lastTsSec;
    p.tsNsec = c.lastTsNsec;
    p.ipVersion = c.info.ipVersion;
    p.src = c.info.client.ip;
    p.srcPort = c.info.client.port;
    p.dst = c.info.server.ip;
    p.dstPort = c.info.server.port;
    return p;
  }

  private reportGap(c: Conn, h: HalfStream<Conn>, length: number, cause: GapCause, frame: number): void {
    const why =
      cause === 'acked-unseen'
        ? 'the peer acknowledged them'
        : cause === 'ooo-limit'
          ? 'the out-of-order limit was reached'
          : 'the connection closed with the hole still open';
    this.issue(
      'gap',
      'reassembly.lost_segment',
      `Connection #${c.info.index} ${dirText(c.dirOf(h.fromA))}: ${length} bytes were never captured (${why}).`,
      frame,
      c.info.index,
    );
  }

  private issue(kind: Issue['kind'], code: string, message: string, frame: number | undefined, conn: number): void {
    if (this.onIssue === undefined) return;
    const i: Issue = { layer: 'reassembly', kind, code, message };
    if (frame !== undefined && frame > 0) i.frame = frame;
    this.onIssue(i, conn);
  }
}

function dirText(dir: Dir): string {
  return dir === 'c2s' ? 'client→server' : 'server→client';
}
