/**
 * Text result sets ("Text Resultset": column count, Column Definition, rows, end marker) and the pieces shared
 * with COM_FIELD_LIST and COM_STMT_PREPARE responses. Column definitions use Protocol::ColumnDefinition41;
 * MariaDB adds extended type info when MARIADB_CLIENT_EXTENDED_METADATA was negotiated.
 */
import { DecodeError } from '../../core/issues.js';
import type { PayloadReader } from '../codec/payload-reader.js';
import { MARIADB_CLIENT } from '../constants/capabilities.js';
import { F, FIELD_FLAG_FIELDS } from '../fields.js';
import { tLenencString, tRestBytes, tU16, tU32, tU8, type TreeBuilder } from './tree.js';
import type { ColumnDefinition } from './types.js';

/** Column count packet: int<lenenc>, plus a metadata_follows byte under CLIENT_OPTIONAL_RESULTSET_METADATA. */
export function decodeColumnCount(r: PayloadReader, t: TreeBuilder | null, optionalMetadata: boolean): { count: number; metadataFollows: boolean } {
  const p = r.pos;
  const v = r.lenenc(F.numFields.label);
  const count = typeof v === 'bigint' ? Number.MAX_SAFE_INTEGER : v;
  t?.add(F.numFields, v, p, r.pos - p);
  let metadataFollows = true;
  if (optionalMetadata && r.remaining > 0) metadataFollows = tU8(r, t, F.metadataFollows) !== 0;
  return { count, metadataFollows };
}

/** Protocol::ColumnDefinition41. `withDefault`: COM_FIELD_LIST responses append the default value. */
/**
 * `mariadbCaps` undefined: capabilities unknown (connection picked up mid-stream) — MariaDB's extended metadata is
 * recognised by the byte after the names, which is the fixed-fields length 0x0C unless an extended block comes first.
 */
export function decodeColumnDefinition(r: PayloadReader, t: TreeBuilder | null, mariadbCaps: number | undefined, withDefault: boolean): ColumnDefinition {
  const node = t?.open(F.field, null, r.pos);
  const c: ColumnDefinition = {
    catalog: '', schema: '', table: '', orgTable: '', name: '', orgName: '', charset: 0, columnLength: 0, type: 0, flags: 0, decimals: 0,
  };
  try {
    c.catalog = tLenencString(r, t, F.fieldCatalog);
    c.schema = tLenencString(r, t, F.fieldDb);
    c.table = tLenencString(r, t, F.fieldTable);
    c.orgTable = tLenencString(r, t, F.fieldOrgTable);
    c.name = tLenencString(r, t, F.fieldName);
    c.orgName = tLenencString(r, t, F.fieldOrgName);
    const extended = mariadbCaps === undefined ? r.remaining > 0 && r.buf[r.pos] !== 0x0c : (mariadbCaps & MARIADB_CLIENT.EXTENDED_METADATA) !== 0;
    if (extended) decodeExtendedMetadata(r, t, c);
    r.lenenc('length of fixed fields');
    c.charset = tU16(r, t, F.fieldCharsetnr);
    c.columnLength = tU32(r, t, F.fieldLength);
    c.type = tU8(r, t, F.fieldType);
    const pf = r.pos;
    c.flags = r.u16(F.fieldFlags.label);
    if (t) t.flags(t.add(F.fieldFlags, c.flags, pf, 2), FIELD_FLAG_FIELDS, c.flags);
    c.decimals = tU8(r, t, F.fieldDecimals);
    if (r.remaining >= 2) r.skip(2, 'filler');
    if (withDefault && r.remaining > 0) {
      const p = r.pos;
      const d = r.lenencStringOrNull('default value');
      if (d !== null) t?.add(F.fieldDefault, d, p, r.pos - p);
    }
    if (r.remaining > 0) tRestBytes(r, t, F.payload);
  } finally {
    if (node) {
      // Label the subtree with the column name, as Wireshark does ("Field: name"). Closed even when a read fails.
      (node as { value: unknown }).value = c.name;
      t!.close(node, r.pos);
    }
  }
  return c;
}

const CACHED_COLUMNS = 16;
const CACHED_COLUMN_BYTES = 512;

/**
 * The column definitions a connection decoded last, by their bytes: a statement run again gets the same definitions,
 * and a match costs a byte compare instead of six string decodes. For decoding without a field tree (a tree needs
 * its nodes). Definitions handed out are shared between result sets: nothing changes a decoded ColumnDefinition.
 */
export class ColumnDefinitionCache {
  private readonly entries: Array<{ bytes: Uint8Array; caps: number | undefined; text: PayloadReader['decodeText']; withDefault: boolean; col: ColumnDefinition }> = [];
  private next = 0;

