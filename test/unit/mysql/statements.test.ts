/**
 * The per-connection statement registry and the SQL rendering helper (src/mysql/session/statements.ts).
 * Values below are SYNTHETIC (made up for the test).
 */
import { describe, expect, it } from 'vitest';
import { MYSQL_TYPE as T } from '../../../src/mysql/constants/column-types.js';
import type { BinaryValue, ColumnDefinition } from '../../../src/mysql/messages/types.js';
import { LAST_PREPARED, MAX_STATEMENTS, StatementRegistry, sqlLiteral, sqlWithValues } from '../../../src/mysql/session/statements.js';

const p = (): ColumnDefinition => ({ catalog: 'def', schema: '', table: '', orgTable: '', name: '?', orgName: '', charset: 63, columnLength: 0, type: T.VAR_STRING, flags: 0, decimals: 0 });
const ok = (stmtId: number, n = 1) => ({ stmtId, params: Array.from({ length: n }, p), columns: [] });

describe('StatementRegistry', () => {
  it('prepared / get / close', () => {
    const reg = new StatementRegistry();
    const st = reg.prepared('SELECT ?', ok(1));
    expect(reg.get(1)).toBe(st);
    expect(st).toMatchObject({ id: 1, sql: 'SELECT ?', longData: new Map() });
    expect(st.partial).toBeUndefined();
    expect(reg.close(1)).toBe(true);
    expect(reg.get(1)).toBeUndefined();
    expect(reg.close(1)).toBe(false);
  });

  it('numParams is kept when the parameter definitions were not sent', () => {
    const reg = new StatementRegistry();
    expect(reg.prepared('SELECT ?, ?', { stmtId: 3, params: [], columns: [], numParams: 2 }).numParams).toBe(2);
    expect(reg.prepared('SELECT ?', ok(4)).numParams).toBeUndefined();
  });

  it('MariaDB id -1 is the statement prepared last, until a prepare fails or it is closed', () => {
    const reg = new StatementRegistry();
    reg.prepared('A', ok(1));
    reg.prepared('B', ok(2));
    expect(reg.get(LAST_PREPARED)?.sql).toBe('B');
    reg.prepareFailed();
    expect(reg.get(LAST_PREPARED)).toBeUndefined();
    reg.prepared('C', ok(3));
    reg.close(LAST_PREPARED);
    expect(reg.get(3)).toBeUndefined();
    expect(reg.get(LAST_PREPARED)).toBeUndefined();
  });

  it('pipelining: while a PREPARE awaits its response, id -1 names nothing (not the previous statement)', () => {
    const reg = new StatementRegistry();
    reg.prepared('A', ok(1));
    reg.prepareSent('B');
    expect(reg.pendingSql).toBe('B');
    expect(reg.get(LAST_PREPARED)).toBeUndefined();
    reg.prepared('B', ok(2));
    expect(reg.pendingSql).toBeUndefined();
    expect(reg.get(LAST_PREPARED)?.sql).toBe('B');
  });

  it('long data accumulates per parameter; reset and execute clear it, types stay', () => {
    const reg = new StatementRegistry();
    reg.prepared('UPDATE t SET a = ?, b = ?', ok(1, 2));
    reg.longData(1, 0, 10);
    reg.longData(1, 0, 5);
    reg.longData(1, 1, 1);
    expect([...reg.get(1)!.longData]).toEqual([[0, 15], [1, 1]]);
    reg.reset(1);
    expect(reg.get(1)!.longData.size).toBe(0);
    reg.longData(1, 0, 3);
    reg.afterExecute(1, [{ type: T.BLOB, unsigned: false }, { type: T.LONG, unsigned: true }]);
    expect(reg.get(1)!.longData.size).toBe(0);
    expect(reg.get(1)!.paramTypes).toEqual([{ type: T.BLOB, unsigned: false }, { type: T.LONG, unsigned: true }]);
    reg.afterExecute(1, undefined); // new_params_bound 0: the types stay
    expect(reg.get(1)!.paramTypes).toHaveLength(2);
  });

  it('remembered types are a copy (events do not share objects with the registry)', () => {
    const reg = new StatementRegistry();
    reg.prepared('SELECT ?', ok(1));
    const types = [{ type: T.LONG, unsigned: false }];
    reg.rememberTypes(1, types);
    types[0]!.type = T.TINY;
    expect(reg.get(1)!.paramTypes![0]!.type).toBe(T.LONG);
  });

  it('statements prepared before the capture become partial entries when long data or types reveal them', () => {
    const reg = new StatementRegistry();
    reg.longData(9, 0, 4);
    reg.rememberTypes(10, [{ type: T.LONG, unsigned: false }]);
    expect(reg.get(9)).toMatchObject({ id: 9, sql: '', partial: true, longData: new Map([[0, 4]]) });
    expect(reg.get(10)).toMatchObject({ partial: true, paramTypes: [{ type: T.LONG, unsigned: false }] });
    // A real PREPARE with the same id replaces the partial entry.
    expect(reg.prepared('SELECT ?', ok(9)).partial).toBeUndefined();
    // -1 with nothing prepared names nothing: no stub is made for it.
    const fresh = new StatementRegistry();
    fresh.longData(LAST_PREPARED, 0, 1);
    expect(fresh.size).toBe(0);
  });

  it(`is bounded (default ${MAX_STATEMENTS}); the least recently prepared or executed statement goes first`, () => {
    expect(new StatementRegistry().maxStatements).toBe(4096);
    const reg = new StatementRegistry(3);
    reg.prepared('1', ok(1));
    reg.prepared('2', ok(2));
    reg.prepared('3', ok(3));
    reg.afterExecute(1, undefined); // 1 is now the most recent
    reg.prepared('4', ok(4));
    expect(reg.get(2)).toBeUndefined();
    expect([1, 3, 4].map((id) => reg.get(id)?.sql)).toEqual(['1', '3', '4']);
    expect(reg.size).toBe(3);
    expect(reg.evicted).toBe(1);
    for (let i = 100; i < 200; i++) reg.prepared(String(i), ok(i));
    expect(reg.size).toBe(3);
    expect(reg.get(LAST_PREPARED)?.sql).toBe('199');
  });

  it('clear() forgets everything (COM_RESET_CONNECTION, COM_CHANGE_USER)', () => {
    const reg = new StatementRegistry();
    reg.prepared('A', ok(1));
    reg.clear();
    expect(reg.size).toBe(0);
    expect(reg.get(LAST_PREPARED)).toBeUndefined();
  });
});

