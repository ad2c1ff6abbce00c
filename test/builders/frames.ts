/**
 * SYNTHETIC wire-byte builders for tests: link layers (Ethernet with VLAN tags, BSD NULL/LOOP, Linux SLL/SLL2,
 * raw IP), IPv4 (options, fragments), IPv6 (extension headers), TCP (options, correct checksums), and capture files
 * (classic pcap in either byte order and resolution; pcapng with several sections/interfaces and options).
 * Nothing here was captured from a network: every byte is made up to exercise the decoders.
 *
 * The main entry point:
 *
 *   const { data, linkType } = buildTcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 40000, dstPort: 3306,
 *                                              seq: 1, ack: 0, flags: TCP.SYN, payload: bytes, link: 'ethernet' });
 *
 * and for files:
 *
 *   buildPcap({ linkType }, [{ data, sec, frac }])                 // classic pcap
 *   new PcapngBuilder().section().iface({ linkType: 1, tsresol: 9 }).epb(0, data, { ts: 123n }).toBytes()
 */

export const TCP = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80, NS: 0x100 } as const;

export const LINK = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export type LinkKind = 'ethernet' | 'null' | 'null-be' | 'loop' | 'sll' | 'sll2' | 'raw' | 'ipv4' | 'ipv6';

// ---------------------------------------------------------------- helpers

export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatAll(parts);
}

/** Like concat, for long arrays (no spread, so no call-stack limit). */
export function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytes(...v: number[]): Uint8Array {
  return Uint8Array.from(v);
}

export function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}
function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** One's-complement checksum (RFC 1071) of the given byte ranges. */
export function inetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd = -1;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (odd < 0) odd = p[i]!;
      else {
        sum += (odd << 8) | p[i]!;
        odd = -1;
      }
    }
  }
  if (odd >= 0) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Parses `10.0.0.1` into 4 bytes. */
export function ipv4Bytes(s: string): Uint8Array {
  const p = s.split('.').map((x) => Number(x));
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`bad IPv4 ${s}`);
  return Uint8Array.from(p);
}

/** Parses any IPv6 text form (`::1`, `fe80::1`, `::ffff:1.2.3.4`) into 16 bytes. */
export function ipv6Bytes(s: string): Uint8Array {
  let tail4: Uint8Array | undefined;
  let str = s;
  const m = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (m) {
    tail4 = ipv4Bytes(m[1]!);
    str = s.slice(0, -m[1]!.length) + '0:0';
  }
  const [head, tail] = str.includes('::') ? str.split('::') : [str, undefined];
  const hw = head ? head.split(':').filter((x) => x !== '') : [];
  const tw = tail !== undefined ? tail.split(':').filter((x) => x !== '') : [];
  const fill = tail !== undefined ? 8 - hw.length - tw.length : 0;
  const words = [...hw, ...Array<string>(fill).fill('0'), ...tw].map((w) => parseInt(w, 16));
  if (words.length !== 8 || words.some((w) => !(w >= 0 && w <= 0xffff))) throw new Error(`bad IPv6 ${s}`);
  const out = new Uint8Array(16);
  words.forEach((w, i) => put16(out, 2 * i, w));
  if (tail4) out.set(tail4, 12);
  return out;
}

// ---------------------------------------------------------------- TCP

export interface TcpOptions {
  srcPort?: number;
  dstPort?: number;
  seq?: number;
  ack?: number;
  /** Flag bits (TCP.*); NS is bit 8. Default ACK|PSH when there is a payload, else ACK. */
  flags?: number;
  window?: number;
  /** Raw option bytes (padded with zeros to a multiple of 4). */
  options?: Uint8Array;
  payload?: Uint8Array;
  /** Force the data offset field (in 32-bit words), e.g. to make it bogus. */
  dataOffsetWords?: number;
  /** Checksum value to write; default: computed over the pseudo header given by the IP builder, else 0. */
  checksum?: number;
}

