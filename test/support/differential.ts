/**
 * The differential test against tshark, shared by test/unit/fixtures/conformance.test.ts (our fixtures) and
 * test/corpus (the public capture corpus): both sides are projected on what tshark 4.0 shows, as sorted lists of
 * strings `FRAME/STREAM value` per kind of message, and compared kind by kind.
 *
 *   greeting   server version + thread id
 *   login      user + schema (an SSLRequest is a login without either, as tshark shows it)
 *   command    command code + query text (or COM_INIT_DB schema, COM_FIELD_LIST table)
 *   err        error code (also an ERR ending a result set, in the frame of its last packet)
 *   ok         affected rows
 *   resultset  text result sets: column count + row count (binary ones are not compared: tshark's JSON has no
 *              row grouping for them)
 *
 * Text is compared in tshark's form (tsharkText: bytes >= 0x80 become U+FFFD). Frames are Wireshark's
 * frame.number (the frame completing the message's first packet), streams its tcp.stream.
 */
import type { MySqlRecord } from '../../src/model/record.js';
import { decodeAsArgs, tsharkMessages, tsharkMysqlPdus, tsharkText, type TsharkMessage, type TsharkPdu } from './tshark.js';

export const KINDS = ['greeting', 'login', 'command', 'err', 'ok', 'resultset'] as const;
export type Kind = (typeof KINDS)[number];
export type Projection = Map<Kind, string[]>;

function adder(out: Projection) {
  return (k: Kind, v: string) => (out.get(k) ?? out.set(k, []).get(k)!).push(v);
}

/** Our records projected on what tshark shows, keyed like its messages. */
export function projectOurs(records: MySqlRecord[]): Projection {
  const out: Projection = new Map();
  const add = adder(out);
  for (const r of records) {
    const e = r.event;
    const s = r.conn.index;
    switch (e.kind) {
      case 'greeting': add('greeting', `${r.frameNo}/${s} ${e.version} ${e.threadId}`); break;
      case 'handshake_response': add('login', `${r.frameNo}/${s} ${tsharkText(e.user)} ${e.schema === undefined ? '-' : tsharkText(e.schema)}`); break;
      // tshark shows an SSLRequest as a Login Request without user or schema.
      case 'ssl_request': add('login', `${r.frameNo}/${s}  -`); break;
      case 'command': {
        // tshark has no SQL on EXECUTE requests (ours carries the prepared statement's): compare the code only.
        const text = e.execute || e.bulk ? '' : (e.query ?? e.schema ?? e.table ?? '');
        add('command', `${r.frameNo}/${s} ${e.command} ${tsharkText(text)}`);
        break;
      }
      case 'err': add('err', `${r.frameNo}/${s} ${e.code}`); break;
      case 'ok': add('ok', `${r.frameNo}/${s} ${String(e.affectedRows)}`); break;
      case 'resultset':
        // Binary result sets (prepared statements) are not compared: tshark's JSON has no row grouping for them.
        if (e.binary) break;
        add('resultset', `${r.frameNo}/${s} ${e.columnCount} cols ${e.rowCount} rows`);
        if (e.error) add('err', `${r.lastFrameNo}/${s} ${e.error.code}`);
        break;
      default: break;
    }
  }
  return out;
}

/** tshark's messages (tsharkMessages) projected the same way. */
export function projectTshark(msgs: TsharkMessage[]): Projection {
  const out: Projection = new Map();
  const add = adder(out);
  for (const m of msgs) {
    switch (m.kind) {
      case 'greeting': add('greeting', `${m.frame}/${m.stream} ${m.version} ${m.threadId}`); break;
      case 'login': add('login', `${m.frame}/${m.stream} ${m.user ?? ''} ${m.schema ?? '-'}`); break;
      case 'command': add('command', `${m.frame}/${m.stream} ${m.command} ${m.query ?? m.schema ?? m.table ?? ''}`); break;
      case 'err': add('err', `${m.frame}/${m.stream} ${m.code}`); break;
      case 'ok': add('ok', `${m.frame}/${m.stream} ${m.affectedRows}`); break;
      case 'resultset': add('resultset', `${m.frame}/${m.stream} ${m.numFields} cols ${m.rows} rows`); break;
      default: break;
    }
  }
  return out;
}

