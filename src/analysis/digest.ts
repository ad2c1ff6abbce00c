/**
 * The statement digest: exchanges grouped (by fingerprint, or by user, schema, client host or connection), each
 * group with count, total / mean / p50 / p95 / p99 / max latency, rows, errors, first and last seen and an
 * example (its slowest statement), sorted by total time.
 *
 * Classes follow pt-query-digest's naming so that the two can be compared on the same traffic:
 *   COM_QUERY              fingerprint(sql)                     (analysis/fingerprint.ts)
 *   COM_STMT_PREPARE       'prepare ' + fingerprint(sql)
 *   COM_STMT_EXECUTE/BULK  'execute ' + fingerprint(prepared sql)  (an unknown statement: 'execute (unknown statement)')
 *   other commands         'administrator command: Ping', 'administrator command: Init_db' …
 * (pt-query-digest also reports COM_QUIT, COM_STMT_CLOSE and logins, which have no response and so no exchange.)
 *
 * Latency is the request's last byte → the response's last byte; exchanges without a response count in `count`
 * and `no_response` but not in the latency figures.
 *
 * Memory: per group, the latencies themselves up to `maxSamples` (default 10 000; percentiles exact), then a
 * histogram with 4 significant digits (analysis/latency-sketch.ts: relative error under 0.1%). Sums are kept in
 * integer nanoseconds, so a digest merged from parallel workers (`merge`) is the one-thread digest exactly.
 * Percentiles use the nearest-rank method.
 */
import type { Timestamp } from '../core/time.js';
import { tsCompare, tsToSeconds } from '../core/time.js';
import type { Exchange } from '../model/exchange.js';
import { COM, commandId } from '../mysql/constants/commands.js';
import type { Command } from '../mysql/messages/types.js';
import { fingerprint } from './fingerprint.js';
import { exchangeSql } from './queries.js';
import { LatencySketch } from './latency-sketch.js';

export type GroupBy = 'fingerprint' | 'user' | 'schema' | 'client' | 'connection';
export const GROUP_BY: readonly GroupBy[] = ['fingerprint', 'user', 'schema', 'client', 'connection'];

export const DEFAULT_MAX_SAMPLES = 10_000;

/** pt-query-digest's name of a command without SQL: `administrator command: ` + `Ping`, `Init_db`, `Stmt_fetch` … */
export function adminCommandName(code: number): string {
  const id = commandId(code).slice(4).toLowerCase(); // COM_INIT_DB → init_db
  return `administrator command: ${id.charAt(0).toUpperCase()}${id.slice(1)}`;
}

/** The digest class of a request (see the module comment). */
export function statementClass(c: Command): string {
  switch (c.command) {
    case COM.QUERY:
      return c.query !== undefined ? fingerprint(c.query) : adminCommandName(c.command);
    case COM.STMT_PREPARE:
      return c.query !== undefined ? `prepare ${fingerprint(c.query)}` : adminCommandName(c.command);
    case COM.STMT_EXECUTE:
    case COM.STMT_BULK_EXECUTE:
      return c.query !== undefined ? `execute ${fingerprint(c.query)}` : 'execute (unknown statement)';
    default:
      return adminCommandName(c.command);
  }
}

export { percentile } from './latency-sketch.js';

/** One group's figures; plain data (latencies aside) so workers can send it (see `Digest.groups` / `merge`). */
export interface Group {
  key: string;
  /** For --group-by connection: the client endpoint; otherwise unused. */
  label: string | null;
  count: number;
  timed: number;
  /** Nanoseconds, integers: sums are exact whatever the order of addition. */
  totalNs: number;
  maxNs: number;
  rows: number;
  affectedRows: bigint;
  errors: number;
  noResponse: number;
  bytesIn: number;
  bytesOut: number;
  firstSeen: Timestamp;
  lastSeen: Timestamp;
  example: string;
  exampleNs: number | null;
  /** Where the example was seen (AnalyzeOptions.clock position, or the order of addition): ties go to the first. */
  examplePos: number;
  latencies: LatencySketch;
}

