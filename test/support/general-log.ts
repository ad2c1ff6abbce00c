import type { StmtParam } from '../../src/mysql/messages/types.js';
/**
 * Parser for MariaDB's general query log written with --log-output=FILE (checked with MariaDB 10.11):
 *
 *   /usr/sbin/mariadbd, Version: 10.11.19-MariaDB-0+deb12u1-log (Debian 12). started with:
 *   Tcp port: 3306  Unix socket: /tmp/x/mysqld.sock
 *   Time		    Id Command	Argument
 *   261121  5:04:13	     3 Connect	root@localhost on  using Socket
 *   		     3 Query	SELECT 1
 *   		     3 Quit
 *
 * A line starts either with `YYMMDD HH:MM:SS<TAB>` (when the second changed) or with two tabs, then the thread
 * id right-aligned, one space, the command name (may contain spaces: `Init DB`, `Field List`, `Change user`,
 * `Close stmt`), a tab and the argument. A statement with newlines continues on the following lines as is;
 * those lines are appended to the previous entry's argument. Header lines (written at every server start) are
 * skipped.
 */
export interface GeneralLogEntry {
  /** Connection (thread) id: equals the connection id in the server greeting. */
  threadId: number;
  /** `Connect`, `Query`, `Init DB`, `Quit`, `Field List`, `Change user`, `Prepare`, `Execute`, ... */
  command: string;
  /** The rest of the line (query text for `Query`, schema for `Init DB`, `user@host as anonymous on db` for `Connect`). */
  argument: string;
  /** `YYMMDD HH:MM:SS` of the last timestamped line at or before this entry, if any. */
  time: string | undefined;
  /** 1-based line number in the log text. */
  line: number;
}

const ENTRY = /^(?:(\d{6} +\d{1,2}:\d{2}:\d{2})\t|\t\t) *(\d+) ([A-Za-z][A-Za-z ]*?)\t(.*)$/;
const HEADER = [/^\S+, Version: .* started with:$/, /^Tcp port: \d+ +Unix socket: /, /^Time\s+Id Command\s+Argument$/];

export function parseGeneralLog(text: string): GeneralLogEntry[] {
  const out: GeneralLogEntry[] = [];
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let time: string | undefined;
  lines.forEach((line, i) => {
    if (HEADER.some((re) => re.test(line))) return;
    const m = ENTRY.exec(line);
    if (m) {
      if (m[1] !== undefined) time = m[1].replace(/ +/, ' ');
      out.push({ threadId: Number(m[2]), command: m[3]!, argument: m[4]!, time, line: i + 1 });
      return;
    }
    const last = out[out.length - 1];
    if (last) last.argument += '\n' + line; // continuation of a multi-line statement
  });
  return out;
}

/** The `Connect` argument: `app@localhost as anonymous on shop` / `app@127.0.0.1 on shop using TCP/IP`. */
export function parseConnectArgument(arg: string): { user: string; host: string; schema: string | undefined; via: string | undefined } | undefined {
  const m = /^(.*)@(\S*)(?: as anonymous)? on (\S*)(?: using (.*))?$/.exec(arg);
  if (!m) return undefined;
  return { user: m[1]!, host: m[2]!, schema: m[3] === '' ? undefined : m[3], via: m[4] };
}

/** A value the way MariaDB 10.11 writes it into the general log's Execute line. */
export function mariadbLiteral(v: StmtParam['value']): string {
  if (v === null) return 'NULL';
  if (v === 'streamed') throw new Error('streamed values are compared separately');
  switch (v.kind) {
    case 'int':
    case 'float':
    case 'decimal':
      return v.text;
    case 'null':
      return 'NULL';
    case 'datetime':
      return `TIMESTAMP'${v.text.replace(/\.0+$/, '')}'`;
    case 'bytes':
      return `'${Buffer.from(v.value).toString('latin1').replace(/\0/g, '\\0')}'`;
    default:
      return `'${v.text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  }
}

/** Our values rendered into the prepared SQL the way the log does it, as latin1 text (the log file's bytes). */
export function asLogLine(sql: string, params: StmtParam[]): string {
  const literals = params.map((p) => mariadbLiteral(p.value));
  let k = 0;
  const utf8 = sql.replace(/\?/g, () => literals[k++] ?? '?');
  return Buffer.from(utf8, 'utf8').toString('latin1');
}

