/** Statement fingerprints (pt-query-digest's rules): literals, lists, comments, whitespace and case normalised. */
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../../src/analysis/fingerprint.js';

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
});
