/**
 * `myshark queries CAPTURE [-Y FILTER] [-T text|json|csv] [-d PORT]`: the query log — one line per exchange (a
 * request with its complete response, or none): start time, connection, user@schema, command, SQL (EXECUTE: the
 * prepared SQL with its values), latency, time to first byte, rows, bytes each way, status and notable server
 * status flags. -Y keeps the exchanges whose request matches the display filter.
 *
 * Lines are written as exchanges complete (a streaming log: memory stays flat), so exchanges of different
 * connections appear in the order their responses ended; within a connection, in order. Sort by `ts` for start order.
 *
 * Exit codes: 0 ok; 1 the filter matched no exchange; 2 usage / unreadable input; 3 no MySQL traffic;
 * 4 damaged capture (rows are still printed).
 */
import { addCaptureOptions, displayFilterArgs, parseCaptureArgs, parseWorkers, runAnalysis, runsInParallel, workersOption, type AnalysisRun } from './common.js';
import type { ProgressStream } from './progress.js';
import { Option, type Command } from 'commander';
import type { CaptureInput } from '../api-types.js';
import { csvHeader, queryCsv, QueryJsonWriter, queryRow, queryText } from '../analysis/queries.js';
import type { Exchange } from '../model/exchange.js';
import type { MySqlRecord } from '../model/record.js';
import type { Sink } from '../output/sink.js';
import { EXIT, exitCodeForTotals } from './exit-codes.js';
import { UsageError, type AnalyzeFn } from './read.js';

/** Raw options as commander hands them over. */
export interface RawQueriesOptions {
  format?: string;
  decodePort?: string[];
  autoDetect?: boolean;
  displayFilter?: string;
  quiet?: boolean;
  workers?: string;
}

export type QueriesFormat = 'text' | 'json' | 'csv';

/** A request-record predicate; a compiled display filter may say it needs the field tree. */
export type RecordPredicate = ((r: MySqlRecord) => boolean) & { readonly needsTree?: boolean };

export interface QueriesConfig {
  input: CaptureInput;
  inputName: string;
  format: QueriesFormat;
  ports: number[];
  autoDetect: boolean;
  /** -Y compiled: keep exchanges whose request matches. */
  predicate?: RecordPredicate;
  filterText?: string;
  /** -q: no progress bar. */
  quiet?: boolean;
  /** --workers: threads sharing the work (1: this thread only; see parallel/run.ts). */
  workers: number;
  /** The options as given (a parallel run hands them to its workers). */
  raw: RawQueriesOptions;
}

export interface QueriesIO {
  stdout: Sink;
  stderr(s: string): void;
  /** Backpressure from standard output (see ReadIO). */
  waitForOutput?(): Promise<void> | undefined;
  /** Standard error for the progress bar (absent: no bar). */
  progressStream?: ProgressStream;
}

/** Validates the options; `compileFilter` turns -Y into a predicate (throws its own error for a bad filter). */
export function parseQueriesOptions(
  capture: string | undefined,
  o: RawQueriesOptions,
  stdin: NodeJS.ReadableStream,
  compileFilter?: (text: string) => (r: MySqlRecord) => boolean,
): QueriesConfig {
  const format = o.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'csv') {
    throw new UsageError(`unknown output format '${format}' (use -T text, -T json or -T csv)`);
  }
  return {
    ...parseCaptureArgs(capture, o, stdin), format, ...displayFilterArgs(o.displayFilter, compileFilter),
    workers: parseWorkers(o.workers, capture), raw: { ...o, workers: '1' },
  };
}

/** What an exchange-consuming command gets back from `runExchanges`. */
export type ExchangeRun = AnalysisRun;

/**
 * Runs the analysis and hands every exchange whose request passes `predicate` to `onExchange`. A CaptureError
 * is printed and turned into its exit code.
 */
export async function runExchanges(
  c: { input: CaptureInput; ports: number[]; autoDetect: boolean; predicate?: RecordPredicate; quiet?: boolean },
  io: QueriesIO,
  onExchange: (x: Exchange) => void,
  analyzeFn?: AnalyzeFn,
  clock?: { position: number },
): Promise<ExchangeRun> {
  const keep = c.predicate;
  return runAnalysis(c, io, {
    ...(clock ? { clock } : {}),
    tree: keep?.needsTree === true,
    // Exchanges count rows; the filter reads the request: no row value is ever looked at.
    limits: { maxRowsKept: 0 },
    onExchange: keep ? (x) => { if (keep(x.request)) onExchange(x); } : onExchange,
    ...(io.waitForOutput ? { waitForOutput: () => io.waitForOutput?.() } : {}),
  }, () => {}, analyzeFn);
}

