/**
 * The `-Y` field access (filter/record-fields.ts) computes only the fields a filter asks for. On every fixture, with
 * and without field trees, every field of every record must read exactly what the map of all fields (buildMap)
 * holds, in the same order; the fields read straight from the record must be ones no tree ever holds.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../../src/pipeline/analyze.js';
import { buildMap, DIRECT_FIELDS, fieldsOfRecord } from '../../../src/filter/record-fields.js';
import { compileRecordFilter } from '../../../src/filter/record-filter.js';
import { TimeBase } from '../../../src/output/summary.js';
import type { FieldNode } from '../../../src/model/field.js';

const FIX = 'test/fixtures/';
const { fixtures } = JSON.parse(readFileSync(FIX + 'fixtures.json', 'utf8')) as { fixtures: { file: string; serverPorts: number[] }[] };

function treeNames(nodes: readonly FieldNode[] | null, out: Set<string>): Set<string> {
  for (const n of nodes ?? []) {
    out.add(n.field.name);
    if (n.children) treeNames(n.children, out);
  }
  return out;
}

describe('fieldsOfRecord reads what buildMap holds, field by field', () => {
  for (const { file, serverPorts } of fixtures) {
    it(file, async () => {
      let checked = 0;
      for (const tree of [false, true]) {
        const { records } = await analyzeFile(FIX + file, { ports: serverPorts, tree });
        expect(records.length).toBeGreaterThan(0);
        const time = new TimeBase();
        for (const r of records) {
          const all = buildMap(r, time, undefined);
          for (const name of treeNames(r.tree, new Set())) expect(DIRECT_FIELDS, `${name} is in a tree`).not.toContain(name);
          const fa = fieldsOfRecord(r, time);
          const names = new Set([...DIRECT_FIELDS, ...all.keys(), 'mysql.command', 'mysql.query', 'mysql.no_such_field']);
          for (const name of names) {
            expect(fa(name), `${name} of the record of frame ${r.frameNo} (tree: ${tree})`).toEqual(all.get(name) ?? []);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(0);
    });
  }
});

describe('fieldsOfRecord with extra values', () => {
  it('an extra value replaces what the record gives, for a field read straight from it too', async () => {
    const { records } = await analyzeFile(FIX + 'cli-session.pcap', { ports: [3306] });
    const r = records.find((x) => x.event.kind === 'command')!;
    const fa = fieldsOfRecord(r, new TimeBase(), { 'tcp.stream': 42, 'mysql.query': ['a', 'b'], 'tcp.port': undefined });
    expect(fa('tcp.stream')).toEqual([42]);
    expect(fa('mysql.query')).toEqual(['a', 'b']);
    expect(fa('tcp.port')).toEqual([r.conn.client.port, r.conn.server.port]);
  });

  it('the time base is set by the first record asked about, whichever field is read', async () => {
    const { records } = await analyzeFile(FIX + 'cli-session.pcap', { ports: [3306] });
    const time = new TimeBase();
    fieldsOfRecord(records[3]!, time)('mysql.query');
    expect(time.of(records[0]!)).toEqual(records[3]!.conn.firstTs);
  });

  it('a compiled -Y filter gives the same verdicts as one over the map of all fields', async () => {
    const { records } = await analyzeFile(FIX + 'cli-session.pcap', { ports: [3306] });
    const filters = ['mysql.query contains "notes"', 'tcp.port == 3306 and mysql.direction == "response"', 'frame.number > 20 && mysql.kind == "ok"',
      'mysql.fingerprint contains "select"', 'ip.addr == 127.0.0.1', 'mysql.frames == 9', 'not mysql.query'];
    for (const text of filters) {
      const f = compileRecordFilter(text);
      const time = new TimeBase();
      const want = records.filter((r) => {
        const m = buildMap(r, time, undefined);
        return f.compiled.test((n) => m.get(n) ?? []);
      }).map((r) => r.id);
      expect(records.filter((r) => f(r)).map((r) => r.id), text).toEqual(want);
      expect(want.length, text).toBeGreaterThan(0);
    }
  });
});
