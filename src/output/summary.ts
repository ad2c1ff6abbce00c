/**
 * Default output: one tshark-like line per MySQL message.
 *
 *      12   0.003412 127.0.0.1:51234 → 127.0.0.1:3306  Request Query  SELECT 1
 *
 * frame number (of the frame completing the message's first packet), time relative to the capture's first
 * frame, sender → receiver, and the message text. Messages with issues end with ` [!] reason; reason`.
 */
import { tsDiff, type Timestamp } from '../core/time.js';
import type { MySqlRecord } from '../model/record.js';
import type { ColumnDefinition, Command, MySqlEvent } from '../mysql/messages/types.js';
import { COM, commandName } from '../mysql/constants/commands.js';
import { binlogSummary } from '../mysql/messages/binlog.js';
import { describeSessionChange } from '../mysql/messages/session-track.js';
import { describeTlsHandshake } from '../mysql/codec/tls-hello.js';
import { sqlLiteral } from '../mysql/session/statements.js';
import { arrow, oneLine } from './format.js';
import type { Sink } from './sink.js';

/** Longest SQL / text shown on a summary line before `…`. */
export const SUMMARY_TEXT_MAX = 200;

function plural(n: number | bigint, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 || n === 1n ? one : many}`;
}

function commandDetail(e: Command): string {
  const parts: string[] = [];
  if (e.query !== undefined) parts.push(oneLine(e.query, SUMMARY_TEXT_MAX));
  if (e.command === COM.INIT_DB || e.command === COM.CREATE_DB || e.command === COM.DROP_DB) {
    if (e.schema !== undefined) parts.push(oneLine(e.schema, SUMMARY_TEXT_MAX));
  } else {
    if (e.user !== undefined) parts.push(`user=${oneLine(e.user, 64)}`);
    if (e.schema !== undefined) parts.push(`schema=${oneLine(e.schema, 64)}`);
  }
  if (e.table !== undefined) parts.push(`table=${oneLine(e.table, 64)}`);
  if (e.threadId !== undefined) parts.push(`thread_id=${e.threadId}`);
  if (e.stmtId !== undefined) parts.push(`stmt_id=${e.stmtId}`);
  if (e.option !== undefined) parts.push(`option=${e.option}`);
  if (e.binlogFile !== undefined) parts.push(`binlog=${oneLine(e.binlogFile, 64)}`);
  if (e.binlogPos !== undefined) parts.push(`pos=${e.binlogPos}`);
  if (e.serverId !== undefined) parts.push(`server_id=${e.serverId}`);
  if (e.stmtUnknown) parts.push('(prepared before the capture)');
  if (e.attributes && e.attributes.length > 0) {
    parts.push(`attributes=(${oneLine(e.attributes.map((a) => `${a.name}=${sqlLiteral(a.value)}`).join(', '), SUMMARY_TEXT_MAX)})`);
  }
  const ex = e.execute;
  if (ex) {
    if (ex.params.length > 0) parts.push(`params=(${oneLine(ex.params.map((x) => sqlLiteral(x.value)).join(', '), SUMMARY_TEXT_MAX)})`);
    if (ex.cursor !== 'none' && ex.cursor !== 'unknown') parts.push(`cursor=${ex.cursor}`);
  }
  if (e.bulk) parts.push(`rows=${e.bulk.rows.length}`);
  if (e.param !== undefined) parts.push(`param=${e.param} ${e.dataLength ?? 0} bytes`);
  return parts.join(' ');
}

function columnsText(cols: ColumnDefinition[]): string {
  const names = cols.slice(0, 8).map((c) => oneLine(c.name, 32));
  return names.join(', ') + (cols.length > 8 ? ', …' : '');
}

const TLS_CONTENT: ReadonlyMap<number, string> = new Map([
  [20, 'Change Cipher Spec'],
  [21, 'Alert'],
  [22, 'Handshake'],
  [23, 'Application Data'],
  [24, 'Heartbeat'],
]);

/** `Request Query  SELECT 1`, `Response OK  affected_rows=1`: the message part of a summary line, one line. */
export function describeEvent(e: MySqlEvent): string {
  switch (e.kind) {
    case 'greeting': {
      // MariaDB 10+ prefixes its version with "5.5.5-" for old clients; the real version follows.
      const v = e.version.startsWith('5.5.5-') ? `${e.version.slice(6)} (sent as 5.5.5-…)` : e.version;
      return `Server Greeting  proto=${e.protocol} version=${oneLine(v, 80)} thread_id=${e.threadId}`;
    }
    case 'handshake_response': {
      let s = `Login Request  user=${oneLine(e.user, 64)}`;
      if (e.schema !== undefined && e.schema !== '') s += ` schema=${oneLine(e.schema, 64)}`;
      if (e.authPlugin !== undefined && e.authPlugin !== '') s += ` plugin=${oneLine(e.authPlugin, 64)}`;
      if (e.format === 320) s += ' (HandshakeResponse320)';
      return s;
    }
    case 'ssl_request':
      return 'SSL Request (the rest of this connection is TLS: records and hellos shown, not decrypted)';
    case 'auth_switch_request':
      return `Auth Switch Request  plugin=${oneLine(e.plugin, 64)}`;
    case 'auth_switch_response':
      return `Auth Switch Response  ${e.what ? `${e.what}, ` : ''}${plural(e.length, 'byte')}`;
    case 'auth_more_data':
      if (e.status === 3) return 'Auth More Data  fast auth success';
      if (e.status === 4) return 'Auth More Data  full authentication required';
      if (e.publicKey) return `Auth More Data  server public key (PEM, ${plural(e.length, 'byte')})`;
      return `Auth More Data  ${plural(e.length, 'byte')}`;
    case 'binlog_event':
      return `Binlog ${oneLine(binlogSummary(e), SUMMARY_TEXT_MAX)}`;
    case 'binlog_semisync_ack':
      return `Semi-sync ACK  ${e.file}:${String(e.position)}`;
    case 'progress':
      return `Progress  stage ${e.stage}/${e.maxStage} ${(e.progress / 1000).toFixed(3)}%${e.info ? `  ${oneLine(e.info, SUMMARY_TEXT_MAX)}` : ''}`;
    case 'auth_next_factor':
      return `Auth Next Factor  plugin=${e.plugin}`;
    case 'auth_data':
      return `Auth Data  ${e.what ? `${e.what}, ` : ''}${plural(e.length, 'byte')}`;
    case 'command': {
      const detail = commandDetail(e);
      return `Request ${commandName(e.command)}${detail ? `  ${detail}` : ''}`;
    }
    case 'ok': {
      let s = `Response OK  affected_rows=${e.affectedRows}`;
      if (e.lastInsertId !== 0 && e.lastInsertId !== 0n) s += ` last_insert_id=${e.lastInsertId}`;
      if (e.warnings > 0) s += ` warnings=${e.warnings}`;
      if (e.info) s += ` info="${oneLine(e.info, 100)}"`;
      if (e.sessionState && e.sessionState.length > 0) {
        s += `  session: ${oneLine(e.sessionState.map(describeSessionChange).join(', '), SUMMARY_TEXT_MAX)}`;
      }
      return s;
    }
    case 'err':
      return `Response Error ${e.code}${e.sqlstate !== undefined ? ` (${e.sqlstate})` : ''} ${oneLine(e.message, SUMMARY_TEXT_MAX)}`;
    case 'eof':
      return `Response EOF${e.warnings > 0 ? `  warnings=${e.warnings}` : ''}`;
    case 'resultset': {
      let s = e.binary && e.columnCount === 0
        ? `Response Rows  ${plural(e.rowCount, 'row')}`
        : `Response Result set  ${plural(e.columnCount, 'column')}, ${plural(e.rowCount, 'row')}`;
      if (e.binary) s += ' (binary protocol)';
      if ((e.status & 0x0040) !== 0 && e.rowCount === 0) s += ' (cursor opened: rows follow COM_STMT_FETCH)';
      if (e.warnings > 0) s += `, ${plural(e.warnings, 'warning')}`;
      if (e.end === 'err' && e.error) {
        const x = e.error;
        s += `, ended by Error ${x.code}${x.sqlstate !== undefined ? ` (${x.sqlstate})` : ''} ${oneLine(x.message, 100)}`;
      } else if (e.end === 'incomplete') s += ' (incomplete)';
      if (e.moreResults) s += ' (more results)';
      return s;
    }
    case 'field_list':
      return `Response Field list  ${plural(e.columns.length, 'column')}${e.columns.length ? `: ${columnsText(e.columns)}` : ''}${e.end === 'incomplete' ? ' (incomplete)' : ''}`;
    case 'stmt_prepare_ok':
      return `Response Prepare OK  stmt_id=${e.stmtId} params=${e.numParams} columns=${e.numColumns}`;
    case 'text':
      return `Response Text  ${oneLine(e.text, SUMMARY_TEXT_MAX)}`;
    case 'local_infile':
      return `Response LOCAL INFILE Request  filename=${oneLine(e.filename, SUMMARY_TEXT_MAX)}`;
    case 'local_infile_data':
      return e.end ? 'LOCAL INFILE Data  end of file' : `LOCAL INFILE Data  ${plural(e.length, 'byte')}`;
    case 'tls': {
      if (e.handshakes && e.handshakes.length > 0) return `TLS  ${oneLine(e.handshakes.map(describeTlsHandshake).join(', '), SUMMARY_TEXT_MAX)}`;
      const ct = e.contentType !== undefined ? TLS_CONTENT.get(e.contentType) ?? `content type ${e.contentType}` : undefined;
      return `TLS  ${plural(e.length, 'byte')}${ct ? ` (${ct})` : ''}, not decrypted`;
    }
    case 'unknown':
      return `Unknown packet${e.firstByte !== undefined ? ` (first byte 0x${e.firstByte.toString(16).padStart(2, '0')})` : ''}  ${oneLine(e.reason, SUMMARY_TEXT_MAX)}`;
    default: {
      const never: never = e;
      return `Unknown event ${(never as { kind: string }).kind}`;
    }
  }
}

/** ` [!] reason; reason` for a record with issues, else ''. */
export function issuesSuffix(r: MySqlRecord): string {
  if (r.issues.length === 0) return '';
  return ` [!] ${r.issues.map((i) => oneLine(i.message, SUMMARY_TEXT_MAX)).join('; ')}`;
}

/** Seconds since `base` with 6 decimals, right-aligned like tshark's time column. */
export function relativeTime(ts: Timestamp, base: Timestamp): string {
  return tsDiff(base, ts).toFixed(6).padStart(10);
}

/** The whole summary line (without newline). `base` is the capture's first frame time. */
export function summarize(r: MySqlRecord, base: Timestamp): string {
  return `${String(r.frameNo).padStart(5)} ${relativeTime(r.ts, base)} ${arrow(r)}  ${describeEvent(r.event)}${issuesSuffix(r)}`;
}

/**
 * Where time_relative counts from. The capture's first frame when the caller knows it (`set`), otherwise the
 * start of the first record's connection — the earliest time a reporter has seen.
 */
export class TimeBase {
  private base: Timestamp | undefined;
  constructor(first?: Timestamp) {
    this.base = first;
  }
  set(ts: Timestamp): void {
    this.base ??= ts;
  }
  of(r: MySqlRecord): Timestamp {
    this.base ??= r.conn.firstTs;
    return this.base;
  }
}

/** Anything that consumes records; `end` is called once after the last one. */
export interface Reporter {
  record(r: MySqlRecord): void;
  end?(): void;
}

export class SummaryReporter implements Reporter {
  constructor(
    private readonly sink: Sink,
    private readonly time: TimeBase = new TimeBase(),
  ) {}
  record(r: MySqlRecord): void {
    this.sink.write(`${summarize(r, this.time.of(r))}\n`);
  }
}