/** A TCP segment (header + options + payload); checksum 0 unless `pseudo` (the IP pseudo header) is given. */
export function tcpSegment(o: TcpOptions, pseudo?: Uint8Array): Uint8Array {
  const opt = o.options ?? new Uint8Array(0);
  const optLen = (opt.length + 3) & ~3;
  const hl = 20 + optLen;
  const payload = o.payload ?? new Uint8Array(0);
  const seg = new Uint8Array(hl + payload.length);
  put16(seg, 0, o.srcPort ?? 40000);
  put16(seg, 2, o.dstPort ?? 3306);
  put32(seg, 4, (o.seq ?? 1) >>> 0);
  put32(seg, 8, (o.ack ?? 0) >>> 0);
  const flags = o.flags ?? (payload.length > 0 ? TCP.ACK | TCP.PSH : TCP.ACK);
  seg[12] = ((o.dataOffsetWords ?? hl / 4) << 4) | ((flags >> 8) & 1);
  seg[13] = flags & 0xff;
  put16(seg, 14, o.window ?? 65535);
  seg.set(opt, 20);
  seg.set(payload, hl);
  if (o.checksum !== undefined) put16(seg, 16, o.checksum);
  else if (pseudo) put16(seg, 16, inetChecksum(pseudo, seg));
  return seg;
}

// ---------------------------------------------------------------- IPv4

export interface Ipv4Options {
  src?: string;
  dst?: string;
  protocol?: number;
  ttl?: number;
  id?: number;
  /** More-fragments flag. */
  mf?: boolean;
  /** Don't-fragment flag (default true). */
  df?: boolean;
  /** Fragment offset in 8-byte units. */
  fragOffset?: number;
  /** Raw IP options (padded to a multiple of 4). */
  options?: Uint8Array;
  /** Override the total length field (e.g. 0 for TSO, or a lie). */
  totalLength?: number;
  /** Write a wrong header checksum. */
  badChecksum?: boolean;
}

export function ipv4Pseudo(src: Uint8Array, dst: Uint8Array, proto: number, len: number): Uint8Array {
  const p = new Uint8Array(12);
  p.set(src, 0);
  p.set(dst, 4);
  p[9] = proto;
  put16(p, 10, len);
  return p;
}

/** An IPv4 packet around `l4`. */
export function ipv4Packet(o: Ipv4Options, l4: Uint8Array): Uint8Array {
  const opt = o.options ?? new Uint8Array(0);
  const hl = 20 + ((opt.length + 3) & ~3);
  const p = new Uint8Array(hl + l4.length);
  p[0] = 0x40 | (hl / 4);
  put16(p, 2, o.totalLength ?? hl + l4.length);
  put16(p, 4, o.id ?? 0x1234);
  put16(p, 6, ((o.df ?? true) ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) & 0x1fff));
  p[8] = o.ttl ?? 64;
  p[9] = o.protocol ?? 6;
  p.set(ipv4Bytes(o.src ?? '10.0.0.1'), 12);
  p.set(ipv4Bytes(o.dst ?? '10.0.0.2'), 16);
  p.set(opt, 20);
  const ck = inetChecksum(p.subarray(0, hl));
  put16(p, 10, o.badChecksum ? ck ^ 0x5a5a : ck);
  p.set(l4, hl);
  return p;
}

// ---------------------------------------------------------------- IPv6

/** An IPv6 extension header to put between the fixed header and the transport. */
export type Ipv6Ext =
  | { type: 'hop-by-hop' | 'destination' | 'routing'; /** body bytes after next-header/length, padded to 8n+6 */ body?: Uint8Array }
  | { type: 'fragment'; offset?: number; more?: boolean; id?: number }
  | { type: 'ah'; /** ICV etc. after the fixed 12 bytes, multiple of 4 */ icv?: Uint8Array }
  | { type: 'raw'; code: number; bytes: Uint8Array /** with next header byte at 0 overwritten */ };

const EXT_CODE = { 'hop-by-hop': 0, routing: 43, fragment: 44, destination: 60, ah: 51 } as const;

export interface Ipv6Options {
  src?: string;
  dst?: string;
  /** Transport protocol after the extension headers (default 6). */
  protocol?: number;
  hopLimit?: number;
  ext?: Ipv6Ext[];
  /** Override the payload length field. */
  payloadLength?: number;
}

