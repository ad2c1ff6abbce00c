/**
 * Messages between the main thread and the workers of a parallel run (run.ts, worker.ts).
 *
 * Every worker reads the whole capture file itself and decodes only its share of the connections (AnalyzeOptions
 * .shard): no packet crosses threads, and frame parsing — cheap next to MySQL decoding — is simply done N times.
 * Output crosses as text, each piece with its position (AnalyzeOptions.clock), so the main thread can merge the
 * workers' output into exactly the order one thread would have written it.
 */
import type { Totals } from '../api-types.js';
import type { RawQueriesOptions } from '../cli/queries.js';
import type { RawDigestOptions } from '../cli/digest.js';
import type { Group } from '../analysis/digest.js';
import type { LatencySketch } from '../analysis/latency-sketch.js';

/** What each worker runs: the command and its raw options, as the CLI received them. */
export type ParallelJob = { command: 'queries'; options: RawQueriesOptions } | { command: 'digest'; options: RawDigestOptions };

/** A digest group as it crosses threads: the latencies as plain data. */
export type GroupData = Omit<Group, 'latencies'> & { latencies: ReturnType<LatencySketch['toJSON']> };

export interface WorkerInput {
  path: string;
  shard: { index: number; count: number };
  job: ParallelJob;
}

/** Output pieces in order: piece i is the UTF-8 bytes [ends[i-1], ends[i]) of `bytes`, written at position keys[i]. */
export interface BatchMessage {
  t: 'batch';
  bytes: Uint8Array;
  keys: Float64Array;
  ends: Uint32Array;
  /** Every later piece has a position above this. */
  watermark: number;
}

export interface ProgressMessage {
  t: 'progress';
  bytes: number;
  frames: number;
}

export interface StderrMessage {
  t: 'stderr';
  text: string;
}

export interface EndMessage {
  t: 'end';
  totals: Totals | undefined;
  damaged: boolean;
  code: number | undefined;
  /** Output items the command counted (e.g. exchanges kept by the filter). */
  kept: number;
  /** digest: the worker's groups. */
  groups?: GroupData[];
}

export type WorkerMessage = BatchMessage | ProgressMessage | StderrMessage | EndMessage;

/** Main → worker: a batch was written out; the worker may run ahead by MAX_OUTSTANDING batches. */
export interface AckMessage {
  t: 'ack';
}

export const MAX_OUTSTANDING = 8;

/**
 * Totals of a parallel run: frame-level counts are the same in every share (each worker reads every frame), so
 * share 0's are taken; connection-level counts are summed.
 */
export function mergeTotals(parts: Totals[]): Totals {
  const first = parts[0]!;
  const t: Totals = { ...first, skipped: { ...first.skipped } };
  for (const p of parts.slice(1)) {
    t.mysqlConnections += p.mysqlConnections;
    t.messages += p.messages;
    t.issues += p.issues;
    t.anomalies += p.anomalies;
    t.lostBytes += p.lostBytes;
    t.truncated ||= p.truncated;
  }
  return t;
}
