/**
 * The binary-protocol decoders (messages/binary.ts, messages/prepared.ts, session/statements.ts) on the REAL capture
 * test/fixtures/commands.pcap (MariaDB 10.11 with mysql2, the mariadb connector and libmariadb; see fixtures.json).
 * The payloads come from our own pipeline (analyzeFile with hex: true); the statement registry is driven here the
 * way the session drives it. Checked against:
 *  - the server's general log (commands.general.log): MariaDB logs every Execute with its values substituted;
 *  - tshark 4.0.17 (when installed): the mysql.exec.field.* values of the executes and of binary row frame 108;
 *  - bytes read by hand for the bulk executes (frames 160, 162), which neither tshark 4.0 nor the log decode.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../../src/pipeline/analyze.js';
import type { MySqlRecord } from '../../../src/model/record.js';
import { PayloadReader } from '../../../src/mysql/codec/payload-reader.js';
import { COM } from '../../../src/mysql/constants/commands.js';
import { decodeBinaryRow } from '../../../src/mysql/messages/binary.js';
import { decodeStmtBulkExecute, decodeStmtExecute } from '../../../src/mysql/messages/prepared.js';
import { TreeBuilder } from '../../../src/mysql/messages/tree.js';
import type { BinaryValue, ColumnDefinition, StmtBulkExecute, StmtExecute, StmtParam } from '../../../src/mysql/messages/types.js';
import { StatementRegistry, sqlWithValues } from '../../../src/mysql/session/statements.js';
import type { FieldNode } from '../../../src/model/field.js';
import { tsharkAvailable } from '../../support/tshark.js';
import { asLogLine } from '../../support/general-log.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const PCAP = join(FIXTURES, 'commands.pcap');

interface Seen {
  frame: number;
  payload: Uint8Array;
  thread: number | undefined;
  sql: string;
  exec?: StmtExecute;
  bulk?: StmtBulkExecute;
  tree: FieldNode[];
}
interface RowsSeen { frame: number; rows: Array<Array<BinaryValue | null>>; trees: FieldNode[][] }

const payloadOf = (rec: MySqlRecord, i = 0): Uint8Array => rec.packets[i]!.bytes!.subarray(4);

let executes: Seen[] = [];
let rowSets: RowsSeen[] = [];

beforeAll(async () => {
  const { records } = await analyzeFile(PCAP, { hex: true });
  const regs = new Map<number, StatementRegistry>();
  const caps = new Map<number, number>();
  const pendingSql = new Map<number, string>();
  /** Columns of the statement last executed or fetched: rows use them when the server skips the metadata. */
  const stmtColumns = new Map<number, ColumnDefinition[]>();
  for (const rec of records) {
    const c = rec.conn.index;
    let reg = regs.get(c);
    if (!reg) regs.set(c, (reg = new StatementRegistry()));
    const ev = rec.event;
    if (ev.kind === 'greeting') caps.set(c, ev.capabilities);
    else if (ev.kind === 'handshake_response') caps.set(c, (caps.get(c) ?? 0xffffffff) & ev.capabilities);
    else if (ev.kind === 'stmt_prepare_ok') reg.prepared(pendingSql.get(c) ?? '', ev);
    else if (ev.kind === 'err' && pendingSql.has(c)) reg.prepareFailed();
    if (ev.kind !== 'command') pendingSql.delete(c);
    if (ev.kind === 'resultset' && ev.binary) {
      // Packets: column count, definitions, [EOF], rows (0x00 first), end marker.
      const rows: RowsSeen = { frame: rec.frameNo, rows: [], trees: [] };
      // MariaDB's cached metadata (MARIADB_CLIENT_CACHE_METADATA) and cursor fetches send no definitions.
      const columns = ev.columns.length > 0 ? ev.columns : stmtColumns.get(c) ?? [];
      for (let i = ev.columns.length > 0 ? 1 + ev.columnCount : 0; i < rec.packets.length; i++) {
        const p = payloadOf(rec, i);
        if (p[0] !== 0x00) continue;
        const t = new TreeBuilder();
        const r = new PayloadReader().reset(p);
        rows.rows.push(decodeBinaryRow(r, t, columns));
        expect(decodeBinaryRow(new PayloadReader().reset(p), null, columns)).toEqual(rows.rows.at(-1));
        rows.trees.push(t.roots);
      }
      rowSets.push(rows);
    }
    if (ev.kind !== 'command') continue;
    const p = payloadOf(rec);
    const r = new PayloadReader().reset(p, 1);
    const id = p.length >= 5 ? (p[1]! | (p[2]! << 8) | (p[3]! << 16)) + p[4]! * 0x1000000 : 0;
    if (ev.command === COM.STMT_EXECUTE || ev.command === COM.STMT_FETCH) stmtColumns.set(c, reg.get(id)?.columns ?? []);
    switch (ev.command) {
      case COM.STMT_PREPARE:
        pendingSql.set(c, ev.query ?? '');
        reg.prepareSent(ev.query ?? '');
        break;
      case COM.STMT_SEND_LONG_DATA:
        reg.longData(id, p[5]! | (p[6]! << 8), p.length - 7);
        break;
      case COM.STMT_RESET:
        reg.reset(id);
        break;
      case COM.STMT_CLOSE:
        reg.close(id);
        break;
      case COM.RESET_CONNECTION:
        reg.clear();
        break;
      case COM.STMT_EXECUTE: {
        const st = reg.get(id);
        const t = new TreeBuilder();
        const exec = decodeStmtExecute(r, t, caps.get(c) ?? 0, (x) => reg.get(x));
        expect(r.remaining).toBe(0);
        expect(decodeStmtExecute(new PayloadReader().reset(p, 1), null, caps.get(c) ?? 0, (x) => reg.get(x))).toEqual(exec);
        executes.push({ frame: rec.frameNo, payload: p, thread: rec.connThreadId, sql: st?.sql ?? '', exec, tree: t.roots });
        reg.afterExecute(exec.stmtId, exec.sentTypes);
        break;
      }
      case COM.STMT_BULK_EXECUTE: {
        const st = reg.get(id);
        const t = new TreeBuilder();
        const bulk = decodeStmtBulkExecute(r, t, (x) => reg.get(x));
        expect(r.remaining).toBe(0);
        executes.push({ frame: rec.frameNo, payload: p, thread: rec.connThreadId, sql: st?.sql ?? '', bulk, tree: t.roots });
        reg.afterExecute(bulk.stmtId, bulk.sentTypes);
        break;
      }
      default:
        break;
    }
  }
});

