/**
 * The query log: one row per exchange (a request with its complete response, model/exchange.ts) — start time,
 * connection, user@schema, command, SQL (for EXECUTE the prepared SQL with its values rendered in), latency and time
 * to first byte, rows, bytes each way, status and the server status flags worth knowing. Pure functions: the CLI
 * (cli/queries.ts) feeds exchanges in and writes the formatted lines out.
 *
 * Times:
 *   ts          the request's first frame (MySqlRecord.ts), epoch seconds
 *   latency_ms  request's last byte → response's last byte (Exchange.endTs); null without a response
 *   ttfb_ms     request's last byte → end of the first response message (Exchange.firstResponseTs)
 */
import type { Timestamp } from '../core/time.js';
import { tsToSeconds } from '../core/time.js';
import type { Exchange } from '../model/exchange.js';
import { commandId } from '../mysql/constants/commands.js';
import { SERVER } from '../mysql/constants/status.js';
import type { Command, StmtParam } from '../mysql/messages/types.js';
import { sqlWithValues } from '../mysql/session/statements.js';
import { escapeControl, formatEndpoint, oneLine } from '../output/format.js';
import { JsonBytes } from '../output/json-bytes.js';

/** One line of `myshark queries -T json` (keys and order are the documented contract). */
export interface QueryRow {
  ts: number;
  conn: number;
  client: string;
  server: string;
  thread_id: number | null;
  user: string | null;
  schema: string | null;
  command: string;
  sql: string;
  params: (string | null)[] | null;
  latency_ms: number | null;
  ttfb_ms: number | null;
  rows: number;
  /** A number, or a decimal string when it does not fit a double exactly. */
  affected_rows: number | string;
  bytes_in: number;
  bytes_out: number;
  status: 'ok' | 'error' | 'no_response' | 'lost';
  error_code: number | null;
  error_message: string | null;
}

/** Server status flags a query log reports, in this order (bit, short name). */
export const NOTABLE_FLAGS: ReadonlyArray<readonly [number, string]> = [
  [SERVER.QUERY_NO_INDEX_USED, 'no_index_used'],
  [SERVER.QUERY_NO_GOOD_INDEX_USED, 'no_good_index_used'],
  [SERVER.QUERY_WAS_SLOW, 'slow'],
];

/** The notable flags set in a server status word. */
export function notableFlags(status: number): string[] {
  const out: string[] = [];
  for (const [bit, name] of NOTABLE_FLAGS) if ((status & bit) !== 0) out.push(name);
  return out;
}

/**
 * Milliseconds from a to b, to the nanosecond: the difference in whole nanoseconds (exact in a double for any
 * capture shorter than 104 days), then one division, the double nearest to the decimal millisecond value.
 */
export function msBetween(a: Timestamp, b: Timestamp): number {
  return ((b.sec - a.sec) * 1e9 + (b.nsec - a.nsec)) / 1e6;
}

/** A parameter's value as text: SQL NULL → null, data sent by SEND_LONG_DATA → `<long data>`. */
export function paramText(p: StmtParam): string | null {
  const v = p.value;
  if (v === null) return null;
  if (v === 'streamed') return '<long data>';
  return v.kind === 'null' ? null : v.text;
}

/** The statement's SQL: COM_QUERY / PREPARE text, EXECUTE's prepared SQL with its values; '' for other commands. */
export function exchangeSql(c: Command): string {
  if (c.query === undefined) return '';
  const ex = c.execute;
  if (ex && ex.params.length > 0) return sqlWithValues(c.query, ex.params.map((p) => p.value));
  return c.query;
}

/** The query log row of one exchange. */
export function queryRow(x: Exchange): QueryRow {
  const r = x.request;
  const c: Command | undefined = r.event.kind === 'command' ? r.event : undefined;
  const affected = x.affectedRows;
  return {
    ts: tsToSeconds(r.ts),
    conn: x.conn.index,
    client: formatEndpoint(x.conn.client, x.conn.ipVersion),
    server: formatEndpoint(x.conn.server, x.conn.ipVersion),
    thread_id: r.connThreadId ?? null,
    user: r.connUser ?? null,
    schema: r.connSchema ?? null,
    command: c ? commandId(c.command) : r.event.kind,
    sql: c ? exchangeSql(c) : '',
    params: c?.execute ? c.execute.params.map(paramText) : null,
    latency_ms: x.endTs ? msBetween(r.lastTs, x.endTs) : null,
    ttfb_ms: x.firstResponseTs ? msBetween(r.lastTs, x.firstResponseTs) : null,
    rows: x.rows,
    affected_rows: typeof affected === 'bigint' ? (affected <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(affected) : affected.toString()) : affected,
    bytes_in: x.bytesIn,
    bytes_out: x.bytesOut,
    status: x.status,
    error_code: x.error?.code ?? null,
    error_message: x.error?.message ?? null,
  };
}

