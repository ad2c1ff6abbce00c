/**
 * The per-connection prepared-statement registry, and a display helper that renders a prepared statement's SQL
 * with the values of one execute.
 *
 * The registry is session state: only the session's transitions change it (principle 8); decoders read it
 * through `get` (messages/prepared.ts takes `(id) => registry.get(id)`). How the session drives it:
 *   COM_STMT_PREPARE sent:        registry.prepareSent(sql)          (pipelining: id -1 names nothing until the OK)
 *   COM_STMT_PREPARE → OK:        registry.prepared(sql, { stmtId, params, columns, numParams })
 *   COM_STMT_PREPARE → ERR:       registry.prepareFailed()         (MariaDB: id -1 no longer names a statement)
 *   COM_STMT_SEND_LONG_DATA:      registry.longData(stmtId, param, data.length)
 *   COM_STMT_EXECUTE / BULK:      decode with `(id) => registry.get(id)`, then registry.afterExecute(ex.stmtId, ex.sentTypes)
 *   COM_STMT_RESET:               registry.reset(stmtId)
 *   COM_STMT_CLOSE:               registry.close(stmtId)
 *   COM_RESET_CONNECTION / COM_CHANGE_USER: registry.clear()
 * Statements prepared before the capture began become `partial` entries when a later command reveals something
 * about them (remembered types, long data); `get` returns them so decoders can use what is known.
 *
 * Bound: at most `maxStatements` (default 4096) entries per connection. When a new statement would exceed it the
 * least recently prepared-or-executed one is forgotten (`evicted` counts them); a later execute of it is then
 * decoded like one prepared before the capture.
 */
import type { BinaryValue, BulkValue, ColumnDefinition, ParamType, PreparedStatement, StmtParam } from '../messages/types.js';

export const MAX_STATEMENTS = 4096;
/** MariaDB: statement id -1 (0xFFFFFFFF) in EXECUTE/SEND_LONG_DATA/CLOSE names the statement prepared last. */
export const LAST_PREPARED = 0xffffffff;

export interface PrepareOkInfo {
  stmtId: number;
  params: ColumnDefinition[];
  columns: ColumnDefinition[];
  /** num_params from the PREPARE OK, when the definitions themselves were not sent. */
  numParams?: number;
}

export class StatementRegistry {
  /** Insertion order is recency: the first entry is the one to evict. */
  private readonly byId = new Map<number, PreparedStatement>();
  private last: number | undefined;
  /** Statements forgotten because of the bound. */
  evicted = 0;

  constructor(readonly maxStatements = MAX_STATEMENTS) {}

  get size(): number {
    return this.byId.size;
  }

  /** The id an incoming command means (-1 → the statement prepared last, when there is one). */
  resolve(id: number): number | undefined {
    return id === LAST_PREPARED ? this.last : id;
  }

  /** SQL of a COM_STMT_PREPARE whose response has not been seen yet (MariaDB clients pipeline EXECUTE -1 after it). */
  pendingSql: string | undefined;

  /**
   * A COM_STMT_PREPARE request. Until its response, id -1 must not name the previous statement: a pipelined
   * EXECUTE -1 belongs to this one, whose parameters are not known yet (it is decoded like an unknown statement).
   */
  prepareSent(sql: string): void {
    this.last = undefined;
    this.pendingSql = sql;
  }

  /** A successful COM_STMT_PREPARE. Replaces any statement with the same id. */
  prepared(sql: string, ok: PrepareOkInfo): PreparedStatement {
    const st: PreparedStatement = { id: ok.stmtId, sql, params: ok.params, columns: ok.columns, longData: new Map() };
    if (ok.numParams !== undefined && ok.numParams !== ok.params.length) st.numParams = ok.numParams;
    this.put(st);
    this.last = ok.stmtId;
    this.pendingSql = undefined;
    return st;
  }

  /** A COM_STMT_PREPARE answered with ERR: MariaDB's id -1 names nothing until the next successful prepare. */
  prepareFailed(): void {
    this.last = undefined;
    this.pendingSql = undefined;
  }

  get(id: number): PreparedStatement | undefined {
    const real = this.resolve(id);
    return real === undefined ? undefined : this.byId.get(real);
  }

  close(id: number): boolean {
    const real = this.resolve(id);
    if (real === undefined) return false;
    if (real === this.last) this.last = undefined;
    return this.byId.delete(real);
  }

  /** COM_STMT_RESET: long data sent so far is discarded (types stay bound). */
  reset(id: number): void {
    this.get(id)?.longData.clear();
  }