function logExecutes(): Array<{ thread: number; sql: string }> {
  const text = readFileSync(join(FIXTURES, 'commands.general.log'), 'latin1');
  const out: Array<{ thread: number; sql: string }> = [];
  for (const m of text.matchAll(/^(?:\d+\s+[\d:]+)?\s+(\d+) Execute\t(.*)$/gm)) out.push({ thread: Number(m[1]), sql: m[2]! });
  return out;
}

describe('prepared statements in commands.pcap (REAL capture)', () => {
  it('decodes every COM_STMT_EXECUTE without inference (all statements prepared in the capture)', () => {
    const plain = executes.filter((e) => e.exec);
    expect(plain.length).toBe(11);
    for (const e of plain) {
      expect(e.exec!.undecoded, `frame ${e.frame}`).toBeUndefined();
      expect(e.exec!.inferred, `frame ${e.frame}`).toBeUndefined();
      expect(e.exec!.trailingBytes, `frame ${e.frame}`).toBeUndefined();
      expect(e.sql, `frame ${e.frame}: SQL from the registry`).not.toBe('');
    }
  });

  it('values agree with the Execute lines of the server general log', () => {
    const log = logExecutes();
    const byThread = new Map<number, string[]>();
    for (const l of log) byThread.set(l.thread, [...(byThread.get(l.thread) ?? []), l.sql]);
    let compared = 0;
    for (const e of executes) {
      const expected = byThread.get(e.thread!)?.shift();
      expect(expected, `frame ${e.frame}: a log line for thread ${e.thread}`).toBeDefined();
      const params = e.exec?.params ?? [];
      if (e.bulk || params.some((p) => p.value === 'streamed')) continue; // the log shows ? (bulk) or the streamed text
      expect(asLogLine(e.sql, params), `frame ${e.frame}`).toBe(expected);
      compared++;
    }
    expect(compared).toBe(10); // 11 executes, one with a streamed parameter
  });

  it('as if prepared before the capture: every execute that sends its types is inferred to the same values', () => {
    let inferred = 0;
    for (const e of executes) {
      if (e.exec && e.exec.newParamsBound && !e.exec.params.some((p) => p.value === 'streamed')) {
        const ex = decodeStmtExecute(new PayloadReader().reset(e.payload, 1), null, 0, undefined);
        expect(ex.inferred, `frame ${e.frame}`).toBe(true);
        expect(ex.params, `frame ${e.frame}`).toEqual(e.exec.params);
        inferred++;
      }
      if (e.bulk) {
        const b = decodeStmtBulkExecute(new PayloadReader().reset(e.payload, 1), null, undefined);
        expect(b.inferred, `frame ${e.frame}`).toBe(true);
        expect(b.rows, `frame ${e.frame}`).toEqual(e.bulk.rows);
        inferred++;
      }
    }
    expect(inferred).toBeGreaterThanOrEqual(11);
  });

  it('frame 107: mysql2 binds DOUBLE, VAR_STRING, NULL, DATETIME, BLOB, DOUBLE', () => {
    const e = executes.find((x) => x.frame === 107)!.exec!;
    expect(e.newParamsBound).toBe(true);
    expect(e.params.map((p) => p.type)).toEqual([5, 253, 6, 12, 252, 5]);
    expect(e.params.map((p) => (p.value === null || p.value === 'streamed' ? p.value : p.value.text)))
      .toEqual(['42', 'Zürich', null, '2024-02-29 13:14:15.000000', '0x000102', '2.5']);
    const s = executes.find((x) => x.frame === 107)!;
    expect(sqlWithValues(s.sql, e.params.map((p) => p.value))).toContain("42 AS p_int, 'Zürich' AS p_str, NULL AS p_null, '2024-02-29 13:14:15.000000' AS p_date, X'000102' AS p_buf, 2.5 AS p_dbl");
  });

  it('frame 151: the parameter sent by COM_STMT_SEND_LONG_DATA is marked streamed (not in the packet)', () => {
    const e = executes.find((x) => x.frame === 151)!.exec!;
    expect(e.params[0]).toMatchObject({ type: 252, value: 'streamed', streamedBytes: 'streamed note'.length });
    expect(e.params[1]!.value).toMatchObject({ kind: 'int', value: 4 });
  });

  it('frame 156: MariaDB statement id -1 names the statement prepared last', () => {
    const s = executes.find((x) => x.frame === 156)!;
    expect(s.exec!.stmtId).toBe(0xffffffff);
    expect(s.sql).toBe('UPDATE orders SET note = NULL WHERE id = ?');
    expect(s.exec!.params[0]!.value).toMatchObject({ kind: 'int', value: 4 });
  });

  it('frames 160 and 162: COM_STMT_BULK_EXECUTE rows and indicators (bytes read by hand)', () => {
    const b1 = executes.find((x) => x.frame === 160)!.bulk!;
    expect(b1.sendTypes).toBe(true);
    expect(b1.sentTypes!.map((x) => x.type)).toEqual([3, 253, 3, 3, 253]);
    const txt = (row: unknown[]): unknown[] => row.map((v) => (v !== null && typeof v === 'object' ? (v as BinaryValue).text : v));
    expect(b1.rows.map(txt)).toEqual([['4', 'Bulk-A', '1', '1', null], ['4', 'Bulk-B', '2', null, 'b']]);
    const b2 = executes.find((x) => x.frame === 162)!.bulk!;
    expect(b2.rows.map(txt)).toEqual([['4', 'Bulk-C', '3', '3.3', 'c']]);
  });

  it('frame 108: the binary row with ~20 column types', () => {
    const set = rowSets.find((s) => s.frame === 108 || s.rows.length === 1 && s.rows[0]!.length === 20);
    expect(set).toBeDefined();
    const row = set!.rows[0]!;
    expect(row.map((v) => (v === null ? null : v.text))).toEqual([
      '2024-02-29 13:14:15.123456', '2024-02-29', '-838:59:59', '12:00:00.500000', '3.14159', '1.5',
      '9223372036854775807', '18446744073709551615', '-1', '7', '12.34', null, 'é😀', '0x00ff10',
      '42', 'Zürich', null, '2024-02-29 13:14:15', '0x000102', '2.5',
    ]);
    expect(row[7]).toMatchObject({ kind: 'int', unsigned: true, value: 18446744073709551615n });
    expect(row[6]).toMatchObject({ kind: 'int', unsigned: false, value: 9223372036854775807n });
    expect(row[2]).toMatchObject({ kind: 'time', value: { negative: true, days: 34, hour: 22, minute: 59, second: 59 } });
  });
});

