/**
 * IPv6 header (RFC 8200) and its extension headers: hop-by-hop (0), routing (43), fragment (44), destination
 * options (60), AH (51, RFC 4302), mobility (135), HIP (139), shim6 (140). ESP (50) and no-next-header (59) end
 * the walk: the payload is not TCP we can read.
 */
import type { IpResult } from './ipv4.js';
import type { SkipReason } from './types.js';

/** Most extension headers followed before the packet is declared malformed. */
const MAX_EXT_HEADERS = 16;

export function decodeIpv6(d: Uint8Array, off: number, wireEnd: number, out: IpResult): SkipReason | undefined {
  out.checksumOk = undefined;
  out.lengthFromCapture = false;
  if (d.length < off + 40) return 'truncated-header';
  if (d[off]! >> 4 !== 6) return 'malformed-header';
  let plen = (d[off + 4]! << 8) | d[off + 5]!;
  if (plen === 0) {
    // Jumbogram or TSO: use what was on the wire.
    plen = Math.max(0, wireEnd - off - 40);
    out.lengthFromCapture = true;
  }
  out.srcOffset = off + 8;
  out.dstOffset = off + 24;
  const end = Math.min(off + 40 + plen, Math.max(wireEnd, d.length));
  out.ipEnd = end;
  let nh = d[off + 6]!;
  let o = off + 40;
  for (let i = 0; ; i++) {
    switch (nh) {
      case 0:
      case 43:
      case 60:
      case 135:
      case 139:
      case 140: {
        if (i >= MAX_EXT_HEADERS) return 'malformed-header';
        if (d.length < o + 2) return o + 2 > end ? 'malformed-header' : 'truncated-header';
        const len = (d[o + 1]! + 1) * 8;
        if (o + len > end) return 'malformed-header';
        if (d.length < o + len) return 'truncated-header';
        nh = d[o]!;
        o += len;
        continue;
      }
      case 44: {
        if (i >= MAX_EXT_HEADERS) return 'malformed-header';
        if (o + 8 > end) return 'malformed-header';
        if (d.length < o + 8) return 'truncated-header';
        const fo = (d[o + 2]! << 8) | d[o + 3]!;
        nh = d[o]!;
        o += 8;
        // An atomic fragment (offset 0, M clear; RFC 6946) is a whole packet.
        if ((fo & 0xfff8) !== 0 || (fo & 1) !== 0) {
          out.protocol = nh;
          out.l4Offset = o;
          return 'ip-fragment';
        }
        continue;
      }
      case 51: {
        if (i >= MAX_EXT_HEADERS) return 'malformed-header';
        if (d.length < o + 2) return o + 2 > end ? 'malformed-header' : 'truncated-header';
        const len = (d[o + 1]! + 2) * 4;
        if (o + len > end) return 'malformed-header';
        if (d.length < o + len) return 'truncated-header';
        nh = d[o]!;
        o += len;
        continue;
      }
      default:
        out.protocol = nh;
        out.l4Offset = o;
        return undefined;
    }
  }
}

function hex16(w: number): string {
  return w.toString(16);
}

/**
 * RFC 5952 text of the 16 bytes at `off`, as inet_ntop (and so Wireshark) prints it: lowercase, no leading zeros,
 * the longest run (≥ 2) of zero groups as `::` (the first on a tie), and `::ffff:a.b.c.d` / `::a.b.c.d` for
 * IPv4-mapped and IPv4-compatible addresses.
 */
export function formatIpv6(d: Uint8Array, off: number): string {
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    const w = (d[off + 2 * i]! << 8) | d[off + 2 * i + 1]!;
    if (w === 0) {
      if (curBase < 0) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase >= 0) {
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase >= 0 && curLen > bestLen) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestLen < 2) bestBase = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && d[off + 10] === 0xff && d[off + 11] === 0xff))) {
      s += `${d[off + 12]!}.${d[off + 13]!}.${d[off + 14]!}.${d[off + 15]!}`;
      return s;
    }
    s += hex16((d[off + 2 * i]! << 8) | d[off + 2 * i + 1]!);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) s += ':';
  return s;
}
