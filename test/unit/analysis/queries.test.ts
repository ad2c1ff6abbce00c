/**
 * The query log (analysis/queries.ts, cli/queries.ts) on the real fixtures. Expected values were checked by hand
 * against the fixtures' general query logs (test/fixtures/*.general.log) and tshark's frame times.
 */
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/index.js';
import type { Exchange } from '../../../src/model/exchange.js';
import { compileRecordFilter } from '../../../src/filter/index.js';
import { BufferedSink } from '../../../src/output/sink.js';
import { queryLineWriter } from '../../../src/cli/queries.js';
import { csvField, CSV_COLUMNS, fixed3, msBetween, msBetweenJson, notableFlags, QueryJsonWriter, queryRow, secondsJson, utcTime, type QueryRow } from '../../../src/analysis/queries.js';
import { tsToSeconds } from '../../../src/core/time.js';
import { parseQueriesOptions, runQueries } from '../../../src/cli/queries.js';
import { UsageError } from '../../../src/cli/read.js';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { StringSink } from '../../../src/output/sink.js';
import { SERVER } from '../../../src/mysql/constants/status.js';

const FIX = 'test/fixtures/';
const stdin = new PassThrough();

async function exchanges(file: string): Promise<Exchange[]> {
  const out: Exchange[] = [];
  await analyze({ kind: 'file', path: FIX + file }, { onExchange: (x) => out.push(x) }, () => {});
  return out;
}

async function rows(file: string): Promise<QueryRow[]> {
  return (await exchanges(file)).map(queryRow);
}

async function run(file: string, format: string, filter?: string): Promise<{ code: number; out: string; err: string }> {
  const stdout = new StringSink();
  let err = '';
  const opts = filter !== undefined ? { format, displayFilter: filter } : { format };
  const c = parseQueriesOptions(FIX + file, opts, stdin, (t) => compileRecordFilter(t));
  const code = await runQueries(c, { stdout, stderr: (s) => (err += s) });
  return { code, out: stdout.toString(), err };
}

