/**
 * Filters over a real capture, through the record adapter used by `read -Y`. Expected frame numbers were
 * taken from `tshark -r test/fixtures/cli-session.pcap -Y 'mysql and (FILTER)'` (TShark 4.0.17); myshark
 * lists MySQL messages, so frames without MySQL (TCP handshake, ACKs) are out of scope.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compileFilter, fieldsOfRecord, type FieldAccess } from '../../../src/filter/index.js';
import { analyzeFile, type MySqlRecord } from '../../../src/index.js';
import type { FieldValue } from '../../../src/model/field.js';
import { recordToJson } from '../../../src/output/json.js';
import { TimeBase } from '../../../src/output/summary.js';

let records: MySqlRecord[] = [];
let access: Array<[number, FieldAccess]> = [];

beforeAll(async () => {
  records = (await analyzeFile('test/fixtures/cli-session.pcap', { tree: true })).records;
  const time = new TimeBase();
  access = records.map((r) => [r.frameNo, fieldsOfRecord(r, time)]);
});

function frames(filter: string): number[] {
  const c = compileFilter(filter);
  if (!c.ok) throw new Error(`${c.error.message}\n${c.error.caret}`);
  return [...new Set(access.filter(([, fa]) => c.filter.test(fa)).map(([f]) => f))];
}

const QUERIES = [9, 11, 17, 19, 21, 23, 25, 27, 29, 31, 33, 38, 42, 44, 48, 50, 54, 56];
const SERVER = [4, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 35, 36, 39, 40, 43, 45, 47, 49, 51, 53, 55, 57];
const ALL = [...new Set([...QUERIES, ...SERVER, 6, 13, 15, 46, 52, 58])].sort((a, b) => a - b);

describe('filters on cli-session.pcap (as tshark -Y)', () => {
  it.each([
    ['mysql.query contains "notes"', [19, 21, 23, 25, 27, 56]],
    ['tcp.port == 3306', ALL],
    ['tcp.srcport == 3306', SERVER],
    ['tcp.port != 3306', []],
    ['tcp.port !== 3306', ALL],
    ['mysql.error_code == 1146', [32]],
    ['mysql.response_code == 0xff', [32]],
    ['mysql.command == "Query" and mysql.query matches "(?i)^select"', [17, 27, 29, 31, 38, 44, 54]],
    ['mysql.query matches "select"', [17, 27, 29, 31, 38, 44, 54]],
    ['mysql.query matches "(?-i)select"', [17]],
    ['mysql.command == 3', QUERIES],
    ['mysql.command == Query', QUERIES],
    ['mysql.command in {"Query", 1}', [...QUERIES, 58]],
    ['mysql.command == 1', [58]],
    ['mysql.login_request', [6]],
    ['mysql.server_greeting', [4]],
    ['mysql.version contains "Maria"', [4]],
    ['mysql.caps.cp == 0', [6]],
    ['mysql.stat.ac', SERVER.filter((f) => f !== 32)],
    ['mysql.server_status & 0x0002', SERVER.filter((f) => f !== 32)],
    ['mysql.query[0:6] == "SELECT"', [27, 29, 31, 38, 44, 54]],
    ['mysql.query[-1] == "s"', [9, 11, 48, 50, 56]],
    ['len(mysql.query) > 20', [17, 19, 21, 23, 25, 27, 29, 31, 38, 54, 56]],
    ['count(mysql.field.name) > 2', [14, 16, 28, 30, 34, 35, 53, 55]],
    ['mysql.field.name == "id"', [14, 16, 28, 30, 34, 35]],
    ['mysql.field.name === "id"', []],
    ['mysql.field.name !== "id"', [10, 12, 14, 16, 18, 28, 30, 34, 35, 39, 40, 43, 45, 49, 51, 53, 55]],
    ['mysql.field.type == 3', [14, 16, 28, 30, 34, 35, 39, 53, 55]],
    ['mysql.row.text contains "a"', [10, 18, 28, 30, 34, 35, 43, 49, 55]],
    ['mysql.affected_rows > 0', [22, 24, 26]],
    ['upper(mysql.query) contains "NOTES"', [19, 21, 23, 25, 27, 56]],
    ['string(mysql.error_code) matches "^11"', [32]],
    ['not mysql.query', ALL.filter((f) => !QUERIES.includes(f))],
    ['ip.addr == 127.0.0.0/8', ALL],
  ] as const)('%s', (filter, expected) => {
    expect(frames(filter)).toEqual(expected);
  });

  it('our own fields: direction, kind, connection context, frames', () => {
    expect(frames('mysql.direction == "request"')).toEqual(ALL.filter((f) => !SERVER.includes(f)));
    expect(frames('mysql.kind == "err"')).toEqual([32]);
    expect(frames('mysql.kind == "greeting"')).toEqual([4]);
    expect(frames('mysql.frames == 32')).toEqual([32]);
    expect(frames('tcp.stream == 0')).toEqual(ALL);
    expect(frames('mysql.response_in == 10')).toEqual([9]);
    expect(frames('mysql.response_to == 9')).toEqual([10]);
    expect(frames('mysql.response_to == 31 and mysql.response_time >= 0')).toEqual([32]);
    expect(frames('mysql.fingerprint contains "notes" and mysql.fingerprint[0:6] == "select"')).toEqual([27]);
  });

  it('the adapter gives the same values as the JSON output for every key', () => {
    const time = new TimeBase();
    const time2 = new TimeBase();
    for (const r of records) {
      const json = recordToJson(r, time);
      const fa = fieldsOfRecord(r, time2);
      for (const [k, v] of Object.entries(json)) {
        if (k === 'issues' || k === 'frame.time_epoch' || v === null) continue;
        const ours = fa(k).map((x: FieldValue) => (x instanceof Uint8Array ? Buffer.from(x).toString('hex') : typeof x === 'bigint' ? x.toString() : x));
        const want = Array.isArray(v) ? v : [v];
        if (typeof want[0] === 'string' && /^[0-9a-f]*$/.test(want[0] as string) && ours.length && typeof ours[0] === 'number') continue;
        expect(ours, `${k} of frame ${r.frameNo}`).toEqual(want.map((x) => (typeof x === 'number' && k === 'frame.time_relative' ? expect.closeTo(x, 6) : x)));
      }
    }
  });

  it('the same filters hold on recordToJson-shaped values', () => {
    // A FieldAccess built from `-T json` objects (bytes as hex are not comparable as bytes, so only scalar fields).
    const time = new TimeBase();
    const c = compileFilter('mysql.query contains "notes" and tcp.dstport == 3306');
    if (!c.ok) throw new Error(c.error.message);
    const hits = records
      .filter((r) => {
        const json = recordToJson(r, time);
        return c.filter.test((name) => {
          const v = json[name];
          return v === undefined || v === null ? [] : Array.isArray(v) ? (v as FieldValue[]) : [v as FieldValue];
        });
      })
      .map((r) => r.frameNo);
    expect(hits).toEqual([19, 21, 23, 25, 27, 56]);
  });
});

describe('compileRecordFilter', () => {
  it('is a predicate over records that knows whether it needs the tree', async () => {
    const { compileRecordFilter, DisplayFilterError } = await import('../../../src/filter/index.js');
    const p = compileRecordFilter('tcp.srcport == 3306 and mysql.kind == "err"');
    expect(p.needsTree).toBe(false);
    expect(records.filter(p).map((r) => r.frameNo)).toEqual([32]);
    expect(compileRecordFilter('mysql.query contains "notes"').needsTree).toBe(false); // read from the event (treeless.test.ts)
    expect(compileRecordFilter('mysql.error.message contains "notes"').needsTree).toBe(true);
    expect(() => compileRecordFilter('tcp.prot == 1')).toThrow(DisplayFilterError);
    try {
      compileRecordFilter('tcp.prot == 1');
    } catch (e) {
      expect((e as Error).message).toBe('Unknown field "tcp.prot"; did you mean tcp.port?\ntcp.prot == 1\n^');
    }
  });
});
