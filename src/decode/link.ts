/**
 * Link layers (tcpdump.org LINK-LAYER HEADER TYPES): find where the IP header starts and which IP version it is.
 * Lax and allocation-free: the result goes into a caller-owned LinkResult, VLAN ids into a caller-owned array.
 */
import type { SkipReason } from './types.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
/** 802.1Q customer VLAN tag. */
export const ETHERTYPE_VLAN = 0x8100;
/** 802.1ad service VLAN tag (QinQ outer tag). */
export const ETHERTYPE_QINQ = 0x88a8;
/** Pre-standard QinQ outer tag. */
export const ETHERTYPE_QINQ_OLD = 0x9100;
/** PPPoE session stage (PPP protocol 0x0021 IPv4, 0x0057 IPv6). */
export const ETHERTYPE_PPPOE_SESSION = 0x8864;

/** Most VLAN tags followed before the frame is declared malformed. */
const MAX_VLAN_TAGS = 8;

export interface LinkResult {
  /** Offset of the IP header in the frame. */
  offset: number;
  /** IP version announced by the link layer (0 when it only says "IP": RAW, take it from the first nibble). */
  ipVersion: 0 | 4 | 6;
}

export function newLinkResult(): LinkResult {
  return { offset: 0, ipVersion: 0 };
}

function ipFromEthertype(t: number, out: LinkResult): SkipReason | undefined {
  if (t === ETHERTYPE_IPV4) out.ipVersion = 4;
  else if (t === ETHERTYPE_IPV6) out.ipVersion = 6;
  else return 'not-ip';
  return undefined;
}

/**
 * Ethernet II (IEEE 802.3): dst(6) src(6) ethertype(2); 802.1Q / 802.1ad / 0x9100 tags (TPID(2) TCI(2)) may be
 * stacked; VLAN ids are pushed outermost first. Types ≤ 1500 are 802.3 lengths (LLC), not IP.
 */
export function decodeEthernet(d: Uint8Array, off: number, out: LinkResult, vlan: number[]): SkipReason | undefined {
  let o = off + 12;
  if (d.length < o + 2) return 'truncated-header';
  let t = (d[o]! << 8) | d[o + 1]!;
  o += 2;
  let tags = 0;
  while (t === ETHERTYPE_VLAN || t === ETHERTYPE_QINQ || t === ETHERTYPE_QINQ_OLD) {
    if (++tags > MAX_VLAN_TAGS) return 'malformed-header';
    if (d.length < o + 4) return 'truncated-header';
    vlan.push(((d[o]! << 8) | d[o + 1]!) & 0x0fff);
    t = (d[o + 2]! << 8) | d[o + 3]!;
    o += 4;
  }
  if (t === ETHERTYPE_PPPOE_SESSION) {
    // PPPoE header: ver/type(1) code(1) session(2) length(2), then the PPP protocol (2).
    if (d.length < o + 8) return 'truncated-header';
    const ppp = (d[o + 6]! << 8) | d[o + 7]!;
    o += 8;
    out.offset = o;
    if (ppp === 0x0021) out.ipVersion = 4;
    else if (ppp === 0x0057) out.ipVersion = 6;
    else return 'not-ip';
    return undefined;
  }
  out.offset = o;
  return ipFromEthertype(t, out);
}

/** BSD address families of IPv6 (they differ between BSDs): 24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS. */
function nullFamily(f: number, out: LinkResult): boolean {
  if (f === 2) {
    out.ipVersion = 4;
    return true;
  }
  if (f === 24 || f === 28 || f === 30) {
    out.ipVersion = 6;
    return true;
  }
  return false;
}

/**
 * Finds the IP header of a frame of the given link type. Returns a SkipReason when the frame carries no IP,
 * when its link header is cut, or when the link type is not supported.
 */
export function decodeLink(d: Uint8Array, linkType: number, out: LinkResult, vlan: number[]): SkipReason | undefined {
  out.offset = 0;
  out.ipVersion = 0;
  switch (linkType) {
    case 1: // ETHERNET
      return decodeEthernet(d, 0, out, vlan);
    case 0: {
      // NULL: 4-byte address family in the byte order of the capturing host; accept both.
      if (d.length < 4) return 'truncated-header';
      out.offset = 4;
      const le = (d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24)) >>> 0;
      const be = ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
      return nullFamily(le, out) || nullFamily(be, out) ? undefined : 'not-ip';
    }
    case 108: {
      // LOOP (OpenBSD): the same family, always in network byte order.
      if (d.length < 4) return 'truncated-header';
      out.offset = 4;
      const be = ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
      return nullFamily(be, out) ? undefined : 'not-ip';
    }
    case 113: {
      // LINUX_SLL: packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2).
      if (d.length < 16) return 'truncated-header';
      out.offset = 16;
      return ipFromEthertype((d[14]! << 8) | d[15]!, out);
    }
    case 276: {
      // LINUX_SLL2: protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) addr len(1) addr(8).
      if (d.length < 20) return 'truncated-header';
      out.offset = 20;
      return ipFromEthertype((d[0]! << 8) | d[1]!, out);
    }
    case 101: // RAW: IPv4 or IPv6, from the version nibble
    case 12: // DLT_RAW on most BSDs, seen in old files
    case 14: // DLT_RAW on OpenBSD
      out.offset = 0;
      return undefined;
    case 228: // IPV4
      out.ipVersion = 4;
      return undefined;
    case 229: // IPV6
      out.ipVersion = 6;
      return undefined;
    default:
      return 'unknown-linktype';
  }
}
