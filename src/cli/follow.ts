/**
 * `myshark follow CAPTURE CONN [-V] [-d PORT]`: the whole conversation of one connection in MySQL terms, in order —
 * Wireshark's Follow TCP Stream, decoded. CONN is a tcp.stream index (`0`) or the client's `ip:port`
 * (`10.0.0.5:51234`, `[::1]:51234`).
 *
 *   Connection tcp.stream 0: 127.0.0.1:58712 → 127.0.0.1:3306
 *   Server:   10.11.19-MariaDB-0+deb12u1-log, thread id 6
 *   User:     app@shop
 *   First:    2026-11-21 05:22:52.712983 UTC (frame 1)
 *   Last:     2026-11-21 05:22:52.724001 UTC (frame 61), 0.011018 s later
 *   Messages: 51 (20 requests, 1 error)
 *
 *     0.000265  S< Server Greeting  proto=10 version=… thread_id=6
 *     0.002261  C> Query  show databases
 *     0.002500  S< Result set  1 column, 3 rows
 *                   | information_schema |
 *
 * Times are seconds since the connection's first frame. Result sets show their first 20 rows (NULL as NULL);
 * -V adds each message's field tree. Only the followed connection's lines are kept in memory.
 *
 * Exit codes: 0 ok; 2 usage, unreadable input, or CONN names no MySQL connection; 4 damaged capture.
 */
import type { Command } from 'commander';
import type { CaptureInput } from '../api-types.js';
import { utcTime } from '../analysis/queries.js';
import { tsDiff, type Timestamp } from '../core/time.js';
import type { ConnInfo } from '../flow/types.js';
import type { MySqlRecord } from '../model/record.js';
import type { MySqlEvent } from '../mysql/messages/types.js';
import { escapeControl, formatEndpoint, oneLine } from '../output/format.js';
import type { Sink } from '../output/sink.js';
import type { ProgressStream } from './progress.js';
import { describeEvent, issuesSuffix } from '../output/summary.js';
import { renderTree } from '../output/tree.js';
import { addCaptureOptions, parseCaptureArgs, runAnalysis } from './common.js';
import { EXIT } from './exit-codes.js';
import { UsageError, type AnalyzeFn } from './read.js';

/** Rows of a result set shown under its line. */
export const FOLLOW_ROWS = 20;
const VALUE_MAX = 80;

/** Which connection to follow. */
export type ConnSelector = { kind: 'index'; index: number } | { kind: 'client'; ip: string; port: number; text: string };

export interface RawFollowOptions {
  tree?: boolean;
  quiet?: boolean;
  decodePort?: string[];
  autoDetect?: boolean;
}

export interface FollowConfig {
  input: CaptureInput;
  inputName: string;
  ports: number[];
  autoDetect: boolean;
  conn: ConnSelector;
  tree: boolean;
  /** -q: no progress bar. */
  quiet?: boolean;
}

export interface FollowIO {
  stdout: Sink;
  stderr(s: string): void;
  /** Standard error for the progress bar (absent: no bar). */
  progressStream?: ProgressStream;
}

const CONN_HELP = 'CONN is a tcp.stream index (e.g. 0) or the client ip:port (e.g. 10.0.0.5:51234 or [::1]:51234)';

/** `7`, `10.0.0.5:51234`, `[::1]:51234`; anything else is a UsageError. */
export function parseConnSelector(s: string | undefined): ConnSelector {
  const t = (s ?? '').trim();
  if (t === '') throw new UsageError(`no connection given: ${CONN_HELP}`);
  if (/^\d+$/.test(t)) {
    const index = Number(t);
    if (Number.isSafeInteger(index)) return { kind: 'index', index };
  }
  const m = /^(?:\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/.exec(t);
  if (m) {
    const port = Number(m[3]);
    const v4 = m[2];
    const v4ok = v4 === undefined || v4.split('.').every((o) => Number(o) <= 255);
    const v6 = m[1];
    const v6ok = v6 === undefined || v6.includes(':');
    if (port >= 1 && port <= 65535 && v4ok && v6ok) {
      return { kind: 'client', ip: (v6 ?? v4 ?? '').toLowerCase(), port, text: t };
    }
  }
  throw new UsageError(`'${s}' is not a connection: ${CONN_HELP}`);
}

/** Canonical text of an IPv6 address (so `::1` matches `0:0:0:0:0:0:0:1`); IPv4 is returned as is. */
function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip.replace(/%.*$/, '')}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}