  /** decodeColumnDefinition(r, null, mariadbCaps, withDefault), from the cache when the same bytes were decoded alike. */
  decode(r: PayloadReader, mariadbCaps: number | undefined, withDefault: boolean): ColumnDefinition {
    const start = r.pos;
    const n = r.end - start;
    for (const e of this.entries) {
      if (e.bytes.length !== n || e.caps !== mariadbCaps || e.text !== r.decodeText || e.withDefault !== withDefault) continue;
      if (r.equals(start, r.end, e.bytes)) {
        r.pos = r.end; // a decode consumes the whole payload (what follows the fields is kept as payload bytes)
        return e.col;
      }
    }
    const col = decodeColumnDefinition(r, null, mariadbCaps, withDefault);
    if (n <= CACHED_COLUMN_BYTES) {
      const entry = { bytes: r.copy(start, start + n), caps: mariadbCaps, text: r.decodeText, withDefault, col };
      if (this.entries.length < CACHED_COLUMNS) this.entries.push(entry);
      else {
        this.entries[this.next] = entry;
        this.next = (this.next + 1) % CACHED_COLUMNS;
      }
    }
    return col;
  }
}

/** A text row: one string<lenenc> per column, 0xFB for NULL. `out` receives the values when rows are kept. */
/**
 * How each column's bytes become text: a decoder for the column's character set, or 'hex' for binary strings
 * (charset 63 on a string/BLOB type). Missing entries use the reader's connection-wide decoder.
 */
export type ColumnTextDecoder = ((b: Uint8Array) => string) | 'hex';

export function decodeTextRow(r: PayloadReader, t: TreeBuilder | null, columns: number, out: Array<string | null> | null,
  decoders?: ReadonlyArray<ColumnTextDecoder>): void {
  if (!t) {
    decodeTextRowValues(r, null, columns, out, decoders);
    return;
  }
  const node = t.open(F.row, null, r.pos);
  try {
    decodeTextRowValues(r, t, columns, out, decoders);
  } finally {
    t.close(node, r.pos); // even when a value runs past the end of the packet
  }
}

function decodeTextRowValues(r: PayloadReader, t: TreeBuilder | null, columns: number, out: Array<string | null> | null,
  decoders: ReadonlyArray<ColumnTextDecoder> | undefined): void {
  let i = 0;
  if (t === null && out === null) {
    // Only counted (a query log, a digest): walk the values, decode none.
    for (; i < columns && r.remaining > 0; i++) r.skipLenencStringOrNull('row value');
  }
  for (; i < columns && r.remaining > 0; i++) {
    const p = r.pos;
    const d = decoders?.[i];
    let v: string | null;
    if (d === undefined) {
      v = r.lenencStringOrNull('row value');
    } else if (r.peek() === 0xfb) {
      r.pos++;
      v = null;
    } else {
      const b = r.lenencBytes('row value');
      v = d === 'hex' ? `x'${Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')}'` : d(b);
    }
    if (t) {
      if (v === null) t.add(F.rowNull, true, p, 1);
      else t.add(F.rowText, v, p, r.pos - p);
    }
    out?.push(v);
  }
  if (i < columns) {
    // Every column has a value (0xFB for NULL): a shorter row was cut. The values read so far are kept.
    throw new DecodeError('truncated', 'mysql.truncated_payload',
      `the row ends after ${i} of its ${columns} values (payload offset ${r.pos})`, r.pos);
  }
  if (r.remaining > 0) tRestBytes(r, t, F.payload);
}

/**
 * MariaDB extended metadata (MARIADB_CLIENT_EXTENDED_METADATA): a lenenc block of (key byte, lenenc string)
 * pairs — key 0 the data type name (e.g. `json`, `uuid`, `inet6`, `point`), key 1 the format name.
 */
function decodeExtendedMetadata(r: PayloadReader, t: TreeBuilder | null, c: ColumnDefinition): void {
  const p = r.pos;
  const len = r.lenencLength('extended metadata length');
  if (len === 0) return; // the usual case: no extended type, nothing worth a subtree
  const node = t?.open(F.extmeta, null, p);
  t?.add(F.extmetaLength, len, p, r.pos - p);
  const end = r.pos + len;
  const savedEnd = r.end;
  r.end = end;
  try {
    while (r.pos < end) {
      const key = r.u8('extended metadata key');
      const vp = r.pos;
      const value = r.lenencString('extended metadata value');
      if (key === 0) {
        c.extendedType = value;
        t?.add(F.extmetaType, value, vp, r.pos - vp);
      } else if (key === 1) {
        c.extendedFormat = value;
        t?.add(F.extmetaFormat, value, vp, r.pos - vp);
      }
    }
  } finally {
    r.end = savedEnd;
    if (node) t!.close(node, r.pos);
  }
}
