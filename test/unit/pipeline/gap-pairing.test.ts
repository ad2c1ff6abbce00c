/**
 * Pairing after losses in both directions (found on a sysbench capture whose tcpdump dropped packets: 11 of 67 406
 * fully captured statements were answered by the wrong response). A request that TCP held back behind a hole in the
 * client's stream reaches the session only when a server segment acknowledges past that hole, which can be after
 * the server's own gap was handled. It was sent before the client had the bytes after that gap, so its response was
 * in them: it is lost, and the next response answers the request after it, not this one.
 *
 * The capture is cli-session.pcap (real) with three frames removed, as `editcap` would: the INSERT request, its OK,
 * and the UPDATE's OK. The frames are found by their content. The original capture's pairing is the ground truth.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline/analyze.js';
import type { Exchange } from '../../../src/model/exchange.js';
import type { MySqlRecord } from '../../../src/model/record.js';

const SOURCE = 'test/fixtures/cli-session.pcap';
const dir = mkdtempSync(join(tmpdir(), 'myshark-gap-pairing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A classic little-endian pcap without the given frames (numbered from 1); the others keep their bytes. */
function withoutFrames(src: Buffer, drop: ReadonlySet<number>): Buffer {
  expect(src.readUInt32LE(0)).toBe(0xa1b2c3d4);
  const parts: Buffer[] = [src.subarray(0, 24)];
  let off = 24;
  for (let no = 1; off + 16 <= src.length; no++) {
    const end = off + 16 + src.readUInt32LE(off + 8);
    if (!drop.has(no)) parts.push(src.subarray(off, end));
    off = end;
  }
  return Buffer.concat(parts);
}

async function run(path: string): Promise<{ records: MySqlRecord[]; exchanges: Exchange[] }> {
  const records: MySqlRecord[] = [];
  const exchanges: Exchange[] = [];
  await analyze({ kind: 'file', path }, { ports: [3306], onExchange: (x) => exchanges.push(x) }, (r) => records.push(r));
  return { records, exchanges };
}

const sql = (x: Exchange): string => (x.request.event.kind === 'command' ? x.request.event.query ?? '' : '');

describe('pairing after a gap in each direction (cli-session.pcap without three frames)', () => {
  it('the request held behind the client gap is lost; every later response answers its own request', async () => {
    const original = await run(SOURCE);
    const find = (prefix: string): Exchange => {
      const x = original.exchanges.find((e) => sql(e).startsWith(prefix));
      expect(x, prefix).toBeDefined();
      expect(x!.status).toBe('ok');
      expect(x!.firstResponseFrame).toBe(x!.endFrame); // one frame each, so removing it removes the response
      return x!;
    };
    const insert = find('INSERT');
    const update = find('UPDATE');
    const del = find('DELETE');
    // In that order, back to back: INSERT, its OK, UPDATE, its OK, DELETE.
    expect([insert.request.frameNo, insert.endFrame, update.request.frameNo, update.endFrame, del.request.frameNo])
      .toEqual([insert.request.frameNo, insert.request.frameNo + 1, insert.request.frameNo + 2, insert.request.frameNo + 3, insert.request.frameNo + 4]);
    const drop = new Set([insert.request.frameNo, insert.endFrame!, update.endFrame!]);
    const path = join(dir, 'lost-both-ways.pcap');
    writeFileSync(path, withoutFrames(readFileSync(SOURCE), drop));
    const renumber = (no: number): number => no - [...drop].filter((d) => d < no).length;

    const cut = await run(path);
    // The INSERT never reached the capture; the UPDATE's answer was in the server's lost bytes.
    expect(cut.exchanges.some((x) => sql(x).startsWith('INSERT'))).toBe(false);
    const lostUpdate = cut.exchanges.find((x) => sql(x).startsWith('UPDATE'))!;
    expect(lostUpdate.status).toBe('lost');
    expect(lostUpdate.endFrame).toBeUndefined();
    // Every other exchange is the original one: same request, same response frames, same status and rows.
    const expected = original.exchanges
      .filter((x) => !drop.has(x.request.frameNo) && x !== update)
      .map((x) => ({ req: renumber(x.request.frameNo), first: renumber(x.firstResponseFrame!), end: renumber(x.endFrame!), status: x.status, rows: x.rows, sql: sql(x) }));
    const got = cut.exchanges
      .filter((x) => x !== lostUpdate)
      .map((x) => ({ req: x.request.frameNo, first: x.firstResponseFrame, end: x.endFrame, status: x.status, rows: x.rows, sql: sql(x) }));
    expect(got).toEqual(expected);
    expect(got.length).toBeGreaterThan(10);

    // Every hole is said, with its size, as the acknowledgements prove it: the INSERT's OK (acknowledged by the
    // UPDATE), the UPDATE's OK (by the DELETE), while no request was waiting; then the INSERT itself (acknowledged by
    // the DELETE's OK).
    const lost = cut.records.flatMap((r) => r.issues).filter((i) => i.code === 'tcp.lost_segment').map((i) => i.message);
    expect(lost).toEqual([
      expect.stringMatching(new RegExp(`^${insert.bytesOut} bytes from the server were not captured`)),
      expect.stringMatching(new RegExp(`^${update.bytesOut} bytes from the server were not captured`)),
      expect.stringMatching(new RegExp(`^${insert.bytesIn} bytes from the client were not captured`)),
    ]);
  });
});
