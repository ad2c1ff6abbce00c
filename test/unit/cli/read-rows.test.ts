/**
 * `read` with summary lines only counts result-set rows (limits.maxRowsKept 0) when nothing shows or tests their
 * values (cli/read.ts rowValuesUnused). On every fixture the summary lines, the filtered lines and the totals must be
 * what the default limits give.
 */
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AnalyzeOptions } from '../../../src/api-types.js';
import { parseReadOptions, rowValuesUnused } from '../../../src/cli/read.js';
import { compileRecordFilter } from '../../../src/filter/record-filter.js';
import { createReporter } from '../../../src/output/index.js';
import { StringSink } from '../../../src/output/sink.js';
import { TimeBase } from '../../../src/output/summary.js';
import { analyze } from '../../../src/pipeline/analyze.js';

const FIX = 'test/fixtures/';
const { fixtures } = JSON.parse(readFileSync(FIX + 'fixtures.json', 'utf8')) as { fixtures: { file: string; serverPorts: number[] }[] };
const stdin = new PassThrough();

/** Summary lines of the records a filter keeps, then the totals, as `read` prints them. */
async function lines(file: string, options: AnalyzeOptions, filter?: string): Promise<string> {
  const time = new TimeBase();
  const keep = filter === undefined ? undefined : compileRecordFilter(filter, time);
  const sink = new StringSink();
  const reporter = createReporter(sink, { format: 'text', tree: false, hex: false, time });
  const totals = await analyze({ kind: 'file', path: file }, { ...options, onFirstFrame: (ts) => time.set(ts) }, (r) => {
    if (!keep || keep(r)) reporter.record(r);
  });
  reporter.end?.();
  return `${sink.toString()}\n${JSON.stringify(totals)}`;
}

describe('read: rows only counted when no output or filter reads them', () => {
  it('decides from the format, -V, -x, -w and the filter\'s fields', () => {
    const c = (o: Record<string, unknown>) => parseReadOptions('x.pcap', o, stdin);
    const f = (t: string) => compileRecordFilter(t);
    expect(rowValuesUnused(c({}), undefined)).toBe(true);
    expect(rowValuesUnused(c({}), f('mysql.query contains "a"'))).toBe(true);
    expect(rowValuesUnused(c({}), f('tcp.port == 3306 and mysql.kind == "resultset"'))).toBe(true);
    expect(rowValuesUnused(c({ tree: true }), undefined)).toBe(false);
    expect(rowValuesUnused(c({ hex: true }), undefined)).toBe(false);
    expect(rowValuesUnused(c({ format: 'json' }), undefined)).toBe(false);
    expect(rowValuesUnused(c({ write: 'out.pcap' }), undefined)).toBe(false);
    expect(rowValuesUnused(c({}), f('mysql.row.text contains "x"'))).toBe(false); // a tree field
    expect(rowValuesUnused(c({}), f('mysql.frames == 12'))).toBe(false);
  });

  for (const { file, serverPorts } of fixtures) {
    it(`${file}: the same lines and totals`, async () => {
      const base: AnalyzeOptions = { ports: serverPorts, tree: false, hex: false };
      const counted: AnalyzeOptions = { ...base, limits: { maxRowsKept: 0 } };
      const all = await lines(FIX + file, base);
      expect(await lines(FIX + file, counted)).toBe(all);
      expect(all.split('\n').length).toBeGreaterThan(2);
      for (const filter of ['mysql.kind == "resultset"', 'mysql.direction == "response" and tcp.stream >= 0']) {
        expect(await lines(FIX + file, counted, filter), filter).toBe(await lines(FIX + file, base, filter));
      }
    });
  }
});