export function matchesConn(sel: ConnSelector, c: ConnInfo): boolean {
  if (sel.kind === 'index') return c.index === sel.index;
  return c.client.port === sel.port && canonicalIp(c.client.ip.toLowerCase()) === canonicalIp(sel.ip);
}

export function parseFollowOptions(
  capture: string | undefined,
  connArg: string | undefined,
  o: RawFollowOptions,
  stdin: NodeJS.ReadableStream,
): FollowConfig {
  const args = parseCaptureArgs(capture, o, stdin);
  return { ...args, conn: parseConnSelector(connArg), tree: o.tree === true };
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/** `Query  SELECT 1` for a request, `Result set  …` for a response: the summary text without Request/Response. */
export function followText(e: MySqlEvent): string {
  return describeEvent(e).replace(/^(?:Request|Response) /, '');
}

/** `    | 1 | x | NULL |` lines for the first FOLLOW_ROWS rows of a text result set, then `… n more rows`. */
export function rowLines(e: MySqlEvent, indent: string): string[] {
  if (e.kind !== 'resultset') return [];
  const out: string[] = [];
  if (e.columns.length > 0 && (e.rows.length > 0 || !e.binary)) {
    out.push(`${indent}columns: ${e.columns.map((c) => oneLine(c.name, VALUE_MAX)).join(' | ')}`);
  }
  const shown = e.rows.slice(0, FOLLOW_ROWS);
  for (const row of shown) out.push(`${indent}| ${row.map((v) => (v === null ? 'NULL' : oneLine(v, VALUE_MAX))).join(' | ')} |`);
  const more = e.rowCount - shown.length;
  if (more > 0 && !e.binary) out.push(`${indent}… ${plural(more, 'more row')}`);
  return out;
}

/** Collects what the header needs and the rendered lines of one connection. */
class Conversation {
  readonly lines: string[] = [];
  conn: ConnInfo | undefined;
  version: string | undefined;
  threadId: number | undefined;
  user: string | undefined;
  schema: string | undefined;
  lastTs: Timestamp | undefined;
  lastFrame = 0;
  messages = 0;
  requests = 0;
  errors = 0;
  /** Other connections the client ip:port also named (port reuse). */
  readonly others = new Set<number>();

  constructor(private readonly tree: boolean) {}

  add(r: MySqlRecord): void {
    this.conn ??= r.conn;
    const e = r.event;
    this.messages++;
    this.lastTs = r.lastTs;
    this.lastFrame = Math.max(this.lastFrame, r.lastFrameNo);
    if (e.kind === 'greeting') {
      this.version ??= e.version;
      this.threadId ??= e.threadId;
    }
    if (e.kind === 'handshake_response') {
      this.user ??= e.user;
      if (e.schema !== undefined && e.schema !== '') this.schema ??= e.schema;
    }
    this.user ??= r.connUser;
    this.schema ??= r.connSchema;
    this.threadId ??= r.connThreadId;
    if (r.dir === 'c2s' && e.kind === 'command') this.requests++;
    if (e.kind === 'err' || (e.kind === 'resultset' && e.end === 'err')) this.errors++;

    const rel = tsDiff(this.conn.firstTs, r.ts).toFixed(6).padStart(10);
    const tag = r.dir === 'c2s' ? 'C>' : 'S<';
    this.lines.push(`${rel}  ${tag} ${followText(e)}${issuesSuffix(r)}`);
    const pad = ' '.repeat(rel.length + 6);
    this.lines.push(...rowLines(e, pad));
    if (this.tree) {
      for (const l of renderTree(r).replace(/\n$/, '').split('\n')) this.lines.push(`${pad}${l}`);
      this.lines.push('');
    }
  }

  header(): string[] {
    const c = this.conn!;
    const client = formatEndpoint(c.client, c.ipVersion);
    const server = formatEndpoint(c.server, c.ipVersion);
    const out = [`Connection tcp.stream ${c.index}: ${client} → ${server}`];
    const server2: string[] = [];
    if (this.version !== undefined) {
      // MariaDB 10+ prefixes its version with "5.5.5-" for old clients; the real version follows.
      const v = this.version.startsWith('5.5.5-') ? `${this.version.slice(6)} (sent as 5.5.5-…)` : this.version;
      server2.push(escapeControl(v));
    }
    if (this.threadId !== undefined) server2.push(`thread id ${this.threadId}`);
    out.push(`Server:   ${server2.length > 0 ? server2.join(', ') : 'unknown (greeting not captured)'}`);
    if (this.user !== undefined || this.schema !== undefined) {
      out.push(`User:     ${escapeControl(this.user ?? '?')}${this.schema !== undefined ? `@${escapeControl(this.schema)}` : ''}`);
    }
    out.push(`First:    ${utcTime(c.firstTs)} UTC (frame ${c.firstFrame})${c.sawSyn ? '' : ', started before the capture'}`);
    if (this.lastTs) {
      out.push(`Last:     ${utcTime(this.lastTs)} UTC (frame ${this.lastFrame}), ${tsDiff(c.firstTs, this.lastTs).toFixed(6)} s later`);
    }
    out.push(`Messages: ${this.messages} (${plural(this.requests, 'request')}, ${plural(this.errors, 'error')})`);
    return out;
  }
}

/** Runs `myshark follow` and returns the exit code. Never throws for input problems. */
export async function runFollow(c: FollowConfig, io: FollowIO, analyzeFn?: AnalyzeFn): Promise<number> {
  const conv = new Conversation(c.tree);
  const run = await runAnalysis(c, io, { tree: c.tree }, 
      (r) => {
        if (!matchesConn(c.conn, r.conn)) return;
        // A client ip:port reused by a later connection: follow the first one, mention the others.
        if (conv.conn && r.conn.index !== conv.conn.index) {
          conv.others.add(r.conn.index);
          return;
        }
        conv.add(r);
      }, analyzeFn);
  if (run.code !== undefined || !run.totals) return run.code ?? EXIT.USAGE;
  const { totals, damaged } = run;
  if (!conv.conn) {
    const what = c.conn.kind === 'index' ? String(c.conn.index) : `from client ${c.conn.text}`;
    const none = totals.messages === 0 ? ` (no MySQL traffic at all in ${c.inputName}; if a server listens on a port other than 3306, name it with -d PORT)` : '';
    io.stderr(`myshark: no MySQL connection ${what} in the capture; myshark conns lists them${none}\n`);
    return EXIT.USAGE;
  }
  io.stdout.write(`${[...conv.header(), '', ...conv.lines].join('\n')}\n`);
  if (conv.others.size > 0) {
    io.stderr(
      `myshark: ${c.conn.kind === 'client' ? c.conn.text : ''} also names tcp.stream ${[...conv.others].join(', ')} (port reused); follow it by index\n`,
    );
  }
  if (damaged || totals.truncated) {
    io.stderr(`myshark: ${c.inputName} is truncated or damaged; everything decodable was decoded\n`);
    return EXIT.DAMAGED;
  }
  return EXIT.OK;
}

export const FOLLOW_EXAMPLES = `
Examples:
  # the whole conversation of tcp.stream 3 (myshark conns lists the connections)
  myshark follow capture.pcap 3
  # the connection of a client port seen in an application log, with every message's field tree
  myshark follow -V capture.pcap 10.0.0.5:51234
  myshark follow capture.pcap '[::1]:51234'

Lines: time since the connection's first frame, C> (client to server) or S< (server to client), the message.
Result sets show their first ${FOLLOW_ROWS} rows. Exit codes: 0 ok; 2 usage error, unreadable input or no such
MySQL connection; 4 capture truncated or damaged.
`;

/** Adds `myshark follow` to the program (same contract as addQueriesCommand). */
export function addFollowCommand(
  program: Command,
  io: FollowIO & { stdin: NodeJS.ReadableStream },
  setCode: (code: number) => void,
  analyzeFn?: AnalyzeFn,
): Command {
  return addCaptureOptions(
    program
      .command('follow')
      .description("one connection's whole conversation, decoded, in order (Wireshark's Follow TCP Stream in MySQL terms)")
      .argument('[capture]', 'pcap/pcapng file (optionally gzip-compressed), or - for standard input')
      .argument('[conn]', 'tcp.stream index, or the client ip:port ([v6addr]:port for IPv6)')
      .option('-V, --tree', 'add the field tree of each message'),
  )
    .addHelpText('after', FOLLOW_EXAMPLES)
    .action(async (capture: string | undefined, conn: string | undefined, opts: RawFollowOptions) => {
      const config = parseFollowOptions(capture, conn, opts, io.stdin);
      setCode(await runFollow(config, io, analyzeFn));
    });
}
