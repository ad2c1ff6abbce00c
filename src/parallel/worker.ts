/**
 * A worker of a parallel run (see protocol.ts): parses the whole capture (the bytes the main thread shares),
 * decodes its share of the connections, runs the command's own output code on them and sends the text back after
 * each chunk of input, each piece with its position.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AnalyzeOptions, CaptureInput } from '../api-types.js';
import type { MySqlRecord } from '../model/record.js';
import type { Exchange } from '../model/exchange.js';
import { compileRecordFilter } from '../filter/index.js';
import { parseQueriesOptions, queryLineWriter, runExchanges } from '../cli/queries.js';
import { parseDigestOptions } from '../cli/digest.js';
import { Digest } from '../analysis/digest.js';
import { analyze } from '../pipeline/analyze.js';
import { MAX_BATCHES, type GroupData, type MainMessage, type WorkerInput, type WorkerMessage } from './protocol.js';
import { PieceBatch } from './pieces.js';
import { ChunkInbox } from './shared-chunks.js';

const input = workerData as WorkerInput;
const port = parentPort!;
const clock = { position: 0 };
const out = new PieceBatch(clock);
/** Batches sent and not yet written out by the main thread; reading waits while there are MAX_BATCHES. */
let unwritten = 0;
let wake: (() => void) | undefined;
/** The file's bytes as the main thread shares them (unless this worker reads a gzip file itself). */
const inbox = input.shared ? new ChunkInbox((m) => port.postMessage(m)) : undefined;
port.on('message', (m: MainMessage) => {
  if (m.t === 'chunk') {
    inbox!.receive(m);
    return;
  }
  if (m.buffer.byteLength > 0) out.free.push(m.buffer);
  unwritten--;
  if (wake !== undefined && unwritten < MAX_BATCHES) {
    const r = wake;
    wake = undefined;
    r();
  }
});

const post = (m: WorkerMessage, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer ?? []);

/** Sends what was written so far; every later piece comes from a position above `watermark`. */
function flush(watermark: number): void {
  const m = out.take(watermark);
  post(m, m.keys.length > 0 ? [m.bytes.buffer as ArrayBuffer, m.keys.buffer as ArrayBuffer, m.ends.buffer as ArrayBuffer] : []);
  unwritten++;
}

/** The command's analysis of this worker's share of the connections. */
const analyzeShare = (capture: CaptureInput, options: AnalyzeOptions, onRecord: (r: MySqlRecord) => void): ReturnType<typeof analyze> =>
  analyze(capture, {
    ...options, readAhead: false, share: { index: input.index, count: input.count }, ...(inbox ? { fileSource: () => inbox } : {}),
  }, onRecord);

async function main(): Promise<void> {
  const job = input.job;
  let stderr = '';
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
  const io = {
    stdout: out.sink,
    stderr: (s: string) => void (stderr += s),
    // After each chunk of input: its output goes out; reading waits while the main thread has too much of it.
    waitForOutput: (): Promise<void> | undefined => {
      flush(clock.position);
      return unwritten < MAX_BATCHES ? undefined : new Promise<void>((r) => (wake = r));
    },
  };
  const run = await runExchanges({ ...c, quiet: true }, io, onExchange, analyzeShare, clock);
  flush(Number.POSITIVE_INFINITY);
  post({ t: 'end', totals: run.totals, damaged: run.damaged, code: run.code, kept: kept(), stderr, ...(groups ? { groups: groups() } : {}) });
}

main().catch((e: unknown) => {
  throw e; // the main thread's 'error' handler reports it
});
