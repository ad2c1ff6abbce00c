/**
 * Session state information of an OK_Packet ("OK_Packet", "session state information"; MySQL's
 * `session_track` types; MariaDB's "OK_Packet" page). Present when CLIENT_SESSION_TRACK was negotiated and the
 * server status has SERVER_SESSION_STATE_CHANGED, after the lenenc info string:
 *
 *   int<lenenc> total length, then entries up to that length, each:
 *     int<1> type, int<lenenc> entry length, entry data (type specific):
 *       0 SESSION_TRACK_SYSTEM_VARIABLES      string<lenenc> name, string<lenenc> value   (pairs, repeated)
 *       1 SESSION_TRACK_SCHEMA                string<lenenc> schema
 *       2 SESSION_TRACK_STATE_CHANGE          string<lenenc> '1'
 *       3 SESSION_TRACK_GTIDS                 int<1> encoding specification, string<lenenc> GTID set
 *       4 SESSION_TRACK_TRANSACTION_CHARACTERISTICS  string<lenenc> SQL
 *       5 SESSION_TRACK_TRANSACTION_STATE     string<lenenc> 8 characters (see TransactionStateInfo)
 *       other types: kept raw (open enum).
 *
 * Bounds (principle 1): the total length bounds the entries, each entry length bounds its data. An entry (or a
 * string inside it) running past its bound is a `malformed` DecodeError `mysql.session_track_overrun` naming the
 * length field; a total running past the packet is `truncated` (`mysql.truncated_payload`). Bytes left inside an
 * entry of a known type after its fields are skipped (a later server may append fields).
 *
 * Strings are decoded as UTF-8 (the server's system character set), not with the connection's `decodeText`.
 *
 * How the session calls it (inside decodeOk, where it now adds the raw mysql.payload):
 *
 *   if ((ok.status & SERVER.SESSION_STATE_CHANGED) !== 0 && r.remaining > 0) {
 *     ok.sessionState = [];                       // (field to add to Ok)
 *     decodeSessionState(r, t, ok.sessionState);  // fills the array as it goes: partial results survive a throw
 *   }
 *
 * and after the record is built (a pure summary, the session applies it to its connection facts):
 *
 *   const s = applySessionChanges(ok.sessionState);
 *   if (s.schema !== undefined) facts.schema = s.schema;
 *   if (s.charsetResults !== undefined) { const cs = charsetByName(s.charsetResults, flavor); ... }   // codec/charset.ts
 */
import { DecodeError } from '../../core/issues.js';
import type { PayloadReader } from '../codec/payload-reader.js';
import { ST } from '../fields.js';
import { copyBytes, type TreeBuilder } from './tree.js';
import type { SessionStateChange, TransactionStateInfo } from './types.js';

export const SESSION_TRACK = {
  SYSTEM_VARIABLES: 0,
  SCHEMA: 1,
  STATE_CHANGE: 2,
  GTIDS: 3,
  TRANSACTION_CHARACTERISTICS: 4,
  TRANSACTION_STATE: 5,
} as const;

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * Reads the session state information starting at `r.pos` (the total-length lenenc) and returns its changes,
 * appended to `out` (pass an array to keep what was decoded before a DecodeError). Leaves `r.pos` after the
 * information; `r.end` is unchanged on return and on throw.
 */
export function decodeSessionState(r: PayloadReader, t: TreeBuilder | null, out: SessionStateChange[] = []): SessionStateChange[] {
  const outerEnd = r.end;
  const p0 = r.pos;
  const total = r.lenenc('session state information length');
  if (typeof total === 'bigint' || total > outerEnd - r.pos) {
    throw new DecodeError('truncated', 'mysql.truncated_payload',
      `session state information says ${total} bytes at payload offset ${p0}, but only ${outerEnd - r.pos} remain`, p0);
  }
  const end = r.pos + total;
  const top = t ? t.open(ST.dataLength, total, p0, r.pos - p0) : null;
  try {
    r.end = end;
    while (r.pos < end) decodeEntry(r, t, out, p0, end);
  } finally {
    r.end = outerEnd;
    if (t && top) t.close(top, Math.min(r.pos, end));
  }
  return out;
}

function overrun(what: string, says: number | bigint, at: number, left: number, bound: string): DecodeError {
  return new DecodeError('malformed', 'mysql.session_track_overrun',
    `${what} says ${says} bytes at payload offset ${at}, but ${bound} has only ${left} left`, at);
}

/** A lenenc length that must fit before `r.end` (the entry's bound). */
function innerLength(r: PayloadReader, what: string, bound: string): number {
  const at = r.pos;
  const n = r.lenenc(what);
  if (typeof n === 'bigint' || n > r.end - r.pos) throw overrun(what, n, at, r.end - r.pos, bound);
  return n;
}

