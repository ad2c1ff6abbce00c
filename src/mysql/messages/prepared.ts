/**
 * Prepared-statement commands with parameter values: COM_STMT_EXECUTE (MySQL page_protocol_com_stmt_execute;
 * MariaDB "COM_STMT_EXECUTE") and MariaDB's COM_STMT_BULK_EXECUTE ("COM_STMT_BULK_EXECUTE", MariaDB 10.2.7+).
 * Capabilities that change the layout: CLIENT_QUERY_ATTRIBUTES (explicit parameter count, parameter names).
 * Pure decoders (principle 8): the statement registry is read, never changed; the session applies the effects.
 *
 * How the session calls them (r positioned just after the command byte, i.e. at the statement id):
 *   const ex = decodeStmtExecute(r, t, caps, (id) => registry.get(id));
 *   registry.afterExecute(ex.stmtId, ex.sentTypes);           // remember bound types, clear long data
 *   if (ex.inferred) → say "prepared before the capture; parameter count inferred"
 *   if (ex.undecoded) → say why (ex.raw holds the bytes)
 *   const bulk = decodeStmtBulkExecute(r, t, (id) => registry.get(id));
 *   registry.afterExecute(bulk.stmtId, bulk.sentTypes);
 * `stmt` may also be the PreparedStatement itself (or undefined when unknown). A statement the registry holds as
 * `partial` (prepared before the capture) is treated as unknown, but its remembered types and long data are used.
 * Truncated bytes throw DecodeError; an unknown layout is returned with `undecoded` + `raw`, never thrown.
 */
import { DecodeError } from '../../core/issues.js';
import { PayloadReader } from '../codec/payload-reader.js';
import { CLIENT, hasCap } from '../constants/capabilities.js';
import { MYSQL_TYPE } from '../constants/column-types.js';
import { F, FB } from '../fields.js';
import { decodeBinaryValue, isBinaryType, skipBinaryValue } from './binary.js';
import { copyBytes, tU32, tU8, type TreeBuilder } from './tree.js';
import type { BulkValue, ParamType, PreparedStatement, StmtBulkExecute, StmtExecute, StmtParam } from './types.js';

/** COM_STMT_EXECUTE flags (enum_cursor_type). */
export const CURSOR_TYPE = { NO_CURSOR: 0, READ_ONLY: 1, FOR_UPDATE: 2, SCROLLABLE: 4, PARAMETER_COUNT_AVAILABLE: 8 } as const;
/** COM_STMT_BULK_EXECUTE flags. */
export const BULK_FLAG = { SEND_UNIT_RESULTS: 64, SEND_TYPES_TO_SERVER: 128 } as const;
/** Parameter type flag byte: unsigned. */
export const PARAM_UNSIGNED = 0x80;
/** MariaDB: statement id -1 means "the statement prepared last on this connection". */
export const LAST_PREPARED_STMT_ID = 0xffffffff;
/**
 * Work allowed to infer the parameter layout of one unknown statement (type pairs examined + values skipped).
 * Keeps inference linear-ish on hostile input; beyond it the values are shown raw with the reason.
 */
export const INFER_BUDGET = 1 << 20;

export type StatementLookup = PreparedStatement | undefined | ((id: number) => PreparedStatement | undefined);

const EXEC_FLAG_BITS = [FB.execFlagReadOnly, FB.execFlagForUpdate, FB.execFlagScrollable, FB.execFlagParamCount];
const BULK_FLAG_BITS = [FB.bulkFlagUnitResults, FB.bulkFlagSendTypes];

function cursorName(flags: number): StmtExecute['cursor'] {
  switch (flags & 0x07) {
    case 0: return 'none';
    case 1: return 'read_only';
    case 2: return 'for_update';
    case 4: return 'scrollable';
    default: return 'unknown';
  }
}

function lookup(stmt: StatementLookup, id: number): PreparedStatement | undefined {
  return typeof stmt === 'function' ? stmt(id) : stmt;
}

