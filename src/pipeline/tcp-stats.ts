/**
 * TCP-level facts about one MySQL connection, gathered from the reassembler's segment classification: how it
 * ended and who ended it, retransmissions, lost bytes, keepalive probes, zero windows and the longest silence.
 * They feed `myshark conns` (and later diagnostics); records say what was said, these say what the network did.
 * Only counters and a few timestamps per connection: nothing grows with the traffic.
 */
import type { Timestamp } from '../core/time.js';
import type { ConnInfo, Dir } from '../flow/types.js';
import type { TcpPacket } from '../decode/types.js';
import type { CloseReason, SegmentKind } from '../reassembly/types.js';

/** A pair of counters, one per direction. */
export interface PerDir {
  c2s: number;
  s2c: number;
}

export interface TcpConnStats {
  /** Wireshark's tcp.stream. */
  index: number;
  /** false: the connection was already open when the capture began (no SYN seen). */
  sawSyn: boolean;
  /** Why the reassembler closed it: FIN from both sides (or one FIN and the end), RST, end of capture, limits. */
  end: CloseReason;
  /** The side that sent the first FIN, and the side that sent the first RST, if any. */
  firstFin: Dir | undefined;
  firstRst: Dir | undefined;
  /** FIN seen from each side. */
  fin: PerDir;
  /** Segments that carried only bytes already seen (fully or partly). */
  retransmissions: PerDir;
  outOfOrder: PerDir;
  /** Holes in the byte stream that were never filled: count and bytes. */
  lostSegments: PerDir;
  lostBytes: PerDir;
  keepalives: PerDir;
  /** Segments advertising a zero receive window (the sender's buffer is full: it cannot take more). */
  zeroWindows: PerDir;
  /** TCP payload bytes, retransmissions not counted twice. */
  bytes: PerDir;
  segments: PerDir;
  firstTs: Timestamp;
  firstFrame: number;
  lastTs: Timestamp;
  lastFrame: number;
  /** The first frame of each kind of trouble (the frames that prove it). */
  firstRetransFrame: number | undefined;
  firstGapFrame: number | undefined;
  firstZeroWindowFrame: number | undefined;
  firstRstFrame: number | undefined;
  /** Two facts of the MySQL session, filled in at close: TLS was started (SSLRequest), the compressed protocol in use. */
  tls: boolean;
  compressed: boolean;
  /** The longest time without any segment of this connection, and the frames on either side of it. */
  longestSilence: number;
  silenceFromFrame: number | undefined;
  silenceToFrame: number | undefined;
  /**
   * The longest time in which nothing but TCP keepalive probes (and their ACKs) crossed: the peers had nothing to
   * say. Keepalive probes break a silence but not an idle spell; `idleKeepalives` probes were seen during it and the
   * first came `idleFirstProbeAfter` seconds after it began (Linux's tcp_keepalive_time), undefined without probes.
   */
  longestIdle: number;
  idleFromFrame: number | undefined;
  idleToFrame: number | undefined;
  idleKeepalives: number;
  /** ACKs answering those probes: probes without any answer mean the peer is gone (a half-open connection). */
  idleProbeAcks: number;
  idleFirstProbeAfter: number | undefined;
  /** The first FIN and the first RST: when. */
  firstFinFrame: number | undefined;
  firstFinTs: Timestamp | undefined;
  firstRstTs: Timestamp | undefined;
  /** Bookkeeping of the current idle spell (not output). */
  activeTs: Timestamp;
  activeFrame: number;
  spellKeepalives: number;
  spellProbeAcks: number;
  spellFirstProbeTs: Timestamp | undefined;
  lastWasKeepalive: Dir | undefined;
}

const pair = (): PerDir => ({ c2s: 0, s2c: 0 });

export function newTcpStats(conn: ConnInfo): TcpConnStats {
  return {
    index: conn.index,
    sawSyn: conn.sawSyn,
    end: 'end-of-capture',
    firstFin: undefined,
    firstRst: undefined,
    fin: pair(),
    retransmissions: pair(),
    outOfOrder: pair(),
    lostSegments: pair(),
    lostBytes: pair(),
    keepalives: pair(),
    zeroWindows: pair(),
    bytes: pair(),
    segments: pair(),
    firstTs: conn.firstTs,
    firstFrame: conn.firstFrame,
    lastTs: conn.firstTs,
    lastFrame: conn.firstFrame,
    firstRetransFrame: undefined,
    firstGapFrame: undefined,
    firstZeroWindowFrame: undefined,
    firstRstFrame: undefined,
    tls: false,
    compressed: false,
    longestSilence: 0,
    silenceFromFrame: undefined,
    silenceToFrame: undefined,
    longestIdle: 0,
    idleFromFrame: undefined,
    idleToFrame: undefined,
    idleKeepalives: 0,
    idleProbeAcks: 0,
    idleFirstProbeAfter: undefined,
    firstFinFrame: undefined,
    firstFinTs: undefined,
    firstRstTs: undefined,
    activeTs: conn.firstTs,
    activeFrame: conn.firstFrame,
    spellKeepalives: 0,
    spellProbeAcks: 0,
    spellFirstProbeTs: undefined,
    lastWasKeepalive: undefined,
  };
}

const FIN = 0x01;
const RST = 0x04;

