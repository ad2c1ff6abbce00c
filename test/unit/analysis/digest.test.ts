/**
 * The digest (analysis/digest.ts, cli/digest.ts) on the real fixtures. Expected values checked by hand from the
 * fixtures' general query logs and from pt-query-digest 3.2.1 run on the same files:
 *   tcpdump -r F -x -n -q -tttt | pt-query-digest --type tcpdump --watch-server 127.0.0.1:3306 --output json --limit 100%
 * (multi-connections.pcap: 'select ? as worker, ? as step, connection_id() as conn, sleep(?) as s' ×12, Query_time
 * sum 0.322308 s, max 0.053344; 'select id, name from customers where id = ?' ×4, sum 0.000985 s.)
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyze } from '../../../src/index.js';
import type { Exchange } from '../../../src/model/exchange.js';
import { adminCommandName, Digest, digestJson, percentile, statementClass, type DigestClass, type GroupBy } from '../../../src/analysis/digest.js';
import { bucketOf, LatencySketch } from '../../../src/analysis/latency-sketch.js';
import { parseDigestOptions, runDigest } from '../../../src/cli/digest.js';
import { UsageError } from '../../../src/cli/read.js';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { compileRecordFilter } from '../../../src/filter/index.js';
import { COM } from '../../../src/mysql/constants/commands.js';
import type { Command } from '../../../src/mysql/messages/types.js';
import { StringSink } from '../../../src/output/sink.js';

const FIX = 'test/fixtures/';
const stdin = new PassThrough();

async function exchanges(file: string): Promise<Exchange[]> {
  const out: Exchange[] = [];
  await analyze({ kind: 'file', path: FIX + file }, { onExchange: (x) => out.push(x) }, () => {});
  return out;
}

async function digestOf(file: string, groupBy: GroupBy = 'fingerprint'): Promise<DigestClass[]> {
  const d = new Digest({ groupBy });
  for (const x of await exchanges(file)) d.add(x);
  return d.result();
}

async function run(file: string, args: { format?: string; groupBy?: string; displayFilter?: string }) {
  const stdout = new StringSink();
  let err = '';
  const code = await runDigest(parseDigestOptions(FIX + file, args, stdin, (t) => compileRecordFilter(t)), { stdout, stderr: (s) => (err += s) });
  return { code, out: stdout.toString(), err };
}

describe('digest by fingerprint', () => {
  it('multi-connections.pcap: the classes, counts and times of pt-query-digest', async () => {
    const cs = await digestOf('multi-connections.pcap');
    expect(cs.map((c) => [c.key, c.count])).toEqual([
      ['select ? as worker, ? as step, connection_id() as conn, sleep(?) as s', 12],
      ['select id, name from customers where id = ?', 4],
    ]);
    const w = cs[0]!;
    expect(w.total_ms).toBeCloseTo(322.308, 3); // pt: Query_time sum 0.322308
    expect(w.max_ms).toBeCloseTo(53.344, 3); // pt: max 0.053344; SLEEP(0.053)
    expect(w.mean_ms).toBeCloseTo(322.308 / 12, 3);
    // the 12 latencies sorted: 0.194 7.142 13.145 14.194 20.242 26.280 27.277 33.243 40.253 40.800 46.194 53.344
    expect(w.p50_ms).toBeCloseTo(26.28, 3); // nearest rank 6 of 12
    expect(w.p95_ms).toBeCloseTo(53.344, 3); // rank 12
    expect(w.p99_ms).toBeCloseTo(53.344, 3);
    expect(w).toMatchObject({ rows: 12, errors: 0, no_response: 0, exact: true, timed: 12 });
    expect(w.example).toBe('SELECT 3 AS worker, 2 AS step, CONNECTION_ID() AS conn, SLEEP(0.053) AS s'); // the slowest
    expect(w.example_ms).toBeCloseTo(53.344, 3);
    expect(w.first_seen).toBeCloseTo(1795238572.712789, 5);
    expect(w.last_seen).toBeCloseTo(1795238572.807347, 5);
    expect(cs[1]!.total_ms).toBeCloseTo(0.985, 3); // pt: 0.000985
  });

  it('cli-session.pcap: case folded, errors and rows counted, COM_* as administrator commands', async () => {
    const cs = await digestOf('cli-session.pcap');
    const by = (k: string): DigestClass => cs.find((c) => c.key === k)!;
    expect(by('show databases')).toMatchObject({ count: 3, rows: 9 }); // 'show databases' ×2 + 'SHOW DATABASES'
    expect(by('show tables')).toMatchObject({ count: 2, rows: 3 });
    expect(by('select * from no_such_table')).toMatchObject({ count: 1, errors: 1 });
    expect(cs.reduce((s, c) => s + c.errors, 0)).toBe(1);
    expect(by('administrator command: Field_list').count).toBe(3);
    expect(by('administrator command: Init_db').count).toBe(1);
    expect(by('delete from notes where lang = ?').affected_rows).toBe(1);
    // sorted by total time, slowest first
    for (let i = 1; i < cs.length; i++) expect(cs[i - 1]!.total_ms).toBeGreaterThanOrEqual(cs[i]!.total_ms);
    expect(cs[0]!.key).toMatch(/^create table notes/); // 1.664 ms, as pt-query-digest ranks it
  });

  it('commands.pcap: prepare / execute classes, no response', async () => {
    const cs = await digestOf('commands.pcap');
    const by = (k: string): DigestClass => cs.find((c) => c.key === k)!;
    expect(by('execute select id, name, city, email from customers where id >= ? and name <> ? order by id')).toMatchObject({ count: 2, rows: 6 });
    expect(by('prepare update orders set note = ? where id = ?').count).toBe(3); // pt-query-digest: 3 too
    expect(by('execute select id, item, qty, price from orders where qty >= ? order by id')).toMatchObject({ count: 2, rows: 5 });
    expect(by('administrator command: Ping').count).toBe(3);
    expect(by('administrator command: Statistics').count).toBe(2);
    expect(by('administrator command: Stmt_fetch')).toMatchObject({ count: 3, rows: 4 });
    expect(by('administrator command: Refresh').max_ms).toBeCloseTo(2.207, 3);
    expect(by('select ?; select ?').errors).toBe(1);
    const killed = by('select sleep(?) as slept');
    expect(killed).toMatchObject({ count: 1, no_response: 1, timed: 0, total_ms: 0, mean_ms: null, p50_ms: null, p95_ms: null, max_ms: null });
    expect(killed.example).toBe('SELECT SLEEP(30) AS slept');
    expect(cs.reduce((s, c) => s + c.count, 0)).toBe((await exchanges('commands.pcap')).length);
  });
});

describe('digest --group-by', () => {
  it('user, schema, client, connection', async () => {
    const users = await digestOf('commands.pcap', 'user');
    expect(users.map((c) => [c.key, c.count])).toEqual([['app', 29], ['admin', 22]]);
    const schemas = await digestOf('commands.pcap', 'schema');
    expect(schemas.map((c) => [c.key, c.count])).toEqual([['shop', 45], ['', 6]]); // admin before its INIT_DB: none
    expect(digestJson(schemas[1]!, 'schema').schema).toBeNull();
    const clients = await digestOf('commands.pcap', 'client');
    expect(clients.map((c) => [c.key, c.count])).toEqual([['127.0.0.1', 51]]);
    const conns = await digestOf('multi-connections.pcap', 'connection');
    expect(conns.map((c) => c.key).sort()).toEqual(['0', '1', '2', '3']);
    expect(conns.every((c) => c.count === 4)).toBe(true);
    // worker 3 slept longest: 39 + 46 + 53 ms
    expect(conns[0]).toMatchObject({ key: '3', label: '127.0.0.1:38170' });
    expect(conns[0]!.total_ms).toBeGreaterThan(39 + 46 + 53);
    expect(digestJson(conns[0]!, 'connection')).toMatchObject({ connection: 3, client: '127.0.0.1:38170', count: 4 });
  });
});

describe('myshark digest output', () => {
  it('-T json: NDJSON, the group key under its own name, the documented figures', async () => {
    for (const g of ['fingerprint', 'user', 'schema', 'client', 'connection']) {
      const { code, out } = await run('commands.pcap', { format: 'json', groupBy: g });
      expect(code).toBe(EXIT.OK);
      const objs = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const o of objs) {
        expect(Object.keys(o)[0]).toBe(g);
        for (const k of ['count', 'total_ms', 'mean_ms', 'p50_ms', 'p95_ms', 'p99_ms', 'max_ms', 'rows', 'errors', 'first_seen', 'last_seen', 'example']) {
          expect(o).toHaveProperty(k);
        }
        expect(o).not.toHaveProperty('key');
      }
      expect(objs.reduce((s, o) => s + (o.count as number), 0)).toBe(51);
    }
  });

  it('-T text: summary, header, rows by total time, examples', async () => {
    const { code, out } = await run('multi-connections.pcap', {});
    expect(code).toBe(EXIT.OK);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('16 exchanges in 2 groups by fingerprint, 323.293 ms in total (times in ms; first/last seen UTC)');
    expect(lines[1]).toMatch(/^rank\s+time%\s+count\s+total_ms\s+mean_ms\s+p50_ms\s+p95_ms\s+p99_ms\s+max_ms\s+rows\s+errors\s+no_resp\s+first_seen\s+last_seen\s+fingerprint$/);
    expect(lines[2]).toMatch(/^\s+1\s+99\.7%\s+12\s+322\.308\s+26\.859\s+26\.280\s+53\.344\s+53\.344\s+53\.344\s+12\s+0\s+0\s+05:22:52\.712\s+05:22:52\.807\s+select \? as worker/);
    expect(lines[3]).toBe('      example (53.344 ms): SELECT 3 AS worker, 2 AS step, CONNECTION_ID() AS conn, SLEEP(0.053) AS s');
    expect(lines[4]).toMatch(/^\s+2\s+0\.3%\s+4\s+0\.985/);
  });

  it('-Y, usage errors', async () => {
    const f = await run('multi-connections.pcap', { format: 'json', displayFilter: 'tcp.stream == 0' });
    expect(f.out.trimEnd().split('\n').map((l) => (JSON.parse(l) as { count: number }).count)).toEqual([3, 1]);
    const none = await run('multi-connections.pcap', { displayFilter: 'tcp.stream == 99' });
    expect(none.code).toBe(EXIT.FINDINGS);
    expect(() => parseDigestOptions('x.pcap', { groupBy: 'table' }, stdin)).toThrow(UsageError);
    expect(() => parseDigestOptions('x.pcap', { format: 'csv' }, stdin)).toThrow(UsageError);
  });
});

describe('statement classes', () => {
  const cmd = (command: number, query?: string): Command => (query !== undefined ? { kind: 'command', command, query } : { kind: 'command', command });
  it('pt-query-digest names', () => {
    expect(adminCommandName(COM.PING)).toBe('administrator command: Ping');
    expect(adminCommandName(COM.INIT_DB)).toBe('administrator command: Init_db');
    expect(adminCommandName(COM.STMT_FETCH)).toBe('administrator command: Stmt_fetch');
    expect(statementClass(cmd(COM.QUERY, 'SELECT * FROM t WHERE id IN (1,2,3)'))).toBe('select * from t where id in(?+)');
    expect(statementClass(cmd(COM.STMT_PREPARE, 'SELECT a FROM t WHERE b = ?'))).toBe('prepare select a from t where b = ?');
    expect(statementClass(cmd(COM.STMT_EXECUTE, 'SELECT a FROM t WHERE b = ?'))).toBe('execute select a from t where b = ?');
    expect(statementClass(cmd(COM.STMT_EXECUTE))).toBe('execute (unknown statement)');
  });
});

describe('bounded latencies', () => {
  it('percentile: nearest rank', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 0.5)).toBe(50);
    expect(percentile(v, 0.95)).toBe(95);
    expect(percentile(v, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeUndefined();
  });

  it('the latency sketch: exact up to max, then 4-digit buckets (relative error < 0.1%), the same however split and merged (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 5e10 }), { maxLength: 300 }), fc.integer({ min: 1, max: 120 }), fc.nat(), (vs, max, cut) => {
      const whole = new LatencySketch(max);
      for (const v of vs) whole.add(v);
      const k = vs.length === 0 ? 0 : cut % (vs.length + 1);
      const a = new LatencySketch(max);
      const b = new LatencySketch(max);
      for (const v of vs.slice(0, k)) a.add(v);
      for (const v of vs.slice(k)) b.add(v);
      a.merge(LatencySketch.fromJSON(JSON.parse(JSON.stringify(b.toJSON()))));
      const ps = [0.01, 0.5, 0.95, 0.99, 1];
      expect(a.percentiles(ps)).toEqual(whole.percentiles(ps));
      expect(a.exact).toBe(whole.exact);
      expect(whole.exact).toBe(vs.length <= max);
      const sorted = [...vs].sort((x, y) => x - y);
      ps.forEach((p, i) => {
        const got = whole.percentiles(ps)[i];
        const want = percentile(sorted, p);
        if (want === undefined) return expect(got).toBeUndefined();
        expect(got!).toBeLessThanOrEqual(want);
        expect(want - got!).toBeLessThanOrEqual(Math.max(0, want * 0.001));
      });
    }));
  });

  it('bucketOf keeps 4 significant digits, also next to powers of ten', () => {
    expect(bucketOf(9_999)).toBe(9_999);
    expect(bucketOf(12_345_678)).toBe(12_340_000);
    expect(bucketOf(999_999_999)).toBe(999_900_000);
    expect(bucketOf(1_000_000_000)).toBe(1_000_000_000);
    expect(bucketOf(1_000_000_001)).toBe(1_000_000_000);
  });

  it('a digest over more statements than maxSamples: count, total, max exact; percentiles from the histogram', async () => {
    const base = (await exchanges('multi-connections.pcap')).find((x) => x.request.event.kind === 'command' && x.request.event.query?.startsWith('SELECT id'))!;
    const d = new Digest({ maxSamples: 50 });
    for (let i = 1; i <= 2000; i++) {
      const end = { sec: base.request.lastTs.sec + Math.floor(i / 1000), nsec: base.request.lastTs.nsec };
      // latency i ms (the nanoseconds overflow handled by moving whole seconds)
      const ns = base.request.lastTs.nsec + (i % 1000) * 1_000_000;
      const endTs = { sec: end.sec + Math.floor(ns / 1e9), nsec: ns % 1e9 };
      d.add({ ...base, endTs, firstResponseTs: endTs });
    }
    const [c] = d.result();
    expect(c!.count).toBe(2000);
    expect(c!.exact).toBe(false);
    expect(c!.max_ms).toBeCloseTo(2000, 3);
    expect(c!.total_ms).toBeCloseTo((2000 * 2001) / 2, 0);
    // Latencies 1..2000 ms: the nearest-rank p50 is 1000 ms, read from its 4-digit bucket.
    expect(c!.p50_ms!).toBe(1000);
    expect(c!.p95_ms!).toBe(1900);
    expect(c!.total_ms).toBe((2000 * 2001) / 2);
  });
});

describe('commander wiring (as program.ts will add them)', () => {
  it('addQueriesCommand / addDigestCommand parse their options and set the exit code', async () => {
    const { Command } = await import('commander');
    const { addQueriesCommand } = await import('../../../src/cli/queries.js');
    const { addDigestCommand } = await import('../../../src/cli/digest.js');
    const stdout = new StringSink();
    let err = '';
    let code = -1;
    const program = new Command().exitOverride();
    const io = { stdout, stderr: (s: string) => void (err += s), stdin };
    addQueriesCommand(program, io, (c) => (code = c), (t) => compileRecordFilter(t));
    addDigestCommand(program, io, (c) => (code = c), (t) => compileRecordFilter(t));
    await program.parseAsync(['queries', '-T', 'csv', '-d', '3307', '-Y', 'tcp.stream == 1', FIX + 'multi-connections.pcap'], { from: 'user' });
    expect(code).toBe(EXIT.OK);
    expect(stdout.toString().split('\r\n').filter((l) => l !== '')).toHaveLength(1 + 4);
    const out2 = new StringSink();
    io.stdout = out2;
    await program.parseAsync(['digest', '--group-by', 'connection', '-T', 'json', FIX + 'multi-connections.pcap'], { from: 'user' });
    expect(code).toBe(EXIT.OK);
    expect(out2.toString().trimEnd().split('\n')).toHaveLength(4);
    expect(err).toBe('');
  });
});