/** Parameter count of a statement whose PREPARE response was seen, else undefined. */
function knownParamCount(st: PreparedStatement | undefined): number | undefined {
  if (!st || st.partial) return undefined;
  return st.numParams ?? st.params.length;
}

/** Params given its count n, starting at the NULL bitmap. Shared by the known, explicit and inferred cases. */
function decodeParams(
  r: PayloadReader, t: TreeBuilder | null, n: number, qa: boolean, st: PreparedStatement | undefined, ex: StmtExecute,
): void {
  const pb = r.pos;
  const bitmap = r.bytes((n + 7) >> 3, 'NULL bitmap');
  t?.add(FB.execNullBitmap, copyBytes(bitmap), pb, bitmap.length);
  const bound = tU8(r, t, FB.newParamsBound);
  ex.newParamsBound = bound !== 0;
  let types: ParamType[];
  const names: string[] = [];
  if (bound !== 0) {
    types = new Array<ParamType>(n);
    for (let i = 0; i < n; i++) {
      const node = t?.open(FB.execParamType, null, r.pos);
      const type = tU8(r, t, F.fieldType);
      const flag = tU8(r, t, FB.execUnsigned);
      types[i] = { type, unsigned: (flag & PARAM_UNSIGNED) !== 0 };
      if (qa) {
        const p = r.pos;
        const name = r.lenencString(FB.execParamName.label);
        t?.add(FB.execParamName, name, p, r.pos - p);
        names[i] = name;
      }
      if (node) t!.close(node, r.pos);
    }
    ex.sentTypes = types;
  } else {
    const kept = st?.paramTypes;
    if (!kept || kept.length < n) {
      undecodable(r, t, ex, kept
        ? `new_params_bound_flag is 0 and the ${kept.length} remembered parameter types do not cover ${n} parameters`
        : 'new_params_bound_flag is 0: the types were bound by an earlier COM_STMT_EXECUTE that is not in the capture');
      return;
    }
    types = kept.slice(0, n);
  }
  for (let i = 0; i < n; i++) {
    const { type, unsigned } = types[i]!;
    const param: StmtParam = { index: i, type, unsigned, value: null };
    if (names[i] !== undefined) param.name = names[i];
    const node = t?.open(FB.execParam, names[i] ? `${names[i]}` : `?${i + 1}`, r.pos);
    try {
      t?.derived(F.fieldType, type);
      const streamed = st?.longData.get(i);
      if (streamed !== undefined) {
        // The server takes long data over the NULL bit and the client sends no value for it.
        param.value = 'streamed';
        param.streamedBytes = streamed;
        t?.derived(FB.streamedParam, null);
      } else if ((bitmap[i >> 3]! & (1 << (i & 7))) !== 0) {
        param.value = null;
        t?.derived(FB.null, null);
      } else {
        param.value = decodeBinaryValue(r, t, type, unsigned);
      }
    } finally {
      if (node) t!.close(node, r.pos);
    }
    ex.params.push(param);
  }
}

function undecodable(r: PayloadReader, t: TreeBuilder | null, ex: StmtExecute | StmtBulkExecute, reason: string): void {
  ex.undecoded = reason;
  t?.derived(FB.execUndecoded, reason);
  const p = r.pos;
  const rest = r.restBytes();
  ex.raw = copyBytes(rest);
  if (rest.length > 0) t?.add(F.payload, ex.raw, p, rest.length);
}

/** A type pair (type byte, flag byte) plausible in a parameter type list. */
function plausiblePair(buf: Uint8Array, at: number): boolean {
  const flag = buf[at + 1]!;
  return isBinaryType(buf[at]!) && (flag === 0 || flag === PARAM_UNSIGNED);
}

/** A layout that fits the bytes of an execute whose statement is unknown. */
interface Inferred { n: number; others: number[] }

