/**
 * Messages between the main thread and the workers of a parallel run (run.ts, worker.ts).
 *
 * The main thread reads the capture once and runs the front end (capture, link/IP/TCP, reassembly, MySQL detection,
 * tcp.stream numbering); the worker a MySQL connection is dealt to (run.ts) receives the calls its session would
 * have had, as events (events.ts, replay.ts). The workers run the command's own output code and send the text back,
 * each piece with its position (AnalyzeOptions.clock), so the main thread can merge it into exactly the order one
 * thread would have written it.
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
  index: number;
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
  /** Input batches done since the last message. */
  inputs: number;
  /** Their byte memory, handed back for the reader's next batches. */
  spare: ArrayBuffer[];
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

export type WorkerMessage = BatchMessage | StderrMessage | EndMessage;

/** Main → worker: the memory of an output batch, written out, for the worker's next batches. */
export interface SpareMessage {
  t: 'spare';
  buffer: ArrayBuffer;
}

/** Input batches a worker may have waiting before the reader waits for it. */
export const MAX_INPUTS = 8;

/**
 * Totals of a parallel run: the reader's (frames, connections, reassembly and capture issues, lost bytes...) with
 * the messages, issues and anomalies of the workers' records added.
 */
export function mergeTotals(reader: Totals, workers: Totals[]): Totals {
  const t: Totals = { ...reader, skipped: { ...reader.skipped } };
  for (const w of workers) {
    t.messages += w.messages;
    t.issues += w.issues;
    t.anomalies += w.anomalies;
  }
  return t;
}
