/**
 * The whole Pipeline (frames → TCP → MySQL records) on a SYNTHETIC conversation (test/builders/mysql.ts,
 * test/builders/frames.ts): exact records, then properties — the same records however the TCP byte stream is
 * segmented, reordered, duplicated or overlapped — and recovery from a mid-stream start and from a lost segment.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import type { MySqlRecord } from '../../../src/model/record.js';
import type { AnalyzeOptions } from '../../../src/api-types.js';
import {
  framesOf, segmentsOf, standardConversation, STANDARD_EXPECTED, type Chunk, type SegmentSpec,
} from '../../builders/mysql.js';

function run(segs: readonly SegmentSpec[], opts: AnalyzeOptions = { tree: true, hex: true }): { records: MySqlRecord[]; issues: string[] } {
  const records: MySqlRecord[] = [];
  const issues: string[] = [];
  const p = new Pipeline({ ...opts, onIssue: (i) => issues.push(i.code) }, (r) => records.push(r));
  for (const f of framesOf(segs)) p.frame(f);
  p.end();
  return { records, issues };
}

/** The canonical projection compared across segmentations: what a user sees, without frame numbers. */
function project(r: MySqlRecord): Record<string, unknown> {
  const e = r.event;
  const o: Record<string, unknown> = { dir: r.dir, kind: e.kind };
  if (e.kind === 'command') {
    o.command = e.command;
    if (e.query !== undefined) o.query = e.query;
  }
  if (e.kind === 'resultset') {
    o.rowCount = e.rowCount;
    o.columns = e.columns.length;
    o.moreResults = e.moreResults;
    o.end = e.end;
    o.rows = e.rows;
  }
  if (e.kind === 'err') o.code = e.code;
  if (e.kind === 'field_list') o.columns = e.columns.length;
  if (e.kind === 'stmt_prepare_ok') {
    o.columns = e.columns.length;
    o.params = e.params.length;
  }
  if (e.kind === 'handshake_response') {
    o.user = e.user;
    o.schema = e.schema;
  }
  const codes = r.issues.map((i) => i.code);
  if (codes.length > 0) o.issues = codes;
  return o;
}

function expected(): Array<Record<string, unknown>> {
  return STANDARD_EXPECTED.map((x) => ({ ...x }));
}

/** Loose check of the projection against STANDARD_EXPECTED (only the keys the expectation names). */
function expectStandard(records: MySqlRecord[]): void {
  const got = records.map(project);
  expect(got.map((g) => `${String(g.dir)} ${String(g.kind)}`)).toEqual(STANDARD_EXPECTED.map((e) => `${e.dir} ${e.kind}`));
  expected().forEach((e, i) => expect(got[i], `record ${i + 1}`).toMatchObject(e));
  for (const r of records) {
    // Known session bug (pinned by an it.fails in test/unit/mysql/session.test.ts): under CLIENT_DEPRECATE_EOF the
    // 0xFE OK ending a COM_FIELD_LIST response is decoded as an EOF with 2 trailing bytes.
    const issues = r.event.kind === 'field_list' ? r.issues.filter((i) => i.code !== 'mysql.trailing_bytes') : r.issues;
    expect(issues, `record ${r.id} (${r.event.kind})`).toEqual([]);
  }
}

