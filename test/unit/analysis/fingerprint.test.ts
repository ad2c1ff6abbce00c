/** Statement fingerprints (pt-query-digest's rules): literals, lists, comments, whitespace and case normalised. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../../src/analysis/fingerprint.js';

/** Every pass run on every statement, as fingerprint() did before its shortcuts and cache: the oracle. */
function allPasses(sql: string): string {
  let s = sql.length > 64 * 1024 ? sql.slice(0, 64 * 1024) : sql;
  s = s.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(?:--\s|#)[^\n]*/g, ' ').replace(/\\['"]/g, '')
    .replace(/'[^']*'|"[^"]*"/g, '?').replace(/\bx'[0-9a-f]*'|\b0x[0-9a-f]+\b/gi, '?')
    .replace(/(?<![\w$.])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w$])/gi, '?').replace(/\b(null|true|false)\b/gi, '?')
    .replace(/\s+/g, ' ').trim().toLowerCase();
  s = s.replace(/\bin\s*\(\s*\?(?:\s*,\s*\?)*\s*\)/g, 'in(?+)')
    .replace(/\bvalues\s*(\(\s*\?(?:\s*,\s*\?)*\s*\))(?:\s*,\s*\(\s*\?(?:\s*,\s*\?)*\s*\))*/g, 'values $1')
    .replace(/\blimit \?(?:\s*,\s*\?)?/g, 'limit ?');
  return s.replace(/\s*;\s*$/, '');
}

describe('fingerprint', () => {
  it.each([
    ["SELECT * FROM t WHERE id = 5 AND name = 'x' -- c", 'select * from t where id = ? and name = ?'],
    ['select a from t where id in (1,2, 3) limit 10', 'select a from t where id in(?+) limit ?'],
    ["INSERT INTO t (a,b) VALUES (1,'x'),(2,'y')", 'insert into t (a,b) values (?,?)'],
    ['UPDATE  t SET a=1.5e3 /* x */ WHERE b IS NULL', 'update t set a=? where b is ?'],
    ['SELECT col1, t2.x FROM t2 WHERE a=0x1f', 'select col1, t2.x from t2 where a=?'],
    ["select 'it\\'s'", 'select ?'],
    ['SELECT 1;', 'select ?'],
  ])('%s', (sql, want) => {
    expect(fingerprint(sql)).toBe(want);
  });

  it('statements differing only by values share a fingerprint', () => {
    expect(fingerprint('SELECT * FROM orders WHERE id IN (1, 2)')).toBe(fingerprint('select *  from orders where id in (7,8,9,10)'));
  });

  it('skipping passes that cannot match, and the cache of recent statements, change nothing (property, synthetic SQL)', () => {
    const token = fc.constantFrom('/*', '*/', '--', '-- ', '#', '\n', ' ', '\t', '\\', "'", '"', "x'", "X'", '0x1F', '0X', '1', '2.5', 'e3', '-', '+',
      'in', 'IN', ' in (', '(', ')', ',', '?', 'values', 'VALUES (', 'limit', 'LIMIT ', ';', '; ', 'null', 'True', 'a', '$', '.', 'select', 'id=',
      "'ab'", "'1'", 'E', 'e+', 'e-', '1.', '.5', '_', 'nullx', 'NULL', 'FALSE', 'false', '`', 'é', '\u00a0', '9', '007', 'x', 'k', '=');
    fc.assert(fc.property(fc.array(token, { maxLength: 30 }), (parts) => {
      const sql = parts.join('');
      expect(fingerprint(sql)).toBe(allPasses(sql));
      expect(fingerprint(sql)).toBe(allPasses(sql)); // the second time from the cache
    }), { numRuns: 20_000 });
    // Only what the one-pass path takes (ASCII, closed single quotes, no comments, backslashes, double quotes or 0x).
    const plain = fc.constantFrom(' ', '\t', '\n', "'ab'", "'1 2'", "''", '1', '2.5', '.', '.5', '1.', 'e', 'E', 'e3', 'E-2', 'e+', '-', '+', '$', '_', 'x', 'k',
      'null', 'NULL', 'True', 'false', 'nullx', 'in', ' in (', '(', ')', ',', '?', 'values', 'VALUES (', 'limit ', ';', '`', '=', '9', '007', 'a1');
    fc.assert(fc.property(fc.array(plain, { maxLength: 30 }), (parts) => {
      const sql = parts.join('');
      expect(fingerprint(sql)).toBe(allPasses(sql));
    }), { numRuns: 20_000 });
    // Statements as applications send them (the one-pass path takes these).
    for (const sql of ["SELECT c FROM sbtest1 WHERE id=5012", "UPDATE sbtest2 SET k=k+1 WHERE id=-3", "INSERT INTO t VALUES (1,'x',NULL,1.5e-3,true)",
      "select * from t where a in (1, 2.5, -3) and b='x''y' limit 10, 20;", 'SELECT 1e5e5, 1.5x, x1, 1_2, $5, a.5, 5$, -+5']) {
      expect(fingerprint(sql)).toBe(allPasses(sql));
    }
  });
});

