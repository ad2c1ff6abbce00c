/**
 * A worker of a parallel run (see protocol.ts): reads the capture file, decodes its share of the connections, runs
 * the command's own output code on them and sends the text back in batches, each piece with its position.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AnalyzeOptions, CaptureInput, Totals } from '../api-types.js';
import { analyze } from '../pipeline/analyze.js';
import type { MySqlRecord } from '../model/record.js';
import type { Exchange } from '../model/exchange.js';
import { compileRecordFilter } from '../filter/index.js';
import { parseQueriesOptions, queryLineWriter, runExchanges } from '../cli/queries.js';
import type { Sink } from '../output/sink.js';
import { JsonBytes } from '../output/json-bytes.js';
import { parseDigestOptions } from '../cli/digest.js';
import { Digest } from '../analysis/digest.js';
import { MAX_OUTSTANDING, type AckMessage, type GroupData, type WorkerInput, type WorkerMessage } from './protocol.js';

const input = workerData as WorkerInput;
const port = parentPort!;
const clock = { position: 0 };
const first = input.shard.index === 0;

/**
 * The batch being filled: output encoded as it is written (strings die young instead of waiting for the batch),
 * the position of each piece, and where each piece ends. Sent (buffers handed over) per ~1 MB or 64 input chunks.
 */
const BATCH_BYTES = 1 << 20;
let batch = new JsonBytes(BATCH_BYTES * 2);
let keys = new Float64Array(4096);
let ends = new Uint32Array(4096);
let pieces = 0;
let chunks = 0;
let outstanding = 0;
let resume: (() => void) | undefined;

port.on('message', (m: AckMessage) => {
  if (m.t !== 'ack') return;
  outstanding--;
  if (resume !== undefined && outstanding < MAX_OUTSTANDING) {
    const r = resume;
    resume = undefined;
    r();
  }
});

const post = (m: WorkerMessage, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer ?? []);

/** Sends what was written so far; every later piece comes from a position above `watermark`. */
function flush(watermark: number): void {
  const b = batch.buf.subarray(0, batch.len);
  const k = keys.slice(0, pieces);
  const e = ends.slice(0, pieces);
  post({ t: 'batch', bytes: b, keys: k, ends: e, watermark }, [b.buffer as ArrayBuffer, k.buffer, e.buffer]);
  outstanding++;
  batch = new JsonBytes(BATCH_BYTES * 2);
  pieces = 0;
  chunks = 0;
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

let lastProgress = 0;
const shardAnalyze = (capture: CaptureInput, options: AnalyzeOptions, onRecord: (r: MySqlRecord) => void): Promise<Totals> =>
  analyze(capture, {
    ...options,
    shard: input.shard,
    clock,
    ...(first ? {
      onProgress: (bytes: number, frames: number) => {
        const now = Date.now();
        if (now - lastProgress < 100) return;
        lastProgress = now;
        post({ t: 'progress', bytes, frames });
      },
    } : {}),
    // After each chunk of input: pass the output on, and wait while the main thread is behind.
    waitForOutput: () => {
      if (batch.len < BATCH_BYTES && ++chunks < 64) return undefined;
      flush(clock.position);
      if (outstanding < MAX_OUTSTANDING) return undefined;
      return new Promise<void>((r) => (resume = r));
    },
  }, onRecord);

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
  const run = await runExchanges({ ...c, quiet: true }, { stdout: sink, stderr }, onExchange, shardAnalyze, clock);
  flush(Number.POSITIVE_INFINITY);
  post({ t: 'end', totals: run.totals, damaged: run.damaged, code: run.code, kept: kept(), ...(groups ? { groups: groups() } : {}) });
}

main().catch((e: unknown) => {
  throw e; // the main thread's 'error' handler reports it
});