// ---------------------------------------------------------------- JSON

interface ConnPart {
  conn: Exchange['conn'];
  threadId: number | undefined;
  user: string | undefined;
  schema: string | undefined;
  bytes: Uint8Array;
}

/** Scratch for the string forms below (tests and one-off callers). */
const scratch = new JsonBytes();

/** JSON text of `tsToSeconds(ts)`: what JSON.stringify writes for it (see writeSeconds). */
export function secondsJson(ts: Timestamp): string {
  writeSeconds(scratch, ts);
  return Buffer.from(scratch.take()).toString('latin1');
}

/** JSON text of `msBetween(a, b)`: what JSON.stringify writes for it (see writeMilliseconds). */
export function msBetweenJson(a: Timestamp, b: Timestamp): string {
  writeMilliseconds(scratch, a, b);
  return Buffer.from(scratch.take()).toString('latin1');
}

function jsonOrNull(s: string | null | undefined): string {
  return s === null || s === undefined ? 'null' : JSON.stringify(s);
}

/**
 * The query log's NDJSON writer: `bytes(x)` is exactly `JSON.stringify(queryRow(x))` as UTF-8 (the test compares
 * them on every fixture), built without the row object or any intermediate string. What stays the same along a
 * connection (endpoints, thread id, user, schema) is encoded once per connection and reused while it does not change;
 * times are written from their integers (writeSeconds, writeMilliseconds). `append` writes the line into the
 * output's own buffer (Sink.target).
 */
export class QueryJsonWriter {
  /**
   * The encoded part of the line of recent connections, in a slot chosen by the connection's index: a fixed number
   * of slots (memory does not grow with the capture), and a lookup cheaper than a WeakMap's.
   */
  private readonly connParts: Array<ConnPart | undefined> = new Array<ConnPart | undefined>(CONN_SLOTS).fill(undefined);
  private readonly commandPart = new Map<string, Uint8Array>();
  private readonly out = new JsonBytes();

  /** The line (without the newline) as text. */
  line(x: Exchange): string {
    const b = this.bytes(x);
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength - 1).toString('utf8');
  }

  /** The line and its newline, as UTF-8; valid until the next call. */
  bytes(x: Exchange): Uint8Array {
    this.append(x, this.out);
    return this.out.take();
  }

  /** Appends the line and its newline to `o`. */
  append(x: Exchange, o: JsonBytes): void {
    const r = x.request;
    const slot = x.conn.index & (CONN_SLOTS - 1);
    let part = this.connParts[slot];
    if (part === undefined || part.conn !== x.conn || r.connThreadId !== part.threadId || r.connUser !== part.user || r.connSchema !== part.schema) {
      part = {
        conn: x.conn, threadId: r.connThreadId, user: r.connUser, schema: r.connSchema,
        bytes: Buffer.from(`,"conn":${x.conn.index},"client":${JSON.stringify(formatEndpoint(x.conn.client, x.conn.ipVersion))}`
          + `,"server":${JSON.stringify(formatEndpoint(x.conn.server, x.conn.ipVersion))},"thread_id":${r.connThreadId ?? 'null'}`
          + `,"user":${jsonOrNull(r.connUser)},"schema":${jsonOrNull(r.connSchema)},"command":`, 'utf8'),
      };
      this.connParts[slot] = part;
    }
    const c: Command | undefined = r.event.kind === 'command' ? r.event : undefined;
    const command = c ? commandId(c.command) : r.event.kind;
    let commandPart = this.commandPart.get(command);
    if (commandPart === undefined) this.commandPart.set(command, (commandPart = Buffer.from(`${JSON.stringify(command)},"sql":`, 'utf8')));
    o.bytes(K_TS);
    writeSeconds(o, r.ts);
    o.bytes(part.bytes);
    o.bytes(commandPart);
    o.string(c ? exchangeSql(c) : '');
    if (c?.execute) {
      o.bytes(K_PARAMS);
      o.bytes(Buffer.from(JSON.stringify(c.execute.params.map(paramText)), 'utf8'));
      o.bytes(K_LATENCY);
    } else {
      o.bytes(K_NO_PARAMS_LATENCY);
    }
    if (x.endTs) writeMilliseconds(o, r.lastTs, x.endTs);
    else o.bytes(K_NULL);
    o.bytes(K_TTFB);
    if (x.firstResponseTs) writeMilliseconds(o, r.lastTs, x.firstResponseTs);
    else o.bytes(K_NULL);
    o.bytes(K_ROWS);
    o.uint(x.rows);
    o.bytes(K_AFFECTED);
    const affected = x.affectedRows;
    if (typeof affected === 'bigint') o.ascii(affected <= BigInt(Number.MAX_SAFE_INTEGER) ? String(affected) : `"${affected}"`);
    else o.uint(affected);
    o.bytes(K_BYTES_IN);
    o.uint(x.bytesIn);
    o.bytes(K_BYTES_OUT);
    o.uint(x.bytesOut);
    if (x.error) {
      o.bytes(K_STATUS[x.status]);
      o.uint(x.error.code);
      o.bytes(K_ERROR_MESSAGE);
      o.string(x.error.message);
      o.bytes(K_END);
    } else {
      o.bytes(K_STATUS_NO_ERROR[x.status]);
    }
  }
}

