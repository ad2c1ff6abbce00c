/**
 * `myshark diagnose CAPTURE [--slow S] [--idle S] [--fail-on SEVERITY] [-T text|json] [-d PORT]`: findings about what
 * went wrong (failed logins, requests left unanswered and why, resets, half-closed and silent connections, lost
 * segments, retransmissions, zero windows, slow statements), each with its connection, proving frames and a sentence.
 * See analysis/diagnose.ts for the rules.
 *
 * Exit codes: 0 nothing at or above --fail-on; 1 a finding at or above it; 2 usage / unreadable input;
 * 3 no MySQL traffic; 4 damaged capture (findings are still printed).
 */
import { Option, type Command } from 'commander';
import type { CaptureInput } from '../api-types.js';
import { Diagnoser, SEVERITIES, type Finding, type Severity } from '../analysis/diagnose.js';
import { escapeControl } from '../output/format.js';
import type { Sink } from '../output/sink.js';
import { addCaptureOptions, parseCaptureArgs, runAnalysis } from './common.js';
import { EXIT, exitCodeForTotals } from './exit-codes.js';
import type { ProgressStream } from './progress.js';
import { UsageError, type AnalyzeFn } from './read.js';

export interface RawDiagnoseOptions {
  format?: string;
  decodePort?: string[];
  autoDetect?: boolean;
  slow?: string;
  idle?: string;
  failOn?: string;
  quiet?: boolean;
}

export interface DiagnoseConfig {
  input: CaptureInput;
  inputName: string;
  ports: number[];
  autoDetect: boolean;
  quiet: boolean;
  format: 'text' | 'json';
  slow: number;
  idle: number;
  failOn: Severity;
}

export interface DiagnoseIO {
  stdout: Sink;
  stderr(s: string): void;
  progressStream?: ProgressStream;
}

function seconds(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || v.trim() === '') throw new UsageError(`${name} wants a number of seconds, e.g. ${name} ${dflt} (got '${v}')`);
  return n;
}

export function parseDiagnoseOptions(capture: string | undefined, o: RawDiagnoseOptions, stdin: NodeJS.ReadableStream): DiagnoseConfig {
  const format = o.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`unknown output format '${format}' (use -T text or -T json)`);
  const failOn = (o.failOn ?? 'error') as Severity;
  if (!SEVERITIES.includes(failOn)) throw new UsageError(`unknown severity '${o.failOn}' (use ${SEVERITIES.join(', ')})`);
  return {
    ...parseCaptureArgs(capture, o, stdin),
    format,
    failOn,
    slow: seconds(o.slow, '--slow', 1),
    idle: seconds(o.idle, '--idle', 60),
  };
}

/** One text line per finding: severity, connection, frames, sentence. */
export function findingText(f: Finding): string {
  return `${f.severity.toUpperCase().padEnd(8)}  ${f.conn === null ? 'all' : `#${f.conn}`} ${f.client} → ${f.server}  frames ${f.frames.join(',')}  ${escapeControl(f.message)}`;
}

export async function runDiagnose(c: DiagnoseConfig, io: DiagnoseIO, analyzeFn?: AnalyzeFn): Promise<number> {
  const d = new Diagnoser({ slow: c.slow, idle: c.idle });
  const run = await runAnalysis(c, io, {
    limits: { maxRowsKept: 0 }, // no rule reads row values
    onExchange: (x) => d.exchange(x),
    onConnection: (t) => d.tcp(t),
  }, (r) => d.record(r), analyzeFn);
  if (run.code !== undefined || !run.totals) return run.code ?? EXIT.USAGE;
  const { totals, damaged } = run;
  if (totals.messages === 0) {
    io.stderr(`myshark: no MySQL traffic in ${c.inputName} (if a server listens on a port other than 3306, name it with -d PORT)\n`);
    return exitCodeForTotals(totals, damaged);
  }
  const findings = d.result();
  for (const f of findings) io.stdout.write(c.format === 'json' ? `${JSON.stringify(f)}\n` : `${findingText(f)}\n`);
  if (c.format === 'text' && findings.length === 0) {
    io.stderr(`myshark: no findings in ${c.inputName} (${totals.mysqlConnections} MySQL connection(s), ${totals.messages} messages)\n`);
  }
  if (damaged || totals.truncated) {
    io.stderr(`myshark: ${c.inputName} is truncated or damaged; everything decodable was decoded\n`);
    return EXIT.DAMAGED;
  }
  const bar = SEVERITIES.indexOf(c.failOn);
  return findings.some((f) => SEVERITIES.indexOf(f.severity) >= bar) ? EXIT.FINDINGS : EXIT.OK;
}

export const DIAGNOSE_EXAMPLES = `
Examples:
  # what went wrong: failed logins, unanswered requests (reset, server gone, server not answering), half-closed and
  # silent connections (with the 2-hour keepalive explanation), lost segments, retransmissions, zero windows
  myshark diagnose capture.pcap
  # statements over 200 ms count as slow; connections silent over 10 minutes
  myshark diagnose --slow 0.2 --idle 600 capture.pcap
  # in a script: exit 1 when there is a warning or worse
  myshark diagnose --fail-on warning -q capture.pcap || echo "look at it"

Exit codes: 0 no finding at or above --fail-on (default error); 1 there is one; 2 usage error or unreadable
input; 3 no MySQL traffic; 4 capture truncated or damaged.
`;

export function addDiagnoseCommand(
  program: Command,
  io: DiagnoseIO & { stdin: NodeJS.ReadableStream },
  setCode: (code: number) => void,
  analyzeFn?: AnalyzeFn,
): Command {
  return addCaptureOptions(
    program
      .command('diagnose')
      .description('findings: failed logins, unanswered requests, resets, silent and half-closed connections, lost segments, slow statements')
      .argument('[capture]', 'pcap/pcapng file (optionally gzip-compressed), or - for standard input')
      .option('--slow <seconds>', 'statements slower than this are findings', '1')
      .option('--idle <seconds>', 'connections silent longer than this are findings', '60')
      .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at least this severe').choices([...SEVERITIES]).default('error'))
      .addOption(new Option('-T, --format <format>', 'output format').choices(['text', 'json']).default('text')),
  )
    .addHelpText('after', DIAGNOSE_EXAMPLES)
    .action(async (capture: string | undefined, opts: RawDiagnoseOptions) => {
      setCode(await runDiagnose(parseDiagnoseOptions(capture, opts, io.stdin), io, analyzeFn));
    });
}
