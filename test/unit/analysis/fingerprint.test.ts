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
      'in', 'IN', ' in (', '(', ')', ',', '?', 'values', 'VALUES (', 'limit', 'LIMIT ', ';', '; ', 'null', 'True', 'a', '$', '.', 'select', 'id=');
    fc.assert(fc.property(fc.array(token, { maxLength: 30 }), (parts) => {
      const sql = parts.join('');
      expect(fingerprint(sql)).toBe(allPasses(sql));
      expect(fingerprint(sql)).toBe(allPasses(sql)); // the second time from the cache
    }), { numRuns: 5000 });
  });
});