/**
 * Unknown statement, no explicit count: the n for which NULL bitmap + flag (1) + 2n plausible type bytes + the
 * non-NULL values parse exactly to the end of the payload. Streamed parameters (long data seen for a partial
 * statement) have no value. When several n fit, the one with the fewest implausible values wins (see skipScoring;
 * a MYSQL_TYPE_NULL parameter without its NULL bit counts too, clients set it), then the smallest; the others are
 * reported. Undefined when none fits within the
 * work budget.
 */
function inferParamCount(r: PayloadReader, st: PreparedStatement | undefined): Inferred | undefined {
  const buf = r.buf;
  const s = r.pos;
  const end = r.end;
  const total = end - s;
  let budget = INFER_BUDGET;
  const scratch = new PayloadReader();
  let curB = -1;
  let checked = 0; // plausible pairs found so far for the current bitmap length
  let broken = false; // an implausible pair was found for the current bitmap length
  const fits: Array<{ n: number; odd: number }> = [];
  for (let n = 1; n <= 0xffff && budget > 0; n++) {
    const b = (n + 7) >> 3;
    if (b + 1 + 2 * n > total) break;
    if (b !== curB) {
      curB = b;
      checked = 0;
      broken = false;
    }
    if (broken || buf[s + b] !== 1) {
      n = b * 8; // no larger n with this bitmap length can work
      continue;
    }
    // Bits for parameters ≥ n in the last bitmap byte must be clear.
    const last = buf[s + b - 1]!;
    if ((last >> (n - (b - 1) * 8)) !== 0) continue;
    const typesAt = s + b + 1;
    while (checked < n && !broken && --budget > 0) {
      if (plausiblePair(buf, typesAt + 2 * checked)) checked++;
      else broken = true;
    }
    if (broken) {
      n = b * 8;
      continue;
    }
    if (checked < n) break; // budget spent
    scratch.reset(buf, typesAt + 2 * n, end);
    let odd = 0; // MYSQL_TYPE_NULL parameters sent without their NULL bit
    let ok = true;
    try {
      for (let i = 0; i < n && ok; i++) {
        if (--budget <= 0) {
          ok = false;
          break;
        }
        if (st?.longData.has(i)) continue;
        const type = buf[typesAt + 2 * i]!;
        if ((buf[s + (i >> 3)]! & (1 << (i & 7))) !== 0) continue;
        if (type === MYSQL_TYPE.NULL) odd++;
        odd += skipScoring(scratch, type);
      }
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      ok = false;
    }
    if (ok && scratch.remaining === 0) fits.push({ n, odd });
  }
  if (fits.length === 0) return undefined;
  let best = fits[0]!;
  for (const f of fits) if (f.odd < best.odd) best = f;
  return { n: best.n, others: fits.filter((f) => f !== best).map((f) => f.n) };
}

const TEXT_TYPES: ReadonlySet<number> = new Set([
  MYSQL_TYPE.VARCHAR, MYSQL_TYPE.VAR_STRING, MYSQL_TYPE.STRING, MYSQL_TYPE.ENUM, MYSQL_TYPE.SET, MYSQL_TYPE.JSON,
]);
const DECIMAL_TEXT = /^[-+]?\d*\.?\d*(e[-+]?\d+)?$/i;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Skip one value while inferring a layout, and say whether it looks implausible (1) or not (0): text-typed
 * values that are not printable UTF-8, DECIMAL values that are not numbers, dates and times with impossible
 * fields. A wrong layout reads type bytes and other values as values, which rarely look right.
 */
