/**
 * The command line (commander 14): `myshark read [options] <capture>`, `--version`, `--help`.
 * `runCli` parses, runs and returns the exit code; `main.ts` only wires it to the process.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { Sink } from '../output/sink.js';
import { EXIT } from './exit-codes.js';
import { addConnsCommand } from './conns.js';
import { decodePortOption, quietOption } from './common.js';
import { addFollowCommand } from './follow.js';
import { addDiagnoseCommand } from './diagnose.js';
import type { ProgressStream } from './progress.js';
import { addDigestCommand } from './digest.js';
import { addQueriesCommand } from './queries.js';
import { runFields } from './fields.js';
import { compileRecordFilter, DisplayFilterError } from '../filter/index.js';
import { addPortsCommand } from './ports.js';
import { parseReadOptions, runRead, UsageError, type AnalyzeFn, type RawReadOptions } from './read.js';

export interface CliIO {
  stdout: Sink;
  stderr(s: string): void;
  stdin: NodeJS.ReadableStream;
  /** Backpressure from standard output (see ReadIO). */
  waitForOutput?(): Promise<void> | undefined;
  /** Standard error when it may show a progress bar (main.ts passes process.stderr; tests nothing). */
  progressStream?: ProgressStream;
}

/** The package version, from package.json two levels up (src/cli or dist/cli). */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export const READ_EXAMPLES = `
Examples:
  # one line per MySQL message: frame, time, client → server, message
  myshark read capture.pcap
  # Wireshark-style tree (Server Greeting, Login Request, Query, result set, Quit)
  myshark read -V capture.pcap
  # hex and ASCII of each MySQL packet, with every field's byte range
  myshark read -x capture.pcap
  # NDJSON with Wireshark's field names (mysql.query, tcp.stream, ...)
  myshark read -T json capture.pcapng.gz
  # which client port sent a query containing SOMETHING (then: tcp.port == PORT in Wireshark)
  myshark read -T json capture.pcap | jq -r 'select(."mysql.query" // "" | contains("SOMETHING")) | ."tcp.srcport"'
  # MySQL servers on other ports (3306 is always decoded)
  myshark read -d 3307 -d 13306 capture.pcap
  # from a pipe, or live (spawns tcpdump -w -)
  tcpdump -i lo -w - 'tcp port 3306' | myshark read -
  sudo myshark read -i lo -f 'tcp port 3306'

Exit codes: 0 ok; 2 usage error or unreadable input; 3 no MySQL traffic in the capture;
4 capture truncated or damaged (what could be decoded is still printed).
`;

/** Builds the program; `onRead` receives the validated capture argument and options. */
export function buildProgram(io: CliIO, onRead: (capture: string | undefined, opts: RawReadOptions) => Promise<void>): Command {
  const program = new Command();
  program
    .name('myshark')
    .description('MySQL/MariaDB wire-protocol analyzer: decodes every MySQL message in a pcap/pcapng capture or live traffic')
    .version(packageVersion(), '--version', 'print the version')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr(s),
      outputError: (s, write) => write(`myshark: ${s.replace(/^error:\s*/, '')}`),
    })
    .exitOverride()
    .showHelpAfterError('(run myshark read --help for usage)')
    .addHelpText('after', '\nRun myshark read --help for the options and examples.\n');

  program
    .command('read')
    .description('show every MySQL message of a capture, in both directions, decoded')
    .argument('[capture]', 'pcap/pcapng file (optionally gzip-compressed), or - for standard input')
    .option('-i, --interface <iface>', 'capture live on this interface (spawns tcpdump or dumpcap)')
    .option('-f, --capture-filter <bpf>', 'BPF filter for live capture, e.g. "tcp port 3306"')
    .option('-V, --tree', 'show each message as a Wireshark-style tree of fields')
    .option('-x, --hex', 'show the hex and ASCII of each MySQL packet with every field\'s byte range')
    .addOption(new Option('-T, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(decodePortOption())
    .option('--no-auto-detect', 'do not look for MySQL servers on other ports (greeting, packet framing)')
    .option('-c, --count <n>', 'stop after n MySQL messages')
    .option('-Y, --display-filter <filter>', 'only messages matching this Wireshark display filter, e.g. \'mysql.query contains "orders"\'')
    .option('-w, --write <file>', 'write the frames behind the shown messages to a pcap file Wireshark opens')
    .option('--whole-connections', 'with -w: every frame of each connection that has a shown message')
    .addOption(quietOption())
    .addHelpText('after', READ_EXAMPLES)
    .action(async (capture: string | undefined, opts: RawReadOptions) => {
      await onRead(capture, opts);
    });

  return program;
}

/** Parses `argv` (without node and script), runs the command and returns the exit code. */
export async function runCli(args: readonly string[], io: CliIO, analyzeFn?: AnalyzeFn): Promise<number> {
  let code: number = EXIT.OK;
  const program = buildProgram(io, async (capture, opts) => {
    const config = parseReadOptions(capture, opts, io.stdin);
    code = await runRead(config, io, analyzeFn);
  });
  addConnsCommand(program, io, (c) => (code = c), (text) => compileRecordFilter(text));
  addQueriesCommand(program, io, (c) => (code = c), (text) => compileRecordFilter(text));
  addDigestCommand(program, io, (c) => (code = c), (text) => compileRecordFilter(text));
  addPortsCommand(program, io, (c) => (code = c));
  addFollowCommand(program, io, (c) => (code = c), analyzeFn);
  addDiagnoseCommand(program, io, (c) => (code = c), analyzeFn);
  program
    .command('fields')
    .description('list every field usable in -Y filters and in -T json (like tshark -G fields)')
    .option('--json', 'print a JSON array')
    .action((opts: { json?: boolean }) => {
      code = runFields(io, opts);
    });
  // The hint after a usage error names the command that was run (subcommands inherit the program's otherwise).
  const usageHint = (name: string) => `(run myshark ${name} --help for usage)`;
  for (const c of program.commands) c.showHelpAfterError(usageHint(c.name()));
  const command = program.commands.find((c) => c.name() === args[0])?.name() ?? 'read';
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`myshark: ${e.message}\n${usageHint(command)}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof DisplayFilterError) {
      io.stderr(`myshark: ${e.message}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof CommanderError) {
      // --help and --version exit 0; every other commander error (unknown option, missing value, no command) is usage.
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    throw e;
  }
  return code;
}
