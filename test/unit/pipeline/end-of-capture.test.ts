/**
 * A connection cut by the end of the capture in the middle of a response, while other connections' frames come
 * after its last one. Its end is stamped with its own last frame, never with the last frame of the capture (which
 * belongs to another connection: the session used to read the decoder's reused packet, left holding whichever frame
 * was decoded last), and the exchange is `lost`: the rest of the response was not captured, so there is no latency.
 *
 * The capture is made of two real ones, as `mergecap -a` would: the first 15 frames of large-result.pcap (a
 * 2 000-row result set from frame 10 on, cut in the middle), then every frame of multi-connections.pcap.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline/analyze.js';
import type { Exchange } from '../../../src/model/exchange.js';
import type { MySqlRecord } from '../../../src/model/record.js';

const dir = mkdtempSync(join(tmpdir(), 'myshark-end-of-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The records of a classic little-endian pcap, the first `limit` of them (all when undefined). */
function records(src: Buffer, limit?: number): Buffer[] {
  expect(src.readUInt32LE(0)).toBe(0xa1b2c3d4);
  const out: Buffer[] = [];
  let off = 24;
  while (off + 16 <= src.length && (limit === undefined || out.length < limit)) {
    const end = off + 16 + src.readUInt32LE(off + 8);
    out.push(src.subarray(off, end));
    off = end;
  }
  return out;
}

describe('a response cut by the end of the capture, other connections after it (real frames)', () => {
  const CUT = 15;
  const first = readFileSync('test/fixtures/large-result.pcap');
  const second = readFileSync('test/fixtures/multi-connections.pcap');
  expect(first.subarray(20, 24)).toEqual(second.subarray(20, 24)); // the same link type
  const path = join(dir, 'cut-then-others.pcap');
  writeFileSync(path, Buffer.concat([first.subarray(0, 24), ...records(first, CUT), ...records(second)]));

  it('is stamped with its own last frame, and its exchange is lost (no latency)', async () => {
    const recs: MySqlRecord[] = [];
    const exchanges: Exchange[] = [];
    await analyze({ kind: 'file', path }, { ports: [3306], onExchange: (x) => exchanges.push(x) }, (r) => recs.push(r));
    const mine = recs.filter((r) => r.conn.index === 0);
    expect(mine.length).toBeGreaterThan(3);
    expect(recs.some((r) => r.conn.index !== 0 && r.frameNo > CUT)).toBe(true);
    // Nothing of connection 0 is put in a frame after its last one.
    for (const r of mine) expect(r.lastFrameNo, `message of frame ${r.frameNo}`).toBeLessThanOrEqual(CUT);
    const cut = mine.find((r) => r.issues.some((i) => i.code === 'mysql.incomplete_response'));
    expect(cut?.event.kind).toBe('resultset');
    expect(cut?.frameNo).toBe(10);
    const x = exchanges.find((e) => e.conn.index === 0 && e.request.frameNo === 9);
    expect(x).toBeDefined();
    expect(x!.status).toBe('lost');
    expect(x!.endTs).toBeUndefined();
    expect(x!.firstResponseFrame).toBe(10);
    expect(x!.rows).toBeGreaterThan(0);
    expect(x!.rows).toBeLessThan(2000);
  });
});
