/**
 * `myshark digest CAPTURE [--group-by fingerprint|user|schema|client|connection] [-Y FILTER] [-T text|json] [-d PORT]`:
 * statements grouped (by pt-query-digest-style fingerprint unless told otherwise) with count, total / mean / p50 /
 * p95 / p99 / max latency, rows, errors, first and last seen and an example (the slowest), sorted by total time.
 * See analysis/digest.ts for the classes and the bounded latency store.
 *
 * Exit codes: 0 ok; 1 the filter matched no exchange; 2 usage / unreadable input; 3 no MySQL traffic;
 * 4 damaged capture (the digest is still printed).
 */
import { Option, type Command } from 'commander';
import { Digest, digestJson, GROUP_BY, type DigestClass, type GroupBy } from '../analysis/digest.js';
import { utcTime } from '../analysis/queries.js';
import type { MySqlRecord } from '../model/record.js';
import { escapeControl, oneLine } from '../output/format.js';
import { UsageError, type AnalyzeFn } from './read.js';
import { addCaptureOptions, displayFilterArgs, parseCaptureArgs, parseWorkers, runsInParallel, workersOption } from './common.js';
import { finish, runExchanges, type ExchangeRun, type QueriesConfig, type QueriesIO } from './queries.js';

export interface RawDigestOptions {
  format?: string;
  groupBy?: string;
  decodePort?: string[];
  autoDetect?: boolean;
  displayFilter?: string;
  quiet?: boolean;
  workers?: string;
}

export interface DigestConfig extends Omit<QueriesConfig, 'format' | 'raw'> {
  raw: RawDigestOptions;
  format: 'text' | 'json';
  groupBy: GroupBy;
  /** Latencies kept exactly per group (then a 4-digit histogram); default 10 000. */
  maxSamples?: number;
}

export function parseDigestOptions(
  capture: string | undefined,
  o: RawDigestOptions,
  stdin: NodeJS.ReadableStream,
  compileFilter?: (text: string) => (r: MySqlRecord) => boolean,
): DigestConfig {
  const format = o.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`unknown output format '${format}' (use -T text or -T json)`);
  const groupBy = (o.groupBy ?? 'fingerprint') as GroupBy;
  if (!GROUP_BY.includes(groupBy)) throw new UsageError(`unknown --group-by '${o.groupBy}' (use ${GROUP_BY.join(', ')})`);
  return {
    ...parseCaptureArgs(capture, o, stdin), format, groupBy, ...displayFilterArgs(o.displayFilter, compileFilter),
    workers: parseWorkers(o.workers, capture), raw: { ...o, workers: '1' },
  };
}

/** Runs `myshark digest` and returns the exit code. Never throws for input problems. */
export async function runDigest(c: DigestConfig, io: QueriesIO, analyzeFn?: AnalyzeFn): Promise<number> {
  const digest = new Digest(c.maxSamples !== undefined ? { groupBy: c.groupBy, maxSamples: c.maxSamples } : { groupBy: c.groupBy });
  let run: ExchangeRun;
  if (runsInParallel(c, analyzeFn)) {
    // This thread and each worker digest their share of the connections; the groups are merged (exactly: see
    // Digest.merge).
    const { runParallel } = await import('../parallel/run.js');
    const r = await runParallel(c, { command: 'digest', options: c.raw }, io, c.quiet === true,
      (_sink, clock) => {
        let n = 0;
        return { onExchange: (x) => { n++; digest.add(x, clock.position); }, kept: () => n };
      },
      (groups, total) => digest.merge(groups, total));
    run = r.run;
  } else {
    const clock = { position: 0 };
    run = await runExchanges(c, io, (x) => digest.add(x, clock.position), analyzeFn, clock);
  }
  if (run.totals && run.code === undefined && digest.total > 0) {
    const classes = digest.result();
    if (c.format === 'json') for (const k of classes) io.stdout.write(`${JSON.stringify(digestJson(k, c.groupBy))}\n`);
    else io.stdout.write(formatDigestTable(classes, c.groupBy, digest.total));
  }
  return finish(c, io, run, digest.total, 'exchange');
}

function fmtMs(v: number | null): string {
  if (v === null) return '-';
  return v.toFixed(3);
}

/** The group key as the text table shows it. */
export function keyText(k: DigestClass, groupBy: GroupBy): string {
  if (groupBy === 'connection') return `#${k.key} ${k.label ?? ''}`.trimEnd();
  if ((groupBy === 'user' || groupBy === 'schema') && k.key === '') return '(unknown)';
  return escapeControl(k.key);
}

/**
 * The text report: a summary line, then a table (rank, share of total time, count, total, mean, p50, p95, p99, max
 * in ms, rows, errors, first and last seen in UTC) with the group key last; under each row its slowest example.
 */
