/**
 * `myshark read`: turns parsed command-line options into an analysis, a reporter and an exit code.
 * A thin shell over the library (architecture principle 15): all I/O is injected so it can be tested alone.
 */
import type { AnalyzeOptions, CaptureInput, Totals } from '../api-types.js';
import { CaptureError } from '../api-types.js';
import type { Issue } from '../core/issues.js';
import type { MySqlRecord } from '../model/record.js';
import { createReporter, type OutputFormat } from '../output/index.js';
import type { Sink } from '../output/sink.js';
import { TimeBase } from '../output/summary.js';
import { formatTotals } from '../output/totals.js';
import { EXIT, exitCodeForCaptureError, exitCodeForTotals } from './exit-codes.js';
import { defaultAnalyze, serverPorts, startProgress } from './common.js';
import type { ProgressStream } from './progress.js';
import { createRecordExport, describeExport, exportProblem, ExportError } from '../export/pcap-export.js';
import { compileRecordFilter, DisplayFilterError, type RecordFilter } from '../filter/index.js';

/** Raw options as commander hands them over. */
export interface RawReadOptions {
  interface?: string;
  captureFilter?: string;
  tree?: boolean;
  hex?: boolean;
  format?: string;
  decodePort?: string[];
  autoDetect?: boolean;
  count?: string;
  write?: string;
  wholeConnections?: boolean;
  displayFilter?: string;
  quiet?: boolean;
}

export interface ReadConfig {
  input: CaptureInput;
  /** For messages: the file path, `stdin` or `interface eth0`. */
  inputName: string;
  format: OutputFormat;
  tree: boolean;
  hex: boolean;
  /** MySQL server ports: 3306 plus every -d. */
  ports: number[];
  autoDetect: boolean;
  /** Stop after this many MySQL messages. */
  count: number | undefined;
  /** -Y: only messages matching this display filter. */
  displayFilter: string | undefined;
  /** -w: write the frames behind the shown messages to this pcap. */
  write: string | undefined;
  wholeConnections: boolean;
  /** -q: no progress bar. */
  quiet: boolean;
}

/** A bad command line: one sentence, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const DEFAULT_PORT = 3306;

/**
 * A `-d` value: a port, or tshark's Decode As form `tcp.port==3307,mysql`, so that a tshark command line carries
 * over as it is.
 */
export function parsePort(s: string): number {
  let t = s.trim();
  const decodeAs = /^tcp\.port\s*==\s*(\S+?)\s*,\s*(\S+)$/.exec(t);
  if (decodeAs) {
    if (decodeAs[2]!.toLowerCase() !== 'mysql') {
      throw new UsageError(`-d/--decode-port: myshark decodes only MySQL, not '${decodeAs[2]}' (as in tcp.port==3307,mysql)`);
    }
    t = decodeAs[1]!;
  }
  const n = /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new UsageError(`-d/--decode-port wants a TCP port from 1 to 65535 (or tcp.port==PORT,mysql), not '${s}'`);
  }
  return n;
}

export function parseCount(s: string): number {
  const t = s.trim();
  const n = /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`-c/--count wants a positive number of messages, not '${s}'`);
  return n;
}

/** Validates the options and decides the input. `stdin` is used for the capture `-`. */
export function parseReadOptions(capture: string | undefined, o: RawReadOptions, stdin: NodeJS.ReadableStream): ReadConfig {
  const format = o.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`unknown output format '${format}' (use -T text or -T json)`);
  if (format === 'json' && (o.tree || o.hex)) {
    throw new UsageError('-V and -x are text output; -T json already carries every field');
  }
  let input: CaptureInput;
  let inputName: string;
  if (o.interface !== undefined) {
    if (capture !== undefined) throw new UsageError(`give either a capture file ('${capture}') or -i ${o.interface}, not both`);
    if (o.interface === '') throw new UsageError('-i/--interface wants an interface name, e.g. -i lo');
    input = o.captureFilter !== undefined ? { kind: 'live', iface: o.interface, filter: o.captureFilter } : { kind: 'live', iface: o.interface };
    inputName = `interface ${o.interface}`;
  } else {
    if (o.captureFilter !== undefined) throw new UsageError('-f/--capture-filter applies to live capture only (with -i IFACE)');
    if (capture === undefined || capture === '') {
      throw new UsageError('no capture given: name a pcap/pcapng file, - for standard input, or -i IFACE for live capture');
    }
    if (capture === '-') {
      input = { kind: 'stream', stream: stdin, name: 'stdin' };
      inputName = 'stdin';
    } else {
      input = { kind: 'file', path: capture };
      inputName = capture;
    }
  }
  const ports = serverPorts(o.decodePort);
  if (o.wholeConnections && o.write === undefined) throw new UsageError('--whole-connections goes with -w FILE');
  if (o.write !== undefined) {
    const problem = exportProblem(input, o.write);
    if (problem) throw new UsageError(problem);
  }
  return {
    input,
    inputName,
    write: o.write,
    displayFilter: o.displayFilter,
    wholeConnections: o.wholeConnections === true,
    quiet: o.quiet === true,
    format,
    tree: o.tree === true,
    hex: o.hex === true,
    ports,
    autoDetect: o.autoDetect !== false,
    count: o.count !== undefined ? parseCount(o.count) : undefined,
  };
}