/**
 * tsharkMessages (test/support/tshark.ts) skips a PDU with `mysql.field.type` inside an open result set as a column
 * definition; the parameters of a COM_STMT_EXECUTE carry `mysql.field.type` too, so an EXECUTE following a
 * PREPARE response (which tsharkMessages opens as a result set from its mysql.num_fields) is swallowed, and the OK
 * answering it taken for the end of that "result set". Removing `mysql.field.type` from client requests (PDUs with
 * `mysql.command`) lets the request close the set as any other request does.
 */
export function withoutRequestFieldTypes(pdus: TsharkPdu[]): TsharkPdu[] {
  return pdus.map((p) => {
    if (p.fields['mysql.command'] === undefined || p.fields['mysql.field.type'] === undefined) return p;
    const { 'mysql.field.type': _types, ...fields } = p.fields;
    return { ...p, fields };
  });
}

export interface TsharkProjectionOptions {
  /** Apply withoutRequestFieldTypes before grouping (default false: the fixtures' conformance test predates it). */
  executeParamsFix?: boolean;
}

/** tshark's projection of a capture (`ports`: the MySQL server ports, passed as `-d tcp.port==P,mysql`). */
export async function tsharkProjection(path: string, ports: number[], options: TsharkProjectionOptions = {}): Promise<Projection> {
  const pdus = await tsharkMysqlPdus(path, decodeAsArgs(ports));
  return projectTshark(tsharkMessages(options.executeParamsFix ? withoutRequestFieldTypes(pdus) : pdus));
}

/** The frame number of a projected value (`FRAME/STREAM ...`). */
export function frameOf(v: string): number {
  return Number(v.split('/')[0]);
}

/** The stream (tcp.stream) of a projected value (`FRAME/STREAM ...`). */
export function streamOf(v: string): number {
  return Number(v.split('/')[1]!.split(' ')[0]);
}

/** The values before frame `limit`, sorted. */
export function beforeFrame(list: string[] | undefined, limit: number): string[] {
  return (list ?? []).filter((v) => frameOf(v) < limit).sort();
}

/**
 * tshark skips some COM_STMT_EXECUTE / COM_STMT_BULK_EXECUTE requests it cannot place without the PREPARE
 * response (no mysql.command in those frames); we decode their headers. Such extra requests are allowed.
 */
export function tsharkMayMiss(kind: Kind, value: string): boolean {
  return kind === 'command' && / (23|250) $/.test(value);
}

/** The first frame where we report a lost segment (a `gap` issue), or Infinity. */
export function firstGapFrame(records: MySqlRecord[]): number {
  return Math.min(Infinity, ...records.filter((r) => r.issues.some((i) => i.kind === 'gap')).map((r) => r.frameNo));
}

export interface KindComparison {
  /** Ours, sorted. */
  got: string[];
  /** tshark's, sorted. */
  want: string[];
}

/**
 * One kind of message, ours against tshark's, before `gapFrame` (tshark cannot reassemble over a lost segment):
 *  - result sets: tshark's grouping takes a PREPARE OK (mysql.num_fields) and a binary result set for a text result
 *    set with no rows; those frames are compared through their requests only;
 *  - commands: requests tshark may miss (tsharkMayMiss) are dropped from ours unless tshark has them too.
 */
export function compareKind(kind: Kind, records: MySqlRecord[], mine: Projection, theirs: Projection, gapFrame = Infinity): KindComparison {
  let want = beforeFrame(theirs.get(kind), gapFrame);
  if (kind === 'resultset') {
    const prepared = new Set(records.filter((r) => r.event.kind === 'stmt_prepare_ok' || (r.event.kind === 'resultset' && r.event.binary)).map((r) => r.frameNo));
    want = want.filter((v) => !prepared.has(frameOf(v)));
  }
  const got = beforeFrame(mine.get(kind), gapFrame).filter((v) => want.includes(v) || !tsharkMayMiss(kind, v));
  return { got, want };
}
