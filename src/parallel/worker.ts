/**
 * A worker of a parallel run (see protocol.ts): reads the capture file, decodes its share of the connections, runs
 * the command's own output code on them and sends the text back in batches, each piece with its position.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AnalyzeOptions, CaptureInput, Totals } from '../api-types.js';
import { analyze } from '../pipeline/analyze.js';
import type { MySqlRecord } from '../model/record.js';
import { compileRecordFilter } from '../filter/index.js';
import { parseQueriesOptions, queryLineWriter, runExchanges } from '../cli/queries.js';
import type { Sink } from '../output/sink.js';
import { MAX_OUTSTANDING, type AckMessage, type WorkerInput, type WorkerMessage } from './protocol.js';

const input = workerData as WorkerInput;
const port = parentPort!;
const clock = { position: 0 };
const first = input.shard.index === 0;

let texts: string[] = [];
let keys: number[] = [];
/** Characters and input chunks since the last batch: a batch per ~1 MB of output or 64 chunks of input. */
let pending = 0;
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

/** Sends what was written so far (UTF-8, its buffer handed over, not copied); every later piece comes from a
 *  position above `watermark`. */
function flush(watermark: number): void {
  const n = texts.length;
  const ends = new Uint32Array(n);
  let len = 0;
  for (let i = 0; i < n; i++) {
    len += Buffer.byteLength(texts[i]!, 'utf8');
    ends[i] = len;
  }
  const bytes = new Uint8Array(len);
  if (n > 0) Buffer.from(bytes.buffer).write(texts.join(''), 'utf8');
  const k = Float64Array.from(keys);
  post({ t: 'batch', bytes, keys: k, ends, watermark }, [bytes.buffer, k.buffer, ends.buffer]);
  outstanding++;
  texts = [];
  keys = [];
  pending = 0;
  chunks = 0;
}

const sink: Sink = {
  write(s: string): void {
    texts.push(s);
    keys.push(clock.position);
    pending += s.length;
  },
};

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
      if (pending < 1 << 20 && ++chunks < 64) return undefined;
      flush(clock.position);
      if (outstanding < MAX_OUTSTANDING) return undefined;
      return new Promise<void>((r) => (resume = r));
    },
  }, onRecord);

async function main(): Promise<void> {
  const job = input.job;
  const c = parseQueriesOptions(input.path, job.options, process.stdin, (t) => compileRecordFilter(t));
  const lines = queryLineWriter(c.format, sink);
  const run = await runExchanges({ ...c, quiet: true }, {
    stdout: sink,
    stderr: (s) => { if (first) post({ t: 'stderr', text: s }); },
  }, (x) => lines.onExchange(x), shardAnalyze);
  flush(Number.POSITIVE_INFINITY);
  post({ t: 'end', totals: run.totals, damaged: run.damaged, code: run.code, kept: lines.kept() });
}

main().catch((e: unknown) => {
  throw e; // the main thread's 'error' handler reports it
});
