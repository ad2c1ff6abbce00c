/**
 * A parallel run: this thread reads the capture once and runs the front end (capture, link/IP/TCP, reassembly,
 * MySQL detection, tcp.stream numbering) exactly as one thread does; each MySQL connection's session calls go, as
 * events (events.ts), to worker `tcp.stream index mod N`, which decodes the connection and runs the command's output
 * code on it (worker.ts). Their output comes back in pieces, each with its position, and is merged: a piece is written
 * once no worker can still produce one at a lower position (every worker's watermark is at or past it). The result
 * is the output of one thread, byte for byte: within one position all output comes from the one connection the
 * frame belongs to (or, at the end, the one connection being closed).
 *
 * Memory: after each chunk of input every worker gets its batch of events; reading waits while a worker has
 * MAX_INPUTS batches not yet done, or standard output is full. A batch holds a copy of the worker's share of the
 * chunk's MySQL bytes; each sends back one batch of output per batch of input.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AnalyzeOptions, Totals } from '../api-types.js';
import type { AnalysisRun } from '../cli/common.js';
import { runAnalysis } from '../cli/common.js';
import type { Timestamp } from '../core/time.js';
import type { ProgressStream } from '../cli/progress.js';
import type { Sink } from '../output/sink.js';
import type { Group } from '../analysis/digest.js';
import { LatencySketch } from '../analysis/latency-sketch.js';
import { drive } from '../pipeline/analyze.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { EventLog, Forwarder, type InputBatch } from './events.js';
import { MAX_INPUTS, mergeTotals, type BatchMessage, type ParallelJob, type SpareMessage, type WorkerInput, type WorkerMessage } from './protocol.js';

/**
 * The compiled worker: next to this file (dist/parallel/run.js), beside the bundled CLI (dist/cli/main.js holds this
 * code), or dist/ seen from src/ (tests run the TypeScript sources).
 */
