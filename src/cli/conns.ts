/**
 * `myshark conns CAPTURE [-Y FILTER] [--wireshark-filter] [-T text|json] [-d PORT]`: one row per TCP connection that
 * carried MySQL (tcp.stream, client, server, server version, thread id, user, schema, frames, times, counts, and from
 * TCP: duration, payload bytes each way, retransmissions, lost segments, longest silence, how it ended), or
 * with --wireshark-filter the ready Wireshark display filter and tcpdump capture filter for those connections.
 * With -Y, only the connections with at least one matching message.
 *
 * Exit codes: 0 ok; 1 the filter matched no connection; 2 usage / unreadable input; 3 no MySQL traffic;
 * 4 damaged capture (rows are still printed).
 */
import { addCaptureOptions, displayFilterArgs, parseCaptureArgs, runAnalysis } from './common.js';
import { Option, type Command } from 'commander';
import type { CaptureInput } from '../api-types.js';
import { bpfFilter, ConnSummarizer, wiresharkFilter, type ConnSummary } from '../analysis/conns.js';
import type { Timestamp } from '../core/time.js';
import { tsDiff, tsEpochString } from '../core/time.js';
import type { MySqlRecord } from '../model/record.js';
import { describeEnd } from '../pipeline/tcp-stats.js';
import { escapeControl, formatEndpoint } from '../output/format.js';
import type { Sink } from '../output/sink.js';
import type { RecordPredicate } from './queries.js';
import type { ProgressStream } from './progress.js';
import { EXIT, exitCodeForTotals } from './exit-codes.js';
import { UsageError, type AnalyzeFn } from './read.js';

/** Raw options as commander hands them over. */
export interface RawConnsOptions {
  format?: string;
  decodePort?: string[];
  autoDetect?: boolean;
  wiresharkFilter?: boolean;
  displayFilter?: string;
  quiet?: boolean;
}

export interface ConnsConfig {
  input: CaptureInput;
  inputName: string;
  format: 'text' | 'json';
  ports: number[];
  autoDetect: boolean;
  /** Print the filters instead of the table. */
  wiresharkFilter: boolean;
  /** A compiled display filter (-Y): keep connections with at least one message it matches. */
  predicate?: RecordPredicate;
  /** The -Y text, for messages. */
  filterText?: string;
  /** -q: no progress bar. */
  quiet?: boolean;
}

export interface ConnsIO {
  stdout: Sink;
  stderr(s: string): void;
  /** Standard error for the progress bar (absent: no bar). */
  progressStream?: ProgressStream;
}

/**
 * Validates the options. `compileFilter` turns the -Y text into a predicate (it throws its own error, with the
 * position, for a bad filter); without it, -Y is refused.
 */
export function parseConnsOptions(
  capture: string | undefined,
  o: RawConnsOptions,
  stdin: NodeJS.ReadableStream,
  compileFilter?: (text: string) => (r: MySqlRecord) => boolean,
): ConnsConfig {
  const format = o.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`unknown output format '${format}' (use -T text or -T json)`);
  return {
    ...parseCaptureArgs(capture, o, stdin),
    format,
    wiresharkFilter: o.wiresharkFilter === true,
    ...displayFilterArgs(o.displayFilter, compileFilter),
  };
}