describe('Pipeline: a whole conversation', () => {
  for (const deprecateEof of [false, true]) {
    it(`gives the expected records, fields and frame numbers (CLIENT_DEPRECATE_EOF ${deprecateEof ? 'on' : 'off'})`, () => {
      const cv = standardConversation({ deprecateEof });
      const { records, issues } = run(segmentsOf(cv.chunks));
      expect(issues).toEqual([]);
      expectStandard(records);
      // One chunk per frame after the 3-way handshake: chunk i is frame 4 + i. Responses after request: ordered ids.
      const chunkFrame = (label: string): number => 4 + cv.chunks.findIndex((c) => c.label === label);
      const byKind = (k: string) => records.filter((r) => r.event.kind === k);
      expect(records.map((r) => r.id)).toEqual(records.map((_, i) => i + 1));
      expect(byKind('greeting')[0]!.frameNo).toBe(4);
      expect(byKind('handshake_response')[0]!.frameNo).toBe(5);
      const rs = byKind('resultset');
      expect(rs[0]!.frameNo).toBe(chunkFrame('result set'));
      expect(rs[0]!.lastFrameNo).toBe(chunkFrame('result set'));
      expect(rs[1]!.frameNo).toBe(chunkFrame('CALL results'));
      const r0 = rs[0]!.event;
      if (r0.kind !== 'resultset') throw new Error('kind');
      expect(r0.rows).toEqual([['1', 'alpha'], ['2', null]]);
      expect(r0.columns.map((c) => c.name)).toEqual(['id', 'name']);
      expect(r0.end).toBe(deprecateEof ? 'ok' : 'eof');
      // Packets of the result set: count, 2 column defs, [EOF], 2 rows, end.
      expect(rs[0]!.packets.map((p) => p.seq)).toEqual(deprecateEof ? [1, 2, 3, 4, 5, 6] : [1, 2, 3, 4, 5, 6, 7]);
      // Per-connection context after login.
      const last = records[records.length - 1]!;
      expect([last.connUser, last.connSchema, last.connThreadId]).toEqual(['app', 'shop', 77]);
      // Hex bytes are header + payload of each packet.
      const err = byKind('err')[0]!;
      expect(err.frameNo).toBe(chunkFrame('ERR'));
      const errChunk = cv.chunks.find((c) => c.label === 'ERR')!;
      expect([...err.packets[0]!.bytes!]).toEqual([...errChunk.bytes]);
      const fl = byKind('field_list')[0]!.event;
      if (fl.kind !== 'field_list') throw new Error('kind');
      expect(fl.columns.map((c) => c.name)).toEqual(['id', 'name']);
      const prep = byKind('stmt_prepare_ok')[0]!.event;
      expect(prep).toMatchObject({ stmtId: 1, numColumns: 1, numParams: 2 });
    });
  }

  it('summary mode (no tree, no hex) gives the same records', () => {
    const segs = segmentsOf(standardConversation().chunks);
    const full = run(segs).records.map(project);
    const { records } = run(segs, {});
    expect(records.map(project)).toEqual(full);
    expect(records.every((r) => r.tree === null && r.packets.every((p) => p.bytes === undefined))).toBe(true);
  });
});

// ---------------------------------------------------------------- properties

/** Split each data segment at the given random points (mod its length). */
function splitAt(segs: readonly SegmentSpec[], rnd: readonly number[]): SegmentSpec[] {
  const out: SegmentSpec[] = [];
  let k = 0;
  for (const s of segs) {
    if (s.payload.length < 2) {
      out.push(s);
      continue;
    }
    const n = rnd.length === 0 ? 0 : rnd[k++ % rnd.length]! % 4;
    const pts = new Set<number>();
    for (let j = 0; j < n; j++) pts.add(1 + (rnd[(k + j) % rnd.length]! % (s.payload.length - 1)));
    k += n;
    let prev = 0;
    for (const p of [...[...pts].sort((a, b) => a - b), s.payload.length]) {
      out.push({ ...s, seq: (s.seq + prev) >>> 0, payload: s.payload.subarray(prev, p) });
      prev = p;
    }
  }
  return out;
}

/**
 * Within each flight (a run of data segments from one side; the other side sends nothing meanwhile, so no ACK
 * can declare a hole lost), shuffle the segments, duplicate some, and add overlapping retransmissions.
 */
