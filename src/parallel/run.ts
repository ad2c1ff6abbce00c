/**
 * A parallel run over N threads: this one and N−1 worker threads. This thread reads the capture once and runs the
 * front end (capture, link/IP/TCP, reassembly, MySQL detection, tcp.stream numbering) exactly as one thread does.
 * Each MySQL connection, when found, is dealt to a share (dealShare): a worker, whose sessions get the connection's
 * session calls as events (events.ts) and whose output code runs there (worker.ts), or, with N = 2, possibly this
 * thread, which then decodes it as a one-thread run does. Output comes in pieces, each with its position, and is
 * merged: a piece is written once no share can still produce one at a lower position (every share's watermark is at
 * or past it). The result is the output of one thread, byte for byte: within one position all output comes from the
 * one connection the frame belongs to (or, at the end, the one connection being closed).
 *
 * Memory: after each chunk of input every worker gets its batch of events; reading waits while a worker has
 * MAX_INPUTS batches not yet done, or standard output is full. A batch holds a copy of the worker's share of the
 * chunk's MySQL bytes; each sends back one batch of output per batch of input.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CaptureInput, Totals } from '../api-types.js';
import type { AnalysisRun } from '../cli/common.js';
import { runExchanges } from '../cli/queries.js';
import type { RecordPredicate } from '../cli/queries.js';
import type { Timestamp } from '../core/time.js';
import type { ProgressStream } from '../cli/progress.js';
import type { Sink } from '../output/sink.js';
import type { Exchange } from '../model/exchange.js';
import type { Group } from '../analysis/digest.js';
import { LatencySketch } from '../analysis/latency-sketch.js';
import { drive } from '../pipeline/analyze.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { EventLog, Forwarder, type InputBatch } from './events.js';
import { PieceBatch } from './pieces.js';
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
  /** The events for the worker (share 0, this thread, has neither). */
  readonly log: EventLog | undefined;
  done = false;
  end: Extract<WorkerMessage, { t: 'end' }> | undefined;
  constructor(readonly worker: Worker | undefined) {
    this.log = worker ? new EventLog() : undefined;
  }

  headKey(): number | undefined {
    const b = this.batches[0];
    return b === undefined ? undefined : b.keys[this.piece];
  }
}

export interface ParallelResult {
  run: AnalysisRun;
  kept: number;
}

/** The command's work on the exchanges of this thread's share: its output goes to the sink it was made with. */
export interface LocalShare {
  onExchange(x: Exchange): void;
  /** Output items it counted (exchanges kept by the filter). */
  kept(): number;
}

/**
 * The share of the next connection: the one with the fewest connections so far (ties: the lowest worker). This
 * thread (share 0) takes part only when N = 2, counting its connections twice and the front end as one: the front
 * end is about a quarter of the work, so with two threads a reader that only reads would leave its core half idle,
 * and with three or more it is about one share's work already. Counts, not timings: the same capture is always
 * dealt the same way.
 */
export function dealShare(dealt: number[]): number {
  let best = 0;
  let least = Number.POSITIVE_INFINITY;
  for (let k = 1; k < dealt.length; k++) {
    if (dealt[k]! < least) {
      best = k;
      least = dealt[k]!;
    }
  }
  if (dealt.length === 2 && 2 * dealt[0]! + 1 < least) best = 0;
  dealt[best]!++;
  return best;
}

