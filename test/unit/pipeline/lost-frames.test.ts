/**
 * Recall under loss: a capture whose kernel dropped packets (tcpdump's "dropped by kernel"), made here by taking
 * one frame at a time out of REAL captures. Whatever the lost frame, every exchange that was fully captured must
 * come out exactly as in the whole capture — same request and response frames, status, rows, latency — and the
 * exchange whose response lost bytes must say so (`lost`: no made-up end or latency). A lost request cannot be
 * seen; the exchanges around it must still be right.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline/analyze.js';
import type { Exchange } from '../../../src/model/exchange.js';
import { msBetween } from '../../../src/analysis/queries.js';

const FIX = 'test/fixtures/';

/** The records of a classic little-endian pcap: [header, ...records] as byte ranges. */
function splitPcap(buf: Buffer): { header: Buffer; records: Buffer[] } {
  const records: Buffer[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const len = buf.readUInt32LE(off + 8);
    records.push(buf.subarray(off, off + 16 + len));
    off += 16 + len;
  }
  return { header: buf.subarray(0, 24), records };
}

interface Row { conn: number; request: number; end: number | undefined; status: string; rows: number; latency: number | undefined }

async function rows(pcap: Buffer, maxRowsKept: number | undefined, dropped?: number): Promise<Row[]> {
  const out: Row[] = [];
  // Frames after the dropped one are numbered one lower in the cut capture: map them back.
  const back = (n: number | undefined): number | undefined => (n === undefined || dropped === undefined || n < dropped ? n : n + 1);
  await analyze({ kind: 'stream', stream: Readable.from([pcap]), name: 'cut.pcap' }, {
    ...(maxRowsKept !== undefined ? { limits: { maxRowsKept } } : {}),
    onExchange: (x: Exchange) => out.push({
      conn: x.conn.index, request: back(x.request.frameNo)!, end: back(x.endFrame), status: x.status, rows: x.rows,
      latency: x.endTs ? msBetween(x.request.lastTs, x.endTs) : undefined,
    }),
  }, () => {});
  return out;
}

describe('one lost frame at a time (real captures with a frame removed)', () => {
  // As `read` decodes (rows kept) and as queries/digest do (rows only counted, partly by the framer itself).
  for (const [file, maxRowsKept] of ['trouble.pcap', 'multi-connections.pcap', 'mysql2-session.pcap', 'cli-session.pcap']
    .flatMap((f) => [[f, undefined], [f, 0]] as const)) {
    it(`${file}${maxRowsKept === 0 ? ' (rows counted, not kept)' : ''}`, async () => {
      const buf = readFileSync(FIX + file);
      const { header, records } = splitPcap(buf);
      const whole = await rows(buf, maxRowsKept);
      expect(whole.length).toBeGreaterThan(5);
      // Candidates: each exchange's request frame and last response frame (at most 60 per capture, spread out).
      const frames = [...new Set(whole.flatMap((r) => [r.request, r.end]).filter((n): n is number => n !== undefined))].sort((a, b) => a - b);
      const step = Math.max(1, Math.floor(frames.length / 60));
      let lostSeen = 0;
      for (let i = 0; i < frames.length; i += step) {
        const d = frames[i]!;
        const cut = Buffer.concat([header, ...records.filter((_, k) => k !== d - 1)]);
        const got = await rows(cut, maxRowsKept, d);
        const hit = (r: Row): boolean => r.request === d || r.end === d || (r.request < d && r.end !== undefined && d < r.end);
        for (const w of whole) {
          const same = got.find((g) => g.conn === w.conn && g.request === w.request);
          if (!hit(w)) {
            // Fully captured: exactly as in the whole capture.
            expect(same, `${file} without frame ${d}: exchange at frame ${w.request}`).toEqual(w);
          } else if (w.request !== d && w.end === d && w.request !== w.end) {
            // Its response was lost: said so, without an invented end.
            expect(same, `${file} without frame ${d}: exchange at frame ${w.request} (its response frame was dropped)`).toMatchObject({ status: 'lost', end: undefined, latency: undefined });
            lostSeen++;
          }
        }
      }
      expect(lostSeen).toBeGreaterThan(0);
    });
  }
});
