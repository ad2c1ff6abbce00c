/**
 * IPv4 header (RFC 791): version/IHL, total length, flags/fragment offset, protocol, header checksum, addresses.
 * Lax and allocation-free; the result goes into a caller-owned IpResult.
 */
import type { SkipReason } from './types.js';

export const IPPROTO_TCP = 6;

/** What the IP layer tells the TCP layer. Shared by IPv4 and IPv6. */
export interface IpResult {
  /** Offset of the transport header in the frame. */
  l4Offset: number;
  /** End of the IP packet as its length field says (may lie beyond the captured bytes). */
  ipEnd: number;
  /** Transport protocol (the last next-header for IPv6). */
  protocol: number;
  /** Offsets of the source and destination addresses. */
  srcOffset: number;
  dstOffset: number;
  /** IPv4 only: false when the header checksum is wrong, true when right, undefined when not checkable. */
  checksumOk: boolean | undefined;
  /** The length field was 0 (TSO / jumbogram) and the captured length was used instead. */
  lengthFromCapture: boolean;
}

export function newIpResult(): IpResult {
  return { l4Offset: 0, ipEnd: 0, protocol: 0, srcOffset: 0, dstOffset: 0, checksumOk: undefined, lengthFromCapture: false };
}

/** RFC 1071 one's-complement sum over [off, off+len); returns true when the header sums to 0xffff. */
export function ipv4ChecksumOk(d: Uint8Array, off: number, len: number): boolean {
  let sum = 0;
  for (let i = off; i < off + len; i += 2) sum += (d[i]! << 8) | d[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

/**
 * Decodes the IPv4 header at `off`. `wireEnd` is where the packet ended on the wire (frame coordinates: the
 * captured length plus what the snaplen cut off); the IP total length is clamped to it.
 */
export function decodeIpv4(d: Uint8Array, off: number, wireEnd: number, out: IpResult): SkipReason | undefined {
  out.checksumOk = undefined;
  out.lengthFromCapture = false;
  if (d.length < off + 20) return 'truncated-header';
  const vihl = d[off]!;
  if (vihl >> 4 !== 4) return 'malformed-header';
  const hl = (vihl & 0x0f) * 4;
  if (hl < 20) return 'malformed-header';
  if (d.length < off + hl) return 'truncated-header';
  let total = (d[off + 2]! << 8) | d[off + 3]!;
  if (total === 0) {
    // TSO: the NIC fills the length in later; the capture shows 0. Use what was on the wire, as Wireshark does.
    total = wireEnd - off;
    out.lengthFromCapture = true;
  }
  if (total < hl) return 'malformed-header';
  const fo = (d[off + 6]! << 8) | d[off + 7]!;
  out.protocol = d[off + 9]!;
  out.srcOffset = off + 12;
  out.dstOffset = off + 16;
  out.l4Offset = off + hl;
  out.ipEnd = Math.min(off + total, Math.max(wireEnd, d.length));
  out.checksumOk = ipv4ChecksumOk(d, off, hl);
  if ((fo & 0x2000) !== 0 || (fo & 0x1fff) !== 0) return 'ip-fragment';
  return undefined;
}

/** Dotted quad of the 4 bytes at `off`. */
export function formatIpv4(d: Uint8Array, off: number): string {
  return `${d[off]!}.${d[off + 1]!}.${d[off + 2]!}.${d[off + 3]!}`;
}
