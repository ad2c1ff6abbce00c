/**
 * Synthetic TCP segments (TcpPacket objects) for reassembly tests, plus a recording StreamHandler.
 * Nothing here comes from a real capture: every packet is labelled with `label` for readable failures.
 */
import type { TcpPacket } from '../../src/decode/types.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../src/decode/types.js';
import type { ConnInfo, Dir } from '../../src/flow/types.js';
import type { CloseReason, SegmentKind, StreamHandler } from '../../src/reassembly/types.js';
import { seqAdd } from '../../src/core/seq.js';

export { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN };

export interface Ep {
  ip: string;
  port: number;
}

export interface SegSpec {
  src: Ep;
  dst: Ep;
  seq: number;
  ack?: number;
  flags?: number;
  payload?: Uint8Array | string;
  payloadMissing?: number;
  frameNo?: number;
  tsSec?: number;
  label?: string;
}

export type LabelledPacket = TcpPacket & { label?: string };

const enc = new TextEncoder();

export function bytes(s: string | Uint8Array): Uint8Array {
  return typeof s === 'string' ? enc.encode(s) : s;
}

/** One synthetic TCP packet. Flags default to ACK|PSH with payload, ACK without. */
export function seg(s: SegSpec): LabelledPacket {
  const payload = s.payload === undefined ? new Uint8Array(0) : bytes(s.payload);
  const p: LabelledPacket = {
    frameNo: s.frameNo ?? 0,
    tsSec: s.tsSec ?? 1_700_000_000,
    tsNsec: 0,
    ipVersion: s.src.ip.includes(':') ? 6 : 4,
    src: s.src.ip,
    dst: s.dst.ip,
    srcPort: s.src.port,
    dstPort: s.dst.port,
    seq: s.seq >>> 0,
    ack: (s.ack ?? 0) >>> 0,
    flags: s.flags ?? (payload.length > 0 ? TCP_ACK | TCP_PSH : TCP_ACK),
    window: 65535,
    payload,
    payloadMissing: s.payloadMissing ?? 0,
    checksumOk: undefined,
    vlan: [],
  };
  if (s.label !== undefined) p.label = s.label;
  return p;
}

/**
 * A two-sided conversation that tracks each side's next sequence number, so tests read like a trace:
 * `f.syn(); f.synAck(); f.c('hello'); f.s('world'); f.finC(); ...`. Each call returns the packet (not yet pushed).
 */
export class Convo {
  cSeq: number;
  sSeq: number;
  constructor(
    readonly client: Ep = { ip: '10.0.0.1', port: 50000 },
    readonly server: Ep = { ip: '10.0.0.2', port: 3306 },
    readonly cIsn = 1000,
    readonly sIsn = 5000,
  ) {
    this.cSeq = cIsn >>> 0;
    this.sSeq = sIsn >>> 0;
  }

  syn(): LabelledPacket {
    const p = seg({ src: this.client, dst: this.server, seq: this.cIsn, flags: TCP_SYN, label: 'SYN' });
    this.cSeq = seqAdd(this.cIsn, 1);
    return p;
  }

  synAck(): LabelledPacket {
    const p = seg({
      src: this.server, dst: this.client, seq: this.sIsn, ack: seqAdd(this.cIsn, 1), flags: TCP_SYN | TCP_ACK,
      label: 'SYN+ACK',
    });
    this.sSeq = seqAdd(this.sIsn, 1);
    return p;
  }

  /** Client data at its next seq (advances it), acking the server's next seq. */
  c(data: string | Uint8Array, extra: Partial<SegSpec> = {}): LabelledPacket {
    const b = bytes(data);
    const p = seg({ src: this.client, dst: this.server, seq: this.cSeq, ack: this.sSeq, payload: b, label: 'C data', ...extra });
    this.cSeq = seqAdd(this.cSeq, b.length + (extra.payloadMissing ?? 0));
    return p;
  }

  s(data: string | Uint8Array, extra: Partial<SegSpec> = {}): LabelledPacket {
    const b = bytes(data);
    const p = seg({ src: this.server, dst: this.client, seq: this.sSeq, ack: this.cSeq, payload: b, label: 'S data', ...extra });
    this.sSeq = seqAdd(this.sSeq, b.length + (extra.payloadMissing ?? 0));
    return p;
  }

  /** Pure ACK from the client acknowledging `ack` (default: the server's next seq). */
  ackC(ack = this.sSeq): LabelledPacket {
    return seg({ src: this.client, dst: this.server, seq: this.cSeq, ack, flags: TCP_ACK, label: 'C ack' });
  }

  ackS(ack = this.cSeq): LabelledPacket {
    return seg({ src: this.server, dst: this.client, seq: this.sSeq, ack, flags: TCP_ACK, label: 'S ack' });
  }

  finC(): LabelledPacket {
    const p = seg({ src: this.client, dst: this.server, seq: this.cSeq, ack: this.sSeq, flags: TCP_FIN | TCP_ACK, label: 'C FIN' });
    this.cSeq = seqAdd(this.cSeq, 1);
    return p;
  }

  finS(): LabelledPacket {
    const p = seg({ src: this.server, dst: this.client, seq: this.sSeq, ack: this.cSeq, flags: TCP_FIN | TCP_ACK, label: 'S FIN' });
    this.sSeq = seqAdd(this.sSeq, 1);
    return p;
  }