let pdml: Map<number, string> | undefined;
/** tshark's PDML per frame number (one tshark run). */
function tsharkPdml(): Map<number, string> {
  if (!pdml) {
    pdml = new Map();
    const out = execFileSync('tshark', ['-r', PCAP, '-Y', 'mysql.exec_param or mysql.row.nullbuffer', '-T', 'pdml'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
    for (const pkt of out.split('<packet>').slice(1)) {
      const m = /<field name="frame.number"[^>]*show="(\d+)"/.exec(pkt);
      if (m) pdml.set(Number(m[1]), pkt);
    }
  }
  return pdml;
}

/** tshark's mysql.exec.field.* values, in order, for one frame. */
function tsharkValues(frame: number): string[] {
  const fields = ['mysql.exec.field.longlong', 'mysql.exec.field.unsigned_longlong', 'mysql.exec.field.long', 'mysql.exec.field.unsigned_long',
    'mysql.exec.field.short', 'mysql.exec.field.unsigned_short', 'mysql.exec.field.tiny', 'mysql.exec.field.unsigned_tiny',
    'mysql.exec.field.double', 'mysql.exec.field.float', 'mysql.exec.field.year', 'mysql.exec.field.month', 'mysql.exec.field.day',
    'mysql.exec.field.hour', 'mysql.exec.field.minute', 'mysql.exec.field.second', 'mysql.exec.field.secondb', 'mysql.exec.field.time.days'];
  const out = tsharkPdml().get(frame) ?? '';
  const values: string[] = [];
  for (const m of out.matchAll(/<field name="(mysql\.exec\.field\.[a-z_.]+)"[^>]*show="([^"]*)"/g)) {
    if (fields.includes(m[1]!)) values.push(`${m[1]}=${m[2]}`);
  }
  return values;
}

function ourValues(tree: FieldNode[]): string[] {
  const out: string[] = [];
  const walk = (nodes: FieldNode[]): void => {
    for (const n of nodes) {
      if (/^mysql\.exec\.field\.(?!string|bytes|null|datetime$|time$|datetime\.length|time\.length|time\.sign)/.test(n.field.name)) {
        out.push(`${n.field.name}=${typeof n.value === 'number' && n.field.name === 'mysql.exec.field.float' ? n.value : String(n.value)}`);
      }
      if (n.children) walk(n.children);
    }
  };
  walk(tree);
  return out;
}

describe.skipIf(!tsharkAvailable())('agreement with tshark on numeric and temporal fields (REAL capture)', () => {
  it('executes: every mysql.exec.field.* numeric/temporal value tshark shows', () => {
    let compared = 0;
    for (const e of executes.filter((x) => x.exec)) {
      const theirs = tsharkValues(e.frame);
      if (theirs.length === 0) continue;
      expect(ourValues(e.tree), `frame ${e.frame}`).toEqual(theirs);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(5);
  });

  it('frame 108 row: the values tshark decodes before it gives up (it stops at the VARBINARY column)', () => {
    const set = rowSets.find((s) => s.rows.length === 1 && s.rows[0]!.length === 20)!;
    const theirs = tsharkValues(set.frame);
    const ours = ourValues(set.trees[0]!);
    expect(theirs.length).toBeGreaterThan(10);
    expect(ours.slice(0, theirs.length)).toEqual(theirs);
  });
});