/** Slots of QueryJsonWriter's per-connection cache (a power of two). */
const CONN_SLOTS = 1024;

const k = (text: string): Uint8Array => Buffer.from(text, 'latin1');
const K_TS = k('{"ts":');
const K_PARAMS = k(',"params":');
const K_LATENCY = k(',"latency_ms":');
const K_NO_PARAMS_LATENCY = k(',"params":null,"latency_ms":');
const K_NULL = k('null');
const K_TTFB = k(',"ttfb_ms":');
const K_ROWS = k(',"rows":');
const K_AFFECTED = k(',"affected_rows":');
const K_BYTES_IN = k(',"bytes_in":');
const K_BYTES_OUT = k(',"bytes_out":');
const STATUSES: ReadonlyArray<QueryRow['status']> = ['ok', 'error', 'no_response', 'lost'];
const K_STATUS = Object.fromEntries(STATUSES.map((st) => [st, k(`,"status":"${st}","error_code":`)])) as Record<QueryRow['status'], Uint8Array>;
const K_STATUS_NO_ERROR = Object.fromEntries(STATUSES.map((st) => [st, k(`,"status":"${st}","error_code":null,"error_message":null}\n`)])) as Record<QueryRow['status'], Uint8Array>;
const K_ERROR_MESSAGE = k(',"error_message":');
const K_END = k('}\n');

/**
 * `tsToSeconds(ts)` as JSON.stringify writes it, from the integers when that is exact: for whole microseconds with
 * 2^19 ≤ sec < 2^32 the double nearest to sec.micro is what the division and the sum give, and JavaScript writes it
 * as that decimal without trailing zeros (no other decimal of six digits or fewer rounds to it: the doubles there
 * are closer than 1e-6 apart). Below 2^19 s the rounding of nsec / 1e9 can move the sum off that double
 * (1 + 0.999999 gives 1.9999989999999999); otherwise JSON.stringify itself.
 */
function writeSeconds(o: JsonBytes, ts: Timestamp): void {
  if (ts.nsec % 1000 === 0 && ts.sec >= 2 ** 19 && ts.sec < 2 ** 32 && Number.isInteger(ts.sec)) {
    // The whole seconds change once a second: their digits are kept.
    if (ts.sec !== lastSec) {
      lastSec = ts.sec;
      lastSecDigits = Buffer.from(String(ts.sec), 'latin1');
    }
    o.bytes(lastSecDigits);
    o.decimals(ts.nsec / 1000);
  } else {
    o.ascii(JSON.stringify(tsToSeconds(ts)));
  }
}
let lastSec = -1;
let lastSecDigits: Uint8Array = new Uint8Array(0);

/**
 * `msBetween(a, b)` as JSON.stringify writes it, from the whole nanoseconds when that is exact: one division of an
 * integer gives the nearest double, written as its decimal (six digits at most) while |ms| < 2^33.
 */
function writeMilliseconds(o: JsonBytes, a: Timestamp, b: Timestamp): void {
  const ns = (b.sec - a.sec) * 1e9 + (b.nsec - a.nsec);
  if (!Number.isSafeInteger(ns) || Math.abs(ns) >= 2 ** 33 * 1e6) {
    o.ascii(JSON.stringify(msBetween(a, b)));
    return;
  }
  if (ns < 0) o.ascii('-');
  const abs = Math.abs(ns);
  o.sixDecimals(Math.floor(abs / 1e6), abs % 1e6);
}

// ---------------------------------------------------------------- CSV

