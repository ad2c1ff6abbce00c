/**
 * `-Y` without the field tree: mysql.query and mysql.command are read from the decoded event when the filter names
 * no other tree field (record-filter.ts), so `read -Y 'mysql.query contains "x"'` skips building trees. On every
 * fixture, each filter must keep exactly the same messages with and without the tree.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline/analyze.js';
import { compileRecordFilter } from '../../../src/filter/index.js';
import { TimeBase } from '../../../src/output/summary.js';
import type { MySqlRecord } from '../../../src/model/record.js';

const FIX = 'test/fixtures/';
const { fixtures } = JSON.parse(readFileSync(FIX + 'fixtures.json', 'utf8')) as { fixtures: { file: string; serverPorts: number[] }[] };

const FILTERS = [
  'mysql.query', 'mysql.command', 'mysql.query contains "SELECT"', 'mysql.query matches "^(?i)insert"', 'mysql.command == 3',
  'mysql.command in {3 22 23}', 'mysql.command == "Query"', 'not mysql.query', 'len(mysql.query) > 40', 'mysql.command != 1 && tcp.stream == 0',
];

async function kept(file: string, ports: number[], filter: string, tree: boolean): Promise<number[]> {
  const f = compileRecordFilter(filter, new TimeBase());
  const out: number[] = [];
  await analyze({ kind: 'file', path: FIX + file }, { ports, tree }, (r: MySqlRecord) => { if (f(r)) out.push(r.id); });
  return out;
}

describe('mysql.query / mysql.command without the tree = with it', () => {
  it('these filters need no tree', () => {
    for (const t of FILTERS) expect(compileRecordFilter(t).needsTree, t).toBe(false);
    expect(compileRecordFilter('mysql.query and mysql.exec.sql_rendered').needsTree).toBe(true);
  });
  for (const { file, serverPorts } of fixtures) {
    it(file, async () => {
      for (const t of FILTERS) {
        expect(await kept(file, serverPorts, t, false), `${file}: ${t}`).toEqual(await kept(file, serverPorts, t, true));
      }
    });
  }
});