function mangle(segs: readonly SegmentSpec[], rnd: readonly number[]): SegmentSpec[] {
  const out: SegmentSpec[] = [];
  let k = 0;
  const next = (): number => (rnd.length === 0 ? 0 : rnd[k++ % rnd.length]!);
  let i = 0;
  while (i < segs.length) {
    const s = segs[i]!;
    if (s.payload.length === 0) {
      out.push(s);
      i++;
      continue;
    }
    let j = i;
    while (j < segs.length && segs[j]!.dir === s.dir && segs[j]!.payload.length > 0) j++;
    const flight = segs.slice(i, j);
    const base = flight[0]!.seq;
    const all = new Uint8Array(flight.reduce((n, f) => n + f.payload.length, 0));
    let o = 0;
    for (const f of flight) {
      all.set(f.payload, o);
      o += f.payload.length;
    }
    const extra: SegmentSpec[] = [];
    for (const f of flight) if (next() % 4 === 0) extra.push(f); // duplicate
    if (all.length > 1 && next() % 2 === 0) {
      const a = next() % all.length;
      const b = a + 1 + (next() % (all.length - a));
      extra.push({ ...s, seq: (base + a) >>> 0, payload: all.subarray(a, b), label: 'overlap' });
    }
    const shuffled = [...flight, ...extra];
    for (let x = shuffled.length - 1; x > 0; x--) {
      const y = next() % (x + 1);
      [shuffled[x], shuffled[y]] = [shuffled[y]!, shuffled[x]!];
    }
    out.push(...shuffled);
    i = j;
  }
  return out;
}

describe('Pipeline properties', () => {
  const rndArb = fc.array(fc.nat(1 << 20), { minLength: 1, maxLength: 64 });

  for (const deprecateEof of [false, true]) {
    const chunks = standardConversation({ deprecateEof }).chunks;
    const baseline = run(segmentsOf(chunks)).records.map(project);

    it(`splitting the TCP byte stream anywhere gives the same records (DEPRECATE_EOF ${deprecateEof})`, () => {
      fc.assert(fc.property(rndArb, fc.integer({ min: 1, max: 200 }), (rnd, mss) => {
        const { records } = run(splitAt(segmentsOf(chunks, { mss }), rnd), {});
        expect(records.map(project)).toEqual(baseline);
      }), { numRuns: 60 });
    });

    it(`reordering, duplicating and overlapping segments gives the same records (DEPRECATE_EOF ${deprecateEof})`, () => {
      fc.assert(fc.property(rndArb, rndArb, fc.integer({ min: 1, max: 64 }), (cuts, rnd, mss) => {
        const segs = mangle(splitAt(segmentsOf(chunks, { mss }), cuts), rnd);
        const { records } = run(segs, {});
        expect(records.map(project)).toEqual(baseline);
      }), { numRuns: 60 });
    });
  }

  it('one byte per segment gives the same records', () => {
    const chunks = standardConversation().chunks;
    const baseline = run(segmentsOf(chunks)).records.map(project);
    expect(run(segmentsOf(chunks, { mss: 1 }), {}).records.map(project)).toEqual(baseline);
  });
});

// ---------------------------------------------------------------- mid-stream start and lost segments

describe('Pipeline: mid-stream start', () => {
  /** The conversation from inside the first result set: no SYN, the capture starts at packet `from` of that chunk. */
  function midStream(from: number): Chunk[] {
    const chunks = standardConversation().chunks;
    const i = chunks.findIndex((c) => c.label === 'result set');
    const rs = chunks[i]!.bytes;
    let off = 0;
    for (let k = 0; k < from; k++) off += 4 + (rs[off]! | (rs[off + 1]! << 8) | (rs[off + 2]! << 16));
    return [{ dir: 's2c', bytes: rs.subarray(off), label: 'rest of result set' }, ...chunks.slice(i + 1)];
  }

  for (const from of [0, 1, 3, 5]) {
    it(`picks up at the next command (capture starts at packet ${from} of a result set); the assumption is shown once`, () => {
      const { records } = run(segmentsOf(midStream(from), { handshake: false }));
      const assumptions = records.flatMap((r) => r.issues.filter((i) => i.kind === 'assumption'));
      expect(assumptions).toHaveLength(1);
      expect(assumptions[0]!.code).toBe('mysql.midstream');
      // The skipped bytes are reported once, by a stream-level record, when decoding resynchronises.
      const resyncs = records.filter((r) => r.issues.some((x) => x.code === 'mysql.resync'));
      expect(resyncs.length).toBeLessThanOrEqual(1);
      for (const r of resyncs) expect(r.event.kind).toBe('unknown');
      if (from > 0) expect(resyncs).toHaveLength(1);
      // From the CALL on, everything (but that record) is decoded as in a full capture.
      const rest = records.filter((r) => !resyncs.includes(r));
      const got = rest.map(project).map(({ issues: _i, ...x }) => x);
      const k = got.findIndex((g) => g.kind === 'command' && g.query === 'CALL p()');
      expect(k).toBeGreaterThanOrEqual(0);
      const tail = expected().slice(5);
      tail.forEach((e, j) => expect(got[k + j], `record ${k + j}`).toMatchObject(e));
      expect(got.length - k).toBe(tail.length);
      for (const r of rest.slice(k)) expect(r.issues.filter((x) => x.kind !== 'assumption')).toEqual([]);
    });
  }

  it('with DEPRECATE_EOF, mid-stream from the next query on: result sets end on their 0xFE OK', () => {
    const chunks = standardConversation({ deprecateEof: true }).chunks;
    const i = chunks.findIndex((c) => c.label === 'CALL');
    const { records } = run(segmentsOf(chunks.slice(i), { handshake: false }));
    const got = records.map(project).map(({ issues: _i, ...rest }) => rest);
    expected().slice(5).forEach((e, j) => expect(got[j], `record ${j}`).toMatchObject(e));
    expect(got).toHaveLength(expected().length - 5);
  });
});

