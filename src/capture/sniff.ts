/**
 * Capture format detection from the first bytes of the input (magic numbers from the libpcap savefile format
 * and the pcapng specification, draft-ietf-opsawg-pcap / draft-ietf-opsawg-pcapng).
 */
import type { CaptureFormat } from './types.js';

/** What the first bytes look like: a capture format, or a gzip wrapper around one. */
export type SniffResult = CaptureFormat | 'gzip';

/** Bytes needed to decide (4 are enough for every magic we know). */
export const SNIFF_BYTES = 4;

/** Classic pcap magic numbers as read big-endian from the first four bytes. */
const PCAP_US_BE = 0xa1b2c3d4;
const PCAP_US_LE = 0xd4c3b2a1;
const PCAP_NS_BE = 0xa1b23c4d;
const PCAP_NS_LE = 0x4d3cb2a1;
/** The pcapng Section Header Block type is a palindrome: 0x0A0D0D0A in both orders. */
const PCAPNG_SHB = 0x0a0d0d0a;

/** Detects the format from the first bytes; undefined when unknown or fewer than 4 (2 for gzip) bytes are given. */
export function sniffFormat(head: Uint8Array): SniffResult | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length < 4) return undefined;
  const m = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  switch (m) {
    case PCAP_US_BE:
    case PCAP_US_LE:
      return 'pcap';
    case PCAP_NS_BE:
    case PCAP_NS_LE:
      return 'pcap-ns';
    case PCAPNG_SHB:
      return 'pcapng';
    default:
      return undefined;
  }
}

/** `a1 b2 c3 d4` style hex of the first bytes, for error messages. */
export function hexHead(head: Uint8Array, n = 8): string {
  const parts: string[] = [];
  for (let i = 0; i < head.length && i < n; i++) parts.push(head[i]!.toString(16).padStart(2, '0'));
  return parts.join(' ');
}
