/**
 * Every limit in one table (architecture principle 11). Memory used by an analysis is bounded by these,
 * whatever the size of the capture; hitting one is reported as an `over-limit` issue, never silently.
 */
export interface Limits {
  /** Bytes of out-of-order TCP data buffered per direction of a connection before the hole is declared lost. */
  maxOutOfOrderBytes: number;
  /** Out-of-order segments buffered per direction. */
  maxOutOfOrderSegments: number;
  /** Largest logical MySQL payload (after joining 16 MiB continuations) that is assembled and decoded. */
  maxMessageBytes: number;
  /** Connections tracked at once; the oldest idle one is closed ('limit') when exceeded. */
  maxConnections: number;
  /** Rows of a result set kept for display; all rows are still counted. */
  maxRowsKept: number;
  /** Bytes of packet data kept per message for `-x` hex output. */
  maxHexBytesPerMessage: number;
  /** Requests waiting for a response on one connection (pipelining). */
  maxPendingRequests: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxOutOfOrderBytes: 4 * 1024 * 1024,
  maxOutOfOrderSegments: 1024,
  maxMessageBytes: 64 * 1024 * 1024,
  maxConnections: 100_000,
  maxRowsKept: 1000,
  maxHexBytesPerMessage: 64 * 1024,
  maxPendingRequests: 256,
});