const int = (v: number | bigint): BinaryValue => ({ kind: 'int', type: T.LONGLONG, unsigned: false, value: v, text: String(v) });
const s = (v: string): BinaryValue => ({ kind: 'string', type: T.VAR_STRING, value: v, text: v });

describe('sqlWithValues (a rendering for display)', () => {
  it('substitutes values in order', () => {
    expect(sqlWithValues('SELECT * FROM t WHERE a = ? AND b = ?', [int(1), s('x')])).toBe("SELECT * FROM t WHERE a = 1 AND b = 'x'");
  });

  it('leaves ? in strings, quoted identifiers and comments alone', () => {
    const sql = "SELECT '?', \"?\", `a?b`, 'it''s ?', 'a\\'?' /* ? */ , ? -- ?\n, ? # ?\n, ?";
    expect(sqlWithValues(sql, [int(1), int(2), int(3)])).toBe("SELECT '?', \"?\", `a?b`, 'it''s ?', 'a\\'?' /* ? */ , 1 -- ?\n, 2 # ?\n, 3");
  });

  it('executable comments /*! ... */ are SQL: their ? are placeholders', () => {
    expect(sqlWithValues('SELECT /*!50000 ? */ 1', [int(7)])).toBe('SELECT /*!50000 7 */ 1');
    expect(sqlWithValues('SELECT 1--?', [int(7)])).toBe('SELECT 1--7'); // "--" without a space is not a comment
  });

  it('literals: NULL, escapes, bytes, temporal, streamed, bulk indicators; missing values stay ?', () => {
    const bytes: BinaryValue = { kind: 'bytes', type: T.BLOB, value: Uint8Array.of(0, 0xff), text: '0x00ff' };
    const date: BinaryValue = { kind: 'datetime', type: T.DATETIME, value: { year: 2024, month: 1, day: 2, hour: 0, minute: 0, second: 0, micro: 0 }, text: '2024-01-02 00:00:00' };
    const out = sqlWithValues('VALUES (?, ?, ?, ?, ?, ?, ?)', [null, s("O'Reilly \\ \n"), bytes, date, 'streamed', 'default']);
    expect(out).toBe("VALUES (NULL, 'O\\'Reilly \\\\ \\n', X'00ff', '2024-01-02 00:00:00', <long data>, DEFAULT, ?)");
    expect(sqlLiteral('ignore')).toBe('<ignore>');
    expect(sqlLiteral('ignore_row')).toBe('<ignore row>');
    expect(sqlLiteral({ kind: 'decimal', type: T.NEWDECIMAL, value: '-1.50', text: '-1.50' })).toBe('-1.50');
    expect(sqlLiteral({ kind: 'null', type: T.NULL, value: null, text: 'NULL' })).toBe('NULL');
  });

  it('an unterminated string or comment does not loop or throw', () => {
    expect(sqlWithValues("SELECT 'abc ?", [int(1)])).toBe("SELECT 'abc ?");
    expect(sqlWithValues('SELECT /* ?', [int(1)])).toBe('SELECT /* ?');
    expect(sqlWithValues("SELECT 'a\\", [])).toBe("SELECT 'a\\");
  });
});
