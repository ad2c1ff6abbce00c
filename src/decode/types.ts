/**
 * The decode stage turns a Frame into a TcpPacket (or skips it). One TcpPacket object is reused for every frame:
 * it and its `payload` view are valid only until the next frame.
 */
export interface TcpPacket {
  frameNo: number;
  tsSec: number;
  tsNsec: number;
  ipVersion: 4 | 6;
  /** Printable addresses (`10.0.0.1`, `::1`) — as Wireshark prints ip.src / ipv6.src. */
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** TCP flags byte plus NS in bit 8: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80. */
  flags: number;
  window: number;
  /** TCP payload bytes captured. */
  payload: Uint8Array;
  /** Payload bytes on the wire that the snaplen cut off (0 normally). */
  payloadMissing: number;
  /** false when the checksum was verified and wrong; undefined when not verifiable (offload, truncation). */
  checksumOk: boolean | undefined;
  /** VLAN ids outermost first, empty when untagged. */
  vlan: number[];
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** Why a frame did not yield a TCP packet; counted in the totals. */
export type SkipReason =
  | 'not-ip'
  | 'not-tcp'
  | 'ip-fragment'
  | 'truncated-header'
  | 'malformed-header'
  | 'unknown-linktype';
