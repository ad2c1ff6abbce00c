/**
 * TCP sequence-number arithmetic (RFC 1982 serial numbers, modulo 2^32). All comparisons of sequence numbers
 * go through these helpers so wrap-around is handled in one place.
 */

/** b - a as a signed 32-bit distance: positive when b is after a. */
export function seqDiff(a: number, b: number): number {
  return (b - a) | 0;
}

export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

export function seqLt(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

export function seqLe(a: number, b: number): boolean {
  return seqDiff(a, b) >= 0;
}
