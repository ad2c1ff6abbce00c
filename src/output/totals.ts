/**
 * The last line on stderr for text output:
 *
 *   myshark: 1234 frames, 12 connections (3 MySQL), 456 MySQL messages, 2 anomalies; 10 frames skipped (not-tcp 8, truncated-header 2); the capture file is truncated
 */
import type { Totals } from '../api-types.js';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The totals line (without newline). */
export function formatTotals(t: Totals): string {
  let s =
    `myshark: ${plural(t.frames, 'frame')}, ${plural(t.connections, 'connection')} (${t.mysqlConnections} MySQL), ` +
    `${plural(t.messages, 'MySQL message')}, ${plural(t.anomalies, 'anomaly', 'anomalies')}`;
  const skipped = Object.entries(t.skipped).filter(([, n]) => n > 0);
  if (skipped.length > 0) {
    const total = skipped.reduce((a, [, n]) => a + n, 0);
    s += `; ${plural(total, 'frame')} skipped (${skipped.map(([k, n]) => `${k} ${n}`).join(', ')})`;
  }
  if (t.lostBytes > 0) s += `; ${plural(t.lostBytes, 'byte')} of TCP payload not captured (lost segments)`;
  if (t.badIpChecksums > 0) s += `; ${plural(t.badIpChecksums, 'IPv4 header')} with a bad checksum (decoded anyway)`;
  if (t.truncated) s += '; the capture file is truncated (everything before the cut was decoded)';
  if (t.stopped) s += '; stopped before the end of the input (interrupted): the rest was not read';
  return s;
}
