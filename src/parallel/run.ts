/**
 * A parallel run over N threads: this one (share 0) and N−1 worker threads. Every thread reads the whole capture and
 * runs the front end (capture, link/IP/TCP, reassembly, tcp.stream numbering) on every frame, so frame numbers,
 * tcp.stream indexes and positions are the same everywhere; each detects and decodes only the connections whose
 * tcp.stream index % N is its share (AnalyzeOptions.share), and runs the command's output code on them. Output comes
 * in pieces, each with its position, and is merged: a piece is written once no thread can still produce one at a
 * lower position (every thread's watermark is at or past it). The result is the output of one thread, byte for
 * byte: within one position all output comes from the one connection the frame belongs to (or, at the end, the one
 * connection being closed).
 *
 * Before, one thread ran the front end and sent each worker its connections' session calls as events, with a copy
 * of their bytes, to be replayed there. That cost about what the front end each thread now repeats costs (about a
 * fifth of a one-thread run; --workers 2 measured within 5% of the old way on the 2.6 GB capture, JSON a little
 * slower, text a little faster), and this way every thread runs exactly the pipeline of a one-thread run, with
 * nothing to forward, replay or keep in step but the output. The file's bytes are read once (shared-chunks.ts).
 *
 * Memory: each thread takes a batch of output after each chunk of input; a thread waits before its next chunk while
 * MAX_BATCHES of its batches are not written yet (only the thread furthest ahead can be in that state: the one
 * furthest behind always has all its pieces writable), or, for this thread, while standard output is full.
 */
import { Worker } from 'node:worker_threads';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CaptureInput, Totals } from '../api-types.js';
import type { AnalysisRun } from '../cli/common.js';
import { runExchanges } from '../cli/queries.js';
import type { RecordPredicate } from '../cli/queries.js';
import type { ProgressStream } from '../cli/progress.js';
import type { Sink } from '../output/sink.js';
import type { Exchange } from '../model/exchange.js';
import type { Group } from '../analysis/digest.js';
import { LatencySketch } from '../analysis/latency-sketch.js';
import { analyze } from '../pipeline/analyze.js';
import { SNIFF_BYTES, sniffFormat } from '../capture/sniff.js';
import { PieceBatch } from './pieces.js';
import { SharedFileChunks } from './shared-chunks.js';
import { MAX_BATCHES, mergeTotals, type BatchMessage, type ParallelJob, type SpareMessage, type WorkerInput, type WorkerMessage } from './protocol.js';

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
  constructor(readonly worker: Worker | undefined) {}

  headKey(): number | undefined {
    const b = this.batches[0];
    return b === undefined ? undefined : b.keys[this.piece];
  }
}

/**
 * Whether the file is gzip-compressed: its threads then each read it (its raw chunks go to the inflater, which keeps
 * them for as long as it likes, so they could not be shared and handed back). Unreadable: no; reading reports it.
 */
function isGzip(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = new Uint8Array(SNIFF_BYTES);
      return sniffFormat(head.subarray(0, readSync(fd, head, 0, SNIFF_BYTES, 0))) === 'gzip';
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
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
  /** Wakes this thread's reading once few enough of its batches wait to be written (or a worker failed). */
  let wake: (() => void) | undefined;

  /** An output batch is written out (the sinks copy): its memory goes back to where it was filled. */
  const giveBack = (lane: Lane, b: BatchMessage): void => {
    const buffer = b.bytes.buffer as ArrayBuffer;
    if (lane.worker === undefined) {
      if (buffer.byteLength > 0) mine.free.push(buffer);
      if (wake !== undefined && home.batches.length < MAX_BATCHES) {
        const r = wake;
        wake = undefined;
        r();
      }
    } else {
      // Also when it had nothing: the worker counts the batches not yet written.
      lane.worker.postMessage({ t: 'spare', buffer } satisfies SpareMessage, buffer.byteLength > 0 ? [buffer] : []);
    }
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
  const shared = !isGzip(c.input.path);
  let chunks: SharedFileChunks | undefined;
  const fail = (e: Error): void => {
    if (failed) return;
    failed = e;
    chunks?.destroy(); // reading would wait for the failed worker to hand its chunks back
    settle?.();
    wake?.();
  };

  for (let index = 1; index < count; index++) {
    const data: WorkerInput = { path: c.input.path, index, count, job, shared };
    const w = new Worker(script, { workerData: data, stdout: false, stderr: false });
    const lane = new Lane(w);
    lanes.push(lane);
    workers.push(lane);
    w.on('message', (m: WorkerMessage) => {
      if (m.t === 'release') {
        chunks?.onRelease(m);
        return;
      }
      if (m.t === 'batch') {
        receive(lane, m);
      } else {
        lane.end = m;
        lane.done = true;
      }
      if (!failed) pump();
    });
    w.on('error', (e) => fail(e));
    w.on('exit', (code) => {
      if (!lane.done) fail(new Error(`worker ${index} exited with code ${code} before it finished`));
    });
  }

  if (shared) chunks = new SharedFileChunks(c.input.path, workers.map((l) => l.worker!));
  const fileSource = chunks ? { fileSource: () => chunks } : {};
  const localIo = {
    stdout: mine.sink,
    stderr: io.stderr,
    ...(io.progressStream ? { progressStream: io.progressStream } : {}),
    // After each chunk of input: this thread's output so far into its lane; reading waits while too much of it is
    // not written yet (a worker is behind) or standard output is full.
    waitForOutput: (): Promise<void> | undefined => {
      if (failed) throw failed;
      receive(home, mine.take(clock.position));
      pump();
      if (home.batches.length >= MAX_BATCHES) return new Promise<void>((r) => (wake = r)).then(() => {
        if (failed) throw failed;
        return io.waitForOutput?.();
      });
      return io.waitForOutput?.();
    },
  };
  let run: AnalysisRun;
  try {
    run = await runExchanges({ ...c, quiet }, localIo, (x) => share.onExchange(x), (input, o, onRecord) =>
      // Shared: read ahead on the thread pool. A gzip file each thread reads and inflates itself, synchronously.
      analyze(input, { ...o, readAhead: false, share: { index: 0, count }, ...fileSource }, onRecord), clock);
    if (!failed) {
      receive(home, mine.take(Number.POSITIVE_INFINITY));
      home.done = true;
    }
    await new Promise<void>((resolve) => {
      settle = resolve;
      if (failed) resolve();
      else pump();
    });
    if (failed) throw failed;
  } finally {
    chunks?.destroy();
    for (const l of workers) void l.worker!.terminate();
  }
  const ends = workers.map((l) => l.end!);
  // A worker read the same file: an error it met, this thread met too and has printed (unless it read further).
  if (run.code === undefined) for (const e of ends) if (e.stderr !== '') io.stderr(e.stderr);
  if (onGroups) {
    for (const e of ends) onGroups((e.groups ?? []).map((g) => ({ ...g, latencies: LatencySketch.fromJSON(g.latencies) })), e.kept);
  }
  const parts = ends.map((e) => e.totals).filter((t): t is Totals => t !== undefined);
  const merged: AnalysisRun = run.code !== undefined || run.totals === undefined || parts.length !== ends.length
    ? { totals: undefined, damaged: run.damaged, code: run.code ?? ends.find((e) => e.code !== undefined)?.code ?? 2 }
    : { totals: mergeTotals(run.totals, parts), damaged: run.damaged || ends.some((e) => e.damaged) };
  return { run: merged, kept: share.kept() + ends.reduce((n, e) => n + e.kept, 0) };
}
