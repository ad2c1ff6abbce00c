/**
 * What every capture-reading command shares: the capture argument (file or `-`), the `-d PORT` option and its
 * parsing, and the library's analyze (loaded lazily so tests can inject their own).
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import type { AnalyzeOptions, CaptureInput, Totals } from '../api-types.js';
import { CaptureError } from '../api-types.js';
import type { MySqlRecord } from '../model/record.js';
import { exitCodeForCaptureError } from './exit-codes.js';
import type { AnalyzeFn } from './read.js';
import { DEFAULT_PORT, parsePort, UsageError } from './read.js';
import { createProgress, type Progress, type ProgressStream } from './progress.js';

/** `-d, --decode-port <port>`, repeatable. */
export function decodePortOption(): Option {
  return new Option('-d, --decode-port <port>', 'decode this TCP port as a MySQL server, also as tshark writes it: tcp.port==3307,mysql (repeatable; 3306 is always decoded)').argParser(
    (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
  );
}

/** 3306 plus every valid -d port, without repeats. */
export function serverPorts(decodePort: readonly string[] | undefined): number[] {
  const ports = [DEFAULT_PORT];
  for (const p of decodePort ?? []) {
    const n = parsePort(p);
    if (!ports.includes(n)) ports.push(n);
  }
  return ports;
}

/** The capture argument, -d ports and --no-auto-detect of a command that reads a capture file or standard input. */
export function parseCaptureArgs(
  capture: string | undefined,
  o: { decodePort?: string[]; autoDetect?: boolean; quiet?: boolean },
  stdin: NodeJS.ReadableStream,
): { input: CaptureInput; inputName: string; ports: number[]; autoDetect: boolean; quiet: boolean } {
  if (capture === undefined || capture === '') throw new UsageError('no capture given: name a pcap/pcapng file, or - for standard input');
  const input: CaptureInput = capture === '-' ? { kind: 'stream', stream: stdin, name: 'stdin' } : { kind: 'file', path: capture };
  return { input, inputName: capture === '-' ? 'stdin' : capture, ports: serverPorts(o.decodePort), autoDetect: o.autoDetect !== false, quiet: o.quiet === true };
}

/**
 * -Y compiled by `compileFilter` (which throws its own error, with the position, for a bad filter), with its text
 * for messages; nothing without -Y. Without a compiler, -Y is refused.
 */
export function displayFilterArgs<P>(
  text: string | undefined,
  compileFilter: ((text: string) => P) | undefined,
): { predicate?: P; filterText?: string } {
  if (text === undefined) return {};
  if (!compileFilter) throw new UsageError('-Y is not available in this build');
  return { predicate: compileFilter(text), filterText: text };
}

/** The library's analyze, imported when a command runs. */
export async function defaultAnalyze(): Promise<AnalyzeFn> {
  const lib = await import('../index.js');
  return lib.analyze;
}

/**
 * The progress bar for a run over `input` on `stream` (standard error; absent in tests and library use). A file's
 * size is the total; standard input shows bytes read; live capture and `quiet` draw nothing.
 */
export function startProgress(input: CaptureInput, stream: ProgressStream | undefined, quiet: boolean): Progress {
  if (stream === undefined || quiet || input.kind === 'live') return createProgress(undefined, stream ?? { write: () => true }, { quiet: true });
  let total: number | undefined;
  if (input.kind === 'file') {
    try {
      total = statSync(input.path).size;
    } catch {
      total = undefined; // the read itself reports the problem
    }
  }
  return createProgress(total, stream, {});
}

/** `-q, --quiet`. */
export function quietOption(): Option {
  return new Option('-q, --quiet', 'no progress bar on standard error');
}

/**
 * Below this size a capture is decoded by one thread by default: starting the workers, each following every TCP
 * connection, costs more than it gains on 300 MB captures (two threads 10-20% slower than one on 2 cores,
 * BENCHMARKS.md).
 */
export const PARALLEL_MIN_BYTES = 1024 * 1024 * 1024;

/** --workers N: threads that share the work on a capture file (default: one per core for large files). */
export function workersOption(): Option {
  return new Option('--workers <n>', `threads sharing the work: each reads the capture and decodes every N-th connection (default: ${availableParallelism()}, the number of cores, for files of 1 GiB or more; else 1)`);
}

/**
 * The number of worker threads: as given, or one per core for a capture file of 1 GiB or more (stdin and live
 * capture: one, their size is not known beforehand).
 */
export function parseWorkers(v: string | undefined, capture: string | undefined): number {
  if (v !== undefined) {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--workers wants a whole number from 1 to 256 (got '${v}')`);
    return n;
  }
  if (capture === undefined || capture === '-') return 1;
  try {
    return statSync(capture).size >= PARALLEL_MIN_BYTES ? availableParallelism() : 1;
  } catch {
    return 1; // the reader reports the missing file
  }
}

/** Whether a command runs over worker threads: more than one asked for, a regular file (its chunks are read by
 *  position and shared; a named pipe or a missing file goes to one thread, which reports what it can), and the
 *  library's own analyze (an injected one, as tests use, runs in this thread). */
export function runsInParallel(c: { workers: number; input: CaptureInput }, analyzeFn: AnalyzeFn | undefined): c is { workers: number; input: { kind: 'file'; path: string } } {
  return c.workers > 1 && c.input.kind === 'file' && analyzeFn === undefined && isRegularFile(c.input.path);
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The options every capture-reading analysis command has: -d PORT, --no-auto-detect, -q. */
export function addCaptureOptions(cmd: Command): Command {
  return cmd
    .addOption(decodePortOption())
    .option('--no-auto-detect', 'do not look for MySQL servers on other ports (greeting, packet framing)')
    .addOption(quietOption());
}

/** One analysis run of a command: the totals and whether the capture file is damaged, or (when it could not be read
 *  at all) the exit code, the reason already printed. */
export interface AnalysisRun {
  totals: Totals | undefined;
  damaged: boolean;
  code?: number;
}

/**
 * Runs the analysis for a command that reads a capture: ports and auto-detection from the command line, the
 * progress bar, damaged-file tracking and a CaptureError turned into its sentence on stderr and its exit code.
 * `options` adds the command's own callbacks (onExchange, onConnection, tree ...).
 */
export async function runAnalysis(
  c: { input: CaptureInput; ports: number[]; autoDetect: boolean; quiet?: boolean },
  io: { stderr(s: string): void; progressStream?: ProgressStream },
  options: Omit<AnalyzeOptions, 'ports' | 'autoDetect' | 'onIssue' | 'onProgress'>,
  onRecord: (r: MySqlRecord) => void,
  analyzeFn?: AnalyzeFn,
): Promise<AnalysisRun> {
  const analyze = analyzeFn ?? (await defaultAnalyze());
  const progress = startProgress(c.input, io.progressStream, c.quiet === true);
  let damaged = false;
  try {
    const totals = await analyze(c.input, {
      ...options,
      ports: c.ports,
      autoDetect: c.autoDetect,
      onProgress: (bytes, frames) => progress.update(bytes, frames),
      onIssue: (i) => {
        if (i.layer === 'capture' && (i.kind === 'truncated' || i.kind === 'malformed')) damaged = true;
      },
    }, onRecord);
    return { totals, damaged };
  } catch (e) {
    if (e instanceof CaptureError) {
      io.stderr(`myshark: ${e.message}\n`);
      return { totals: undefined, damaged, code: exitCodeForCaptureError(e.code) };
    }
    throw e;
  } finally {
    progress.stop();
  }
}