/** Runs `myshark conns` and returns the exit code. Never throws for input problems. */
export async function runConns(c: ConnsConfig, io: ConnsIO, analyzeFn?: AnalyzeFn): Promise<number> {
  const sum = new ConnSummarizer(c.predicate);
  let base: Timestamp | undefined;
  const run = await runAnalysis(c, io, {
    // Fields such as mysql.query live in the field tree: build it when the filter reads them (as read -Y does).
    tree: c.predicate?.needsTree === true,
    // Row values matter only to a filter that may read them.
    ...(c.predicate ? {} : { limits: { maxRowsKept: 0 } }),
    onFirstFrame: (ts) => (base ??= ts),
    onConnection: (t) => sum.addTcp(t),
  }, (r) => sum.add(r), analyzeFn);
  if (run.code !== undefined || !run.totals) return run.code ?? EXIT.USAGE;
  const { totals, damaged } = run;
  const rows = sum.result();
  if (totals.messages === 0) {
    io.stderr(`myshark: no MySQL traffic in ${c.inputName} (if a server listens on a port other than 3306, name it with -d PORT)\n`);
    return exitCodeForTotals(totals, damaged);
  }
  if (rows.length === 0) {
    io.stderr(`myshark: no connection of ${c.inputName} has a message matching the filter ${JSON.stringify(c.filterText ?? '')} (${sum.total} MySQL connection${sum.total === 1 ? '' : 's'} in the capture)\n`);
    return damaged ? EXIT.DAMAGED : EXIT.FINDINGS;
  }
  const t0 = base ?? rows[0]!.firstTs;
  if (c.wiresharkFilter) {
    const wf = wiresharkFilter(rows)!;
    const bpf = bpfFilter(rows)!;
    if (c.format === 'json') {
      io.stdout.write(`${JSON.stringify({ display_filter: wf.byPort, display_filter_streams: wf.byStream, capture_filter: bpf })}\n`);
    } else {
      io.stdout.write(`Wireshark display filter: ${wf.byPort}\n`);
      io.stdout.write(`Wireshark display filter (this capture only): ${wf.byStream}\n`);
      io.stdout.write(`tcpdump capture filter: ${bpf}\n`);
    }
  } else if (c.format === 'json') {
    for (const r of rows) io.stdout.write(`${JSON.stringify(connJson(r, t0, c.predicate !== undefined))}\n`);
  } else {
    io.stdout.write(formatConnTable(rows, t0, c.predicate !== undefined));
  }
  if (damaged || totals.truncated) io.stderr(`myshark: ${c.inputName} is truncated or damaged; everything decodable was decoded\n`);
  return damaged || totals.truncated ? EXIT.DAMAGED : EXIT.OK;
}

/** One NDJSON object per connection (field names as in `read -T json` where they exist). */
export function connJson(r: ConnSummary, base: Timestamp, withMatched: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = {
    'tcp.stream': r.index,
    client: formatEndpoint(r.client, r.ipVersion),
    server: formatEndpoint(r.server, r.ipVersion),
    'client.ip': r.client.ip,
    'client.port': r.client.port,
    'server.ip': r.server.ip,
    'server.port': r.server.port,
    'mysql.version': r.serverVersion ?? null,
    'mysql.conn.id': r.threadId ?? null,
    'mysql.conn.user': r.user ?? null,
    'mysql.conn.schema': r.schema ?? null,
    first_frame: r.firstFrame,
    last_frame: r.lastFrame,
    first_time_epoch: tsEpochString(r.firstTs),
    last_time_epoch: tsEpochString(r.lastTs),
    first_time_relative: Number(tsDiff(base, r.firstTs).toFixed(9)),
    last_time_relative: Number(tsDiff(base, r.lastTs).toFixed(9)),
    messages: r.messages,
    requests: r.requests,
    errors: r.errors,
    quit: r.quit,
  };
  const t = r.tcp;
  if (t) {
    o.started_before_capture = !t.sawSyn;
    o.tls = t.tls;
    o.compressed = t.compressed;
    o.ended = describeEnd(t, r.quit);
    o.end_reason = t.end;
    o.fin_from = t.firstFin === undefined ? null : t.firstFin === 'c2s' ? 'client' : 'server';
    o.rst_from = t.firstRst === undefined ? null : t.firstRst === 'c2s' ? 'client' : 'server';
    o.duration = Number(tsDiff(t.firstTs, t.lastTs).toFixed(6));
    o.tcp_last_frame = t.lastFrame;
    o.bytes_c2s = t.bytes.c2s;
    o.bytes_s2c = t.bytes.s2c;
    o.retransmissions = { client: t.retransmissions.c2s, server: t.retransmissions.s2c };
    o.out_of_order = { client: t.outOfOrder.c2s, server: t.outOfOrder.s2c };
    o.lost_segments = { client: t.lostSegments.c2s, server: t.lostSegments.s2c };
    o.lost_bytes = { client: t.lostBytes.c2s, server: t.lostBytes.s2c };
    o.keepalives = { client: t.keepalives.c2s, server: t.keepalives.s2c };
    o.zero_windows = { client: t.zeroWindows.c2s, server: t.zeroWindows.s2c };
    o.longest_silence = Number(t.longestSilence.toFixed(6));
    o.longest_silence_frames = t.silenceFromFrame === undefined ? null : [t.silenceFromFrame, t.silenceToFrame];
    o.longest_idle = Number(t.longestIdle.toFixed(6));
    o.longest_idle_frames = t.idleFromFrame === undefined ? null : [t.idleFromFrame, t.idleToFrame];
    o.idle_keepalives = t.idleKeepalives;
  }
  if (withMatched) o.matched = r.matched;
  return o;
}