export function ipv6Pseudo(src: Uint8Array, dst: Uint8Array, proto: number, len: number): Uint8Array {
  const p = new Uint8Array(40);
  p.set(src, 0);
  p.set(dst, 16);
  put32(p, 32, len);
  p[39] = proto;
  return p;
}

function extBytes(e: Ipv6Ext, next: number): { code: number; b: Uint8Array } {
  switch (e.type) {
    case 'fragment': {
      const b = new Uint8Array(8);
      b[0] = next;
      put16(b, 2, (((e.offset ?? 0) & 0x1fff) << 3) | (e.more ? 1 : 0));
      put32(b, 4, e.id ?? 0xabcd);
      return { code: 44, b };
    }
    case 'ah': {
      const icv = e.icv ?? new Uint8Array(12);
      const b = new Uint8Array(12 + icv.length);
      b[0] = next;
      b[1] = b.length / 4 - 2;
      b.set(icv, 12);
      return { code: 51, b };
    }
    case 'raw': {
      const b = e.bytes.slice();
      b[0] = next;
      return { code: e.code, b };
    }
    default: {
      const body = e.body ?? bytes(1, 4, 0, 0, 0, 0); // PadN option filling 6 bytes
      const len = Math.ceil((body.length + 2) / 8) * 8;
      const b = new Uint8Array(len);
      b[0] = next;
      b[1] = len / 8 - 1;
      b.set(body, 2);
      if (body.length + 2 < len) {
        // PadN for the rest (or Pad1 when only one byte)
        const rest = len - body.length - 2;
        if (rest === 1) b[len - 1] = 0;
        else {
          b[body.length + 2] = 1;
          b[body.length + 3] = rest - 2;
        }
      }
      return { code: EXT_CODE[e.type], b };
    }
  }
}

/** An IPv6 packet around `l4` (extension headers are chained in the given order). */
export function ipv6Packet(o: Ipv6Options, l4: Uint8Array): Uint8Array {
  const exts = o.ext ?? [];
  let next = o.protocol ?? 6;
  const built: Uint8Array[] = [];
  for (let i = exts.length - 1; i >= 0; i--) {
    const { code, b } = extBytes(exts[i]!, next);
    built.unshift(b);
    next = code;
  }
  const payload = concat(...built, l4);
  const h = new Uint8Array(40);
  h[0] = 0x60;
  put16(h, 4, o.payloadLength ?? payload.length);
  h[6] = next;
  h[7] = o.hopLimit ?? 64;
  h.set(ipv6Bytes(o.src ?? '2001:db8::1'), 8);
  h.set(ipv6Bytes(o.dst ?? '2001:db8::2'), 24);
  return concat(h, payload);
}

// ---------------------------------------------------------------- link layers

export interface VlanTag {
  vid: number;
  /** 0x8100 (default), 0x88a8 or 0x9100. */
  tpid?: number;
  pcp?: number;
}

export interface EthernetOptions {
  dstMac?: Uint8Array;
  srcMac?: Uint8Array;
  /** Tags outermost first; a number is an 802.1Q tag with that VLAN id. */
  vlan?: (number | VlanTag)[];
  /** Pad the frame with zeros to at least this many bytes (60 = the Ethernet minimum without FCS). */
  padTo?: number;
}

export function ethernet(ethertype: number, payload: Uint8Array, o: EthernetOptions = {}): Uint8Array {
  const tags = (o.vlan ?? []).map((t) => (typeof t === 'number' ? { vid: t } : t));
  const h = new Uint8Array(14 + 4 * tags.length);
  h.set(o.dstMac ?? bytes(0x02, 0, 0, 0, 0, 2), 0);
  h.set(o.srcMac ?? bytes(0x02, 0, 0, 0, 0, 1), 6);
  let p = 12;
  for (const t of tags) {
    put16(h, p, t.tpid ?? 0x8100);
    put16(h, p + 2, ((t.pcp ?? 0) << 13) | (t.vid & 0xfff));
    p += 4;
  }
  put16(h, p, ethertype);
  let f = concat(h, payload);
  if (o.padTo !== undefined && f.length < o.padTo) f = concat(f, new Uint8Array(o.padTo - f.length));
  return f;
}