  rstC(): LabelledPacket {
    return seg({ src: this.client, dst: this.server, seq: this.cSeq, ack: this.sSeq, flags: TCP_RST | TCP_ACK, label: 'C RST' });
  }
}

export type Ev =
  | { t: 'open'; conn: ConnInfo; frame: number }
  | { t: 'data'; conn: ConnInfo; dir: Dir; bytes: Uint8Array; frame: number }
  | { t: 'gap'; conn: ConnInfo; dir: Dir; length: number; frame: number }
  | { t: 'close'; conn: ConnInfo; reason: CloseReason; frame: number }
  | { t: 'seg'; conn: ConnInfo; dir: Dir; kind: SegmentKind; frame: number };

/**
 * Records every callback (copying the bytes, which are only valid during the call) and checks the lifecycle
 * contract as it goes: open before anything else, nothing after close, close once.
 */
export class Recorder implements StreamHandler {
  events: Ev[] = [];
  violations: string[] = [];
  /** Return value of onData (may be a function of the connection). */
  accept: (conn: ConnInfo) => boolean = () => true;
  private state = new Map<ConnInfo, 'open' | 'closed'>();

  private check(conn: ConnInfo, what: string): void {
    const s = this.state.get(conn);
    if (s !== 'open') this.violations.push(`${what} on connection #${conn.index} in state ${s ?? 'unopened'}`);
  }

  onOpen(conn: ConnInfo, pkt: TcpPacket): void {
    if (this.state.has(conn)) this.violations.push(`second onOpen for #${conn.index}`);
    this.state.set(conn, 'open');
    this.events.push({ t: 'open', conn, frame: pkt.frameNo });
  }
  onData(conn: ConnInfo, dir: Dir, b: Uint8Array, pkt: TcpPacket): boolean {
    this.check(conn, 'onData');
    if (b.length === 0) this.violations.push(`empty onData on #${conn.index}`);
    this.events.push({ t: 'data', conn, dir, bytes: b.slice(), frame: pkt.frameNo });
    return this.accept(conn);
  }
  onGap(conn: ConnInfo, dir: Dir, length: number, pkt: TcpPacket): void {
    this.check(conn, 'onGap');
    if (!(length > 0)) this.violations.push(`non-positive gap ${length} on #${conn.index}`);
    this.events.push({ t: 'gap', conn, dir, length, frame: pkt.frameNo });
  }
  onClose(conn: ConnInfo, reason: CloseReason, pkt: TcpPacket): void {
    this.check(conn, 'onClose');
    this.state.set(conn, 'closed');
    this.events.push({ t: 'close', conn, reason, frame: pkt.frameNo });
  }
  onSegment(conn: ConnInfo, dir: Dir, kind: SegmentKind, pkt: TcpPacket): void {
    this.check(conn, 'onSegment');
    this.events.push({ t: 'seg', conn, dir, kind, frame: pkt.frameNo });
  }

  conns(): ConnInfo[] {
    return this.events.flatMap((e) => (e.t === 'open' ? [e.conn] : []));
  }

  /** Concatenated data of one direction (of one connection, default the first). */
  stream(dir: Dir, conn?: ConnInfo): Uint8Array {
    const parts = this.events.filter(
      (e): e is Extract<Ev, { t: 'data' }> => e.t === 'data' && e.dir === dir && (conn === undefined || e.conn === conn),
    );
    const out = new Uint8Array(parts.reduce((n, p) => n + p.bytes.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p.bytes, o);
      o += p.bytes.length;
    }
    return out;
  }

  text(dir: Dir, conn?: ConnInfo): string {
    return new TextDecoder().decode(this.stream(dir, conn));
  }

  gaps(dir?: Dir): number[] {
    return this.events.flatMap((e) => (e.t === 'gap' && (dir === undefined || e.dir === dir) ? [e.length] : []));
  }

  kinds(dir?: Dir): SegmentKind[] {
    return this.events.flatMap((e) => (e.t === 'seg' && (dir === undefined || e.dir === dir) ? [e.kind] : []));
  }

  closes(): { index: number; reason: CloseReason }[] {
    return this.events.flatMap((e) => (e.t === 'close' ? [{ index: e.conn.index, reason: e.reason }] : []));
  }
}

/**
 * Pushes packets the way the decode stage does: through ONE reused TcpPacket object whose payload buffer is
 * scribbled over after each push, so a reassembler that keeps a reference to the packet or its bytes fails tests.
 * Frame numbers are assigned 1, 2, 3… unless the packet has one.
 */
export class Feeder {
  private readonly pkt: TcpPacket = seg({ src: { ip: '0.0.0.0', port: 0 }, dst: { ip: '0.0.0.0', port: 0 }, seq: 0 });
  private scratch = new Uint8Array(2048);
  private frame = 0;
  constructor(private readonly sink: { push(p: TcpPacket): void }) {}

  push(...packets: TcpPacket[]): void {
    for (const src of packets) {
      this.frame++;
      const p = this.pkt;
      if (this.scratch.length < src.payload.length) this.scratch = new Uint8Array(src.payload.length * 2);
      this.scratch.set(src.payload);
      Object.assign(p, src);
      p.frameNo = src.frameNo !== 0 ? src.frameNo : this.frame;
      p.payload = this.scratch.subarray(0, src.payload.length);
      this.sink.push(p);
      this.scratch.fill(0xee);
      p.seq = 0xdeadbeef;
      p.src = 'scribbled';
    }
  }
}
