/**
 * TCP header (RFC 9293 §3.1): ports, sequence and acknowledgment numbers, data offset, flags (NS in bit 8),
 * window. Options are skipped by the data offset. The checksum is not verified (see decoder.ts).
 */
import type { SkipReason, TcpPacket } from './types.js';

/**
 * Decodes the TCP header at `off` into `p`; `ipEnd` is the end of the IP packet (may lie beyond the captured
 * bytes). Sets payload (the captured part) and payloadMissing (the part the snaplen cut off).
 */
export function decodeTcp(d: Uint8Array, off: number, ipEnd: number, p: TcpPacket): SkipReason | undefined {
  if (off + 20 > ipEnd) return 'malformed-header';
  if (d.length < off + 20) return 'truncated-header';
  const doff = (d[off + 12]! >> 4) * 4;
  if (doff < 20 || off + doff > ipEnd) return 'malformed-header';
  if (d.length < off + doff) return 'truncated-header';
  p.srcPort = (d[off]! << 8) | d[off + 1]!;
  p.dstPort = (d[off + 2]! << 8) | d[off + 3]!;
  p.seq = ((d[off + 4]! << 24) | (d[off + 5]! << 16) | (d[off + 6]! << 8) | d[off + 7]!) >>> 0;
  p.ack = ((d[off + 8]! << 24) | (d[off + 9]! << 16) | (d[off + 10]! << 8) | d[off + 11]!) >>> 0;
  p.flags = d[off + 13]! | ((d[off + 12]! & 1) << 8);
  p.window = (d[off + 14]! << 8) | d[off + 15]!;
  const start = off + doff;
  const capEnd = ipEnd < d.length ? ipEnd : d.length;
  p.payload = d.subarray(start, capEnd);
  p.payloadMissing = ipEnd > d.length ? ipEnd - d.length : 0;
  return undefined;
}
