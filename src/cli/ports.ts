/**
 * `myshark ports --pid PID [--port PORT]...`: the open MySQL connections of a running process (Linux /proc), one
 * line each like lsof's, then the ready Wireshark display filter and tcpdump capture filter:
 *
 *   java 1428: 2 MySQL connections (server port 3306)
 *   TCP 127.0.0.1:51960->127.0.0.1:3306 (ESTABLISHED)
 *   TCP 127.0.0.1:51834->127.0.0.1:3306 (ESTABLISHED)
 *   Wireshark display filter: tcp.port == 51960 or tcp.port == 51834
 *   tcpdump capture filter: tcp port 51960 or tcp port 51834
 *
 * Exit codes: 0 connections listed; 1 the process has no MySQL connection (said on stderr); 2 usage error, no such
 * process, permission denied, not Linux.
 */
import { Option, type Command } from 'commander';
import { portsCaptureFilter, portsDisplayFilter } from '../analysis/conns.js';
import type { Sink } from '../output/sink.js';
import {
  ephemeralPorts,
  mysqlConnectionsOfPid,
  parsePid,
  ProcError,
  processName,
  type MySqlSocket,
  type ProcOptions,
  type SocketEndpoint,
} from '../procfs/ports.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './read.js';

/** Raw options as commander hands them over (`--pid`, repeatable `--port`). */
export interface RawPortsOptions {
  pid?: string;
  port?: string[];
}

export interface PortsConfig {
  pid: number | string;
  /** MySQL server ports (default [3306]). */
  ports?: number[];
  format?: 'text' | 'json';
}

export interface PortsIO {
  stdout: Sink;
  stderr(s: string): void;
}

/** Validates `--pid` and `--port` (UsageError, exit 2, for bad values). */
export function parsePortsOptions(o: RawPortsOptions): PortsConfig {
  if (o.pid === undefined || o.pid === '') throw new UsageError('--pid PID is required (the process whose MySQL connections to list)');
  try {
    parsePid(o.pid);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const ports: number[] = [];
  for (const p of o.port ?? []) {
    const t = p.trim();
    const n = /^\d+$/.test(t) ? Number(t) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--port wants a TCP port from 1 to 65535, not '${p}'`);
    if (!ports.includes(n)) ports.push(n);
  }
  return { pid: o.pid.trim(), ports: ports.length > 0 ? ports : [3306] };
}

function endpoint(e: SocketEndpoint): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** `TCP 127.0.0.1:51960->127.0.0.1:3306 (ESTABLISHED)`, as lsof -nP prints it. */
export function lsofLine(s: MySqlSocket): string {
  return `TCP ${endpoint(s.local)}->${endpoint(s.remote)} (${s.state})`;
}

/** Runs `myshark ports` and returns the exit code. `proc` is for tests (a synthetic /proc). */
export async function runPorts(c: PortsConfig, io: PortsIO, proc: ProcOptions = {}): Promise<number> {
  const serverPorts = c.ports && c.ports.length > 0 ? c.ports : [3306];
  let socks: MySqlSocket[];
  let pid: number;
  try {
    pid = parsePid(c.pid);
    socks = await mysqlConnectionsOfPid(pid, serverPorts, proc);
  } catch (e) {
    if (e instanceof ProcError) {
      io.stderr(`myshark: ${e.message}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
  const name = await processName(pid, proc);
  const who = name !== undefined ? `${name} ${pid}` : `process ${pid}`;
  const portText = `server port${serverPorts.length === 1 ? '' : 's'} ${serverPorts.join(', ')}`;
  if (socks.length === 0) {
    io.stderr(
      `myshark: ${who} has no open MySQL connection (no TCP connection to or from ${portText}); ` +
        `if its server listens on another port, name it with --port PORT\n`,
    );
    return EXIT.FINDINGS;
  }
  const ports = ephemeralPorts(socks);
  const display = portsDisplayFilter(ports);
  const capture = portsCaptureFilter(ports);
  if (c.format === 'json') {
    for (const s of socks) {
      io.stdout.write(
        `${JSON.stringify({ pid, command: name ?? null, fd: s.fd, role: s.role, local: endpoint(s.local), remote: endpoint(s.remote), state: s.state, inode: s.inode })}\n`,
      );
    }
    io.stdout.write(`${JSON.stringify({ display_filter: display, capture_filter: capture })}\n`);
    return EXIT.OK;
  }
  io.stdout.write(`${who}: ${socks.length} MySQL connection${socks.length === 1 ? '' : 's'} (${portText})\n`);
  for (const s of socks) io.stdout.write(`${lsofLine(s)}\n`);
  io.stdout.write(`Wireshark display filter: ${display}\n`);
  io.stdout.write(`tcpdump capture filter: ${capture}\n`);
  return EXIT.OK;
}

export const PORTS_EXAMPLES = `
Examples:
  # the MySQL connections of process 1428 (what lsof -p 1428 | grep mysql shows), with ready filters
  myshark ports --pid 1428
  # a server on another port
  myshark ports --pid 1428 --port 3307
  # then capture just those connections
  sudo tcpdump -i any -w app.pcap "$(myshark ports --pid 1428 | sed -n 's/^tcpdump capture filter: //p')"

Linux only (reads /proc). Exit codes: 0 connections listed; 1 the process has no MySQL connection;
2 usage error, no such process or permission denied (run as the process owner or root).
`;

/** Adds `myshark ports` to the program; `setCode` receives the exit code. UsageError propagates to runCli. */
export function addPortsCommand(program: Command, io: PortsIO, setCode: (code: number) => void): Command {
  return program
    .command('ports')
    .description("list a running process's open MySQL connections (Linux /proc) with ready Wireshark and tcpdump filters")
    .option('-p, --pid <pid>', 'the process id')
    .addOption(
      new Option('--port <port>', 'MySQL server port (repeatable; default 3306)').argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]),
    )
    .addOption(new Option('-T, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', PORTS_EXAMPLES)
    .action(async (opts: RawPortsOptions & { format?: string }) => {
      const config = parsePortsOptions(opts);
      if (opts.format === 'json') config.format = 'json';
      setCode(await runPorts(config, io));
    });
}
