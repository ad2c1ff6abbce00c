/**
 * A capture file's chunks are read into reused memory (capture/file-chunks.ts): once the capture parser has parsed a
 * chunk, nothing downstream (link/IP/TCP decoding, reassembly with its out-of-order segments, protocol detection,
 * the MySQL sessions, held requests, exchanges) may keep a view of it. Every fixture is read in small chunks, each
 * overwritten once parsed, and everything emitted, rendered when it is emitted, must equal an ordinary run's.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FileChunks } from '../../../src/capture/file-chunks.js';
import { createCaptureParser } from '../../../src/capture/open.js';
import { sniffFormat } from '../../../src/capture/sniff.js';
import type { CaptureFormat } from '../../../src/capture/types.js';
import type { AnalyzeOptions } from '../../../src/api-types.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import { recorder } from '../../support/render.js';

const FIX = 'test/fixtures/';
const { fixtures } = JSON.parse(readFileSync(FIX + 'fixtures.json', 'utf8')) as { fixtures: { file: string; serverPorts: number[] }[] };
const tmp = mkdtempSync(join(tmpdir(), 'myshark-chunks-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The capture's bytes, decompressed (gzip chunks are not reused: only what the parser reads matters here). */
function plainFile(file: string): { path: string; bytes: Uint8Array; format: CaptureFormat } {
  let bytes: Uint8Array = readFileSync(FIX + file);
  if (sniffFormat(bytes) === 'gzip') bytes = gunzipSync(bytes);
  const path = join(tmp, file.replace(/\.gz$/, ''));
  writeFileSync(path, bytes);
  const format = sniffFormat(bytes);
  if (format === undefined || format === 'gzip') throw new Error(`${file}: not a capture`);
  return { path, bytes, format };
}

/** One run: every record and exchange rendered when emitted, and the totals. */
function run(options: AnalyzeOptions, format: CaptureFormat, feed: (push: (chunk: Uint8Array) => void) => Promise<void> | void) {
  const rec = recorder();
  const p = new Pipeline({ ...options, onExchange: rec.onExchange, onFirstFrame: rec.onFirstFrame }, rec.onRecord);
  const parser = createCaptureParser(format, { onFrame: (f) => p.frame(f), onIssue: (i) => p.issue(i) });
  return (async () => {
    await feed((c) => parser.push(c));
    parser.end();
    const totals = p.end();
    return { out: rec.out, totals };
  })();
}

/**
 * SYNTHETIC reordering of a real capture: classic pcap bytes with records `a` and `b` (1-based) swapped, so that the
 * later segment arrives first and waits, copied, in the reassembler's out-of-order queue.
 */
function swapRecords(bytes: Uint8Array, a: number, b: number): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = dv.getUint32(0, true) === 0xa1b2c3d4;
  const spans: Array<[number, number]> = [];
  for (let off = 24; off + 16 <= bytes.length;) {
    const end = off + 16 + dv.getUint32(off + 8, le);
    spans.push([off, end]);
    off = end;
  }
  const order = spans.map((_, i) => (i === a - 1 ? b - 1 : i === b - 1 ? a - 1 : i));
  const out = new Uint8Array(bytes.length);
  out.set(bytes.subarray(0, 24));
  let o = 24;
  for (const i of order) {
    const [s, e] = spans[i]!;
    out.set(bytes.subarray(s, e), o);
    o += e - s;
  }
  return out;
}

/** The TCP sequence number of record `n` (1-based) of an Ethernet/IPv4 classic pcap. */
function tcpSeq(bytes: Uint8Array, n: number): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = dv.getUint32(0, true) === 0xa1b2c3d4;
  let off = 24;
  for (let i = 1; i < n; i++) off += 16 + dv.getUint32(off + 8, le);
  const ip = off + 16 + 14;
  const tcp = ip + (bytes[ip]! & 0x0f) * 4;
  return dv.getUint32(tcp + 4);
}

