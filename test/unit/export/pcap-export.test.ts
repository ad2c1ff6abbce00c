/**
 * `-w` export: the frames written are exactly the expected ones, byte for byte, with the original timestamps and
 * link type. Checked by re-reading the output with tshark (frame count, frame.time_epoch) and with our own parser
 * (bytes), on the real fixtures cli-session.pcap/.pcapng, multi-connections.pcap, nanosecond.pcap, and on a
 * SYNTHETIC pcapng with two link types. The connection pass is checked against tshark's tcp.stream.
 * The tshark parts are skipped, and say so, when tshark is not installed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCaptureStream } from '../../../src/capture/open.js';
import type { Frame } from '../../../src/capture/types.js';
import {
  connectionFrames,
  exportFrames,
  exportProblem,
  exportSelection,
  ExportError,
  framesOfRecords,
  scanConnections,
} from '../../../src/export/pcap-export.js';
import { analyzeFile } from '../../../src/index.js';
import type { MySqlRecord } from '../../../src/model/record.js';
import { buildTcpFrame, PcapngBuilder } from '../../builders/frames.js';
import { tsharkAvailable } from '../../support/tshark.js';

const FIX = new URL('../../fixtures/', import.meta.url).pathname;
const TSHARK = tsharkAvailable();
const dir = mkdtempSync(join(tmpdir(), 'myshark-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let outN = 0;
const outFile = (ext = 'pcap'): string => join(dir, `out${++outN}.${ext}`);

interface Copied {
  no: number;
  tsSec: number;
  tsNsec: number;
  origLen: number;
  linkType: number;
  data: Buffer;
}

async function readFrames(path: string): Promise<{ frames: Copied[]; format: string | undefined }> {
  const frames: Copied[] = [];
  const res = await openCaptureStream({ kind: 'file', path }, {
    onFrame: (f: Frame) => frames.push({ no: f.no, tsSec: f.tsSec, tsNsec: f.tsNsec, origLen: f.origLen, linkType: f.linkType, data: Buffer.from(f.data) }),
    onIssue: () => {},
  });
  return { frames, format: res.format };
}

function tsharkFields(path: string, fields: string[], filter?: string): string[][] {
  const args = ['-r', path, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  if (filter) args.push('-Y', filter);
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** The written file holds exactly `expected` frames of `source`, in order, same bytes, lengths, times, link type. */
async function expectExactCopy(source: string, out: string, expected: number[]): Promise<void> {
  const src = (await readFrames(source)).frames;
  const got = (await readFrames(out)).frames;
  expect(got.length).toBe(expected.length);
  got.forEach((g, i) => {
    const o = src[expected[i]! - 1]!;
    expect(o.no).toBe(expected[i]);
    expect(g.data.equals(o.data)).toBe(true);
    expect([g.tsSec, g.tsNsec, g.origLen, g.linkType]).toEqual([o.tsSec, o.tsNsec, o.origLen, o.linkType]);
  });
  if (TSHARK) {
    // Wireshark opens it, sees the same number of frames, and the same epoch times as in the source.
    const t = tsharkFields(out, ['frame.number', 'frame.time_epoch']);
    expect(t.map((r) => Number(r[0]))).toEqual(expected.map((_, i) => i + 1));
    const want = tsharkFields(source, ['frame.time_epoch'], `frame.number in {${expected.join(", ")}}`).map((r) => r[0]);
    expect(t.map((r) => r[1])).toEqual(want);
  }
}

const isQuery = (r: MySqlRecord, text: string): boolean =>
  r.event.kind === 'command' && typeof r.event.query === 'string' && r.event.query.includes(text);

describe.skipIf(!TSHARK)(TSHARK ? 'connection pass vs tshark tcp.stream' : 'connection pass vs tshark tcp.stream (skipped: tshark is not installed)', () => {
  for (const name of ['multi-connections.pcap', 'cli-session.pcapng', 'lost-segment.pcap', 'ipv6.pcap', 'port-3307.pcap', 'replication.pcap']) {
    it(`every frame of ${name} gets tshark's tcp.stream`, async () => {
      const ours: string[] = [];
      await scanConnections({ kind: 'file', path: FIX + name }, (f, conn) => ours.push(`${f.no}\t${conn?.index ?? ''}`));
      const theirs = tsharkFields(FIX + name, ['frame.number', 'tcp.stream']).map((r) => r.join('\t'));
      expect(ours).toEqual(theirs);
    });
  }
});

