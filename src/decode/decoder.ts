/**
 * The decode stage: Frame → TcpPacket (link → IPv4/IPv6 → TCP), or a counted skip. The per-frame hot path:
 * one TcpPacket, one VLAN array and one set of scratch results are reused for every frame; nothing is allocated
 * per field. Address strings are cached (the same few endpoints repeat in almost every capture).
 *
 * Checks: the IPv4 header checksum is verified and counted (`badIpChecksums`), the packet is kept. TCP checksums
 * are not verified (checksum offload makes them wrong in most captures taken on the sending host; Wireshark does
 * not verify them by default either), so `checksumOk` stays undefined.
 *
 * Bounds: the IP length field (not the frame length, which includes Ethernet padding) ends the payload; what the
 * snaplen cut off is `payloadMissing`. Never throws.
 */
import type { Frame } from '../capture/types.js';
import { decodeIpv4, formatIpv4, IPPROTO_TCP, newIpResult } from './ipv4.js';
import { decodeIpv6, formatIpv6 } from './ipv6.js';
import { decodeLink, newLinkResult } from './link.js';
import { decodeTcp } from './tcp.js';
import type { SkipReason, TcpPacket } from './types.js';

export const SKIP_REASONS: readonly SkipReason[] = [
  'not-ip',
  'not-tcp',
  'ip-fragment',
  'truncated-header',
  'malformed-header',
  'unknown-linktype',
];

/** Size of the direct-mapped address caches (a power of two). */
const CACHE_SLOTS = 256;

/** Caches IPv4 strings by their 32-bit value. */
class Ipv4Cache {
  private readonly keys = new Float64Array(CACHE_SLOTS).fill(-1);
  private readonly vals: string[] = new Array<string>(CACHE_SLOTS).fill('');
  get(d: Uint8Array, off: number): string {
    const k = ((d[off]! << 24) | (d[off + 1]! << 16) | (d[off + 2]! << 8) | d[off + 3]!) >>> 0;
    const slot = (k ^ (k >>> 8) ^ (k >>> 16) ^ (k >>> 24)) & (CACHE_SLOTS - 1);
    if (this.keys[slot] === k) return this.vals[slot]!;
    const s = formatIpv4(d, off);
    this.keys[slot] = k;
    this.vals[slot] = s;
    return s;
  }
}

/** Caches IPv6 strings by their 16 bytes. */
class Ipv6Cache {
  private readonly keys = new Uint8Array(CACHE_SLOTS * 16);
  private readonly used = new Uint8Array(CACHE_SLOTS);
  private readonly vals: string[] = new Array<string>(CACHE_SLOTS).fill('');
  get(d: Uint8Array, off: number): string {
    let h = 0;
    for (let i = 0; i < 16; i++) h = (h * 31 + d[off + i]!) | 0;
    const slot = (h ^ (h >>> 8) ^ (h >>> 16)) & (CACHE_SLOTS - 1);
    const base = slot * 16;
    if (this.used[slot] === 1) {
      let same = true;
      for (let i = 0; i < 16; i++) {
        if (this.keys[base + i] !== d[off + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.vals[slot]!;
    }
    const s = formatIpv6(d, off);
    for (let i = 0; i < 16; i++) this.keys[base + i] = d[off + i]!;
    this.used[slot] = 1;
    this.vals[slot] = s;
    return s;
  }
}

export class PacketDecoder {
  /** Frames skipped, by reason. */
  readonly skipped: Record<SkipReason, number> = {
    'not-ip': 0,
    'not-tcp': 0,
    'ip-fragment': 0,
    'truncated-header': 0,
    'malformed-header': 0,
    'unknown-linktype': 0,
  };
  /** Why the last frame was skipped (undefined when it decoded). */
  lastSkip: SkipReason | undefined;
  /** IPv4 headers whose checksum was wrong (the packets were still decoded). */
  badIpChecksums = 0;
  /** The last decoded frame's IPv4 header checksum was wrong. */
  lastIpChecksumBad = false;
  /** Frames whose IP length field was 0 (TSO) and were bounded by the capture instead. */
  ipLengthFromCapture = 0;

  private readonly link = newLinkResult();
  private readonly ip = newIpResult();
  private readonly v4 = new Ipv4Cache();
  private readonly v6 = new Ipv6Cache();
  private readonly pkt: TcpPacket = {
    frameNo: 0,
    tsSec: 0,
    tsNsec: 0,
    ipVersion: 4,
    src: '',
    dst: '',
    srcPort: 0,
    dstPort: 0,
    seq: 0,
    ack: 0,
    flags: 0,
    window: 0,
    payload: new Uint8Array(0),
    payloadMissing: 0,
    checksumOk: undefined,
    vlan: [],
  };

  /** The reused packet: valid until the next decode() call. */
  get packet(): TcpPacket {
    return this.pkt;
  }

  /** Decodes one frame; returns the reused TcpPacket, or null (and counts the reason) when it carries no TCP. */
  decode(frame: Frame): TcpPacket | null {
    const r = this.run(frame);
    if (r === undefined) {
      this.lastSkip = undefined;
      return this.pkt;
    }
    this.lastSkip = r;
    this.skipped[r]++;
    return null;
  }

  private run(frame: Frame): SkipReason | undefined {
    const d = frame.data;
    const p = this.pkt;
    if (p.vlan.length !== 0) p.vlan.length = 0; // setting it costs a runtime call even when it is already 0
    this.lastIpChecksumBad = false;
    let sr = decodeLink(d, frame.linkType, this.link, p.vlan);
    if (sr !== undefined) return sr;
    const off = this.link.offset;
    let ver = this.link.ipVersion;
    if (ver === 0) {
      if (d.length <= off) return 'truncated-header';
      const nib = d[off]! >> 4;
      if (nib === 4) ver = 4;
      else if (nib === 6) ver = 6;
      else return 'not-ip';
    }
    const cut = frame.origLen > d.length ? frame.origLen - d.length : 0;
    const wireEnd = d.length + cut;
    const ip = this.ip;
    if (ver === 4) {
      sr = decodeIpv4(d, off, wireEnd, ip);
      if (ip.checksumOk === false) {
        this.badIpChecksums++;
        this.lastIpChecksumBad = true;
      }
    } else {
      sr = decodeIpv6(d, off, wireEnd, ip);
    }
    if (sr !== undefined) return sr;
    if (ip.protocol !== IPPROTO_TCP) return 'not-tcp';
    sr = decodeTcp(d, ip.l4Offset, ip.ipEnd, p);
    if (sr !== undefined) return sr;
    if (ip.lengthFromCapture) this.ipLengthFromCapture++;
    p.frameNo = frame.no;
    p.tsSec = frame.tsSec;
    p.tsNsec = frame.tsNsec;
    p.ipVersion = ver;
    if (ver === 4) {
      p.src = this.v4.get(d, ip.srcOffset);
      p.dst = this.v4.get(d, ip.dstOffset);
    } else {
      p.src = this.v6.get(d, ip.srcOffset);
      p.dst = this.v6.get(d, ip.dstOffset);
    }
    p.checksumOk = undefined;
    return undefined;
  }
}
