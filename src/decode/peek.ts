/**
 * The numbers of a plain Ethernet / IPv4 / TCP frame, read straight from its bytes: no strings, no views, no
 * TcpPacket. For a parallel run's fast path over the connections other threads decode (pipeline/foreign.ts).
 *
 * "Plain" means that PacketDecoder.decode would decode the frame, and that it would find exactly these numbers:
 * Ethernet without VLAN or PPPoE, IPv4 with a non-zero total length, not a fragment, a whole TCP header within the
 * packet and the capture. Anything else is not peeked (false): the caller decodes it as usual.
 */
import type { Frame } from '../capture/types.js';
import { ETHERTYPE_IPV4 } from './link.js';
import { IPPROTO_TCP, ipv4ChecksumOk } from './ipv4.js';

const LINKTYPE_ETHERNET = 1;
const ETH_HEADER = 14;

export interface TcpPeek {
  /** IPv4 addresses as unsigned 32-bit numbers. */
  src: number;
  dst: number;
  /** Source port << 16 | destination port. */
  ports: number;
  seq: number;
  ack: number;
  /** As TcpPacket.flags (NS in bit 8). */
  flags: number;
  /** Payload bytes captured, and those the snaplen cut off (TcpPacket.payload.length, payloadMissing). */
  len: number;
  missing: number;
}

export function newTcpPeek(): TcpPeek {
  return { src: 0, dst: 0, ports: 0, seq: 0, ack: 0, flags: 0, len: 0, missing: 0 };
}

/** Fills `out` and returns true for a plain Ethernet/IPv4/TCP frame (see above); false for any other. */
export function peekIpv4Tcp(frame: Frame, out: TcpPeek): boolean {
  if (frame.linkType !== LINKTYPE_ETHERNET) return false;
  const d = frame.data;
  const ip = ETH_HEADER;
  if (d.length < ip + 20 || ((d[12]! << 8) | d[13]!) !== ETHERTYPE_IPV4) return false;
  const vihl = d[ip]!;
  const hl = (vihl & 0x0f) * 4;
  if (vihl >> 4 !== 4 || hl < 20 || d.length < ip + hl) return false;
  const total = (d[ip + 2]! << 8) | d[ip + 3]!;
  if (total === 0 || total < hl) return false; // 0: TSO, which decode() bounds by the capture instead
  if ((((d[ip + 6]! << 8) | d[ip + 7]!) & 0x3fff) !== 0 || d[ip + 9]! !== IPPROTO_TCP) return false;
  // Where the packet ended on the wire, as decode() computes it (the snaplen may have cut it).
  const wireEnd = frame.origLen > d.length ? frame.origLen : d.length;
  const ipEnd = Math.min(ip + total, wireEnd);
  const tcp = ip + hl;
  if (tcp + 20 > ipEnd || d.length < tcp + 20) return false;
  const doff = (d[tcp + 12]! >> 4) * 4;
  if (doff < 20 || tcp + doff > ipEnd || d.length < tcp + doff) return false;
  out.src = ((d[ip + 12]! << 24) | (d[ip + 13]! << 16) | (d[ip + 14]! << 8) | d[ip + 15]!) >>> 0;
  out.dst = ((d[ip + 16]! << 24) | (d[ip + 17]! << 16) | (d[ip + 18]! << 8) | d[ip + 19]!) >>> 0;
  out.ports = ((d[tcp]! << 24) | (d[tcp + 1]! << 16) | (d[tcp + 2]! << 8) | d[tcp + 3]!) >>> 0;
  out.seq = ((d[tcp + 4]! << 24) | (d[tcp + 5]! << 16) | (d[tcp + 6]! << 8) | d[tcp + 7]!) >>> 0;
  out.ack = ((d[tcp + 8]! << 24) | (d[tcp + 9]! << 16) | (d[tcp + 10]! << 8) | d[tcp + 11]!) >>> 0;
  out.flags = d[tcp + 13]! | ((d[tcp + 12]! & 1) << 8);
  out.len = (ipEnd < d.length ? ipEnd : d.length) - (tcp + doff);
  out.missing = ipEnd > d.length ? ipEnd - d.length : 0;
  return true;
}

/** Whether a peeked frame's IPv4 header checksum is right (decode() counts the wrong ones). */
export function peekedChecksumOk(frame: Frame): boolean {
  return ipv4ChecksumOk(frame.data, ETH_HEADER, (frame.data[ETH_HEADER]! & 0x0f) * 4);
}
