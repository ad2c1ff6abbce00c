import type { TcpPacket } from '../decode/types.js';
import type { ConnInfo, Dir } from '../flow/types.js';

export type CloseReason = 'fin' | 'rst' | 'end-of-capture' | 'limit';

/** What one TCP segment was, for connection statistics and diagnostics. */
export type SegmentKind =
  | 'data'            // new in-order payload
  | 'out-of-order'    // payload ahead of the next expected byte, buffered
  | 'retransmission' // payload entirely already seen
  | 'partial-retransmission' // overlaps seen data and carries some new bytes
  | 'keepalive'       // 0 or 1 byte at next-1 with no new data
  | 'ack'             // no payload
  | 'syn' | 'fin' | 'rst';

/**
 * The reassembly contract, called in capture order:
 *   onOpen once per connection, then onData / onGap any number of times per direction, then onClose exactly once.
 * `pkt` is the segment being processed right now (frame number and time of the *current* frame: bytes released
 * from the out-of-order queue are attributed to the frame that filled the hole, as Wireshark's "reassembled in").
 * `bytes` is a view valid only during the call.
 */
export interface StreamHandler {
  onOpen(conn: ConnInfo, pkt: TcpPacket): void;
  /** In-order payload bytes. Return false to stop receiving data for this connection (not MySQL); segments are still counted. */
  onData(conn: ConnInfo, dir: Dir, bytes: Uint8Array, pkt: TcpPacket): boolean;
  /** `length` bytes of this direction were never captured (lost segment, or the out-of-order limit forced a skip). */
  /** `endSeq`: the TCP sequence number where the stream resumes after the lost bytes. */
  onGap(conn: ConnInfo, dir: Dir, length: number, pkt: TcpPacket, endSeq: number): void;
  /**
   * `pkt`: the segment that closed it (FIN, RST, a new SYN on the same ports); at the end of the capture or on
   * eviction, a stand-in with the connection's own last frame number and time.
   */
  onClose(conn: ConnInfo, reason: CloseReason, pkt: TcpPacket): void;
  /** Every segment of every connection, classified (optional, for statistics). */
  onSegment?(conn: ConnInfo, dir: Dir, kind: SegmentKind, pkt: TcpPacket): void;
}

/** Decides client/server roles when no SYN was seen: true when `port` is a configured MySQL server port. */
export type ServerPortTest = (port: number) => boolean;
