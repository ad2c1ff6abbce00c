/**
 * Exit codes of the `myshark` command (also in docs/output.md):
 *
 *   0  success
 *   1  findings or a failed check (reserved for later commands; `read` does not use it)
 *   2  usage error, or input that cannot be read: missing or unreadable file, unknown format, empty file,
 *      live capture unavailable (no tcpdump/dumpcap, no permission, capture tool failed)
 *   3  the capture was read but holds no MySQL traffic
 *   4  the capture is truncated or damaged (everything decodable was still printed)
 *  70  internal error (a bug: the stack trace is printed; please report it)
 *
 * A closed stdout (`myshark read x.pcap | head`) is not an error: the command stops quietly with 0.
 */
import type { CaptureErrorCode, Totals } from '../api-types.js';

export const EXIT = {
  OK: 0,
  FINDINGS: 1,
  USAGE: 2,
  NO_MYSQL: 3,
  DAMAGED: 4,
  /** A bug in myshark (an unexpected exception); the trace is printed. 70 is sysexits' EX_SOFTWARE. */
  INTERNAL: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Every CaptureError stops the run before or while reading input: usage / input error. */
export function exitCodeForCaptureError(_code: CaptureErrorCode): ExitCode {
  return EXIT.USAGE;
}

/**
 * The exit code of a completed read: damaged (4) wins over no-MySQL (3), since a cut capture may have lost
 * the MySQL part; `damaged` covers a truncated file and capture-level malformed records.
 */
export function exitCodeForTotals(t: Totals, damaged = false): ExitCode {
  if (t.truncated || damaged) return EXIT.DAMAGED;
  if (t.messages === 0) return EXIT.NO_MYSQL;
  return EXIT.OK;
}