/** The library options for a config: the tree is built for -V, -x and JSON; bytes are kept for -x. */
export function analyzeOptions(c: ReadConfig): AnalyzeOptions {
  return { ports: c.ports, autoDetect: c.autoDetect, tree: c.tree || c.hex || c.format === 'json', hex: c.hex };
}

/**
 * Nothing shows or tests the values of result-set rows: summary lines (no -V, -x, JSON), no -w, and a filter (if
 * any) on fields that neither the tree nor the list of a message's frames holds. Rows are then only counted (the
 * session's fast path for rows beyond limits.maxRowsKept, which still reports a malformed row), as `queries` does;
 * the lines printed are the same (the read test compares them on every fixture).
 */
export function rowValuesUnused(c: ReadConfig, keep: RecordFilter | undefined): boolean {
  if (c.format !== 'text' || c.tree || c.hex || c.write !== undefined) return false;
  return keep === undefined || (!keep.needsTree && !keep.compiled.fields.includes('mysql.frames'));
}

export type AnalyzeFn = (input: CaptureInput, options: AnalyzeOptions, onRecord: (r: MySqlRecord) => void) => Promise<Totals>;

export interface ReadIO {
  /** Standard output (buffered by the caller). */
  stdout: Sink;
  /** Standard error, one message at a time. */
  stderr(s: string): void;
  /** A promise while standard output is full (the reader is slower than us); reading waits for it. */
  waitForOutput?(): Promise<void> | undefined;
  /** Standard error as a terminal, for the progress bar (absent: no bar). */
  progressStream?: ProgressStream;
}

/** Capture-level issues printed to stderr as they come; the rest only count in the totals. */
const MAX_CAPTURE_WARNINGS = 5;

class StopReading extends Error {
  constructor() {
    super('count reached');
  }
}