export async function runParallel(
  /** The command's parsed options: the capture, ports, auto-detection, filter, --workers (N). */
  c: { input: Extract<CaptureInput, { kind: 'file' }>; ports: number[]; autoDetect: boolean; predicate?: RecordPredicate; workers: number },
  /** The same command, for the workers (they parse its options themselves). */
  job: ParallelJob,
  io: { stdout: Sink; stderr(s: string): void; progressStream?: ProgressStream; waitForOutput?(): Promise<void> | undefined },
  quiet: boolean,
  /** The command's output code for share 0, writing to `sink` with positions from `clock`. */
  local: (sink: Sink, clock: { position: number }) => LocalShare,
  /** digest: each worker's groups and exchange count, once it is done. */
  onGroups?: (groups: Group[], total: number) => void,
): Promise<ParallelResult> {
  const count = c.workers;
  const script = workerPath();
  const clock = { position: 0 };
  const mine = new PieceBatch(clock);
  const share = local(mine.sink, clock);
  const home = new Lane(undefined);
  const lanes: Lane[] = [home];
  const workers: Lane[] = [];
  const decoder = new TextDecoder();
  const writeBytes = (b: Uint8Array): void => {
    if (io.stdout.writeBytes) io.stdout.writeBytes(b);
    else io.stdout.write(decoder.decode(b));
  };
  let failed: Error | undefined;
  let settle: (() => void) | undefined;
  /** Wakes the reader when no worker is MAX_INPUTS batches behind any more (or one failed). */
  let wake: (() => void) | undefined;
  const behind = (): boolean => workers.some((l) => l.inputs >= MAX_INPUTS);

  /** An output batch is written out (the sinks copy): its memory goes back to where it was filled. */
  const giveBack = (lane: Lane, b: BatchMessage): void => {
    const buffer = b.bytes.buffer as ArrayBuffer;
    if (buffer.byteLength === 0) return;
    if (lane.worker === undefined) mine.free.push(buffer);
    else lane.worker.postMessage({ t: 'spare', buffer } satisfies SpareMessage, [buffer]);
  };
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
  /** A batch of output into its lane, with its watermark. */
  const receive = (lane: Lane, m: BatchMessage): void => {
    if (m.keys.length > 0) lane.batches.push(m);
    else giveBack(lane, m);
    lane.watermark = m.watermark;
  };
  const fail = (e: Error): void => {
    if (failed) return;
    failed = e;
    settle?.();
    wake?.();
  };

  for (let index = 1; index < count; index++) {
    const data: WorkerInput = { path: c.input.path, index, job };
    const w = new Worker(script, { workerData: data, stdout: false, stderr: false });
    const lane = new Lane(w);
    lanes.push(lane);
    workers.push(lane);
    w.on('message', (m: WorkerMessage) => {
      switch (m.t) {
        case 'batch':
          receive(lane, m);
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

  let first: Timestamp | undefined;
  let firstSent = false;
  /** This share's output so far, and each worker's events as one batch; every later position is above `upTo`. */
  const dispatch = (upTo: number, last: boolean): void => {
    receive(home, mine.take(upTo, 0, []));
    for (const l of workers) {
      const b: InputBatch = { t: 'input', ...l.log!.take(l.spare.pop()), upTo, last, ...(first !== undefined && !firstSent ? { first } : {}) };
      l.worker!.postMessage(b, [b.meta.buffer as ArrayBuffer, b.bytes.buffer as ArrayBuffer]);
      l.inputs++;
    }
    if (first !== undefined) firstSent = true;
    pump();
  };
  const localIo = {
    stdout: mine.sink,
    stderr: io.stderr,
    ...(io.progressStream ? { progressStream: io.progressStream } : {}),
    // After each chunk of input: output and events go out; reading waits while a worker is behind or stdout is full.
    waitForOutput: (): Promise<void> | undefined => {
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
    run = await runExchanges({ ...c, quiet }, localIo, (x) => share.onExchange(x), (input, o, onRecord) => {
      // Every core decodes: the file is read on this thread (no thread-pool hand-offs), not ahead on another.
      const withFirst = { ...o, readAhead: false, onFirstFrame: (ts: Timestamp) => { first = ts; o.onFirstFrame?.(ts); } };
      const dealt = lanes.map(() => 0);
      const p = new Pipeline(withFirst, onRecord, (conn) => {
        const k = dealShare(dealt);
        return k === 0 ? undefined : new Forwarder(conn, lanes[k]!.log!, clock);
      });
      return drive(p, input, withFirst);
    }, clock);
    if (!failed) {
      dispatch(Number.POSITIVE_INFINITY, true);
      home.done = true;
    }
    await new Promise<void>((resolve) => {
      settle = resolve;
      if (failed) resolve();
      else pump();
    });
    if (failed) throw failed;
  } finally {
    for (const l of workers) void l.worker!.terminate();
  }
  const ends = workers.map((l) => l.end!);
  if (onGroups) {
    for (const e of ends) onGroups((e.groups ?? []).map((g) => ({ ...g, latencies: LatencySketch.fromJSON(g.latencies) })), e.kept);
  }
  const parts = ends.map((e) => e.totals).filter((t): t is Totals => t !== undefined);
  const merged: AnalysisRun = run.code !== undefined || run.totals === undefined || parts.length !== ends.length
    ? { totals: undefined, damaged: run.damaged, code: run.code ?? 2 }
    : { totals: mergeTotals(run.totals, parts), damaged: run.damaged || ends.some((e) => e.damaged) };
  return { run: merged, kept: share.kept() + ends.reduce((n, e) => n + e.kept, 0) };
}
