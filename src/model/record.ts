import type { Issue } from '../core/issues.js';
import type { Timestamp } from '../core/time.js';
import type { ConnInfo, Dir } from '../flow/types.js';
import type { MySqlEvent } from '../mysql/messages/types.js';
import type { FieldNode } from './field.js';

/** One MySQL packet that is part of a message. */
export interface PacketRef {
  /** Sequence id from the 4-byte header. */
  seq: number;
  /** Payload length from the header (of the first part, when continued). */
  length: number;
  /** Frame in which the packet's last byte arrived. */
  frameNo: number;
  /**
   * Copy of header + payload, only when hex output was asked for (capped by limits.maxHexBytesPerMessage;
   * `truncated` says so). Field offsets in the tree are relative to the payload, i.e. bytes[4 + offset].
   */
  bytes?: Uint8Array;
  truncated?: boolean;
  /** A payload of 16 MiB or more, joined from `parts` wire packets (0xFFFFFF bytes each, then the rest). */
  parts?: number;
  /** The frame that completed each part, in order (only for joined payloads). */
  partFrames?: number[];
}

/**
 * The contract of every output: one decoded MySQL message (a request, a response such as a whole result set,
 * a handshake packet...). `frameNo`/`ts` are those of the frame completing the message's first packet;
 * `lastFrameNo`/`lastTs` those of its last.
 */
export interface MySqlRecord {
  /** 1-based message number in the capture. */
  id: number;
  conn: ConnInfo;
  dir: Dir;
  frameNo: number;
  ts: Timestamp;
  lastFrameNo: number;
  lastTs: Timestamp;
  event: MySqlEvent;
  /** The field tree, built only when the caller asked for it (tree/hex/json output). */
  tree: FieldNode[] | null;
  packets: PacketRef[];
  /**
   * MySQL bytes of the message on the wire: every packet's 4-byte header(s) and payload — also of the rows whose
   * PacketRef is not kept (beyond limits.maxRowsKept).
   */
  bytes: number;
  /** Problems with this message; the message is still shown with what could be decoded. */
  issues: Issue[];
  /** Per-connection context known when the message was seen. */
  connUser: string | undefined;
  connSchema: string | undefined;
  connThreadId: number | undefined;
  /** The connection's character set (the client's, from the login, SET NAMES / session tracking), when known. */
  connCharset: string | undefined;
  /** On a response: the frame of the request it answers (myshark's mysql.response_to). */
  responseTo?: number;
  /** On a request: the frame of the first message of its response (mysql.response_in). */
  responseIn?: number;
  /** On a response: seconds from the request's last byte to this message's last byte (mysql.response_time). */
  responseTime?: number;
}