/** The text table: a header line, then one line per connection; columns sized to their content. */
export function formatConnTable(rows: ConnSummary[], base: Timestamp, withMatched: boolean): string {
  const head = ['stream', 'client', 'server', 'version', 'thread', 'user', 'schema', 'frames', 'first', 'last', 'msgs', 'reqs', 'errs',
    'tls/z', 'dur', 'bytes>', 'bytes<', 'retr', 'lost', 'silence', 'ended'];
  if (withMatched) head.push('match');
  const right = new Set(['stream', 'thread', 'first', 'last', 'msgs', 'reqs', 'errs', 'match', 'dur', 'bytes>', 'bytes<', 'retr', 'lost', 'silence']);
  const table = rows.map((r) => {
    const cells = [
      String(r.index),
      formatEndpoint(r.client, r.ipVersion),
      formatEndpoint(r.server, r.ipVersion),
      r.serverVersion !== undefined ? escapeControl(r.serverVersion) : '-',
      r.threadId !== undefined ? String(r.threadId) : '-',
      r.user !== undefined ? escapeControl(r.user) : '-',
      r.schema !== undefined ? escapeControl(r.schema) : '-',
      `${r.firstFrame}-${r.lastFrame}`,
      tsDiff(base, r.firstTs).toFixed(6),
      tsDiff(base, r.lastTs).toFixed(6),
      String(r.messages),
      String(r.requests),
      String(r.errors),
      ...tcpCells(r),
    ];
    if (withMatched) cells.push(String(r.matched));
    return cells;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((s, i) => (right.has(head[i]!) ? s.padStart(widths[i]!) : s.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...table.map(line)].join('\n') + '\n';
}

/** TLS / compression, dur, bytes each way, retransmissions, lost segments, longest silence and how it ended ('-' without TCP stats). */
function tcpCells(r: ConnSummary): string[] {
  const t = r.tcp;
  if (!t) return ['-', '-', '-', '-', '-', '-', '-', '-'];
  const ended = describeEnd(t, r.quit) + (t.sawSyn ? '' : ', started before capture');
  return [
    [t.tls ? 'tls' : '', t.compressed ? 'compressed' : ''].filter((x) => x !== '').join(',') || '-',
    tsDiff(t.firstTs, t.lastTs).toFixed(3),
    String(t.bytes.c2s),
    String(t.bytes.s2c),
    String(t.retransmissions.c2s + t.retransmissions.s2c),
    String(t.lostSegments.c2s + t.lostSegments.s2c),
    t.longestSilence.toFixed(3),
    ended,
  ];
}

/** What the subcommands need from the CLI (a structural subset of program.ts's CliIO). */
export interface SubcommandIO extends ConnsIO {
  stdin: NodeJS.ReadableStream;
}

export const CONNS_EXAMPLES = `
Examples:
  # every connection that carried MySQL: stream, client, server, version, thread id, user, schema, counts,
  # duration, bytes each way, retransmissions, lost segments, longest silence and how it ended
  # (QUIT then FIN; FIN without QUIT; RST from which side; open at the end; started before the capture)
  myshark conns capture.pcap
  # the Wireshark display filter and tcpdump capture filter for the connections that sent a query with SOMETHING
  myshark conns capture.pcap -Y 'mysql.query contains "SOMETHING"' --wireshark-filter
  # one JSON object per connection
  myshark conns -T json capture.pcapng

Exit codes: 0 ok; 1 no connection matches the filter; 2 usage error or unreadable input; 3 no MySQL traffic;
4 capture truncated or damaged.
`;

/**
 * Adds `myshark conns` to the program. `setCode` receives the exit code; `compileFilter` compiles -Y (throw for a
 * bad filter; the caller's error handling prints it). UsageError propagates to runCli's handler.
 */
export function addConnsCommand(
  program: Command,
  io: SubcommandIO,
  setCode: (code: number) => void,
  compileFilter?: (text: string) => (r: MySqlRecord) => boolean,
): Command {
  return addCaptureOptions(
    program
      .command('conns')
      .description('list the TCP connections that carried MySQL, or print Wireshark/tcpdump filters for them')
      .argument('[capture]', 'pcap/pcapng file (optionally gzip-compressed), or - for standard input')
      .option('-Y, --display-filter <filter>', 'only connections with a message matching this Wireshark-style display filter')
      .option('--wireshark-filter', 'print the Wireshark display filter and tcpdump capture filter for the connections')
      .addOption(new Option('-T, --format <format>', 'output format').choices(['text', 'json']).default('text')),
  )
    .addHelpText('after', CONNS_EXAMPLES)
    .action(async (capture: string | undefined, opts: RawConnsOptions) => {
      const config = parseConnsOptions(capture, opts, io.stdin, compileFilter);
      setCode(await runConns(config, io));
    });
}