describe('exportFrames / exportSelection', () => {
  it('exports a hand-picked set of frames of cli-session.pcap (pcap µs → pcap µs)', async () => {
    const out = outFile();
    const res = await exportFrames({ kind: 'file', path: FIX + 'cli-session.pcap' }, new Set([1, 4, 5, 17, 61, 999]), out);
    expect(res).toMatchObject({ written: 5, format: 'pcap', linkTypes: [1], missing: 1 });
    await expectExactCopy(FIX + 'cli-session.pcap', out, [1, 4, 5, 17, 61]);
  });

  it('keeps nanosecond timestamps: nanosecond.pcap → nanosecond pcap', async () => {
    const out = outFile();
    const all = (await readFrames(FIX + 'nanosecond.pcap')).frames;
    expect(all.some((f) => f.tsNsec % 1000 !== 0)).toBe(true); // the fixture really has sub-µs digits
    const res = await exportFrames({ kind: 'file', path: FIX + 'nanosecond.pcap' }, new Set([2, 3, 10, 22]), out);
    expect(res.format).toBe('pcap-ns');
    await expectExactCopy(FIX + 'nanosecond.pcap', out, [2, 3, 10, 22]);
  });

  it('pcapng with one link type → classic pcap', async () => {
    const out = outFile();
    const res = await exportFrames({ kind: 'file', path: FIX + 'cli-session.pcapng' }, new Set([3, 30, 31]), out);
    expect(res.written).toBe(3);
    expect(['pcap', 'pcap-ns']).toContain(res.format);
    expect((await readFrames(out)).format).toBe(res.format);
    await expectExactCopy(FIX + 'cli-session.pcapng', out, [3, 30, 31]);
  });

  it('messages: the frames behind one query and its response (cli-session.pcap)', async () => {
    const path = FIX + 'cli-session.pcap';
    const { records } = await analyzeFile(path);
    const req = records.find((r) => r.dir === 'c2s' && r.event.kind === 'command' && r.event.command === 3);
    expect(req).toBeDefined();
    const resp = records.find((r) => r.id > req!.id && r.dir === 's2c')!;
    const sel = framesOfRecords([req!, resp]);
    const out = outFile();
    const res = await exportSelection({ kind: 'file', path }, sel, out);
    const expected = new Set<number>([req!.frameNo, req!.lastFrameNo, resp.frameNo, resp.lastFrameNo]);
    for (const r of [req!, resp]) for (const p of r.packets) expected.add(p.frameNo);
    if (TSHARK) {
      // plus the frames of the same connection between each message's first and last frame
      for (const r of [req!, resp]) {
        for (const [no] of tsharkFields(path, ['frame.number'], `tcp.stream == ${r.conn.index} and frame.number >= ${r.frameNo} and frame.number <= ${r.lastFrameNo}`)) {
          expected.add(Number(no));
        }
      }
    }
    const want = [...expected].sort((a, b) => a - b);
    expect(res.written).toBe(want.length);
    await expectExactCopy(path, out, want);
  });

  it('message ranges never take frames of other connections (multi-connections.pcap)', async () => {
    const path = FIX + 'multi-connections.pcap';
    const { records } = await analyzeFile(path);
    const conn = records[0]!.conn.index;
    const sel = framesOfRecords(records.filter((r) => r.conn.index === conn));
    const out = outFile();
    await exportSelection({ kind: 'file', path }, sel, out);
    const byConn = await connectionFrames({ kind: 'file', path }, [conn]);
    const mine = new Set(byConn.get(conn));
    const got = (await readFrames(out)).frames;
    const src = (await readFrames(path)).frames;
    // every written frame is one of the connection's frames (compare bytes to find their numbers)
    for (const g of got) {
      const o = src.find((s) => s.data.equals(g.data) && s.tsNsec === g.tsNsec && s.tsSec === g.tsSec)!;
      expect(mine.has(o.no)).toBe(true);
    }
    expect(got.length).toBeGreaterThan(5);
  });

  it('--whole-connections: every frame of the matching connection, SYN to FIN (multi-connections.pcap)', async () => {
    const path = FIX + 'multi-connections.pcap';
    const { records } = await analyzeFile(path);
    const conns = [...new Set(records.map((r) => r.conn.index))];
    expect(conns.length).toBe(4);
    const target = records.find((r) => r.conn.index === conns[1])!;
    const matching = records.filter((r) => r.conn === target.conn && r.dir === 'c2s' && r.event.kind === 'command');
    const sel = framesOfRecords(matching.slice(0, 1), { wholeConnections: true });
    const out = outFile();
    const res = await exportSelection({ kind: 'file', path }, sel, out);
    const expected = (await connectionFrames({ kind: 'file', path }, [target.conn])).get(target.conn.index)!;
    if (TSHARK) {
      expect(expected).toEqual(tsharkFields(path, ['frame.number'], `tcp.stream == ${target.conn.index}`).map((r) => Number(r[0])));
    }
    expect(res.written).toBe(expected.length);
    await expectExactCopy(path, out, expected);
  });

  it('queries matching a text in two connections, whole connections: exactly those two streams', async () => {
    const path = FIX + 'multi-connections.pcap';
    const { records } = await analyzeFile(path);
    // workers 2 and 3 run on two of the four connections (see multi-connections.general.log)
    const matching = records.filter((r) => isQuery(r, 'SELECT 2 AS worker') || isQuery(r, 'SELECT 3 AS worker'));
    expect(matching.length).toBe(6);
    const two = [...new Set(matching.map((r) => r.conn.index))].sort((a, b) => a - b);
    expect(two.length).toBe(2);
    const sel = framesOfRecords(matching, { wholeConnections: true });
    const out = outFile();
    await exportSelection({ kind: 'file', path }, sel, out);
    const frames = await connectionFrames({ kind: 'file', path }, two);
    const expected = [...frames.values()].flat().sort((a, b) => a - b);
    if (TSHARK) {
      expect(expected).toEqual(tsharkFields(path, ['frame.number'], `tcp.stream in {${two.join(', ')}}`).map((r) => Number(r[0])));
    }
    await expectExactCopy(path, out, expected);
  });

  it('SYNTHETIC pcapng with two link types (Ethernet + raw IP) → pcapng with both interfaces', async () => {
    const eth = buildTcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 40000, dstPort: 3306, seq: 1, payload: new Uint8Array([1, 0, 0, 0, 1]) });
    const raw = buildTcpFrame({ src: '10.0.0.3', dst: '10.0.0.4', srcPort: 40001, dstPort: 3306, seq: 1, link: 'raw' });
    const b = new PcapngBuilder()
      .section()
      .iface({ linkType: eth.linkType, tsresol: 9 })
      .iface({ linkType: raw.linkType })
      .epb(0, eth.data, { ts: 1_700_000_000_123_456_789n })
      .epb(1, raw.data, { ts: 1_700_000_001_000_002n })
      .epb(0, eth.data, { ts: 1_700_000_002_000_000_001n });
    const src = join(dir, 'two-links.pcapng');
    writeFileSync(src, b.toBytes());
    const out = outFile();
    const res = await exportFrames({ kind: 'file', path: src }, new Set([1, 2, 3]), out);
    expect(res).toMatchObject({ written: 3, format: 'pcapng', linkTypes: [eth.linkType, raw.linkType] });
    const got = await readFrames(out);
    expect(got.format).toBe('pcapng');
    await expectExactCopy(src, out, [1, 2, 3]);
    expect(got.frames.map((f) => [f.tsSec, f.tsNsec])).toEqual([
      [1_700_000_000, 123_456_789],
      [1_700_000_001, 2_000],
      [1_700_000_002, 1],
    ]);
  });

  it('refuses standard input, live captures and overwriting the input, with a clear sentence', async () => {
    const { PassThrough } = await import('node:stream');
    expect(exportProblem({ kind: 'stream', stream: new PassThrough(), name: 'stdin' }, 'x.pcap')).toMatch(/-w needs a capture file: stdin can be read only once/);
    expect(exportProblem({ kind: 'live', iface: 'lo' }, 'x.pcap')).toMatch(/not a live capture on lo/);
    expect(exportProblem({ kind: 'file', path: FIX + 'cli-session.pcap' }, FIX + '../fixtures/cli-session.pcap')).toMatch(/would overwrite the capture/);
    await expect(exportFrames({ kind: 'stream', stream: new PassThrough(), name: 'stdin' }, new Set([1]), outFile())).rejects.toBeInstanceOf(ExportError);
    await expect(exportFrames({ kind: 'file', path: FIX + 'cli-session.pcap' }, new Set([1]), join(dir, 'no/such/dir/x.pcap'))).rejects.toThrow(
      /cannot write .*x\.pcap: no such directory/,
    );
  });

  it('an empty selection writes a valid empty pcap', async () => {
    const out = outFile();
    const res = await exportFrames({ kind: 'file', path: FIX + 'cli-session.pcap' }, new Set(), out);
    expect(res.written).toBe(0);
    if (TSHARK) expect(tsharkFields(out, ['frame.number'])).toEqual([]);
  });
});

describe('createRecordExport (the read -w flow: add matching records while analysing, then finish)', () => {
  it('-w with a query filter and --whole-connections: the matching connection, every frame', async () => {
    const { analyze } = await import('../../../src/index.js');
    const { createRecordExport, describeExport } = await import('../../../src/export/pcap-export.js');
    const path = FIX + 'multi-connections.pcap';
    const out = outFile();
    const exp = createRecordExport({ kind: 'file', path }, out, { wholeConnections: true, ports: [3306] });
    let conn = -1;
    await analyze({ kind: 'file', path }, { ports: [3306] }, (r) => {
      if (isQuery(r, 'WHERE id = 3')) {
        conn = r.conn.index;
        exp.add(r);
      }
    });
    const res = await exp.finish();
    const expected = (await connectionFrames({ kind: 'file', path }, [conn])).get(conn)!;
    expect(res.written).toBe(expected.length);
    await expectExactCopy(path, out, expected);
    expect(describeExport(res, out, exp.selection.messages)).toBe(`wrote ${expected.length} frames (1 message) to ${out} (pcap)`);
    expect(() => createRecordExport({ kind: 'live', iface: 'lo' }, out)).toThrow(ExportError);
  });
});