/** One class of the digest, as `digest -T json` prints it (the group key under its own name). */
export interface DigestClass {
  /** The group's key: the fingerprint, user, schema, client host, or connection index (as a string). */
  key: string;
  /** --group-by connection: the client ip:port. */
  label: string | null;
  count: number;
  /** Exchanges with a latency (a response). */
  timed: number;
  total_ms: number;
  mean_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
  /** Percentiles are over every latency exactly (false: read from the 4-digit histogram). */
  exact: boolean;
  rows: number;
  affected_rows: number | string;
  errors: number;
  no_response: number;
  bytes_in: number;
  bytes_out: number;
  first_seen: number;
  last_seen: number;
  example: string;
  example_ms: number | null;
}

export interface DigestOptions {
  groupBy?: GroupBy;
  /** Latencies kept exactly per group (default 10 000); beyond, a histogram. */
  maxSamples?: number;
}

function round6(v: number): number {
  return Number(v.toFixed(6));
}

/** Accumulates exchanges; `result()` gives the classes sorted by total time (then count, then key). */
export class Digest {
  readonly groupBy: GroupBy;
  private readonly maxSamples: number;
  readonly groups = new Map<string, Group>();
  /** Exchanges added. */
  total = 0;

  constructor(opts: DigestOptions = {}) {
    this.groupBy = opts.groupBy ?? 'fingerprint';
    this.maxSamples = Math.max(1, opts.maxSamples ?? DEFAULT_MAX_SAMPLES);
  }

  /** The group key of an exchange ('' when unknown: a user or schema not seen, e.g. mid-stream). */
  keyOf(x: Exchange): { key: string; label: string | null } {
    const r = x.request;
    switch (this.groupBy) {
      case 'fingerprint':
        return { key: r.event.kind === 'command' ? statementClass(r.event) : r.event.kind, label: null };
      case 'user':
        return { key: r.connUser ?? '', label: null };
      case 'schema':
        return { key: r.connSchema ?? '', label: null };
      case 'client':
        return { key: x.conn.client.ip, label: null };
      case 'connection':
        return {
          key: String(x.conn.index),
          label: x.conn.ipVersion === 6 ? `[${x.conn.client.ip}]:${x.conn.client.port}` : `${x.conn.client.ip}:${x.conn.client.port}`,
        };
    }
  }

  /** `pos`: where in the run the exchange completed (orders ties of the example); default: the order of addition. */
  add(x: Exchange, pos = this.total + 1): void {
    this.total++;
    const { key, label } = this.keyOf(x);
    const r = x.request;
    let g = this.groups.get(key);
    if (!g) {
      g = {
        key, label, count: 0, timed: 0, totalNs: 0, maxNs: 0, rows: 0, affectedRows: 0n, errors: 0, noResponse: 0,
        bytesIn: 0, bytesOut: 0, firstSeen: r.ts, lastSeen: r.ts, example: '', exampleNs: null, examplePos: pos,
        latencies: new LatencySketch(this.maxSamples),
      };
      this.groups.set(key, g);
    }
    g.count++;
    g.rows += x.rows;
    if (x.affectedRows !== 0) g.affectedRows += BigInt(x.affectedRows); // most statements change no row: no BigInt made
    g.bytesIn += x.bytesIn;
    g.bytesOut += x.bytesOut;
    if (x.status === 'error') g.errors++;
    if (x.status === 'no_response') g.noResponse++;
    if (tsCompare(r.ts, g.firstSeen) < 0) g.firstSeen = r.ts;
    if (tsCompare(r.ts, g.lastSeen) > 0) g.lastSeen = r.ts;
    const e = x.endTs;
    const latency = e ? Math.max(0, (e.sec - r.lastTs.sec) * 1e9 + (e.nsec - r.lastTs.nsec)) : undefined;
    if (latency !== undefined) {
      g.timed++;
      g.totalNs += latency;
      if (latency > g.maxNs) g.maxNs = latency;
      g.latencies.add(latency);
    }
    // Example: the slowest statement (the first one while none has a latency).
    if (g.count === 1 || (latency !== undefined && (g.exampleNs === null || latency > g.exampleNs))) {
      g.example = r.event.kind === 'command' ? exchangeSql(r.event) : '';
      g.exampleNs = latency ?? null;
      g.examplePos = pos;
    }
  }