  /** COM_STMT_SEND_LONG_DATA: `bytes` more for parameter `param`. Unknown ids get a partial entry. */
  longData(id: number, param: number, bytes: number): void {
    const st = this.getOrStub(id);
    if (!st) return;
    st.longData.set(param, (st.longData.get(param) ?? 0) + bytes);
  }

  /** Types sent by an EXECUTE/BULK_EXECUTE, reused by later ones with new_params_bound 0. */
  rememberTypes(id: number, types: readonly ParamType[]): void {
    const st = this.getOrStub(id);
    if (st) st.paramTypes = types.map((x) => ({ type: x.type, unsigned: x.unsigned }));
  }

  /** After an EXECUTE/BULK_EXECUTE: remember the types it sent (if any), drop consumed long data, mark it recent. */
  afterExecute(id: number, sentTypes: readonly ParamType[] | undefined): void {
    if (sentTypes) this.rememberTypes(id, sentTypes);
    const real = this.resolve(id);
    const st = real === undefined ? undefined : this.byId.get(real);
    if (!st) return;
    st.longData.clear();
    this.byId.delete(st.id);
    this.byId.set(st.id, st);
  }

  /** COM_RESET_CONNECTION / COM_CHANGE_USER close every statement. */
  clear(): void {
    this.byId.clear();
    this.last = undefined;
  }

  private getOrStub(id: number): PreparedStatement | undefined {
    const real = this.resolve(id);
    if (real === undefined) return undefined;
    let st = this.byId.get(real);
    if (!st) {
      st = { id: real, sql: '', params: [], columns: [], longData: new Map(), partial: true };
      this.put(st);
    }
    return st;
  }

  private put(st: PreparedStatement): void {
    this.byId.delete(st.id);
    this.byId.set(st.id, st);
    while (this.byId.size > this.maxStatements) {
      const oldest = this.byId.keys().next().value as number;
      this.byId.delete(oldest);
      if (oldest === this.last) this.last = undefined;
      this.evicted++;
    }
  }
}

// ---------------------------------------------------------------- display rendering

/** A value as sqlWithValues takes it: a StmtParam value, a bulk value, or undefined (unknown: `?` stays). */
export type RenderValue = StmtParam['value'] | BulkValue | undefined;

function quote(s: string): string {
  let out = "'";
  for (const ch of s) {
    switch (ch) {
      case "'": out += "\\'"; break;
      case '\\': out += '\\\\'; break;
      case '\0': out += '\\0'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\x1a': out += '\\Z'; break;
      default: out += ch;
    }
  }
  return `${out}'`;
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** SQL literal for one value (display only). */
export function sqlLiteral(v: RenderValue): string {
  if (v === undefined) return '?';
  if (v === null) return 'NULL';
  if (v === 'streamed') return '<long data>';
  if (v === 'default') return 'DEFAULT';
  if (v === 'ignore') return '<ignore>';
  if (v === 'ignore_row') return '<ignore row>';
  const b: BinaryValue = v;
  switch (b.kind) {
    case 'int':
    case 'float':
    case 'decimal':
      return b.text;
    case 'null':
      return 'NULL';
    case 'bytes':
      return `X'${hex(b.value)}'`;
    default:
      return quote(b.text);
  }
}

/**
 * A RENDERING for display, not what was sent: the prepared SQL with each `?` placeholder replaced by the literal of
 * the matching value (strings quoted and escaped, bytes as X'..', NULL, streamed long data as `<long data>`).
 * `?` inside quoted strings, quoted identifiers and comments is left alone (`/*! ... *\/` executable comments are
 * SQL and are scanned). Placeholders without a value stay `?`. Show it under a label that says it is rendered
 * (field mysql.exec.sql_rendered).
 */
export function sqlWithValues(sql: string, values: readonly RenderValue[]): string {
  let out = '';
  let k = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < n) {
        const d = sql[j]!;
        if (d === '\\' && c !== '`') j += 2;
        else if (d === c) {
          if (sql[j + 1] === c) j += 2; // doubled quote
          else break;
        } else j++;
      }
      out += sql.slice(i, Math.min(j + 1, n));
      i = j + 1;
    } else if (c === '#' || (c === '-' && sql[i + 1] === '-' && (i + 2 >= n || /\s/.test(sql[i + 2]!)))) {
      let j = sql.indexOf('\n', i);
      if (j < 0) j = n;
      out += sql.slice(i, j);
      i = j;
    } else if (c === '/' && sql[i + 1] === '*' && sql[i + 2] !== '!' && !(sql[i + 2] === 'M' && sql[i + 3] === '!')) {
      let j = sql.indexOf('*/', i + 2);
      j = j < 0 ? n : j + 2;
      out += sql.slice(i, j);
      i = j;
    } else if (c === '?') {
      out += sqlLiteral(values[k++]);
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