/** BSD NULL: the address family as a host-order u32 (`littleEndian` default true, as on x86). */
export function nullLink(family: number, payload: Uint8Array, littleEndian = true): Uint8Array {
  const h = new Uint8Array(4);
  new DataView(h.buffer).setUint32(0, family, littleEndian);
  return concat(h, payload);
}

/** OpenBSD LOOP: the address family as a network-order u32. */
export function loopLink(family: number, payload: Uint8Array): Uint8Array {
  return nullLink(family, payload, false);
}

/** Linux cooked capture v1 (16-byte header). */
export function sll(protocol: number, payload: Uint8Array, packetType = 0): Uint8Array {
  const h = new Uint8Array(16);
  put16(h, 0, packetType);
  put16(h, 2, 1); // ARPHRD_ETHER
  put16(h, 4, 6);
  h.set(bytes(0x02, 0, 0, 0, 0, 1), 6);
  put16(h, 14, protocol);
  return concat(h, payload);
}

/** Linux cooked capture v2 (20-byte header). */
export function sll2(protocol: number, payload: Uint8Array, ifindex = 1): Uint8Array {
  const h = new Uint8Array(20);
  put16(h, 0, protocol);
  put32(h, 4, ifindex);
  put16(h, 8, 1); // ARPHRD_ETHER
  h[10] = 0; // packet type
  h[11] = 6;
  h.set(bytes(0x02, 0, 0, 0, 0, 1), 12);
  return concat(h, payload);
}

/** Wraps an IP packet in the given link layer; returns the frame bytes and the pcap link type. */
export function wrapLink(link: LinkKind, ipVersion: 4 | 6, ip: Uint8Array, eth: EthernetOptions = {}): { data: Uint8Array; linkType: number } {
  const et = ipVersion === 4 ? 0x0800 : 0x86dd;
  switch (link) {
    case 'ethernet':
      return { data: ethernet(et, ip, eth), linkType: LINK.ETHERNET };
    case 'null':
      return { data: nullLink(ipVersion === 4 ? 2 : 30, ip, true), linkType: LINK.NULL };
    case 'null-be':
      return { data: nullLink(ipVersion === 4 ? 2 : 24, ip, false), linkType: LINK.NULL };
    case 'loop':
      return { data: loopLink(ipVersion === 4 ? 2 : 24, ip), linkType: LINK.LOOP };
    case 'sll':
      return { data: sll(et, ip), linkType: LINK.LINUX_SLL };
    case 'sll2':
      return { data: sll2(et, ip), linkType: LINK.LINUX_SLL2 };
    case 'raw':
      return { data: ip, linkType: LINK.RAW };
    case 'ipv4':
      return { data: ip, linkType: LINK.IPV4 };
    case 'ipv6':
      return { data: ip, linkType: LINK.IPV6 };
  }
}

// ---------------------------------------------------------------- whole frames

export interface TcpFrameOptions extends TcpOptions {
  /** Addresses: IPv4 dotted or IPv6 text; the IP version follows from them unless `ipVersion` is given. */
  src?: string;
  dst?: string;
  ipVersion?: 4 | 6;
  /** Default 'ethernet'. */
  link?: LinkKind;
  vlan?: EthernetOptions['vlan'];
  /** Ethernet minimum-size padding (e.g. 60). */
  padTo?: number;
  ipv4?: Omit<Ipv4Options, 'src' | 'dst'>;
  ipv6?: Omit<Ipv6Options, 'src' | 'dst'>;
}

/**
 * One complete frame carrying a TCP segment (checksums correct unless overridden).
 * Returns the frame bytes and the pcap link type to store it under.
 */