  /** Adds the groups of another digest over other exchanges (another worker's share of the connections). */
  merge(groups: Iterable<Group>, total: number): void {
    this.total += total;
    for (const o of groups) {
      const g = this.groups.get(o.key);
      if (!g) {
        this.groups.set(o.key, { ...o, latencies: LatencySketch.fromJSON(o.latencies.toJSON()) });
        continue;
      }
      g.count += o.count;
      g.timed += o.timed;
      g.totalNs += o.totalNs;
      if (o.maxNs > g.maxNs) g.maxNs = o.maxNs;
      g.rows += o.rows;
      g.affectedRows += o.affectedRows;
      g.errors += o.errors;
      g.noResponse += o.noResponse;
      g.bytesIn += o.bytesIn;
      g.bytesOut += o.bytesOut;
      if (tsCompare(o.firstSeen, g.firstSeen) < 0) g.firstSeen = o.firstSeen;
      if (tsCompare(o.lastSeen, g.lastSeen) > 0) g.lastSeen = o.lastSeen;
      g.latencies.merge(o.latencies);
      const slower = o.exampleNs !== null && (g.exampleNs === null || o.exampleNs > g.exampleNs);
      const tie = o.exampleNs === g.exampleNs && o.examplePos < g.examplePos;
      if (slower || tie) {
        g.example = o.example;
        g.exampleNs = o.exampleNs;
        g.examplePos = o.examplePos;
      }
    }
  }

  /** The classes, slowest total first. */
  result(): DigestClass[] {
    const out: DigestClass[] = [];
    for (const g of this.groups.values()) {
      const [p50, p95, p99] = g.latencies.percentiles([0.5, 0.95, 0.99]).map((v) => (v === undefined ? null : v / 1e6));
      const aff = g.affectedRows;
      out.push({
        key: g.key,
        label: g.label,
        count: g.count,
        timed: g.timed,
        total_ms: g.totalNs / 1e6,
        mean_ms: g.timed > 0 ? round6(g.totalNs / g.timed / 1e6) : null,
        p50_ms: p50 ?? null,
        p95_ms: p95 ?? null,
        p99_ms: p99 ?? null,
        max_ms: g.timed > 0 ? g.maxNs / 1e6 : null,
        exact: g.latencies.exact,
        rows: g.rows,
        affected_rows: aff <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(aff) : aff.toString(),
        errors: g.errors,
        no_response: g.noResponse,
        bytes_in: g.bytesIn,
        bytes_out: g.bytesOut,
        first_seen: tsToSeconds(g.firstSeen),
        last_seen: tsToSeconds(g.lastSeen),
        example: g.example,
        example_ms: g.exampleNs === null ? null : g.exampleNs / 1e6,
      });
    }
    out.sort((a, b) => b.total_ms - a.total_ms || b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }
}

/**
 * The JSON object of a class: the group key under its own name (`fingerprint`, `user`, `schema`, `client`,
 * `connection` — unknown user/schema → null; a connection also gets `client`), then the figures.
 */
export function digestJson(c: DigestClass, groupBy: GroupBy): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (groupBy === 'connection') {
    o.connection = Number(c.key);
    o.client = c.label;
  } else if (groupBy === 'user' || groupBy === 'schema') {
    o[groupBy] = c.key === '' ? null : c.key;
  } else {
    o[groupBy] = c.key;
  }
  const { key: _key, label: _label, ...rest } = c;
  return Object.assign(o, rest);
}
