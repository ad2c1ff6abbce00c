import type { Issue } from '../core/issues.js';

/** Link-layer header types (tcpdump.org LINK-LAYER HEADER TYPES). */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/**
 * One captured packet. The reader reuses a single Frame object and its `data` is a view into the reader's
 * buffer: both are valid only until the next frame is emitted. Copy what must outlive it.
 */
export interface Frame {
  /** 1-based, counted like Wireshark's frame.number (every record, MySQL or not). */
  no: number;
  tsSec: number;
  tsNsec: number;
  /** Bytes captured (may be less than origLen when the snaplen cut the packet). */
  capLen: number;
  /** Bytes on the wire. */
  origLen: number;
  linkType: number;
  /** pcapng interface id (0 for classic pcap). */
  interfaceId: number;
  data: Uint8Array;
}

export type CaptureFormat = 'pcap' | 'pcap-ns' | 'pcapng';

export interface CaptureHandlers {
  onFrame(frame: Frame): void;
  /** Problems with the file itself (truncated record, unknown block, bad length). Reading goes on where possible. */
  onIssue(issue: Issue): void;
  /** Called once the format is known (after the first header). */
  onFormat?(format: CaptureFormat, linkTypes: number[]): void;
}

/**
 * A push parser for one capture file format: feed it chunks in order, it calls onFrame for every complete record.
 * `end()` reports a truncated last record. It never throws on bad input; a fatal format error is an issue with
 * kind 'malformed' and `fatal()` returns the message.
 */
export interface CaptureParser {
  push(chunk: Uint8Array): void;
  end(): void;
  /** A sentence when the input is not a capture this parser can read (after which it ignores input), else undefined. */
  fatal(): string | undefined;
  /** Bytes consumed so far (for progress). */
  readonly bytesConsumed: number;
  /** Bytes of an incomplete record or block waiting for more input. */
  readonly pendingBytes: number;
}
