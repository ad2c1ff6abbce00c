/**
 * Latencies of one digest class in bounded memory, mergeable so that a digest split across workers gives exactly
 * the one-thread result: the values themselves while there are at most `max` (percentiles exact), then a
 * log-linear histogram of all of them — every value counted in a bucket of 4 significant digits of nanoseconds
 * (relative error under 0.1%), a percentile read as its bucket's lower edge. The histogram of a union is the sum
 * of the histograms and a list is turned into one only when the total passes `max`, so the result does not depend
 * on how the values were split or in which order they came. (An HDR histogram with 4 significant digits is the
 * same idea; a few lines here keep it dependency-free and integer-exact.)
 * Memory: `max` numbers, or at most 9 000 buckets per decade of latency actually seen.
 */
export class LatencySketch {
  /** Exact values (nanoseconds) while count ≤ max; undefined once histogrammed. */
  private list: number[] | undefined = [];
  /** Bucket lower edge (ns) → count. */
  private buckets: Map<number, number> | undefined;
  count = 0;

  constructor(readonly max: number) {}

  /** True while every value is kept (percentiles are exact). */
  get exact(): boolean {
    return this.list !== undefined;
  }

  add(ns: number): void {
    this.count++;
    if (this.list !== undefined) {
      this.list.push(ns);
      if (this.list.length > this.max) this.toHistogram();
      return;
    }
    this.bump(bucketOf(ns), 1);
  }

  /** Adds another sketch's values (as if they had been added here). */
  merge(o: LatencySketch): void {
    this.count += o.count;
    if (this.list !== undefined && o.list !== undefined && this.list.length + o.list.length <= this.max) {
      for (const v of o.list) this.list.push(v);
      return;
    }
    if (this.list !== undefined) this.toHistogram();
    if (o.list !== undefined) for (const v of o.list) this.bump(bucketOf(v), 1);
    else for (const [b, n] of o.buckets!) this.bump(b, n);
  }

  /** Nearest-rank percentiles (p in (0, 1]) in nanoseconds, in the order asked; undefined when empty. */
  percentiles(ps: readonly number[]): (number | undefined)[] {
    if (this.list !== undefined) {
      const sorted = [...this.list].sort((a, b) => a - b);
      return ps.map((p) => percentile(sorted, p));
    }
    if (this.count === 0) return ps.map(() => undefined);
    const ranks = ps.map((p) => rankOf(p, this.count));
    const edges = [...this.buckets!.keys()].sort((a, b) => a - b);
    return ranks.map((r) => {
      let seen = 0;
      for (const e of edges) {
        seen += this.buckets!.get(e)!;
        if (seen >= r) return e;
      }
      return edges[edges.length - 1];
    });
  }

  /** A plain object for postMessage; `fromJSON` makes the sketch again. */
  toJSON(): { max: number; count: number; list?: number[]; buckets?: [number, number][] } {
    return this.list !== undefined
      ? { max: this.max, count: this.count, list: this.list }
      : { max: this.max, count: this.count, buckets: [...this.buckets!] };
  }

  static fromJSON(o: { max: number; count: number; list?: number[]; buckets?: [number, number][] }): LatencySketch {
    const s = new LatencySketch(o.max);
    s.count = o.count;
    if (o.list !== undefined) s.list = o.list;
    else {
      s.list = undefined;
      s.buckets = new Map(o.buckets);
    }
    return s;
  }

  private toHistogram(): void {
    const list = this.list!;
    this.list = undefined;
    this.buckets = new Map();
    for (const v of list) this.bump(bucketOf(v), 1);
  }

  private bump(b: number, n: number): void {
    const m = this.buckets!;
    m.set(b, (m.get(b) ?? 0) + n);
  }
}

/** The lower edge of a value's bucket: the value with all but its 4 leading decimal digits zeroed. */
export function bucketOf(ns: number): number {
  if (ns < 10_000) return Math.floor(ns);
  const scale = 10 ** (Math.floor(Math.log10(ns)) - 3);
  // log10 can be off by one just below a power of ten: correct so that the kept part has exactly 4 digits.
  let s = scale;
  if (ns / s >= 10_000) s *= 10;
  else if (ns / s < 1_000) s /= 10;
  return Math.floor(ns / s) * s;
}

/** The nearest rank (1-based) of percentile p in (0, 1] among n values. */
function rankOf(p: number, n: number): number {
  return Math.min(n, Math.max(1, Math.ceil(p * n)));
}

/** Nearest-rank percentile of sorted values (p in (0, 1]); undefined when empty. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[rankOf(p, sorted.length) - 1];
}