/** The query log writer: one line (or CSV record) per exchange on `out`; `kept` counts them. */
export function queryLineWriter(format: QueriesFormat, out: Sink): { onExchange(x: Exchange): void; kept(): number } {
  let n = 0;
  const json = new QueryJsonWriter();
  return {
    onExchange(x: Exchange): void {
      n++;
      if (format === 'json') {
        if (out.target && out.commit) {
          json.append(x, out.target());
          out.commit();
        } else if (out.writeBytes) out.writeBytes(json.bytes(x));
        else out.write(`${json.line(x)}\n`);
        return;
      }
      const row = queryRow(x);
      if (format === 'csv') out.write(queryCsv(row, x.serverStatus));
      else out.write(`${queryText(row, x)}\n`);
    },
    kept: () => n,
  };
}

/** Runs `myshark queries` and returns the exit code. Never throws for input problems. */
export async function runQueries(c: QueriesConfig, io: QueriesIO, analyzeFn?: AnalyzeFn): Promise<number> {
  if (c.format === 'csv') io.stdout.write(csvHeader());
  if (runsInParallel(c, analyzeFn)) {
    // Connections shared out between threads (parallel/run.ts); the output is merged back into the one-thread order.
    const { runParallel } = await import('../parallel/run.js');
    const r = await runParallel(c, { command: 'queries', options: c.raw }, io, c.quiet === true || process.stdout.isTTY === true,
      (sink) => queryLineWriter(c.format, sink));
    return finish(c, io, r.run, r.kept, 'exchange');
  }
  const lines = queryLineWriter(c.format, io.stdout);
  const run = await runExchanges(
    // Lines stream to standard output: no bar when that is the terminal too.
    { ...c, quiet: c.quiet === true || process.stdout.isTTY === true },
    io,
    (x) => lines.onExchange(x),
    analyzeFn,
  );
  return finish(c, io, run, lines.kept(), 'exchange');
}

/** The common ending of `queries` and `digest`: messages on stderr and the exit code. */
export function finish(
  c: { inputName: string; predicate?: RecordPredicate; filterText?: string },
  io: QueriesIO,
  run: ExchangeRun,
  kept: number,
  what: string,
): number {
  if (run.code !== undefined || !run.totals) return run.code ?? EXIT.USAGE;
  const totals = run.totals;
  const damaged = run.damaged || totals.truncated;
  if (totals.messages === 0) {
    io.stderr(`myshark: no MySQL traffic in ${c.inputName} (if a server listens on a port other than 3306, name it with -d PORT)\n`);
    return exitCodeForTotals(totals, run.damaged);
  }
  if (kept === 0 && c.predicate) {
    io.stderr(`myshark: no ${what} of ${c.inputName} has a request matching the filter ${JSON.stringify(c.filterText ?? '')}\n`);
    return damaged ? EXIT.DAMAGED : EXIT.FINDINGS;
  }
  if (damaged) io.stderr(`myshark: ${c.inputName} is truncated or damaged; everything decodable was decoded\n`);
  return damaged ? EXIT.DAMAGED : EXIT.OK;
}

export const QUERIES_EXAMPLES = `
Examples:
  # one line per statement: time (UTC), connection, user@schema, command, latency, ttfb, rows, bytes, status, SQL
  myshark queries capture.pcap
  # the statements that failed, as NDJSON
  myshark queries -T json capture.pcap | jq 'select(.status == "error")'
  # statements slower than 100 ms
  myshark queries -T json capture.pcap | jq -c 'select(.latency_ms > 100) | {ts, client, latency_ms, sql}'
  # for a spreadsheet (RFC 4180 CSV with a header row)
  myshark queries -T csv capture.pcap > queries.csv
  # only what one client port sent
  myshark queries -Y 'tcp.port == 40622' capture.pcap

Latency: request's last byte → response's last byte; ttfb: → end of the first response message. Lines appear as
exchanges complete (sort by ts for start order). Flags: no_index_used, no_good_index_used, slow (server status).
Exit codes: 0 ok; 1 no exchange matches the filter; 2 usage error or unreadable input; 3 no MySQL traffic;
4 capture truncated or damaged.
`;

/** Adds `myshark queries` to the program (same contract as addConnsCommand). */
export function addQueriesCommand(
  program: Command,
  io: QueriesIO & { stdin: NodeJS.ReadableStream },
  setCode: (code: number) => void,
  compileFilter?: (text: string) => (r: MySqlRecord) => boolean,
): Command {
  return addCaptureOptions(
    program
      .command('queries')
      .description('the query log: every statement with its latency, time to first byte, rows, bytes and status')
      .argument('[capture]', 'pcap/pcapng file (optionally gzip-compressed), or - for standard input')
      .option('-Y, --display-filter <filter>', 'only exchanges whose request matches this Wireshark-style display filter')
      .addOption(new Option('-T, --format <format>', 'output format').choices(['text', 'json', 'csv']).default('text'))
      .addOption(workersOption()),
  )
    .addHelpText('after', QUERIES_EXAMPLES)
    .action(async (capture: string | undefined, opts: RawQueriesOptions) => {
      const config = parseQueriesOptions(capture, opts, io.stdin, compileFilter);
      setCode(await runQueries(config, io));
    });
}