function decodeEntry(r: PayloadReader, t: TreeBuilder | null, out: SessionStateChange[], totalAt: number, totalEnd: number): void {
  const pe = r.pos;
  const node = t ? t.open(ST.entry, null, pe) : null;
  const type = r.u8('session tracking type');
  t?.add(ST.type, type, pe, 1);
  const pl = r.pos;
  const len = r.lenenc('session tracking entry length');
  if (typeof len === 'bigint' || len > totalEnd - r.pos) {
    throw overrun(`session tracking entry (type ${type}) length`, len, pl, totalEnd - r.pos,
      `the session state information (length at payload offset ${totalAt})`);
  }
  t?.add(ST.length, len, pl, r.pos - pl);
  const entryEnd = r.pos + len;
  const saved = r.end;
  const bound = `the entry (length at payload offset ${pl})`;
  r.end = entryEnd;
  try {
    switch (type) {
      case SESSION_TRACK.SYSTEM_VARIABLES:
        do {
          const name = str(r, t, 'system variable name', bound, ST.sysvarLength, ST.sysvarName);
          const value = str(r, t, 'system variable value', bound, ST.sysvarLength, ST.sysvarValue);
          out.push({ kind: 'system_variable', type: 0, name, value });
        } while (r.pos < entryEnd);
        break;
      case SESSION_TRACK.SCHEMA:
        out.push({ kind: 'schema', type: 1, schema: str(r, t, 'schema', bound, ST.schemaLength, ST.schema) });
        break;
      case SESSION_TRACK.STATE_CHANGE: {
        // string<lenenc> per the docs; a bare '0'/'1' byte (entry length 1) is accepted too.
        let raw: string;
        if (len === 1) {
          const p = r.pos;
          raw = utf8.decode(r.bytes(1, 'state change'));
          t?.add(ST.stateChange, raw, p, 1);
        } else {
          raw = str(r, t, 'state change', bound, null, ST.stateChange);
        }
        out.push({ kind: 'state_change', type: 2, changed: raw === '1', raw });
        break;
      }
      case SESSION_TRACK.GTIDS: {
        const p = r.pos;
        const encoding = r.u8('GTIDs encoding');
        t?.add(ST.gtidsEncoding, encoding, p, 1);
        const gtids = str(r, t, 'GTIDs', bound, ST.gtidsLength, ST.gtids);
        out.push({ kind: 'gtids', type: 3, encoding, gtids });
        break;
      }
      case SESSION_TRACK.TRANSACTION_CHARACTERISTICS:
        out.push({ kind: 'transaction_characteristics', type: 4,
          characteristics: str(r, t, 'transaction characteristics', bound, ST.trxCharacteristicsLength, ST.trxCharacteristics) });
        break;
      case SESSION_TRACK.TRANSACTION_STATE: {
        const pl2 = r.pos;
        const n = innerLength(r, 'transaction state length', bound);
        t?.add(ST.trxStateLength, n, pl2, r.pos - pl2);
        const p = r.pos;
        const state = utf8.decode(r.bytes(n, 'transaction state'));
        const info = explainTransactionState(state);
        if (t) {
          const sn = t.open(ST.trxState, state, p, n);
          trxStateNodes(t, state, p);
          t.close(sn, p + n);
        }
        out.push({ kind: 'transaction_state', type: 5, ...info });
        break;
      }
      default: {
        const p = r.pos;
        const data = r.bytes(len, 'session tracking data');
        t?.add(ST.data, copyBytes(data), p, len);
        out.push({ kind: 'unknown', type, data: copyBytes(data) });
      }
    }
    r.pos = entryEnd; // skip what a known type did not use
  } catch (e) {
    // A read that ran out inside the entry: the entry's bytes are inconsistent, the packet is not short.
    if (e instanceof DecodeError && e.kind === 'truncated') {
      throw new DecodeError('malformed', 'mysql.session_track_overrun',
        `${e.message} (inside session tracking entry of type ${type}, ${len} bytes per its length at payload offset ${pl})`, e.offset);
    }
    throw e;
  } finally {
    r.end = saved;
    if (t && node) t.close(node, Math.min(r.pos, entryEnd));
  }
}

function str(r: PayloadReader, t: TreeBuilder | null, what: string, bound: string,
  lenDef: typeof ST.sysvarLength | null, def: typeof ST.schema): string {
  const pl = r.pos;
  const n = innerLength(r, `${what} length`, bound);
  if (lenDef) t?.add(lenDef, n, pl, r.pos - pl);
  const p = r.pos;
  const v = utf8.decode(r.bytes(n, what));
  t?.add(def, v, lenDef ? p : pl, lenDef ? n : r.pos - pl);
  return v;
}

const POSITIONS: ReadonlyArray<readonly [keyof Omit<TransactionStateInfo, 'state' | 'transaction' | 'description'>, string, string]> = [
  ['readUnsafe', 'r', 'non-transactional tables read'],
  ['readTrx', 'R', 'transactional tables read'],
  ['writeUnsafe', 'w', 'non-transactional tables written'],
  ['writeTrx', 'W', 'transactional tables written'],
  ['stmtUnsafe', 's', 'unsafe statements'],
  ['resultSet', 'S', 'result set sent'],
  ['lockedTables', 'L', 'LOCK TABLES'],
];