function skipScoring(r: PayloadReader, type: number): number {
  const p = r.pos;
  skipBinaryValue(r, type);
  const b = r.buf;
  if (TEXT_TYPES.has(type) || type === MYSQL_TYPE.DECIMAL || type === MYSQL_TYPE.NEWDECIMAL) {
    let q = p;
    const first = b[q++]!;
    q += first === 0xfc ? 2 : first === 0xfd ? 3 : first === 0xfe ? 8 : 0;
    const bytes = b.subarray(q, r.pos);
    for (const c of bytes) if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return 1;
    let text: string;
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      return 1;
    }
    return TEXT_TYPES.has(type) || DECIMAL_TEXT.test(text) ? 0 : 1;
  }
  const len = r.pos - p - 1;
  switch (type) {
    case MYSQL_TYPE.DATE: case MYSQL_TYPE.DATETIME: case MYSQL_TYPE.TIMESTAMP:
      if (len >= 4 && ((b[p + 1]! | (b[p + 2]! << 8)) > 9999 || b[p + 3]! > 12 || b[p + 4]! > 31)) return 1;
      if (len >= 7 && (b[p + 5]! > 23 || b[p + 6]! > 59 || b[p + 7]! > 59)) return 1;
      if (len === 11 && (b[p + 8]! | (b[p + 9]! << 8) | (b[p + 10]! << 16)) + b[p + 11]! * 0x1000000 > 999999) return 1;
      return 0;
    case MYSQL_TYPE.TIME:
      // TIME spans ±838:59:59, so days ≤ 34.
      if (len >= 8 && (b[p + 1]! > 1 || b[p + 2]! > 34 || (b[p + 3]! | b[p + 4]! | b[p + 5]!) !== 0 || b[p + 6]! > 23 || b[p + 7]! > 59 || b[p + 8]! > 59)) return 1;
      if (len === 12 && (b[p + 9]! | (b[p + 10]! << 8) | (b[p + 11]! << 16)) + b[p + 12]! * 0x1000000 > 999999) return 1;
      return 0;
    default:
      return 0;
  }
}

/** Same test with types reused (flag 0) from a partial statement's remembered types: does n = types.length fit? */
function fitsWithKeptTypes(r: PayloadReader, st: PreparedStatement): boolean {
  const types = st.paramTypes;
  if (!types || types.length === 0) return false;
  const n = types.length;
  const b = (n + 7) >> 3;
  if (r.remaining < b + 1 || r.buf[r.pos + b] !== 0) return false;
  const scratch = new PayloadReader().reset(r.buf, r.pos + b + 1, r.end);
  try {
    for (let i = 0; i < n; i++) {
      if (st.longData.has(i) || (r.buf[r.pos + (i >> 3)]! & (1 << (i & 7))) !== 0) continue;
      skipBinaryValue(scratch, types[i]!.type);
    }
  } catch (e) {
    if (e instanceof DecodeError) return false;
    throw e;
  }
  return scratch.remaining === 0;
}

/**
 * COM_STMT_EXECUTE after its command byte: stmt_id, flags (cursor type, PARAMETER_COUNT_AVAILABLE), iteration
 * count, then — when the statement has parameters — [parameter_count<lenenc> under CLIENT_QUERY_ATTRIBUTES],
 * NULL bitmap ((n+7)/8, no offset), new_params_bound_flag, [n × (type, flag 0x80 = unsigned)[, name<lenenc> under
 * CLIENT_QUERY_ATTRIBUTES]], then the non-NULL values. With new_params_bound_flag 0 the types of the previous
 * execute are reused (the registry's `paramTypes`). Unknown statements: see inferParamCount.
 */