export function buildTcpFrame(o: TcpFrameOptions = {}): { data: Uint8Array; linkType: number } {
  const v6 = o.ipVersion === 6 || (o.ipVersion === undefined && ((o.src ?? '').includes(':') || (o.dst ?? '').includes(':')));
  let ip: Uint8Array;
  if (v6) {
    const src = o.src ?? '2001:db8::1';
    const dst = o.dst ?? '2001:db8::2';
    const seg0 = tcpSegment(o);
    const seg = tcpSegment(o, ipv6Pseudo(ipv6Bytes(src), ipv6Bytes(dst), 6, seg0.length));
    ip = ipv6Packet({ ...o.ipv6, src, dst }, seg);
  } else {
    const src = o.src ?? '10.0.0.1';
    const dst = o.dst ?? '10.0.0.2';
    const seg0 = tcpSegment(o);
    const seg = tcpSegment(o, ipv4Pseudo(ipv4Bytes(src), ipv4Bytes(dst), 6, seg0.length));
    ip = ipv4Packet({ ...o.ipv4, src, dst }, seg);
  }
  const eth: EthernetOptions = {};
  if (o.vlan) eth.vlan = o.vlan;
  if (o.padTo !== undefined) eth.padTo = o.padTo;
  return wrapLink(o.link ?? 'ethernet', v6 ? 6 : 4, ip, eth);
}

/** A UDP datagram in IPv4 over Ethernet (for "not TCP" cases). */
export function buildUdpFrame(srcPort = 5353, dstPort = 5353, payload: Uint8Array = new Uint8Array(4)): { data: Uint8Array; linkType: number } {
  const u = new Uint8Array(8 + payload.length);
  put16(u, 0, srcPort);
  put16(u, 2, dstPort);
  put16(u, 4, u.length);
  u.set(payload, 8);
  return wrapLink('ethernet', 4, ipv4Packet({ protocol: 17 }, u));
}

// ---------------------------------------------------------------- classic pcap files

export interface PcapFileOptions {
  linkType: number;
  snaplen?: number;
  nanosecond?: boolean;
  bigEndian?: boolean;
}

export interface PcapRecord {
  data: Uint8Array;
  sec?: number;
  /** Microseconds, or nanoseconds with `nanosecond`. */
  frac?: number;
  /** Default data.length. */
  origLen?: number;
  /** Override the stored captured length (to make a corrupt record). */
  capLen?: number;
}

/** A classic pcap file (any byte order and resolution). */
export function buildPcap(o: PcapFileOptions, records: PcapRecord[]): Uint8Array {
  const le = !o.bigEndian;
  const h = new Uint8Array(24);
  const hv = new DataView(h.buffer);
  hv.setUint32(0, o.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, le);
  hv.setUint16(4, 2, le);
  hv.setUint16(6, 4, le);
  hv.setUint32(16, o.snaplen ?? 262144, le);
  hv.setUint32(20, o.linkType, le);
  const parts: Uint8Array[] = [h];
  for (const r of records) {
    const rh = new Uint8Array(16);
    const v = new DataView(rh.buffer);
    v.setUint32(0, r.sec ?? 0, le);
    v.setUint32(4, r.frac ?? 0, le);
    v.setUint32(8, r.capLen ?? r.data.length, le);
    v.setUint32(12, r.origLen ?? r.data.length, le);
    parts.push(rh, r.data);
  }
  return concatAll(parts);
}

// ---------------------------------------------------------------- pcapng files

export interface PcapngIfaceOptions {
  linkType: number;
  snaplen?: number;
  /** if_tsresol: 10^-n when a number; {base2: n} for 2^-n. Omitted = default microseconds. */
  tsresol?: number | { base2: number };
  /** if_tsoffset in seconds. */
  tsoffset?: number;
  /** if_name. */
  name?: string;
}

export interface PcapngPacketOptions {
  /** Timestamp in interface units, as a 64-bit value. */
  ts?: bigint;
  origLen?: number;
  /** Override the stored captured length (to make a corrupt block). */
  capLen?: number;
}

/** Builds a pcapng file block by block. Each `section()` starts a new SHB (and resets interface ids). */
export class PcapngBuilder {
  private readonly parts: Uint8Array[] = [];
  private le = true;

  /** A Section Header Block; `bigEndian` selects the byte order of this section. */
  section(o: { bigEndian?: boolean; version?: [number, number] } = {}): this {
    this.le = !o.bigEndian;
    const body = new Uint8Array(16);
    const v = new DataView(body.buffer);
    v.setUint32(0, 0x1a2b3c4d, this.le);
    v.setUint16(4, o.version?.[0] ?? 1, this.le);
    v.setUint16(6, o.version?.[1] ?? 0, this.le);
    v.setInt32(8, -1, this.le); // section length unknown (-1)
    v.setInt32(12, -1, this.le);
    return this.block(0x0a0d0d0a, concat(body, this.options([[4, ascii('myshark synthetic test')]])));
  }