/** Runs `myshark read` and returns the exit code. Never throws for input problems. */
export async function runRead(c: ReadConfig, io: ReadIO, analyzeFn?: AnalyzeFn): Promise<number> {
  const analyze = analyzeFn ?? (await defaultAnalyze());
  const time = new TimeBase();
  // -Y: compiled once (a bad filter is one sentence with a caret, exit 2); reads the same time base as the output.
  let keep: RecordFilter | undefined;
  if (c.displayFilter !== undefined) {
    try {
      keep = compileRecordFilter(c.displayFilter, time);
    } catch (e) {
      if (e instanceof DisplayFilterError) {
        io.stderr(`myshark: ${e.message}\n`);
        return EXIT.USAGE;
      }
      throw e;
    }
  }
  const reporter = createReporter(io.stdout, { format: c.format, tree: c.tree, hex: c.hex, time });
  let seen = 0;
  let stopped = false;
  let captureWarnings = 0;
  let damaged = false;
  // Live captures and pipes print each message as it arrives; Ctrl-C (or SIGTERM) stops reading cleanly and the
  // totals are still printed.
  const interactive = c.input.kind !== 'file';
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // The bar only while nothing else writes to the terminal: not for pipes and live capture (messages stream as they
  // come) nor when the messages themselves go to the terminal.
  const progress = startProgress(c.input, io.progressStream, c.quiet || interactive || process.stdout.isTTY === true);
  const options: AnalyzeOptions = {
    ...analyzeOptions(c),
    onProgress: (bytes, frames) => progress.update(bytes, frames),
    ...(keep?.needsTree ? { tree: true } : {}),
    ...(rowValuesUnused(c, keep) ? { limits: { maxRowsKept: 0 } } : {}),
    signal: abort.signal,
    holdRequests: !interactive,
    ...(io.waitForOutput ? { waitForOutput: io.waitForOutput } : {}),
    onFirstFrame: (ts) => time.set(ts),
    onIssue(issue: Issue) {
      if (issue.layer !== 'capture') return;
      if (issue.kind === 'truncated' || issue.kind === 'malformed') damaged = true;
      captureWarnings++;
      if (captureWarnings <= MAX_CAPTURE_WARNINGS) {
        progress.stop(); // a warning on the bar's line would be erased by the next redraw
        const where = issue.frame !== undefined ? ` (frame ${issue.frame})` : '';
        io.stderr(`myshark: warning: ${issue.message}${where}\n`);
      } else if (captureWarnings === MAX_CAPTURE_WARNINGS + 1) {
        io.stderr('myshark: warning: more problems with the capture file; see the totals\n');
      }
    },
  };
  // -w: the frames behind every shown message are copied by a second pass over the capture file.
  const exp = c.write !== undefined ? createRecordExport(c.input, c.write, { wholeConnections: c.wholeConnections, ports: c.ports }) : undefined;
  const finishExport = async (): Promise<number | undefined> => {
    if (!exp || c.write === undefined) return undefined;
    try {
      const res = await exp.finish();
      io.stderr(`myshark: ${describeExport(res, c.write, exp.selection.messages)}\n`);
      return undefined;
    } catch (e) {
      if (e instanceof ExportError || e instanceof CaptureError) {
        io.stderr(`myshark: ${sentence(e.message)}\n`);
        return EXIT.USAGE;
      }
      throw e;
    }
  };
  const onRecord = (r: MySqlRecord): void => {
    if (stopped) return;
    if (keep && !keep(r)) return;
    exp?.add(r);
    reporter.record(r);
    if (interactive) io.stdout.flush?.();
    seen++;
    if (c.count !== undefined && seen >= c.count) {
      stopped = true;
      throw new StopReading();
    }
  };

  let totals: Totals;
  try {
    totals = await analyze(c.input, options, onRecord);
  } catch (e) {
    progress.stop();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    reporter.end?.();
    if (e instanceof StopReading || stopped) {
      if (c.format === 'text') io.stderr(`myshark: stopped after ${seen} MySQL message${seen === 1 ? '' : 's'} (-c ${c.count})\n`);
      return (await finishExport()) ?? EXIT.OK;
    }
    if (e instanceof CaptureError) {
      io.stderr(`myshark: ${sentence(e.message)}\n`);
      return exitCodeForCaptureError(e.code);
    }
    const errno = (e as { code?: unknown }).code;
    if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) {
      io.stderr(`myshark: cannot read ${c.inputName}: ${(e as Error).message}\n`);
      return EXIT.USAGE;
    }
    const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
    io.stderr(`myshark: internal error, please report it with this trace:\n${stack}\n`);
    return EXIT.INTERNAL;
  }
  progress.stop();
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  reporter.end?.();
  const exportFailed = await finishExport();
  if (exportFailed !== undefined) return exportFailed;

  const code = exitCodeForTotals(totals, damaged);
  if (totals.messages === 0) {
    const hint = c.autoDetect
      ? 'if a MySQL server listens on a port other than 3306, name it with -d PORT'
      : 'try -d PORT for the server port, or drop --no-auto-detect';
    io.stderr(
      `myshark: no MySQL traffic in ${c.inputName}: read ${plural(totals.frames, 'frame')} and ${plural(totals.connections, 'TCP connection')}; ${hint}\n`,
    );
  }
  if (c.format === 'text') {
    io.stderr(`${formatTotals(totals)}${keep ? `; ${seen} shown by the display filter` : ''}\n`);
  } else if (totals.truncated) {
    io.stderr(`myshark: ${c.inputName} is truncated; everything before the cut was decoded\n`);
  } else if (damaged) {
    io.stderr(`myshark: ${c.inputName} is damaged; everything decodable was decoded\n`);
  }
  return code;
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/** CaptureError messages are sentences; make sure there is exactly one trailing period-free line. */
function sentence(s: string): string {
  return s.replace(/\s+$/, '').replace(/^myshark:\s*/, '');
}
