/**
 * A worker of a parallel run (see protocol.ts): replays the reader's events for its connections on real sessions
 * (replay.ts), runs the command's own output code on them and sends the text back after each input batch, each
 * piece with its position.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AnalyzeOptions, CaptureInput, Totals } from '../api-types.js';
import type { MySqlRecord } from '../model/record.js';
import type { Exchange } from '../model/exchange.js';
import { compileRecordFilter } from '../filter/index.js';
import { parseQueriesOptions, queryLineWriter, runExchanges } from '../cli/queries.js';
import type { Sink } from '../output/sink.js';
import { JsonBytes } from '../output/json-bytes.js';
import { parseDigestOptions } from '../cli/digest.js';
import { Digest } from '../analysis/digest.js';
import { type GroupData, type SpareMessage, type WorkerInput, type WorkerMessage } from './protocol.js';
import type { InputBatch } from './events.js';
import { SessionReplay } from './replay.js';

const input = workerData as WorkerInput;
const port = parentPort!;
const clock = { position: 0 };
const first = input.index === 0;

/** The batch being filled: output encoded as it is written, the position of each piece, and where each piece ends. */
let batch = new JsonBytes(64 * 1024);
let keys = new Float64Array(4096);
let ends = new Uint32Array(4096);
let pieces = 0;
/** Input batches applied since the last flush, and their byte memory (it goes back to the reader with the flush). */
let inputs = 0;
let spare: ArrayBuffer[] = [];
/** Output memory the main thread gave back. */
const free: ArrayBuffer[] = [];

/** Input batches that came before the command was ready for them, and what takes them once it is. */
const waiting: InputBatch[] = [];
let take: ((b: InputBatch) => void) | undefined;
port.on('message', (m: InputBatch | SpareMessage) => {
  if (m.t === 'spare') free.push(m.buffer);
  else if (take) take(m);
  else waiting.push(m);
});

const post = (m: WorkerMessage, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer ?? []);

/** Sends what was written so far; every later piece comes from a position above `watermark`. */
function flush(watermark: number): void {
  const n = batch.len;
  const b = batch.buf.subarray(0, n);
  const k = keys.slice(0, pieces);
  const e = ends.slice(0, pieces);
  post({ t: 'batch', bytes: b, keys: k, ends: e, watermark, inputs, spare }, [b.buffer as ArrayBuffer, k.buffer, e.buffer, ...spare]);
  // The buffer went with the message: the next batch goes into one given back, or one sized like this one.
  const back = free.pop();
  batch = back !== undefined ? JsonBytes.over(new Uint8Array(back)) : new JsonBytes(Math.max(64 * 1024, n + (n >> 2)));
  pieces = 0;
  inputs = 0;
  spare = [];
}

const sink: Sink = {
  write(s: string): void {
    batch.utf8(s);
    endPiece();
  },
  writeBytes(b: Uint8Array): void {
    batch.bytes(b);
    endPiece();
  },
  target: () => batch,
  commit: endPiece,
};

/** What was written since the last piece is one piece, at the current position. */
function endPiece(): void {
  if (pieces === keys.length) {
    const k = new Float64Array(pieces * 2);
    k.set(keys);
    keys = k;
    const e = new Uint32Array(pieces * 2);
    e.set(ends);
    ends = e;
  }
  keys[pieces] = clock.position;
  ends[pieces] = batch.len;
  pieces++;
}

/** The command's analysis, on the reader's events instead of a capture: resolves after the last batch. */
const replayAnalyze = (_capture: CaptureInput, options: AnalyzeOptions, onRecord: (r: MySqlRecord) => void): Promise<Totals> =>
  new Promise<Totals>((resolve) => {
    const replay = new SessionReplay({ ...options, clock }, onRecord);
    take = (b) => {
      replay.apply(b);
      inputs++;
      spare.push(b.bytes.buffer as ArrayBuffer);
      if (b.last) {
        take = undefined;
        resolve(replay.totals);
      } else {
        flush(b.upTo);
      }
    };
    for (const b of waiting.splice(0)) take?.(b);
  });

async function main(): Promise<void> {
  const job = input.job;
  const stderr = (s: string): void => { if (first) post({ t: 'stderr', text: s }); };
  const filter = (t: string): ((r: MySqlRecord) => boolean) => compileRecordFilter(t);
  // The command's own per-exchange work: query lines into the sink, or a digest whose groups go back at the end.
  let c: Parameters<typeof runExchanges>[0];
  let onExchange: (x: Exchange) => void;
  let kept: () => number;
  let groups: (() => GroupData[]) | undefined;
  if (job.command === 'digest') {
    const dc = parseDigestOptions(input.path, job.options, process.stdin, filter);
    c = dc;
    const digest = new Digest({ groupBy: dc.groupBy });
    onExchange = (x) => digest.add(x, clock.position);
    kept = () => digest.total;
    groups = () => [...digest.groups.values()].map((g) => ({ ...g, latencies: g.latencies.toJSON() }));
  } else {
    const qc = parseQueriesOptions(input.path, job.options, process.stdin, filter);
    c = qc;
    const lines = queryLineWriter(qc.format, sink);
    onExchange = (x) => lines.onExchange(x);
    kept = () => lines.kept();
  }
  const run = await runExchanges({ ...c, quiet: true }, { stdout: sink, stderr }, onExchange, replayAnalyze, clock);
  flush(Number.POSITIVE_INFINITY);
  post({ t: 'end', totals: run.totals, damaged: run.damaged, code: run.code, kept: kept(), ...(groups ? { groups: groups() } : {}) });
}

main().catch((e: unknown) => {
  throw e; // the main thread's 'error' handler reports it
});
