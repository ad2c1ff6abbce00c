/**
 * Messages between the main thread and the workers of a parallel run (run.ts, worker.ts).
 *
 * Every thread reads the whole capture and runs the front end (capture, link/IP/TCP, reassembly, tcp.stream
 * numbering) on every frame, but detects and decodes only its share of the connections (AnalyzeOptions.share). A
 * worker runs the command's own output code and sends the text back after each chunk of input, each piece with its
 * position (AnalyzeOptions.clock), so the main thread can merge it into exactly the order one thread would have
 * written it.
 */
import type { Totals } from '../api-types.js';
import type { RawQueriesOptions } from '../cli/queries.js';
import type { RawDigestOptions } from '../cli/digest.js';
import type { Group } from '../analysis/digest.js';
import type { LatencySketch } from '../analysis/latency-sketch.js';
import type { ChunkMessage, ReleaseMessage } from './shared-chunks.js';

/** What each worker runs: the command and its raw options, as the CLI received them. */
export type ParallelJob = { command: 'queries'; options: RawQueriesOptions } | { command: 'digest'; options: RawDigestOptions };

/** A digest group as it crosses threads: the latencies as plain data. */
export type GroupData = Omit<Group, 'latencies'> & { latencies: ReturnType<LatencySketch['toJSON']> };

export interface WorkerInput {
  path: string;
  /** This worker's share (1 … count − 1; the main thread is share 0). */
  index: number;
  count: number;
  job: ParallelJob;
  /** The main thread shares the file's bytes (shared-chunks.ts); else (a gzip file) the worker reads it itself. */
  shared: boolean;
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

export interface EndMessage {
  t: 'end';
  totals: Totals | undefined;
  damaged: boolean;
  code: number | undefined;
  /** Output items the command counted (e.g. exchanges kept by the filter). */
  kept: number;
  /** digest: the worker's groups. */
  groups?: GroupData[];
  /** What the worker would have printed on standard error (the main thread prints it unless it failed the same way). */
  stderr: string;
}

export type WorkerMessage = BatchMessage | EndMessage | ReleaseMessage;

/**
 * Main → worker: an output batch was written out (or had nothing to write); its memory (empty when it had none) is
 * for the worker's next batches.
 */
export interface SpareMessage {
  t: 'spare';
  buffer: ArrayBuffer;
}

/** Main → worker. */
export type MainMessage = SpareMessage | ChunkMessage;

/** Output batches a thread may have waiting to be written before it waits for the others (each is a chunk's worth). */
export const MAX_BATCHES = 32;

/**
 * Totals of a parallel run: every share read the whole capture, so frames, segments, connections, capture issues
 * and bytes are share 0's; what each counted of its own connections (MySQL connections, messages, issues,
 * anomalies, lost bytes) is added.
 */
export function mergeTotals(main: Totals, workers: Totals[]): Totals {
  const t: Totals = { ...main, skipped: { ...main.skipped } };
  for (const w of workers) {
    t.mysqlConnections += w.mysqlConnections;
    t.messages += w.messages;
    t.issues += w.issues;
    t.anomalies += w.anomalies;
    t.lostBytes += w.lostBytes;
  }
  return t;
}