export function formatDigestTable(classes: readonly DigestClass[], groupBy: GroupBy, exchanges: number): string {
  const grand = classes.reduce((s, k) => s + k.total_ms, 0);
  const head = ['rank', 'time%', 'count', 'total_ms', 'mean_ms', 'p50_ms', 'p95_ms', 'p99_ms', 'max_ms', 'rows', 'errors', 'no_resp', 'first_seen', 'last_seen', groupBy];
  const toTs = (s: number): string => utcTime({ sec: Math.floor(s), nsec: Math.round((s - Math.floor(s)) * 1e9) }).slice(11, 23);
  const table = classes.map((k, i) => [
    String(i + 1),
    grand > 0 ? `${((k.total_ms / grand) * 100).toFixed(1)}%` : '-',
    String(k.count),
    fmtMs(k.total_ms),
    fmtMs(k.mean_ms),
    fmtMs(k.p50_ms),
    fmtMs(k.p95_ms),
    fmtMs(k.p99_ms),
    fmtMs(k.max_ms),
    String(k.rows),
    String(k.errors),
    String(k.no_response),
    toTs(k.first_seen),
    toTs(k.last_seen),
    oneLine(keyText(k, groupBy), 200),
  ]);
  const widths = head.map((h, i) => (i === head.length - 1 ? 0 : Math.max(h.length, ...table.map((r) => r[i]!.length))));
  const left = new Set(['first_seen', 'last_seen']);
  const line = (cells: string[]): string =>
    cells.map((s, i) => (i === cells.length - 1 ? s : left.has(head[i]!) ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join('  ').trimEnd();
  const lines = [
    `${exchanges} exchange${exchanges === 1 ? '' : 's'} in ${classes.length} group${classes.length === 1 ? '' : 's'} by ${groupBy}, ${fmtMs(grand)} ms in total (times in ms; first/last seen UTC)`,
    line(head),
  ];
  table.forEach((row, i) => {
    lines.push(line(row));
    const k = classes[i]!;
    if (k.example !== '' && (groupBy !== 'fingerprint' || k.example !== k.key)) {
      lines.push(`${' '.repeat(6)}example${k.example_ms !== null ? ` (${fmtMs(k.example_ms)} ms)` : ''}: ${oneLine(k.example, 300)}`);
    }
  });
  return `${lines.join('\n')}\n`;
}

export const DIGEST_EXAMPLES = `
Examples:
  # statements grouped by fingerprint, the most total time first
  myshark digest capture.pcap
  # which user, schema, client host or connection spent the time
  myshark digest --group-by user capture.pcap
  # NDJSON, one object per class (fingerprint, count, total_ms, p95_ms, max_ms, rows, errors, example ...)
  myshark digest -T json capture.pcap | jq -s 'sort_by(-.p95_ms) | .[0:5]'

Classes follow pt-query-digest: literals, IN and VALUES lists collapsed; PREPARE and EXECUTE are classes of their
own ('prepare ...', 'execute ...'); commands without SQL are 'administrator command: Ping' etc. Latency: request's
last byte → response's last byte. Percentiles are exact up to 10 000 statements per class, then read from a
histogram with 4 significant digits (under 0.1% off). --workers N shares the connections between N threads (files
only; default one per core for files of 1 GiB or more) with the same result.
Exit codes: 0 ok; 1 no exchange matches the filter; 2 usage error or unreadable input; 3 no MySQL traffic;
4 capture truncated or damaged.
`;

/** Adds `myshark digest` to the program (same contract as addConnsCommand). */
export function addDigestCommand(
  program: Command,
  io: QueriesIO & { stdin: NodeJS.ReadableStream },
  setCode: (code: number) => void,
  compileFilter?: (text: string) => (r: MySqlRecord) => boolean,
): Command {
  return addCaptureOptions(
    program
      .command('digest')
      .description('statements grouped by fingerprint (or user, schema, client, connection) with latency percentiles, sorted by total time')
      .argument('[capture]', 'pcap/pcapng file (optionally gzip-compressed), or - for standard input')
      .addOption(new Option('--group-by <key>', 'what to group by').choices([...GROUP_BY]).default('fingerprint'))
      .option('-Y, --display-filter <filter>', 'only exchanges whose request matches this Wireshark-style display filter')
      .addOption(new Option('-T, --format <format>', 'output format').choices(['text', 'json']).default('text'))
      .addOption(workersOption()),
  )
    .addHelpText('after', DIGEST_EXAMPLES)
    .action(async (capture: string | undefined, opts: RawDigestOptions) => {
      const config = parseDigestOptions(capture, opts, io.stdin, compileFilter);
      setCode(await runDigest(config, io));
    });
}