/** A small RFC 4180 reader (quoted fields, doubled quotes, CRLF records) to read our CSV back. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let rec: string[] = [];
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === ',') { rec.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { rec.push(field); records.push(rec); rec = []; field = ''; i += 2; continue; }
    field += c; i++;
  }
  if (field !== '' || rec.length > 0) { rec.push(field); records.push(rec); }
  return records;
}

const JSON_KEYS = [
  'ts', 'conn', 'client', 'server', 'thread_id', 'user', 'schema', 'command', 'sql', 'params', 'latency_ms', 'ttfb_ms',
  'rows', 'affected_rows', 'bytes_in', 'bytes_out', 'status', 'error_code', 'error_message',
];

describe('queries: multi-connections.pcap (4 connections, SELECT … SLEEP(x) workers)', () => {
  it('one row per statement; each SLEEP(x) took at least x', async () => {
    const rs = await rows('multi-connections.pcap');
    expect(rs).toHaveLength(16); // 12 worker SELECTs + 4 customer lookups (the 4 QUITs get no response, no exchange)
    for (const r of rs) {
      expect(r).toMatchObject({ command: 'COM_QUERY', user: 'app', schema: 'shop', status: 'ok', rows: 1, affected_rows: 0, params: null });
      expect(r.latency_ms).not.toBeNull();
      expect(r.ttfb_ms).toBe(r.latency_ms); // one response message each
      const m = /SLEEP\((\d+\.\d+)\)/.exec(r.sql);
      if (m) {
        expect(r.latency_ms!).toBeGreaterThanOrEqual(Number(m[1]) * 1000);
        expect(r.latency_ms!).toBeLessThan(Number(m[1]) * 1000 + 5);
        expect(r.bytes_in).toBe(78); // 4-byte header + COM_QUERY byte + 73 characters of SQL
      }
    }
    const slow = rs.find((r) => r.sql.includes('SLEEP(0.027)'))!;
    expect(slow.latency_ms).toBeGreaterThanOrEqual(27);
    expect(slow.latency_ms).toBeCloseTo(27.277, 3); // tshark: frame 51 (request) → frame 52 (result set)
    expect(slow).toMatchObject({ conn: 1, client: '127.0.0.1:38152', server: '127.0.0.1:3306', thread_id: 18 });
    // thread ids follow the general log: worker N ran on thread 17 + N
    for (const r of rs) {
      const w = /^SELECT (\d) AS worker/.exec(r.sql);
      if (w) expect(r.thread_id).toBe(17 + Number(w[1]));
    }
    expect(rs.filter((r) => r.sql.startsWith('SELECT id, name FROM customers')).map((r) => r.thread_id).sort()).toEqual([17, 18, 19, 20]);
  });

  it('ts is the request time in epoch seconds', async () => {
    const xs = await exchanges('multi-connections.pcap');
    const r = queryRow(xs[0]!);
    expect(r.ts).toBeCloseTo(xs[0]!.request.ts.sec + xs[0]!.request.ts.nsec / 1e9, 6);
    expect(utcTime(xs[0]!.request.ts)).toBe('2026-11-21 05:22:52.712789');
  });

  it('fixed3 is toFixed(3) (synthetic numbers: latencies from nanoseconds, ties, integers, any double)', () => {
    const fromNs = fc.integer({ min: -1e12, max: 2e15 }).map((ns) => ns / 1e6);
    const ties = fc.integer({ min: 0, max: 1e9 }).map((k) => (k + 0.5) / 1000);
    const ints = fc.integer({ min: 0, max: 2e6 }).map((k) => k / 1000);
    fc.assert(fc.property(fc.oneof(fromNs, ties, ints, fc.double({ noNaN: true })), (v) => {
      expect(fixed3(v)).toBe(v.toFixed(3));
    }), { numRuns: 20000 });
    for (const v of [0, 0.0005, 0.0015, 999999.9995, 1e6, 1.0005, 2.675, -0, 1e21, Infinity]) expect(fixed3(v)).toBe(v.toFixed(3));
  });

  it('utcTime (synthetic times, the same second again and again or not): the Date formatting, microseconds cut', () => {
    const second = fc.integer({ min: 0, max: 4_102_444_800 });
    fc.assert(fc.property(fc.array(fc.tuple(fc.oneof(second, fc.constant(1_795_000_000)), fc.integer({ min: 0, max: 999_999_999 })), { minLength: 1 }), (ts) => {
      for (const [sec, nsec] of ts) {
        const iso = new Date(sec * 1000 + Math.floor(nsec / 1e6)).toISOString();
        const want = `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}`;
        expect(utcTime({ sec, nsec })).toBe(want);
      }
    }));
  });
});

describe('queries: cli-session.pcap (mariadb CLI session)', () => {
  it('errors, affected rows, rows, several result sets', async () => {
    const rs = await rows('cli-session.pcap');
    const by = (sql: string): QueryRow => rs.find((r) => r.sql === sql)!;
    expect(by('SELECT * FROM no_such_table')).toMatchObject({ status: 'error', error_code: 1146, error_message: "Table 'shop.no_such_table' doesn't exist", rows: 0 });
    expect(rs.filter((r) => r.status === 'error')).toHaveLength(1);
    expect(by("INSERT INTO notes (body, lang) VALUES ('Grüezi from Zürich', 'de'), ('こんにちは、東京', 'ja'), (NULL, NULL), ('party 🎉', 'en')").affected_rows).toBe(4);
    expect(by("UPDATE notes SET lang = 'xx' WHERE lang IS NULL").affected_rows).toBe(1);
    expect(by("DELETE FROM notes WHERE lang = 'en'").affected_rows).toBe(1);
    expect(by('SELECT id, body, lang FROM notes ORDER BY id').rows).toBe(3); // 4 inserted, 1 deleted
    expect(by('show databases').rows).toBe(3);
    const two = by("SELECT 1 AS one; SELECT 'zwei' AS two, NULL AS nothing");
    expect(two.rows).toBe(2);
    expect(two.ttfb_ms!).toBeLessThan(two.latency_ms!); // first result set ends before the second
    // commands without SQL are there too, with sql ''
    expect(rs.filter((r) => r.command === 'COM_FIELD_LIST')).toHaveLength(3);
    expect(rs.find((r) => r.command === 'COM_INIT_DB')).toMatchObject({ sql: '', params: null, status: 'ok' });
    // the schema follows USE inventory
    expect(by('SELECT sku, label, amount FROM stock ORDER BY sku')).toMatchObject({ schema: 'inventory', rows: 3 });
  });
});

describe('queries: commands.pcap (admin commands, prepared statements, a killed query)', () => {
  it('EXECUTE shows the prepared SQL with its values, as the server logged it', async () => {
    const rs = await rows('commands.pcap');
    const execs = rs.filter((r) => r.command === 'COM_STMT_EXECUTE' && r.conn === 3);
    expect(execs.map((r) => r.sql)).toContain("SELECT id, name, city, email FROM customers WHERE id >= 2 AND name <> 'nobody' ORDER BY id");
    expect(execs.map((r) => r.sql)).toContain("SELECT id, name, city, email FROM customers WHERE id >= 1 AND name <> 'Bob' ORDER BY id");
    expect(execs.map((r) => r.sql)).toContain("INSERT INTO orders (customer_id, item, qty, price, note) VALUES (2, 'Matcha', 3, '9.90', NULL)");
    expect(execs.map((r) => r.sql)).toContain("DELETE FROM orders WHERE item = 'Matcha'");
    const ins = execs.find((r) => r.sql.startsWith('INSERT'))!;
    expect(ins.params).toEqual(['2', 'Matcha', '3', '9.90', null]);
    expect(ins.affected_rows).toBe(1);
    expect(execs.find((r) => r.sql.includes("'nobody'"))).toMatchObject({ params: ['2', 'nobody'], rows: 3 });
    // a parameter sent by SEND_LONG_DATA
    expect(rs.find((r) => r.command === 'COM_STMT_EXECUTE' && r.sql.startsWith('UPDATE orders SET note = <long data>'))!.params).toEqual(['<long data>', '4']);
  });

  it('no response, errors, admin commands, flags', async () => {
    const xs = await exchanges('commands.pcap');
    const rs = xs.map(queryRow);
    // SELECT SLEEP(30) was killed by another connection: the capture has no answer
    expect(rs.find((r) => r.sql === 'SELECT SLEEP(30) AS slept')).toMatchObject({
      status: 'no_response', latency_ms: null, ttfb_ms: null, bytes_out: 0, error_code: null, conn: 0, thread_id: 12,
    });
    expect(rs.find((r) => r.sql === 'SELECT 1; SELECT 2')).toMatchObject({ status: 'error', error_code: 1064 });
    expect(rs.filter((r) => r.command === 'COM_PING')).toHaveLength(3);
    expect(rs.filter((r) => r.command === 'COM_PING').every((r) => r.sql === '' && r.status === 'ok')).toBe(true);
    expect(rs.find((r) => r.command === 'COM_STATISTICS')).toMatchObject({ user: 'admin', schema: null, thread_id: 13 });
    // the EXECUTE of an unindexed full scan carries SERVER_QUERY_NO_INDEX_USED
    const i = rs.findIndex((r) => r.command === 'COM_STMT_EXECUTE' && r.sql === 'SELECT id, name, city, created FROM customers ORDER BY id');
    expect(notableFlags(xs[i]!.serverStatus)).toEqual(['no_index_used']);
    expect(rs[i]!.params).toEqual([]);
  });

  it('notableFlags', () => {
    expect(notableFlags(SERVER.QUERY_NO_INDEX_USED | SERVER.QUERY_WAS_SLOW | SERVER.STATUS_AUTOCOMMIT)).toEqual(['no_index_used', 'slow']);
    expect(notableFlags(SERVER.QUERY_NO_GOOD_INDEX_USED)).toEqual(['no_good_index_used']);
    expect(notableFlags(SERVER.STATUS_AUTOCOMMIT)).toEqual([]);
  });
});

describe('myshark queries output', () => {
  it('-T json: one object per exchange with exactly the documented keys', async () => {
    const { code, out } = await run('commands.pcap', 'json');
    expect(code).toBe(EXIT.OK);
    const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength((await exchanges('commands.pcap')).length);
    for (const o of lines) {
      expect(Object.keys(o)).toEqual(JSON_KEYS);
      expect(typeof o.ts).toBe('number');
      expect(['ok', 'error', 'no_response']).toContain(o.status);
    }
  });

  it('-T csv: header, RFC 4180 quoting, CRLF, same values as JSON', async () => {
    const csv = (await run('cli-session.pcap', 'csv')).out;
    const json = (await run('cli-session.pcap', 'json')).out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(csv.startsWith(`${CSV_COLUMNS.join(',')}\r\n`)).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const recs = parseCsv(csv);
    expect(recs[0]).toEqual([...CSV_COLUMNS]);
    expect(recs).toHaveLength(json.length + 1);
    recs.slice(1).forEach((rec, i) => {
      expect(rec).toHaveLength(CSV_COLUMNS.length);
      const o = json[i]!;
      expect(rec[CSV_COLUMNS.indexOf('sql')]).toBe(o.sql);
      expect(rec[CSV_COLUMNS.indexOf('status')]).toBe(o.status);
      expect(rec[CSV_COLUMNS.indexOf('error_message')]).toBe(o.error_message ?? '');
      expect(Number(rec[CSV_COLUMNS.indexOf('ts')])).toBeCloseTo(o.ts as number, 5);
      expect(rec[CSV_COLUMNS.indexOf('latency_ms')]).toBe(o.latency_ms === null ? '' : String(o.latency_ms));
    });
    // a statement with commas and quotes survives the round trip
    expect(recs.some((r) => r[8] === "UPDATE notes SET lang = 'xx' WHERE lang IS NULL")).toBe(true);
    expect(recs.some((r) => r[8]!.includes(', ') && r[8]!.startsWith('INSERT INTO notes'))).toBe(true);
  });

  it('csvField', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(1.5)).toBe('1.5');
  });

  it('-T text: one line per exchange with time, connection, user@schema, latency, status and SQL', async () => {
    const { out } = await run('commands.pcap', 'text');
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength((await exchanges('commands.pcap')).length);
    expect(lines.find((l) => l.includes('SELECT SLEEP(30)'))).toMatch(/#0 127\.0\.0\.1:38100  app@shop  COM_QUERY  - ttfb -  rows=0  in=30 out=0  no response  SELECT SLEEP\(30\) AS slept$/);
    expect(lines.find((l) => l.includes('SELECT 1; SELECT 2'))).toContain('error 1064: You have an error in your SQL syntax');
    expect(lines.find((l) => l.includes('[no_index_used]'))).toContain('COM_STMT_EXECUTE');
    expect(lines.find((l) => l.includes("'Matcha', 3"))).toContain('affected=1');
    expect(lines[0]).toMatch(/^2026-11-21 05:22:50\.\d{6}  #1 127\.0\.0\.1:38104  admin@-  COM_PING  0\.0\d\dms ttfb/);
  });

  it('-Y keeps the exchanges whose request matches; none matching → exit 1', async () => {
    const one = await run('multi-connections.pcap', 'json', 'tcp.stream == 2');
    expect(one.code).toBe(EXIT.OK);
    const rs = one.out.trimEnd().split('\n').map((l) => JSON.parse(l) as QueryRow);
    expect(rs).toHaveLength(4);
    expect(rs.every((r) => r.conn === 2 && r.thread_id === 19)).toBe(true);
    const q = await run('multi-connections.pcap', 'json', 'mysql.query contains "customers"');
    expect(q.out.trimEnd().split('\n')).toHaveLength(4);
    const none = await run('multi-connections.pcap', 'text', 'mysql.query contains "nothing-like-this"');
    expect(none.code).toBe(EXIT.FINDINGS);
    expect(none.out).toBe('');
    expect(none.err).toContain('no exchange');
  });

  it('usage errors', () => {
    expect(() => parseQueriesOptions(undefined, {}, stdin)).toThrow(UsageError);
    expect(() => parseQueriesOptions('x.pcap', { format: 'xml' }, stdin)).toThrow(/-T csv/);
    expect(() => parseQueriesOptions('x.pcap', { displayFilter: 'x' }, stdin)).toThrow(/-Y/);
    expect(parseQueriesOptions('x.pcap', { decodePort: ['3307'] }, stdin)).toMatchObject({ ports: [3306, 3307], format: 'text', autoDetect: true });
  });

  it('a missing file: exit 2', async () => {
    const missing = await run('does-not-exist.pcap', 'text');
    expect(missing.code).toBe(EXIT.USAGE);
  });
});

describe('msBetween (integer nanoseconds)', () => {
  it('msBetween equals the decimal millisecond value rounded to the nanosecond (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 4e9 }), fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 0, max: 9e6 }), fc.integer({ min: 0, max: 999_999_999 }),
      (sec, nsec, dsec, dnsec) => {
        const a = { sec, nsec };
        const total = BigInt(sec) * 1_000_000_000n + BigInt(nsec) + BigInt(dsec) * 1_000_000_000n + BigInt(dnsec);
        const b = { sec: Number(total / 1_000_000_000n), nsec: Number(total % 1_000_000_000n) };
        const ns = BigInt(dsec) * 1_000_000_000n + BigInt(dnsec);
        const decimal = `${ns / 1_000_000n}.${String(ns % 1_000_000n).padStart(6, '0')}`;
        expect(msBetween(a, b)).toBe(Number(decimal));
      }));
  });
});

describe('rows counted, not decoded (limits.maxRowsKept = 0, as queries/digest/diagnose run)', () => {
  it('every fixture: the same exchanges, row counts, statuses and anomalies as with rows decoded', async () => {
    const { fixtures } = JSON.parse(readFileSync(FIX + 'fixtures.json', 'utf8')) as { fixtures: { file: string; serverPorts: number[] }[] };
    let rowsSeen = 0;
    for (const { file, serverPorts } of fixtures) {
      const run = async (maxRowsKept?: number): Promise<{ rows: string[]; anomalies: number; issues: number }> => {
        const xs: string[] = [];
        const totals = await analyze({ kind: 'file', path: FIX + file }, {
          ports: serverPorts, ...(maxRowsKept !== undefined ? { limits: { maxRowsKept } } : {}),
          onExchange: (x) => xs.push(JSON.stringify(queryRow(x))),
        }, () => {});
        return { rows: xs, anomalies: totals.anomalies, issues: totals.issues };
      };
      const full = await run();
      const counted = await run(0);
      expect(counted, file).toEqual(full);
      rowsSeen += full.rows.reduce((n, r) => n + (JSON.parse(r) as QueryRow).rows, 0);
    }
    expect(rowsSeen).toBeGreaterThan(1000);
  });
});

describe('QueryJsonWriter (the -T json line, built without JSON.stringify of a row object)', () => {
  it('every fixture: each line is exactly JSON.stringify(queryRow(x)); written in place into a sink, the output is those lines', async () => {
    const { fixtures } = JSON.parse(readFileSync(FIX + 'fixtures.json', 'utf8')) as { fixtures: { file: string; serverPorts: number[] }[] };
    let lines = 0;
    for (const { file, serverPorts } of fixtures) {
      const w = new QueryJsonWriter();
      const expected: string[] = [];
      // A small buffer, reused after every chunk (out says it is done with it): lines straddle chunk boundaries.
      const chunks: string[] = [];
      const sink = new BufferedSink((c) => chunks.push(typeof c === 'string' ? c : Buffer.from(c).toString('utf8')) > 0, 700);
      const log = queryLineWriter('json', sink);
      await analyze({ kind: 'file', path: FIX + file }, {
        ports: serverPorts, limits: { maxRowsKept: 0 },
        onExchange: (x) => {
          expected.push(JSON.stringify(queryRow(x)));
          expect(w.line(x), file).toBe(expected.at(-1));
          log.onExchange(x);
          lines++;
        },
      }, () => {});
      sink.flush();
      expect(chunks.join(''), file).toBe(expected.map((l) => `${l}\n`).join(''));
    }
    expect(lines).toBeGreaterThan(250);
  });

  it('times written from their integers are the text JSON.stringify gives the doubles (property)', () => {
    const sec = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 1_500_000_000, max: 1_900_000_000 }), fc.constantFrom(0, 1, 2 ** 19 - 1, 2 ** 19, 2 ** 31, 2 ** 32 - 1, 2 ** 32));
    const nsec = fc.oneof(fc.integer({ min: 0, max: 999_999 }).map((u) => u * 1000), fc.integer({ min: 0, max: 999_999_999 }), fc.constantFrom(0, 1000, 999_999_000, 100_000_000, 10_000));
    fc.assert(fc.property(sec, nsec, (s, n) => {
      expect(secondsJson({ sec: s, nsec: n })).toBe(JSON.stringify(tsToSeconds({ sec: s, nsec: n })));
    }), { numRuns: 20_000 });
    fc.assert(fc.property(sec, nsec, fc.integer({ min: -5, max: 200_000 }), nsec, (s, n, ds, n2) => {
      const a = { sec: s, nsec: n };
      const b = { sec: s + ds, nsec: n2 };
      expect(msBetweenJson(a, b)).toBe(JSON.stringify(msBetween(a, b)));
      expect(msBetweenJson(b, a)).toBe(JSON.stringify(msBetween(b, a)));
    }), { numRuns: 20_000 });
    // Microsecond captures of this era, exhaustively over one second's worth of spread-out values.
    for (let u = 0; u < 1_000_000; u += 997) {
      const t = { sec: 1_795_238_244, nsec: u * 1000 };
      expect(secondsJson(t)).toBe(JSON.stringify(tsToSeconds(t)));
    }
  });
});

