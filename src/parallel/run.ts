/**
 * A parallel run: N worker threads, each reading the capture and decoding the connections whose tcp.stream index
 * is its number modulo N (protocol.ts), and an ordered merge of their output. Each worker's pieces come in position
 * order; a piece is written once no worker can still produce one at a lower position (every worker's watermark is
 * at or past it). The result is the output of one thread, byte for byte: within one position all output comes from
 * the one connection the frame belongs to (or, at the end, the one connection being closed).
 *
 * Memory: a worker stops reading when MAX_OUTSTANDING of its batches wait here unwritten; a batch is a chunk of
 * input's worth of output. Progress comes from worker 0 (every worker reads every byte).
 */
import { Worker } from 'node:worker_threads';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Totals } from '../api-types.js';
import type { AnalysisRun } from '../cli/common.js';
import { startProgress } from '../cli/common.js';
import type { ProgressStream } from '../cli/progress.js';
import type { Sink } from '../output/sink.js';
import type { Group } from '../analysis/digest.js';
import { LatencySketch } from '../analysis/latency-sketch.js';
import { mergeTotals, type BatchMessage, type ParallelJob, type WorkerInput, type WorkerMessage } from './protocol.js';

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
  io: { stdout: Sink; stderr(s: string): void; progressStream?: ProgressStream; waitForOutput?(): Promise<void> | undefined },
  quiet: boolean,
  /** digest: each worker's groups and exchange count, once it is done. */
  onGroups?: (groups: Group[], total: number) => void,
): Promise<ParallelResult> {
  const script = workerPath();
  const progress = startProgress({ kind: 'file', path }, io.progressStream, quiet);
  let total = 0;
  try {
    total = statSync(path).size;
  } catch {
    total = 0;
  }
  const lanes: Lane[] = [];
  const decoder = new TextDecoder();
  const writeBytes = (b: Uint8Array): void => {
    if (io.stdout.writeBytes) io.stdout.writeBytes(b);
    else io.stdout.write(decoder.decode(b));
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
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
            // The worker may go on once this batch is written out (and standard output has room again).
            const worker = best.worker;
            const wait = io.waitForOutput?.();
            if (wait) void wait.then(() => worker.postMessage({ t: 'ack' }));
            else worker.postMessage({ t: 'ack' });
          }
        }
        if (lanes.every((l) => l.done && l.batches.length === 0)) resolve();
      };
      for (let index = 0; index < count; index++) {
        const data: WorkerInput = { path, shard: { index, count }, job };
        const w = new Worker(script, { workerData: data, stdout: false, stderr: false });
        const lane = new Lane(w);
        lanes.push(lane);
        w.on('message', (m: WorkerMessage) => {
          switch (m.t) {
            case 'batch':
              if (m.keys.length > 0) lane.batches.push(m);
              else w.postMessage({ t: 'ack' }); // nothing to write: it only moves the watermark
              lane.watermark = m.watermark;
              break;
            case 'progress':
              progress.update(m.bytes, m.frames);
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
        w.on('error', (e) => {
          failed = true;
          reject(e);
        });
        w.on('exit', (code) => {
          if (!lane.done && !failed) {
            failed = true;
            reject(new Error(`worker ${index} exited with code ${code} before it finished`));
          }
        });
      }
    });
  } finally {
    for (const l of lanes) void l.worker.terminate();
    if (total > 0) progress.update(total, lanes[0]?.end?.totals?.frames ?? 0);
    progress.stop();
  }
  const ends = lanes.map((l) => l.end!);
  if (onGroups) {
    for (const e of ends) onGroups((e.groups ?? []).map((g) => ({ ...g, latencies: LatencySketch.fromJSON(g.latencies) })), e.kept);
  }
  const failedRead = ends.find((e) => e.code !== undefined);
  const parts = ends.map((e) => e.totals).filter((t): t is Totals => t !== undefined);
  const run: AnalysisRun = failedRead !== undefined || parts.length !== ends.length
    ? { totals: undefined, damaged: false, code: failedRead?.code ?? 2 }
    : { totals: mergeTotals(parts), damaged: ends.some((e) => e.damaged) };
  return { run, kept: ends.reduce((n, e) => n + e.kept, 0) };
}