describe('Pipeline: a lost server segment', () => {
  it('gives a gap issue and decoding resumes at the next command', () => {
    const chunks = standardConversation().chunks;
    const segs = segmentsOf(chunks, { mss: 10 });
    // Drop a server segment in the middle of the first result set.
    const rsSegs = segs.map((s, i) => [s, i] as const).filter(([s]) => s.label === 'result set');
    const drop = rsSegs[Math.floor(rsSegs.length / 2)]![1];
    const { records } = run(segs.filter((_, i) => i !== drop));
    const withGap = records.filter((r) => r.issues.some((i) => i.kind === 'gap'));
    expect(withGap.length).toBeGreaterThanOrEqual(1);
    const gapIssue = withGap[0]!.issues.find((i) => i.kind === 'gap')!;
    expect(gapIssue.message).toMatch(/10 bytes from the server were not captured/);
    // The interrupted result set is reported as incomplete, never as complete.
    const firstRs = records.find((r) => r.event.kind === 'resultset');
    if (firstRs && firstRs.event.kind === 'resultset' && firstRs.frameNo < (records.find((r) => r.event.kind === 'command' && r.event.query === 'CALL p()')?.frameNo ?? 0)) {
      expect(firstRs.event.end).toBe('incomplete');
    }
    // The bytes after the hole up to the next response start are skipped and reported once.
    const resyncs = records.filter((r) => r.issues.some((x) => x.code === 'mysql.resync'));
    expect(resyncs.length).toBeLessThanOrEqual(1);
    const rest = records.filter((r) => !resyncs.includes(r));
    const got = rest.map(project).map(({ issues: _i, ...x }) => x);
    const k = got.findIndex((g) => g.kind === 'command' && g.query === 'CALL p()');
    expect(k).toBeGreaterThan(0);
    expected().slice(5).forEach((e, j) => expect(got[k + j], `record ${k + j}`).toMatchObject(e));
    expect(got.length - k).toBe(expected().length - 5);
    for (const r of rest.slice(k)) expect(r.issues).toEqual([]);
  });

  it('a lost client segment (inside a command) gives an issue and the next command is decoded', () => {
    const chunks = standardConversation().chunks;
    // Only the bad query is split (each later command stays whole in one segment, which resync needs); its second
    // half is lost.
    const segs = segmentsOf(chunks).flatMap((sg) => (sg.label === 'bad query'
      ? [{ ...sg, payload: sg.payload.subarray(0, 6) }, { ...sg, seq: sg.seq + 6, payload: sg.payload.subarray(6) }]
      : [sg]));
    const drop = segs.findIndex((sg) => sg.label === 'bad query') + 1;
    const { records } = run(segs.filter((_, i) => i !== drop));
    expect(records.some((r) => r.issues.some((i) => i.kind === 'gap'))).toBe(true);
    const got = records.map(project);
    const fl = got.findIndex((g) => g.kind === 'command' && g.command === 0x04);
    expect(fl).toBeGreaterThan(0);
    expect(got.slice(fl).map(({ issues: _i, ...rest }) => rest)).toMatchObject(expected().slice(10));
  });
});