/** Explains SESSION_TRACK_TRANSACTION_STATE's 8 characters (MySQL `Transaction_state_tracker`; same in MariaDB). */
export function explainTransactionState(state: string): TransactionStateInfo {
  const c0 = state[0];
  const transaction = c0 === 'T' ? 'explicit' : c0 === 'I' ? 'implicit' : c0 === '_' ? 'none' : 'unknown';
  const info: TransactionStateInfo = {
    state, transaction, readUnsafe: false, readTrx: false, writeUnsafe: false, writeTrx: false,
    stmtUnsafe: false, resultSet: false, lockedTables: false, description: '',
  };
  const parts: string[] = [transaction === 'explicit' ? 'explicit transaction' : transaction === 'implicit' ? 'implicit transaction'
    : transaction === 'none' ? 'no transaction' : `unknown transaction type ${JSON.stringify(c0 ?? '')}`];
  POSITIONS.forEach(([key, ch, label], i) => {
    if (state[i + 1] === ch) {
      info[key] = true;
      parts.push(label);
    }
  });
  if (state.length !== 8) parts.push(`unexpected length ${state.length}`);
  info.description = parts.join('; ');
  return info;
}

const POSITION_FIELDS = [ST.trxStateReadUnsafe, ST.trxStateReadTrx, ST.trxStateWriteUnsafe, ST.trxStateWriteTrx,
  ST.trxStateStmtUnsafe, ST.trxStateResultSet, ST.trxStateLockedTables] as const;

function trxStateNodes(t: TreeBuilder, state: string, p: number): void {
  const info = explainTransactionState(state);
  if (state.length >= 1) t.add(ST.trxStateType, `${state[0]} (${info.transaction})`, p, 1);
  POSITION_FIELDS.forEach((def, i) => {
    if (state.length > i + 1) t.add(def, info[POSITIONS[i]![0]], p + i + 1, 1);
  });
}

/** What the tracked changes of one OK packet mean for the connection (last value wins; absent = not reported). */
export interface SessionStateSummary {
  /** New current schema (SESSION_TRACK_SCHEMA). */
  schema?: string;
  /** character_set_client. */
  charsetClient?: string;
  /** character_set_connection. */
  charsetConnection?: string;
  /** character_set_results: how the server now encodes result strings; '' or 'NULL' = no conversion (see charsetByName). */
  charsetResults?: string;
  /** collation_connection. */
  collationConnection?: string;
  /** autocommit ON/OFF (undefined when not reported or not a boolean value). */
  autocommit?: boolean;
  /** The 8-character transaction state. */
  trxState?: string;
  /** SESSION_TRACK_TRANSACTION_CHARACTERISTICS. */
  trxCharacteristics?: string;
  /** GTID set (SESSION_TRACK_GTIDS). */
  gtids?: string;
  /** SESSION_TRACK_STATE_CHANGE seen. */
  stateChanged?: boolean;
  /** Every tracked system variable, lower-cased name → value. */
  variables: Map<string, string>;
}

function onOff(v: string): boolean | undefined {
  const u = v.toUpperCase();
  if (u === 'ON' || u === '1' || u === 'TRUE') return true;
  if (u === 'OFF' || u === '0' || u === 'FALSE') return false;
  return undefined;
}

/** Folds decoded changes into the facts a session keeps; pure (no connection object is touched). */
export function applySessionChanges(changes: readonly SessionStateChange[] | undefined): SessionStateSummary {
  const s: SessionStateSummary = { variables: new Map() };
  for (const c of changes ?? []) {
    switch (c.kind) {
      case 'system_variable': {
        const name = c.name.toLowerCase();
        s.variables.set(name, c.value);
        if (name === 'character_set_client') s.charsetClient = c.value;
        else if (name === 'character_set_connection') s.charsetConnection = c.value;
        else if (name === 'character_set_results') s.charsetResults = c.value;
        else if (name === 'collation_connection') s.collationConnection = c.value;
        else if (name === 'autocommit') s.autocommit = onOff(c.value);
        break;
      }
      case 'schema': s.schema = c.schema; break;
      case 'state_change': s.stateChanged = c.changed; break;
      case 'gtids': s.gtids = c.gtids; break;
      case 'transaction_characteristics': s.trxCharacteristics = c.characteristics; break;
      case 'transaction_state': s.trxState = c.state; break;
      case 'unknown': break;
    }
  }
  return s;
}

/** One line per change for summaries: `schema=test`, `autocommit=OFF`, `trx=T_____S_ (explicit transaction; …)`. */
export function describeSessionChange(c: SessionStateChange): string {
  switch (c.kind) {
    case 'system_variable': return `${c.name}=${c.value}`;
    case 'schema': return `schema=${c.schema}`;
    case 'state_change': return `state_changed=${c.raw}`;
    case 'gtids': return `gtids=${c.gtids}`;
    case 'transaction_characteristics': return `trx_characteristics=${c.characteristics}`;
    case 'transaction_state': return `trx_state=${c.state} (${c.description})`;
    case 'unknown': return `type ${c.type}: ${c.data.length} bytes`;
  }
}