  /** An Interface Description Block. */
  iface(o: PcapngIfaceOptions): this {
    const h = new Uint8Array(8);
    const v = new DataView(h.buffer);
    v.setUint16(0, o.linkType, this.le);
    v.setUint32(4, o.snaplen ?? 0, this.le);
    const opts: [number, Uint8Array][] = [];
    if (o.name !== undefined) opts.push([2, ascii(o.name)]);
    if (o.tsresol !== undefined) {
      opts.push([9, bytes(typeof o.tsresol === 'number' ? o.tsresol : 0x80 | o.tsresol.base2)]);
    }
    if (o.tsoffset !== undefined) {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigInt64(0, BigInt(o.tsoffset), this.le);
      opts.push([14, b]);
    }
    return this.block(1, concat(h, this.options(opts)));
  }

  /** An Enhanced Packet Block. */
  epb(ifaceId: number, data: Uint8Array, o: PcapngPacketOptions = {}): this {
    const h = new Uint8Array(20);
    const v = new DataView(h.buffer);
    const ts = o.ts ?? 0n;
    v.setUint32(0, ifaceId, this.le);
    v.setUint32(4, Number(ts >> 32n), this.le);
    v.setUint32(8, Number(ts & 0xffffffffn), this.le);
    v.setUint32(12, o.capLen ?? data.length, this.le);
    v.setUint32(16, o.origLen ?? data.length, this.le);
    return this.block(6, concat(h, pad4(data), this.options([[1, ascii('epb comment')]])));
  }

  /** A Simple Packet Block (interface 0, no timestamp). */
  spb(data: Uint8Array, origLen = data.length): this {
    const h = new Uint8Array(4);
    new DataView(h.buffer).setUint32(0, origLen, this.le);
    return this.block(3, concat(h, pad4(data)));
  }

  /** The obsolete Packet Block (type 2). */
  pb(ifaceId: number, data: Uint8Array, o: PcapngPacketOptions = {}): this {
    const h = new Uint8Array(20);
    const v = new DataView(h.buffer);
    const ts = o.ts ?? 0n;
    v.setUint16(0, ifaceId, this.le);
    v.setUint16(2, 0, this.le);
    v.setUint32(4, Number(ts >> 32n), this.le);
    v.setUint32(8, Number(ts & 0xffffffffn), this.le);
    v.setUint32(12, o.capLen ?? data.length, this.le);
    v.setUint32(16, o.origLen ?? data.length, this.le);
    return this.block(2, concat(h, pad4(data)));
  }

  /** Any block with the given type and body (padded), e.g. a Name Resolution (4), Statistics (5) or custom one. */
  block(type: number, body: Uint8Array): this {
    const b = pad4(body);
    const out = new Uint8Array(12 + b.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, type, this.le);
    v.setUint32(4, out.length, this.le);
    out.set(b, 8);
    v.setUint32(out.length - 4, out.length, this.le);
    this.parts.push(out);
    return this;
  }

  /** Raw bytes appended as they are (to build corrupt files). */
  raw(b: Uint8Array): this {
    this.parts.push(b);
    return this;
  }

  toBytes(): Uint8Array {
    return concatAll(this.parts);
  }

  private options(opts: [number, Uint8Array][]): Uint8Array {
    if (opts.length === 0) return new Uint8Array(0);
    const parts: Uint8Array[] = [];
    for (const [code, val] of opts) {
      const h = new Uint8Array(4);
      const v = new DataView(h.buffer);
      v.setUint16(0, code, this.le);
      v.setUint16(2, val.length, this.le);
      parts.push(h, pad4(val));
    }
    parts.push(new Uint8Array(4)); // opt_endofopt
    return concat(...parts);
  }
}

function pad4(b: Uint8Array): Uint8Array {
  const n = (b.length + 3) & ~3;
  if (n === b.length) return b;
  const out = new Uint8Array(n);
  out.set(b);
  return out;
}