function workerPath(): string {
  for (const rel of ['./worker.js', '../parallel/worker.js', '../../dist/parallel/worker.js']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error(`the worker script is missing (${fileURLToPath(new URL('./worker.js', import.meta.url))}); run npm run build`);
}

class Lane {
  readonly batches: BatchMessage[] = [];
  /** Next piece of batches[0]. */
  piece = 0;
  watermark = 0;
  /** Input batches sent and not yet done. */
  inputs = 0;
  /** Byte memory of done input batches, for the next ones. */
  readonly spare: ArrayBuffer[] = [];
  readonly log = new EventLog();
  done = false;
  end: Extract<WorkerMessage, { t: 'end' }> | undefined;
  constructor(readonly worker: Worker) {}

  headKey(): number | undefined {
    const b = this.batches[0];
    return b === undefined ? undefined : b.keys[this.piece];
  }
}

export interface ParallelResult {
  run: AnalysisRun;
  kept: number;
}

export async function runParallel(
  path: string,
  count: number,
  job: ParallelJob,
  /** The reader's part of the command's options. */
  front: { ports: number[]; autoDetect: boolean },
  io: { stdout: Sink; stderr(s: string): void; progressStream?: ProgressStream; waitForOutput?(): Promise<void> | undefined },
  quiet: boolean,
  /** digest: each worker's groups and exchange count, once it is done. */
  onGroups?: (groups: Group[], total: number) => void,
): Promise<ParallelResult> {
  const script = workerPath();
  const lanes: Lane[] = [];
  const decoder = new TextDecoder();
  const writeBytes = (b: Uint8Array): void => {
    if (io.stdout.writeBytes) io.stdout.writeBytes(b);
    else io.stdout.write(decoder.decode(b));
  };
  let failed: Error | undefined;
  let settle: (() => void) | undefined;
  /** Wakes the reader when no worker is MAX_INPUTS batches behind any more (or one failed). */
  let wake: (() => void) | undefined;
  const behind = (): boolean => lanes.some((l) => l.inputs >= MAX_INPUTS);

  const pump = (): void => {
    for (;;) {
      let limit = Number.POSITIVE_INFINITY;
      for (const l of lanes) if (!l.done && l.watermark < limit) limit = l.watermark;
      let best: Lane | undefined;
      let bestKey = Number.POSITIVE_INFINITY;
      let nextKey = Number.POSITIVE_INFINITY;
      for (const l of lanes) {
        const k = l.headKey();
        if (k === undefined) continue;
        if (best === undefined || k < bestKey) {
          if (best !== undefined) nextKey = bestKey;
          best = l;
          bestKey = k;
        } else if (k < nextKey) {
          nextKey = k;
        }
      }
      if (best === undefined || bestKey > limit) break;
      // Write the run of this lane's pieces that no other lane can come before.
      const b = best.batches[0]!;
      const start = best.piece === 0 ? 0 : b.ends[best.piece - 1]!;
      let i = best.piece;
      const bound = Math.min(limit, nextKey);
      while (i < b.keys.length && (b.keys[i]! < bound || (b.keys[i]! === bound && bound !== nextKey))) i++;
      if (i === best.piece) i++; // equal positions in two lanes (only on a connection-limit eviction): lane order
      const end = b.ends[i - 1]!;
      if (end > start) writeBytes(b.bytes.subarray(start, end));
      best.piece = i;
      if (i >= b.keys.length) {
        best.batches.shift();
        best.piece = 0;
        giveBack(best, b);
      }
    }
    if (lanes.every((l) => l.done && l.batches.length === 0)) settle?.();
  };
  /** An output batch is written out (the sinks copy): its memory goes back to its worker. */
  const giveBack = (lane: Lane, b: BatchMessage): void => {
    const buffer = b.bytes.buffer as ArrayBuffer;
    if (buffer.byteLength > 0) lane.worker.postMessage({ t: 'spare', buffer } satisfies SpareMessage, [buffer]);
  };
  const fail = (e: Error): void => {
    if (failed) return;
    failed = e;
    settle?.();
    wake?.();
  };

  for (let index = 0; index < count; index++) {
    const data: WorkerInput = { path, index, job };
    const w = new Worker(script, { workerData: data, stdout: false, stderr: false });
    const lane = new Lane(w);
    lanes.push(lane);
    w.on('message', (m: WorkerMessage) => {
      switch (m.t) {
        case 'batch':
          if (m.keys.length > 0) lane.batches.push(m);
          else giveBack(lane, m);
          lane.watermark = m.watermark;
          lane.inputs -= m.inputs;
          lane.spare.push(...m.spare);
          if (wake && !behind()) {
            const r = wake;
            wake = undefined;
            r();
          }
          break;
        case 'stderr':
          io.stderr(m.text);
          break;
        case 'end':
          lane.end = m;
          lane.done = true;
          break;
      }
      if (!failed) pump();
    });
    w.on('error', (e) => fail(e));
    w.on('exit', (code) => {
      if (!lane.done) fail(new Error(`worker ${index} exited with code ${code} before it finished`));
    });
  }

  const clock = { position: 0 };
  let first: Timestamp | undefined;
  let firstSent = false;
  /** Each worker's events so far, as one batch; `upTo`: every later event has a position above it. */
  const dispatch = (upTo: number, last: boolean): void => {
    for (const l of lanes) {
      const b: InputBatch = { t: 'input', ...l.log.take(l.spare.pop()), upTo, last, ...(first !== undefined && !firstSent ? { first } : {}) };
      l.worker.postMessage(b, [b.meta.buffer as ArrayBuffer, b.bytes.buffer as ArrayBuffer]);
      l.inputs++;
    }
    if (first !== undefined) firstSent = true;
  };
  const options: AnalyzeOptions = {
    clock,
    onFirstFrame: (ts) => (first = ts),
    // After each chunk of input: the workers get their events; reading waits while one is behind or stdout is full.
    waitForOutput: () => {
      if (failed) throw failed;
      dispatch(clock.position, false);
      if (behind()) return new Promise<void>((r) => (wake = r)).then(() => {
        if (failed) throw failed;
        return io.waitForOutput?.();
      });
      return io.waitForOutput?.();
    },
  };
  let run: AnalysisRun;
  try {
    run = await runAnalysis({ input: { kind: 'file', path }, ...front, quiet }, io, options, () => {}, (input, o) =>
      drive(new Pipeline(o, () => {}, (conn) => new Forwarder(conn, lanes[conn.index % count]!.log, clock)), input, o));
    if (!failed) dispatch(Number.POSITIVE_INFINITY, true);
    await new Promise<void>((resolve) => {
      settle = resolve;
      if (failed) resolve();
      else pump();
    });
    if (failed) throw failed;
  } finally {
    for (const l of lanes) void l.worker.terminate();
  }
  const ends = lanes.map((l) => l.end!);
  if (onGroups) {
    for (const e of ends) onGroups((e.groups ?? []).map((g) => ({ ...g, latencies: LatencySketch.fromJSON(g.latencies) })), e.kept);
  }
  const parts = ends.map((e) => e.totals).filter((t): t is Totals => t !== undefined);
  const merged: AnalysisRun = run.code !== undefined || run.totals === undefined || parts.length !== ends.length
    ? { totals: undefined, damaged: run.damaged, code: run.code ?? 2 }
    : { totals: mergeTotals(run.totals, parts), damaged: run.damaged || ends.some((e) => e.damaged) };
  return { run: merged, kept: ends.reduce((n, e) => n + e.kept, 0) };
}