/** CSV columns: the JSON keys, then `flags` (notable server status flags, space-separated). */
export const CSV_COLUMNS = [
  'ts', 'conn', 'client', 'server', 'thread_id', 'user', 'schema', 'command', 'sql', 'params', 'latency_ms', 'ttfb_ms',
  'rows', 'affected_rows', 'bytes_in', 'bytes_out', 'status', 'error_code', 'error_message', 'flags',
] as const;

/** RFC 4180 field: quoted when it holds a comma, a double quote, CR or LF (quotes doubled); null → empty. */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The CSV header line (CRLF-terminated, as RFC 4180 has it). */
export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

/** One CSV record (CRLF-terminated). `params` is a JSON array (its texts may hold commas); ts has 6 decimals. */
export function queryCsv(row: QueryRow, serverStatus: number): string {
  const cells: (string | number | null)[] = [
    row.ts.toFixed(6), row.conn, row.client, row.server, row.thread_id, row.user, row.schema, row.command, row.sql,
    row.params ? JSON.stringify(row.params) : null, row.latency_ms, row.ttfb_ms, row.rows, row.affected_rows,
    row.bytes_in, row.bytes_out, row.status, row.error_code, row.error_message, notableFlags(serverStatus).join(' '),
  ];
  return `${cells.map(csvField).join(',')}\r\n`;
}

// ---------------------------------------------------------------- text

/** `2026-11-21 05:22:52.712983` (UTC, microseconds). */
export function utcTime(ts: Timestamp): string {
  if (ts.sec !== lastUtcSec) {
    // Formatting a Date was a tenth of a query log's time; thousands of queries share each second.
    const d = new Date(ts.sec * 1000).toISOString(); // 2026-11-21T05:22:52.000Z
    lastUtcSec = ts.sec;
    lastSecText = `${d.slice(0, 10)} ${d.slice(11, 19)}.`;
  }
  return lastSecText + String(Math.floor(ts.nsec / 1000)).padStart(6, '0');
}
let lastUtcSec = Number.NaN;
let lastSecText = '';

function ms(v: number | null): string {
  return v === null ? '-' : `${fixed3(v)}ms`;
}

/** "000" … "999". */
const THOUSANDTHS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * v.toFixed(3), without its exact decimal expansion (a twentieth of a query log's time) where that cannot change
 * the answer: below 10^6 the product v·1000 is off by under 2.5·10^-7, so unless it lies within 10^-6 of a half
 * (toFixed's tie, decided on the exact value), rounding the product rounds v alike.
 */
export function fixed3(v: number): string {
  if (v >= 0 && v < 1e6) {
    const t = v * 1000;
    const f = Math.floor(t);
    const d = t - f;
    if (Math.abs(d - 0.5) > 1e-6) {
      const n = d > 0.5 ? f + 1 : f;
      const frac = n % 1000;
      return `${(n - frac) / 1000}.${THOUSANDTHS[frac]!}`;
    }
  }
  return v.toFixed(3);
}

const SQL_MAX = 1000;

/**
 * One text line: time (UTC), #conn client, user@schema, command, latency, ttfb, rows, bytes in/out, status, flags,
 * then the SQL (control characters escaped, cut at 1000 characters):
 *
 *   2026-11-21 05:22:52.712983  #1 127.0.0.1:38150  app@shop  COM_QUERY  27.277ms ttfb 27.277ms  rows=1  in=78 out=159  ok  SELECT …
 */
export function queryText(row: QueryRow, x: Exchange): string {
  const who = `${row.user !== null ? escapeControl(row.user) : '?'}@${row.schema !== null ? escapeControl(row.schema) : '-'}`;
  const count = row.rows > 0 || row.affected_rows === 0 ? `rows=${row.rows}` : `affected=${row.affected_rows}`;
  let status: string = row.status;
  if (row.status === 'error') status = `error ${row.error_code ?? '?'}: ${oneLine(row.error_message ?? '', 200)}`;
  else if (row.status === 'no_response') status = 'no response';
  else if (row.status === 'lost') status = 'response lost (not captured)';
  const flags = notableFlags(x.serverStatus);
  const parts = [
    utcTime(x.request.ts),
    `#${row.conn} ${row.client}`,
    who,
    row.command,
    `${ms(row.latency_ms)} ttfb ${ms(row.ttfb_ms)}`,
    count,
    `in=${row.bytes_in} out=${row.bytes_out}`,
    status,
  ];
  if (flags.length > 0) parts.push(`[${flags.join(',')}]`);
  if (row.sql !== '') parts.push(oneLine(row.sql, SQL_MAX));
  return parts.join('  ');
}