export function decodeStmtExecute(r: PayloadReader, t: TreeBuilder | null, caps: number, stmt: StatementLookup): StmtExecute {
  const stmtId = tU32(r, t, F.stmtId);
  const pf = r.pos;
  const flags = r.u8(F.execFlags.label);
  if (t) t.flags(t.add(F.execFlags, flags, pf, 1), EXEC_FLAG_BITS, flags);
  const iterations = tU32(r, t, F.execIter);
  const ex: StmtExecute = {
    stmtId, flags, cursor: cursorName(flags), parameterCountAvailable: (flags & CURSOR_TYPE.PARAMETER_COUNT_AVAILABLE) !== 0,
    iterations, paramCount: undefined, newParamsBound: undefined, params: [],
  };
  const st = lookup(stmt, stmtId);
  const known = knownParamCount(st);
  const qa = hasCap(caps, CLIENT.QUERY_ATTRIBUTES);

  let n: number | undefined;
  if (qa) {
    // The count is sent when the statement has parameters or the flag says so; an unknown statement sent it
    // exactly when bytes follow.
    const sent = known !== undefined ? known > 0 || ex.parameterCountAvailable : r.remaining > 0;
    if (sent) {
      const p = r.pos;
      const c = r.lenenc(F.numParams.label);
      t?.add(F.numParams, c, p, r.pos - p);
      if (typeof c === 'bigint' || c > r.remaining * 8) {
        throw new DecodeError('malformed', 'mysql.stmt_execute_param_count',
          `parameter_count ${c} at payload offset ${p} cannot fit in the ${r.remaining} bytes that follow`, p);
      }
      n = c;
    } else {
      n = 0;
    }
  } else if (known !== undefined) {
    n = known;
  } else if (r.remaining === 0) {
    n = 0;
  } else if (st && fitsWithKeptTypes(r, st)) {
    n = st.paramTypes!.length;
    ex.inferred = true;
  } else {
    const guess = inferParamCount(r, st);
    if (guess === undefined) {
      ex.inferred = true;
      undecodable(r, t, ex,
        `statement ${stmtId} was prepared before the capture began and the layout of these ${r.remaining} parameter bytes ` +
        'could not be inferred (the types may have been bound by an earlier execute)');
      return ex;
    }
    n = guess.n;
    ex.inferred = true;
    if (guess.others.length > 0) ex.otherLayouts = guess.others;
  }
  ex.paramCount = n;
  if (ex.inferred) {
    const also = ex.otherLayouts ? ` (${ex.otherLayouts.join(', ')} would fit too)` : '';
    t?.derived(FB.execInferred, `statement ${stmtId} was prepared before the capture began: ${n} parameter${n === 1 ? '' : 's'} inferred from the bytes${also}`);
  }
  if (n > 0) decodeParams(r, t, n, qa, st, ex);
  if (r.remaining > 0) {
    const p = r.pos;
    const rest = r.restBytes();
    ex.trailingBytes = rest.length;
    t?.add(F.payload, copyBytes(rest), p, rest.length);
  }
  return ex;
}

/** One bulk row: per parameter an indicator, then the value when the indicator is NONE (0). */
function decodeBulkRow(r: PayloadReader, t: TreeBuilder | null, types: readonly ParamType[], row: number): BulkValue[] {
  const node = t?.open(FB.bulkRow, row + 1, r.pos);
  try {
    const out: BulkValue[] = [];
    for (let i = 0; i < types.length; i++) {
      const { type, unsigned } = types[i]!;
      const pn = t?.open(FB.execParam, `?${i + 1}`, r.pos);
      try {
        t?.derived(F.fieldType, type);
        const p = r.pos;
        const ind = tU8(r, t, FB.bulkIndicator);
        switch (ind) {
          case 0: out.push(decodeBinaryValue(r, t, type, unsigned)); break;
          case 1: out.push(null); break;
          case 2: out.push('default'); break;
          case 3: out.push('ignore'); break;
          case 4: out.push('ignore_row'); break;
          default:
            throw new DecodeError('malformed', 'mysql.bulk_indicator', `bulk parameter indicator ${ind} at payload offset ${p} is not one of 0..4`, p);
        }
      } finally {
        if (pn) t!.close(pn, r.pos);
      }
    }
    return out;
  } finally {
    if (node) t!.close(node, r.pos);
  }
}

