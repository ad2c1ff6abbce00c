import type { Issue } from './core/issues.js';
import type { Limits } from './core/limits.js';
import type { CaptureFormat } from './capture/types.js';
import type { ChunkSource } from './capture/open.js';
import type { Timestamp } from './core/time.js';
import type { Exchange } from './model/exchange.js';
import type { TcpConnStats } from './pipeline/tcp-stats.js';

export interface AnalyzeOptions {
  /** TCP ports where a MySQL server listens (default [3306]). */
  ports?: number[];
  /** Detect MySQL on other ports from a server greeting or from packet framing (default true). */
  autoDetect?: boolean;
  /** Build each message's field tree (needed for -V, -x and JSON output). */
  tree?: boolean;
  /** Keep each MySQL packet's bytes for hex output. */
  hex?: boolean;
  /**
   * Hold each request until its response starts so it carries mysql.response_in (default true). Set false for live
   * input, where requests should appear as they are sent; responses still carry mysql.response_to/response_time.
   */
  holdRequests?: boolean;
  limits?: Partial<Limits>;
  /** Capture-, link-, TCP- and reassembly-level issues (message-level ones are on the records). */
  onIssue?(issue: Issue): void;
  /** Every request with its complete response (or none), once complete: the base of query logs and digests. */
  onExchange?(x: Exchange): void;
  /** Each MySQL connection's TCP statistics when it closes (FIN, RST, limits or the end of the capture). */
  onConnection?(stats: TcpConnStats): void;
  /** Progress callback after each chunk of input: bytes consumed so far, and the frames decoded before it. */
  onProgress?(bytesRead: number, frames: number): void;
  /** Called once with the first frame's time (the base of relative times, as Wireshark's frame.time_relative). */
  onFirstFrame?(ts: Timestamp): void;
  /**
   * Written by the run as it goes (parallel runs order output by it): `position` is the number of the frame being
   * processed, and while the connections still open are closed at the end of the input, frames + 1 + the
   * connection's tcp.stream index — so every output made while handling one position sorts by it alone.
   */
  clock?: { position: number };
  /**
   * One share of a parallel run: this run reads every frame (so tcp.stream indexes, frame numbers and clock
   * positions are those of the whole capture) but decodes only the connections whose tcp.stream index % count is
   * `index`. Its totals count their messages, issues, MySQL connections and lost bytes; issues of no connection
   * count in share 0.
   */
  share?: { index: number; count: number };
  /** Aborting stops reading early; what was read so far is still decoded and totalled. */
  signal?: AbortSignal;
  /**
   * A capture file's next chunk is read on libuv's thread pool while this one is decoded (default true). False
   * reads it synchronously: cheaper when every core is already decoding (a parallel run's reading thread).
   */
  readAhead?: boolean;
  /** A capture file's bytes from elsewhere instead of reading it (a parallel run's worker: the main thread shares them). */
  fileSource?(): ChunkSource;
  /**
   * Backpressure: called after each chunk of input; when it returns a promise, reading waits for it (e.g. until a
   * slow consumer of the output has drained), so memory stays bounded whatever the reader's speed.
   */
  waitForOutput?(): Promise<void> | undefined;
}

/** Where frames come from. */
export type CaptureInput =
  | { kind: 'file'; path: string }
  | { kind: 'stream'; stream: NodeJS.ReadableStream; name: string }
  | { kind: 'live'; iface: string; filter?: string; tool?: 'tcpdump' | 'dumpcap' };

/** Totals of a run, for the last line on stderr and for tests. */
export interface Totals {
  format: CaptureFormat | undefined;
  bytesRead: number;
  frames: number;
  /** Frames that carried a TCP segment. */
  tcpSegments: number;
  /** Frames skipped by reason (not-ip, not-tcp, truncated-header, ...). */
  skipped: Record<string, number>;
  /** TCP connections seen (Wireshark's tcp.stream count). */
  connections: number;
  /** Connections decoded as MySQL. */
  mysqlConnections: number;
  /** MySQL messages emitted. */
  messages: number;
  /** Issues (capture, network, reassembly and message level) by kind. */
  issues: number;
  /** Messages that carry at least one issue, plus stream-level anomalies (gaps, desyncs). */
  anomalies: number;
  /** The file ended in the middle of a record. */
  truncated: boolean;
  /** Reading was stopped (Ctrl-C, SIGTERM, an abort signal) before the end of the input: the rest was not read. */
  stopped?: boolean;
  /** IPv4 headers with a wrong checksum (the packets were still decoded and are counted here). */
  badIpChecksums: number;
  /** Bytes of TCP payload that were never captured (lost segments, snaplen cuts), over all connections. */
  lostBytes: number;
}

/** Errors that stop an analysis before or while reading input; `code` maps to an exit code. */
export type CaptureErrorCode = 'not-found' | 'unreadable' | 'unknown-format' | 'empty' | 'live-unavailable' | 'live-permission' | 'live-failed';

export class CaptureError extends Error {
  constructor(
    readonly code: CaptureErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CaptureError';
  }
}
