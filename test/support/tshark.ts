/**
 * tshark as a reference decoder for the differential test.
 *
 * We run `tshark -r FILE [-d tcp.port==P,mysql ...] -Y mysql -T json --no-duplicate-keys -J "frame tcp mysql"` and
 * walk the JSON tree. JSON (not `-T fields`) because query text may hold tabs and newlines, and because it keeps the
 * MySQL PDUs of one frame apart (`-T fields -E occurrence=a` flattens them into one list per field).
 *
 * Quirks of tshark 4.0.x (Debian 12's 4.0.17), checked on test/fixtures:
 *  - Strings are dissected as ASCII: every byte >= 0x80 becomes one U+FFFD, so 'Zürich' reads 'Z\uFFFD\uFFFDrich'
 *    (query text, row values, error messages, user, schema). Compare through `tsharkText()`.
 *  - `-T json` repeats a key for each MySQL PDU in a frame ("mysql": {...}, "mysql": {...}); plain JSON.parse keeps
 *    the last one only. `--no-duplicate-keys` turns repeated keys into arrays; that is what we parse.
 *  - Only port 3306 is MySQL by default: pass `-d tcp.port==3307,mysql` (see fixtures.json `decodeAs`). tshark
 *    decides direction by comparing the destination port with the MySQL port; it does not detect a server from its
 *    greeting.
 *  - A PDU is shown in the frame where its last byte arrived (TCP desegmentation on), so one frame can hold many PDUs
 *    and a big row set is spread over the frames that complete each row.
 *  - SQL NULL in a text row is shown as the string "NULL" (indistinguishable from the text 'NULL').
 *  - COM_INIT_DB puts the schema in `mysql.schema`, like the login request does; COM_FIELD_LIST gives
 *    `mysql.table_name`; COM_CHANGE_USER gives `mysql.user` and `mysql.schema`.
 *  - Without a captured greeting and login (midstream.pcap) tshark still decodes the requests (commands, query text),
 *    but responses are decoded without knowing the negotiated capabilities.
 *  - A lost segment (lost-segment.pcap): tshark cannot reassemble the PDU that spans the hole and marks the following
 *    frames as continuation/"[TCP previous segment not captured]"; counts after the hole are not comparable.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

let available: boolean | undefined;

/** True when a `tshark` binary runs (`tshark --version`). */
export function tsharkAvailable(): boolean {
  if (available === undefined) {
    try {
      execFileSync('tshark', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

/** First line of `tshark --version`, e.g. `TShark (Wireshark) 4.0.17 (Git v4.0.17 packaged as 4.0.17-0+deb12u3).` */
export function tsharkVersion(): string | undefined {
  if (!tsharkAvailable()) return undefined;
  return execFileSync('tshark', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
}

/** A string as tshark 4.0 prints it: each byte of its UTF-8 form above 0x7f replaced by U+FFFD. */
export function tsharkText(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += b < 0x80 ? String.fromCharCode(b) : '\uFFFD';
  return out;
}

/** One MySQL PDU as tshark decoded it: every leaf field in it (all occurrences, in tree order). */
export interface TsharkPdu {
  frame: number;
  stream: number;
  /** 0-based index of this PDU among the MySQL PDUs shown in its frame. */
  index: number;
  fields: Record<string, string[]>;
}

/** `-d tcp.port==P,mysql` for each port other than 3306. */
export function decodeAsArgs(ports: number[]): string[] {
  return ports.filter((p) => p !== 3306).flatMap((p) => ['-d', `tcp.port==${p},mysql`]);
}

function collect(node: unknown, out: Record<string, string[]>, key?: string): void {
  if (typeof node === 'string') {
    if (key !== undefined) (out[key] ??= []).push(node);
    return;
  }
  if (Array.isArray(node)) {
    for (const v of node) collect(v, out, key);
    return;
  }
  if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) collect(v, out, k);
  }
}

function first(rec: Record<string, string[]> | undefined, key: string): string | undefined {
  return rec?.[key]?.[0];
}

async function runTsharkJson(pcapPath: string, extraArgs: string[]): Promise<unknown[]> {
  const args = ['-r', pcapPath, ...extraArgs, '-Y', 'mysql', '-T', 'json', '--no-duplicate-keys', '-J', 'frame tcp mysql'];
  const { stdout } = await execFileP('tshark', args, { maxBuffer: 1 << 30, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  const text = stdout.trim();
  if (text === '') return [];
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error('tshark -T json did not give an array');
  return parsed;
}

/** Every MySQL PDU tshark shows, in frame order. `extraArgs` e.g. `decodeAsArgs([3307])` or `['-o', 'mysql.desegment_buffers:TRUE']`. */
export async function tsharkMysqlPdus(pcapPath: string, extraArgs: string[] = []): Promise<TsharkPdu[]> {
  const packets = await runTsharkJson(pcapPath, extraArgs);
  const out: TsharkPdu[] = [];
  for (const p of packets) {
    const layers = (p as { _source?: { layers?: Record<string, unknown> } })._source?.layers;
    if (!layers) continue;
    const frameFields: Record<string, string[]> = {};
    collect(layers['frame'], frameFields);
    const tcpFields: Record<string, string[]> = {};
    collect(layers['tcp'], tcpFields);
    const frame = Number(first(frameFields, 'frame.number'));
    const stream = Number(first(tcpFields, 'tcp.stream'));
    const mysql = layers['mysql'];
    const pdus = Array.isArray(mysql) ? mysql : mysql === undefined ? [] : [mysql];
    pdus.forEach((pdu, index) => {
      const fields: Record<string, string[]> = {};
      collect(pdu, fields);
      out.push({ frame, stream, index, fields });
    });
  }
  return out;
}

/**
 * One record per frame with MySQL in it: `frame.number`, `tcp.stream` and every mysql.* field of all PDUs of the
 * frame, all occurrences in order (what `-T fields -E occurrence=a` gives, without its quoting problems).
 */
export async function tsharkMysqlFields(pcapPath: string, extraArgs: string[] = []): Promise<Array<Record<string, string[]>>> {
  const pdus = await tsharkMysqlPdus(pcapPath, extraArgs);
  const byFrame = new Map<number, Record<string, string[]>>();
  for (const pdu of pdus) {
    let rec = byFrame.get(pdu.frame);
    if (!rec) {
      rec = { 'frame.number': [String(pdu.frame)], 'tcp.stream': [String(pdu.stream)] };
      byFrame.set(pdu.frame, rec);
    }
    for (const [k, vs] of Object.entries(pdu.fields)) (rec[k] ??= []).push(...vs);
  }
  return [...byFrame.values()];
}

/** tshark's view of one MySQL message, in the terms of the differential test. Text is in tshark's form (see tsharkText). */
export type TsharkMessage =
  | { kind: 'greeting'; frame: number; stream: number; version: string; threadId: number }
  | { kind: 'login'; frame: number; stream: number; user: string | undefined; schema: string | undefined }
  | { kind: 'command'; frame: number; stream: number; command: number; query: string | undefined; schema: string | undefined; user: string | undefined; table: string | undefined }
  | { kind: 'ok'; frame: number; stream: number; affectedRows: number | undefined }
  | { kind: 'err'; frame: number; stream: number; code: number; sqlstate: string | undefined; message: string | undefined }
  | { kind: 'resultset'; frame: number; stream: number; lastFrame: number; numFields: number; rows: number; rowTexts: string[][] }
  | { kind: 'field_list'; frame: number; stream: number; lastFrame: number; columns: string[] }
  | { kind: 'auth_switch_request'; frame: number; stream: number; plugin: string | undefined }
  | { kind: 'auth_switch_response'; frame: number; stream: number }
  | { kind: 'other'; frame: number; stream: number; fields: Record<string, string[]> };

/**
 * Groups tshark's PDUs into messages: greeting, login, command, OK, ERR, and whole result sets (header PDU with
 * mysql.num_fields, the column definitions, rows = PDUs with mysql.row.text, the end EOF/OK). A result set's `frame`
 * is that of its header PDU (the first packet), `lastFrame` that of its last row or end marker.
 */
export function tsharkMessages(pdus: TsharkPdu[]): TsharkMessage[] {
  const out: TsharkMessage[] = [];
  const openSet = new Map<number, Extract<TsharkMessage, { kind: 'resultset' }>>();
  const sawColumnsEof = new WeakSet<object>();
  // CLIENT_DEPRECATE_EOF per stream: both the greeting and the login request have it (no EOF after the columns).
  const serverDeprecateEof = new Map<number, boolean>();
  const deprecateEof = new Map<number, boolean>();
  // COM_FIELD_LIST responses: column definitions then EOF, grouped into one message.
  const openFieldList = new Map<number, Extract<TsharkMessage, { kind: 'field_list' }>>();
  const pendingFieldList = new Map<number, Extract<TsharkMessage, { kind: 'field_list' }>>();
  for (const { frame, stream, fields } of pdus) {
    const f = (k: string) => first(fields, k);
    const fl = openFieldList.get(stream);
    if (fl) {
      if (fields['mysql.field.name']) {
        if (pendingFieldList.get(stream) === fl) {
          pendingFieldList.delete(stream);
          fl.frame = frame;
          out.push(fl);
        }
        fl.columns.push(...fields['mysql.field.name']);
        fl.lastFrame = frame;
        continue;
      }
      openFieldList.delete(stream);
      if (f('mysql.eof') !== undefined && f('mysql.command') === undefined) {
        fl.lastFrame = frame;
        continue;
      }
    }
    const current = openSet.get(stream);
    if (f('mysql.num_fields') !== undefined && f('mysql.command') === undefined) {
      const rs = { kind: 'resultset' as const, frame, stream, lastFrame: frame, numFields: Number(f('mysql.num_fields')), rows: 0, rowTexts: [] as string[][] };
      out.push(rs);
      openSet.set(stream, rs);
      continue;
    }
    if (current) {
      if (fields['mysql.row.text']) {
        current.rows++;
        current.rowTexts.push(fields['mysql.row.text']);
        current.lastFrame = frame;
        continue;
      }
      if (fields['mysql.field.name'] || fields['mysql.field.type']) continue; // a column definition
      if (f('mysql.eof') !== undefined || f('mysql.response_code') === '0xfe') {
        current.lastFrame = frame;
        // Without CLIENT_DEPRECATE_EOF, the EOF after the column definitions does not end the set.
        if (current.rows > 0 || deprecateEof.get(stream) === true || sawColumnsEof.has(current)) openSet.delete(stream);
        else sawColumnsEof.add(current);
        continue;
      }
      if (f('mysql.error_code') === undefined && f('mysql.affected_rows') !== undefined) {
        // OK ending the set (CLIENT_DEPRECATE_EOF).
        current.lastFrame = frame;
        openSet.delete(stream);
        continue;
      }
      openSet.delete(stream);
    }
    if (f('mysql.version') !== undefined && f('mysql.thread_id') !== undefined) {
      serverDeprecateEof.set(stream, f('mysql.caps.deprecate_eof') === '1');
      out.push({ kind: 'greeting', frame, stream, version: f('mysql.version')!, threadId: Number(f('mysql.thread_id')) });
    } else if (f('mysql.command') !== undefined) {
      const command = Number(f('mysql.command'));
      out.push({ kind: 'command', frame, stream, command, query: f('mysql.query'), schema: f('mysql.schema'), user: f('mysql.user'), table: f('mysql.table_name') });
      if (command === 4) {
        const list = { kind: 'field_list' as const, frame: -1, stream, lastFrame: -1, columns: [] as string[] };
        openFieldList.set(stream, list);
        pendingFieldList.set(stream, list);
      }
    } else if (fields['mysql.auth_switch_request.name'] !== undefined) {
      out.push({ kind: 'auth_switch_request', frame, stream, plugin: f('mysql.auth_switch_request.name') });
    } else if (fields['mysql.auth_switch_response.data'] !== undefined) {
      out.push({ kind: 'auth_switch_response', frame, stream });
    } else if (f('mysql.user') !== undefined || fields['mysql.caps.client']) {
      deprecateEof.set(stream, serverDeprecateEof.get(stream) === true && f('mysql.caps.deprecate_eof') === '1');
      out.push({ kind: 'login', frame, stream, user: f('mysql.user'), schema: f('mysql.schema') });
    } else if (f('mysql.error_code') !== undefined) {
      out.push({ kind: 'err', frame, stream, code: Number(f('mysql.error_code')), sqlstate: f('mysql.sqlstate'), message: f('mysql.error.message') });
    } else if (f('mysql.affected_rows') !== undefined) {
      out.push({ kind: 'ok', frame, stream, affectedRows: Number(f('mysql.affected_rows')) });
    } else {
      out.push({ kind: 'other', frame, stream, fields });
    }
  }
  return out;
}