/** Bulk layout test for an unknown statement: 2n plausible type bytes, then whole rows to the end. */
function inferBulkParamCount(r: PayloadReader): number | undefined {
  const buf = r.buf;
  const s = r.pos;
  const total = r.end - s;
  const scratch = new PayloadReader();
  let budget = INFER_BUDGET;
  for (let n = 1; 2 * n + n <= total && n <= 0xffff; n++) {
    if (--budget <= 0) return undefined;
    if (!plausiblePair(buf, s + 2 * (n - 1))) return undefined; // longer lists contain this pair too
    scratch.reset(buf, s + 2 * n, r.end);
    let fits = true;
    try {
      rows: while (scratch.remaining > 0) {
        for (let i = 0; i < n; i++) {
          if (--budget <= 0) return undefined;
          const ind = scratch.u8();
          if (ind > 4) {
            fits = false;
            break rows;
          }
          if (ind === 0) skipBinaryValue(scratch, buf[s + 2 * i]!);
        }
      }
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      fits = false;
    }
    if (fits) return n;
  }
  return undefined;
}

/**
 * MariaDB COM_STMT_BULK_EXECUTE after its command byte: stmt_id, flags<2> (SEND_UNIT_RESULTS 64,
 * SEND_TYPES_TO_SERVER 128), [n × (type, flag 0x80 = unsigned)], then parameter sets until the end of the packet:
 * per parameter an indicator (0 NONE, 1 NULL, 2 DEFAULT, 3 IGNORE, 4 IGNORE_ROW) and the value when NONE.
 * Without SEND_TYPES the types of the previous (bulk) execute are reused.
 */
export function decodeStmtBulkExecute(r: PayloadReader, t: TreeBuilder | null, stmt: StatementLookup): StmtBulkExecute {
  const stmtId = tU32(r, t, F.stmtId);
  const pf = r.pos;
  const flags = r.u16(FB.bulkFlags.label);
  if (t) t.flags(t.add(FB.bulkFlags, flags, pf, 2), BULK_FLAG_BITS, flags);
  const bulk: StmtBulkExecute = {
    stmtId, flags, sendTypes: (flags & BULK_FLAG.SEND_TYPES_TO_SERVER) !== 0, unitResults: (flags & BULK_FLAG.SEND_UNIT_RESULTS) !== 0,
    paramCount: undefined, rows: [],
  };
  const st = lookup(stmt, stmtId);
  let n = knownParamCount(st);
  if (n === undefined) {
    if (bulk.sendTypes) {
      n = inferBulkParamCount(r);
      bulk.inferred = true;
    } else if (st?.paramTypes) {
      n = st.paramTypes.length;
      bulk.inferred = true;
    }
    if (n === undefined) {
      undecodable(r, t, bulk, `statement ${stmtId} was prepared before the capture began and the layout of these parameter bytes could not be inferred`);
      return bulk;
    }
    t?.derived(FB.execInferred, `statement ${stmtId} was prepared before the capture began: ${n} parameter${n === 1 ? '' : 's'} inferred from the bytes`);
  }
  bulk.paramCount = n;
  let types: ParamType[];
  if (bulk.sendTypes) {
    types = new Array<ParamType>(n);
    for (let i = 0; i < n; i++) {
      const node = t?.open(FB.execParamType, null, r.pos);
      const type = tU8(r, t, F.fieldType);
      const flag = tU8(r, t, FB.execUnsigned);
      types[i] = { type, unsigned: (flag & PARAM_UNSIGNED) !== 0 };
      if (node) t!.close(node, r.pos);
    }
    bulk.sentTypes = types;
  } else {
    const kept = st?.paramTypes;
    if (!kept || kept.length < n) {
      undecodable(r, t, bulk, 'SEND_TYPES_TO_SERVER is not set and the types bound by an earlier execute are not in the capture');
      return bulk;
    }
    types = kept.slice(0, n);
  }
  if (n === 0) {
    if (r.remaining > 0) undecodable(r, t, bulk, 'the statement has no parameters, yet parameter bytes follow');
    return bulk;
  }
  while (r.remaining > 0) bulk.rows.push(decodeBulkRow(r, t, types, bulk.rows.length));
  return bulk;
}
