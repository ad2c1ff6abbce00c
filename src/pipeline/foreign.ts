/**
 * A share's fast path (AnalyzeOptions.share): every thread of a parallel run follows every TCP connection, so that
 * tcp.stream numbers, the table's least-recently-active order and closing stay the same everywhere, but it decodes
 * only its own. Once another share's connection is stopped (its first bytes were refused), its frames need only
 * that bookkeeping: a plain frame (decode/peek.ts) without SYN, FIN or RST of such a connection goes straight to
 * TcpReassembler.pushStopped, found by its numbers in a small direct-mapped cache of 4-tuples, without a TcpPacket,
 * address strings or a lookup by key. Any other frame goes the usual way, and after it `remember` adds its
 * connection when it qualifies. Whether a frame takes the fast path changes nothing but the time it takes: the
 * parallel tests compare every share count with one thread byte for byte.
 */
import type { Frame } from '../capture/types.js';
import type { PacketDecoder } from '../decode/decoder.js';
import { newTcpPeek, peekedChecksumOk, peekIpv4Tcp } from '../decode/peek.js';
import { TCP_FIN, TCP_RST, TCP_SYN } from '../decode/types.js';
import type { Conn, TcpReassembler } from '../reassembly/reassembler.js';

/** Cache slots (a power of two): the connections active at one time in most captures fit. */
const SLOTS = 1024;

function slotOf(src: number, dst: number, ports: number): number {
  // Not symmetric: each direction of a connection has its own slot (the peek gives the sender first).
  const h = Math.imul(src ^ Math.imul(dst, 0x9e3779b1) ^ Math.imul(ports, 0x85ebca6b), 0xc2b2ae35);
  return (h ^ (h >>> 15)) & (SLOTS - 1);
}

export class ForeignFrames {
  private readonly peek = newTcpPeek();
  private readonly srcs = new Uint32Array(SLOTS);
  private readonly dsts = new Uint32Array(SLOTS);
  private readonly ports = new Uint32Array(SLOTS);
  private readonly conns: (Conn | undefined)[] = new Array<Conn | undefined>(SLOTS).fill(undefined);
  /** 1: the slot's direction is sent by endpoint A. */
  private readonly forward = new Uint8Array(SLOTS);
  /** The reassembler's generation the entries were made in: any connection added or removed since clears them. */
  private generation = -1;
  /** The current frame was peeked (by take). */
  private peeked = false;

  constructor(
    private readonly reassembler: TcpReassembler,
    private readonly decoder: PacketDecoder,
    /** Whether this share decodes the connection with this tcp.stream index. */
    private readonly owns: (index: number) => boolean,
  ) {}

  /** Handles the frame and returns true when it is a known stopped connection's plain segment; else false. */
  take(f: Frame): boolean {
    const p = this.peek;
    this.peeked = peekIpv4Tcp(f, p);
    if (!this.peeked || (p.flags & (TCP_SYN | TCP_FIN | TCP_RST)) !== 0 || this.generation !== this.reassembler.generation) return false;
    const slot = slotOf(p.src, p.dst, p.ports);
    const c = this.conns[slot];
    if (c === undefined || c.closed || this.srcs[slot] !== p.src || this.dsts[slot] !== p.dst || this.ports[slot] !== p.ports) return false;
    if (!peekedChecksumOk(f)) this.decoder.badIpChecksums++;
    this.reassembler.pushStopped(c, this.forward[slot] === 1, p.seq, p.ack, p.flags, p.len, p.missing, f.no, f.tsSec, f.tsNsec);
    return true;
  }

  /** After a frame went the usual way: keeps its connection when it is another share's, open and stopped. */
  remember(): void {
    if (!this.peeked) return;
    const r = this.reassembler;
    const c = r.lastConn;
    if (c === undefined || !c.stopped || c.closed || this.owns(c.info.index)) return;
    if (this.generation !== r.generation) {
      this.conns.fill(undefined);
      this.generation = r.generation;
    }
    const p = this.peek;
    const slot = slotOf(p.src, p.dst, p.ports);
    this.srcs[slot] = p.src;
    this.dsts[slot] = p.dst;
    this.ports[slot] = p.ports;
    this.conns[slot] = c;
    this.forward[slot] = r.lastForward ? 1 : 0;
  }
}