describe('chunks overwritten once parsed: every output as an ordinary run gives it', () => {
  const cases = fixtures.flatMap(({ file, serverPorts }) => [
    { name: file, file, options: { ports: serverPorts, tree: true, hex: true } as AnalyzeOptions, swap: undefined as [number, number] | undefined },
    // No port given: MySQL found from each connection's first bytes, which the detector keeps until it decides.
    { name: `${file} (found by detection)`, file, options: { ports: [1], tree: true, hex: true }, swap: undefined },
  ]);
  // Frames 13 and 14 are two 16 KB server segments of the result set.
  cases.push({ name: 'large-result.pcap, frames 13 and 14 swapped (SYNTHETIC reordering)', file: 'large-result.pcap', options: { ports: [3306], tree: true, hex: true }, swap: [13, 14] });
  for (const { name, file, options, swap } of cases) {
    it(name, async () => {
      const plain = plainFile(file);
      const { format } = plain;
      let { path, bytes } = plain;
      if (swap) {
        bytes = swapRecords(bytes, swap[0], swap[1]);
        path = `${path}.swapped`;
        writeFileSync(path, bytes);
      }
      const whole = await run(options, format, (push) => push(bytes.slice()));
      expect(whole.out.length).toBeGreaterThan(0);
      if (swap) expect(tcpSeq(bytes, swap[0])).toBeGreaterThan(tcpSeq(bytes, swap[1])); // the later segment first
      // Tiny chunks split every record; the 42 MB capture (big-packets) gets only the larger ones, for time.
      const sizes = bytes.length < 1_000_000 ? [[61, false], [1500, true], [65536, true], [65536, false]] as const : [[65536, true], [65536, false]] as const;
      for (const [size, ahead] of sizes) {
        let reused = 0;
        const chunked = await run(options, format, async (push) => {
          const chunks = new FileChunks(path, { chunkSize: size, ahead });
          const seen = new Set<ArrayBufferLike>();
          for await (const c of chunks) {
            if (seen.has(c.buffer)) reused++;
            seen.add(c.buffer);
            push(c);
            c.fill(0xee); // what the next read into this memory would do, at once
            chunks.release(c);
          }
        });
        expect(chunked.out, `${size}-byte chunks`).toEqual(whole.out);
        expect(chunked.totals, `${size}-byte chunks`).toEqual(whole.totals);
        if (bytes.length > 3 * size) expect(reused).toBeGreaterThan(0);
      }
    });
  }
});

describe('FileChunks', () => {
  const path = join(tmp, 'digits');
  writeFileSync(path, '0123456789');
  const text = (r: IteratorResult<Uint8Array>): string => (r.done ? '(done)' : Buffer.from(r.value).toString());

  it('synchronous reads: the file in order; released memory is read into again, memory not released is not', async () => {
    const r = new FileChunks(path, { chunkSize: 4, ahead: false });
    const a = await r.next();
    const b = await r.next();
    expect([text(a), text(b)]).toEqual(['0123', '4567']);
    expect(b.value!.buffer).not.toBe(a.value!.buffer);
    r.release(a.value!);
    r.release(a.value!); // twice: still one reuse
    r.release(new Uint8Array(4)); // not ours: ignored
    const c = await r.next();
    expect(text(c)).toBe('89');
    expect(c.value!.buffer).toBe(a.value!.buffer);
    expect(text(b)).toBe('4567'); // not released: untouched
    expect((await r.next()).done).toBe(true);
    expect((await r.next()).done).toBe(true);
  });

  it('reading ahead: the next chunk is read while this one is used, into memory released before that read began', async () => {
    const r = new FileChunks(path, { chunkSize: 4 });
    const a = await r.next(); // '4567' is now being read, into new memory
    r.release(a.value!);
    const b = await r.next(); // '89' is now being read, into a's memory
    expect(b.value!.buffer).not.toBe(a.value!.buffer);
    const c = await r.next();
    expect([text(b), text(c)]).toEqual(['4567', '89']);
    expect(c.value!.buffer).toBe(a.value!.buffer);
    expect((await r.next()).done).toBe(true);
  });

  it('a missing file throws its fs error on the first read; destroy ends the reading, with a read in flight too', async () => {
    for (const ahead of [true, false]) {
      await expect(new FileChunks(join(tmp, 'nope'), { ahead }).next()).rejects.toMatchObject({ code: 'ENOENT' });
      const r = new FileChunks(path, { chunkSize: 4, ahead });
      expect((await r.next()).done).toBe(false);
      r.destroy();
      expect((await r.next()).done).toBe(true);
    }
  });
});