/** Counts one classified segment. */
export function countSegment(s: TcpConnStats, dir: Dir, kind: SegmentKind, pkt: TcpPacket): void {
  s.segments[dir]++;
  const gap = pkt.tsSec - s.lastTs.sec + (pkt.tsNsec - s.lastTs.nsec) / 1e9;
  if (gap > s.longestSilence) {
    s.longestSilence = gap;
    s.silenceFromFrame = s.lastFrame;
    s.silenceToFrame = pkt.frameNo;
  }
  if (gap >= 0) {
    s.lastTs = { sec: pkt.tsSec, nsec: pkt.tsNsec };
    s.lastFrame = pkt.frameNo;
  }
  countIdle(s, dir, kind, pkt);
  switch (kind) {
    case 'data':
      s.bytes[dir] += pkt.payload.length + pkt.payloadMissing;
      break;
    case 'out-of-order':
      s.outOfOrder[dir]++;
      s.bytes[dir] += pkt.payload.length + pkt.payloadMissing;
      break;
    case 'retransmission':
    case 'partial-retransmission':
      s.retransmissions[dir]++;
      s.firstRetransFrame ??= pkt.frameNo;
      break;
    case 'keepalive':
      s.keepalives[dir]++;
      break;
    case 'rst':
      if (s.firstRst === undefined) {
        s.firstRst = dir;
        s.firstRstFrame = pkt.frameNo;
        s.firstRstTs = { sec: pkt.tsSec, nsec: pkt.tsNsec };
      }
      break;
    default:
      break;
  }
  // A FIN may carry data (then the segment is classified as data): the flag says it.
  if ((pkt.flags & FIN) !== 0) {
    s.fin[dir]++;
    if (s.firstFin === undefined) {
      s.firstFin = dir;
      s.firstFinFrame = pkt.frameNo;
      s.firstFinTs = { sec: pkt.tsSec, nsec: pkt.tsNsec };
    }
  }
  // As Wireshark's tcp.analysis.zero_window: not on SYN, FIN or RST segments.
  if (pkt.window === 0 && (pkt.flags & (RST | FIN)) === 0 && kind !== 'syn') {
    s.zeroWindows[dir]++;
    s.firstZeroWindowFrame ??= pkt.frameNo;
  }
}

const secondsBetween = (a: Timestamp, sec: number, nsec: number): number => sec - a.sec + (nsec - a.nsec) / 1e9;

/** Idle spells: a keepalive probe, or a bare ACK answering one from the other side, does not end the spell. */
function countIdle(s: TcpConnStats, dir: Dir, kind: SegmentKind, pkt: TcpPacket): void {
  if (kind === 'keepalive') {
    s.spellKeepalives++;
    s.spellFirstProbeTs ??= { sec: pkt.tsSec, nsec: pkt.tsNsec };
    s.lastWasKeepalive = dir;
    return;
  }
  const probeAck = kind === 'ack' && s.lastWasKeepalive !== undefined && s.lastWasKeepalive !== dir;
  s.lastWasKeepalive = undefined;
  if (probeAck) {
    s.spellProbeAcks++;
    return;
  }
  const idle = endSpell(s, pkt.tsSec, pkt.tsNsec, pkt.frameNo);
  if (idle >= 0) {
    s.activeTs = { sec: pkt.tsSec, nsec: pkt.tsNsec };
    s.activeFrame = pkt.frameNo;
  }
  s.spellKeepalives = 0;
  s.spellProbeAcks = 0;
  s.spellFirstProbeTs = undefined;
}

/** The idle spell since the last activity ends at (sec, nsec), frame `to`: keep it if it is the longest. */
function endSpell(s: TcpConnStats, sec: number, nsec: number, to: number): number {
  const idle = secondsBetween(s.activeTs, sec, nsec);
  if (idle > s.longestIdle) {
    s.longestIdle = idle;
    s.idleFromFrame = s.activeFrame;
    s.idleToFrame = to;
    s.idleKeepalives = s.spellKeepalives;
    s.idleProbeAcks = s.spellProbeAcks;
    s.idleFirstProbeAfter = s.spellFirstProbeTs === undefined ? undefined
      : secondsBetween(s.activeTs, s.spellFirstProbeTs.sec, s.spellFirstProbeTs.nsec);
  }
  return idle;
}

/** At close: a spell that only keepalive probes ended the capture in (e.g. idle until the capture stopped) counts too. */
export function finishIdle(s: TcpConnStats): void {
  if (s.spellKeepalives > 0) endSpell(s, s.lastTs.sec, s.lastTs.nsec, s.lastFrame);
}

/** A hole of `length` bytes, noticed at frame `frameNo` (the segment after it). */
export function countGap(s: TcpConnStats, dir: Dir, length: number, frameNo: number): void {
  s.firstGapFrame ??= frameNo;
  s.lostSegments[dir]++;
  s.lostBytes[dir] += length;
}

/**
 * How the connection ended, in words: `QUIT, then FIN from client`, `FIN from server (no QUIT seen)`,
 * `FIN from server only, then RST from server (no QUIT seen)`, `open at end of capture`. `quit` says whether COM_QUIT was seen.
 */
export function describeEnd(s: TcpConnStats, quit: boolean): string {
  const side = (d: Dir | undefined): string => (d === 'c2s' ? 'client' : 'server');
  const steps: string[] = [];
  if (quit) steps.push('QUIT');
  if (s.firstFin !== undefined) steps.push(`FIN from ${side(s.firstFin)}${s.fin.c2s > 0 && s.fin.s2c > 0 ? '' : ' only'}`);
  if (s.firstRst !== undefined) steps.push(`RST from ${side(s.firstRst)}`);
  if (s.firstFin === undefined && s.firstRst === undefined) {
    steps.push(s.end === 'limit' ? 'dropped (reassembly limits)' : 'open at end of capture');
  }
  const text = steps.join(', then ');
  return quit || s.firstFin === undefined ? text : `${text} (no QUIT seen)`;
}
