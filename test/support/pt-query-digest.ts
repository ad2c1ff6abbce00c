/**
 * Comparing myshark's digest with pt-query-digest's (`--output json`): both sides as class → statement count, after
 * the caller's normalisation of the fingerprints (the rules differ where the two tools differ; see the tests).
 */
import type { Digest } from '../../src/analysis/digest.js';

interface PtClass {
  fingerprint: string;
  query_count: number;
}

/** pt-query-digest's SQL classes from its JSON output (logins, 'administrator command: …', left out). */
export function ptCounts(stdout: string, normalise: (fp: string) => string): Map<string, number> {
  const json = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { classes: PtClass[] };
  const counts = new Map<string, number>();
  for (const c of json.classes) {
    if (c.fingerprint.startsWith('administrator command:')) continue;
    const k = normalise(c.fingerprint);
    counts.set(k, (counts.get(k) ?? 0) + c.query_count);
  }
  return counts;
}

/** myshark's classes, normalised the same way. */
export function digestCounts(digest: Digest, normalise: (fp: string) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of digest.result()) {
    const k = normalise(c.key);
    counts.set(k, (counts.get(k) ?? 0) + c.count);
  }
  return counts;
}

/** The entries sorted by class, to compare two maps with a readable difference. */
export function sortedCounts(m: Map<string, number>): [string, number][] {
  return [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
