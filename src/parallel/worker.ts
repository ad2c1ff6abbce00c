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
import { parseDigestOptions } from '../cli/digest.js';
import { Digest } from '../analysis/digest.js';
import { type GroupData, type SpareMessage, type WorkerInput, type WorkerMessage } from './protocol.js';
import type { InputBatch } from './events.js';
import { SessionReplay } from './replay.js';
import { PieceBatch } from './pieces.js';

const input = workerData as WorkerInput;
const port = parentPort!;
const clock = { position: 0 };
const out = new PieceBatch(clock);
/** Input batches applied since the last batch of output, and their byte memory (it goes back with that batch). */
let inputs = 0;
let spare: ArrayBuffer[] = [];

/** Input batches that came before the command was ready for them, and what takes them once it is. */
const waiting: InputBatch[] = [];
let take: ((b: InputBatch) => void) | undefined;
port.on('message', (m: InputBatch | SpareMessage) => {
  if (m.t === 'spare') out.free.push(m.buffer);
  else if (take) take(m);
  else waiting.push(m);
});

const post = (m: WorkerMessage, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer ?? []);

/** Sends what was written so far; every later piece comes from a position above `watermark`. */
function flush(watermark: number): void {
  const m = out.take(watermark, inputs, spare);
  post(m, [m.bytes.buffer as ArrayBuffer, m.keys.buffer as ArrayBuffer, m.ends.buffer as ArrayBuffer, ...spare]);
  inputs = 0;
  spare = [];
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
  const stderr = (s: string): void => post({ t: 'stderr', text: s });
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
    const lines = queryLineWriter(qc.format, out.sink);
    onExchange = (x) => lines.onExchange(x);
    kept = () => lines.kept();
  }
  const run = await runExchanges({ ...c, quiet: true }, { stdout: out.sink, stderr }, onExchange, replayAnalyze, clock);
  flush(Number.POSITIVE_INFINITY);
  post({ t: 'end', totals: run.totals, damaged: run.damaged, code: run.code, kept: kept(), ...(groups ? { groups: groups() } : {}) });
}

main().catch((e: unknown) => {
  throw e; // the main thread's 'error' handler reports it
});
