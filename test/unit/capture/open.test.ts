import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { captureFormatName, openCaptureStream, type OpenCaptureHandlers } from '../../../src/capture/open.js';
import { CaptureError, type CaptureInput } from '../../../src/api-types.js';
import type { Issue } from '../../../src/core/issues.js';
import { buildPcap, buildTcpFrame, PcapngBuilder } from '../../builders/frames.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'myshark-open-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

async function run(input: CaptureInput, extra: Partial<OpenCaptureHandlers> = {}) {
  const frames: { no: number; len: number; tsSec: number }[] = [];
  const issues: Issue[] = [];
  const progress: number[] = [];
  const result = await openCaptureStream(input, {
    onFrame: (f) => frames.push({ no: f.no, len: f.data.length, tsSec: f.tsSec }),
    onIssue: (i) => issues.push(i),
    onProgress: (b) => progress.push(b),
    ...extra,
  });
  return { result, frames, issues, progress };
}

async function rejection(p: Promise<unknown>): Promise<CaptureError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CaptureError);
    return e as CaptureError;
  }
  throw new Error('expected a rejection');
}

// Many records so the file spans several read chunks (1 MiB each): ~2.7 MB.
const records = Array.from({ length: 3000 }, (_, i) => ({ data: buildTcpFrame({ seq: i, payload: new Uint8Array(800 + (i % 50)) }).data, sec: i }));
const pcap = buildPcap({ linkType: 1 }, records);
const pcapng = new PcapngBuilder().section().iface({ linkType: 1 }).epb(0, records[0]!.data).epb(0, records[1]!.data).toBytes();

describe('openCaptureStream', () => {
  it('reads a pcap file in chunks', async () => {
    const { result, frames, issues, progress } = await run({ kind: 'file', path: file('a.pcap', pcap) });
    expect(result).toEqual({ format: 'pcap', bytesRead: pcap.length, totalBytes: pcap.length, truncated: false, gzip: false, stopped: false });
    expect(frames).toHaveLength(3000);
    expect(frames[2999]).toEqual({ no: 3000, len: records[2999]!.data.length, tsSec: 2999 });
    expect(issues).toEqual([]);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress[progress.length - 1]).toBe(pcap.length);
  });

  it('reads a pcapng file', async () => {
    const { result, frames } = await run({ kind: 'file', path: file('a.pcapng', pcapng) });
    expect(result.format).toBe('pcapng');
    expect(frames).toHaveLength(2);
  });

  it('gunzips transparently', async () => {
    const gz = gzipSync(pcap);
    const { result, frames, issues } = await run({ kind: 'file', path: file('a.pcap.gz', gz) });
    expect(result).toMatchObject({ format: 'pcap', bytesRead: gz.length, totalBytes: gz.length, truncated: false, gzip: true, stopped: false });
    expect(frames).toHaveLength(3000);
    expect(issues).toEqual([]);
  });

  it('a truncated gzip file gives what was decompressed and a truncated issue', async () => {
    const gz = gzipSync(pcap);
    const { result, frames, issues } = await run({ kind: 'file', path: file('cut.pcap.gz', gz.subarray(0, Math.floor(gz.length / 2))) });
    expect(result.truncated).toBe(true);
    expect(frames.length).toBeGreaterThan(100);
    expect(frames.length).toBeLessThan(3000);
    expect(issues.length).toBeGreaterThanOrEqual(1);
    expect(issues.every((i) => i.kind === 'truncated')).toBe(true);
    expect(issues.some((i) => i.code === 'capture.gzip_truncated')).toBe(true);
  });

  it('corrupt gzip data in the middle ends with a truncated issue, not a throw', async () => {
    const gz = Buffer.from(gzipSync(pcap));
    for (let i = 2000; i < 2100; i++) gz[i] = gz[i]! ^ 0xff;
    const { result, issues } = await run({ kind: 'file', path: file('bad.pcap.gz', gz) });
    expect(result.truncated).toBe(true);
    expect(issues.some((i) => i.code === 'capture.gzip_truncated')).toBe(true);
  });

  it('reads a stream (stdin-like), split into odd chunks', async () => {
    const chunks: Buffer[] = [];
    for (let o = 0, n = 1; o < pcap.length; o += n, n = (n * 7 + 3) % 5000) chunks.push(Buffer.from(pcap.subarray(o, o + n)));
    const { result, frames } = await run({ kind: 'stream', stream: Readable.from(chunks), name: '-' });
    expect(result).toMatchObject({ format: 'pcap', bytesRead: pcap.length, totalBytes: undefined, truncated: false });
    expect(frames).toHaveLength(3000);
  });

  it('waits for enough bytes to sniff when the first chunks are tiny', async () => {
    const s = new PassThrough();
    const p = run({ kind: 'stream', stream: s, name: 'pipe' });
    s.write(Buffer.from(pcapng.subarray(0, 1)));
    s.write(Buffer.from(pcapng.subarray(1, 3)));
    setTimeout(() => s.end(Buffer.from(pcapng.subarray(3))), 10);
    const { result, frames } = await p;
    expect(result.format).toBe('pcapng');
    expect(frames).toHaveLength(2);
  });

  it('a gzip stream', async () => {
    const { result, frames } = await run({ kind: 'stream', stream: Readable.from([gzipSync(pcapng)]), name: '-' });
    expect(result).toMatchObject({ format: 'pcapng', gzip: true });
    expect(frames).toHaveLength(2);
  });

  it('reports a truncated last record', async () => {
    const { result, frames, issues } = await run({ kind: 'file', path: file('cut.pcap', pcap.subarray(0, pcap.length - 10)) });
    expect(result.truncated).toBe(true);
    expect(frames).toHaveLength(2999);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/^record 3000 at file offset \d+ needs \d+ bytes, only \d+ present/);
  });

  it('throws not-found with the path', async () => {
    const p = join(dir, 'nope.pcap');
    const e = await rejection(run({ kind: 'file', path: p }));
    expect(e.code).toBe('not-found');
    expect(e.message).toBe(`${p}: no such file`);
  });

  it('throws unreadable for a directory', async () => {
    const d = join(dir, 'sub');
    mkdirSync(d);
    const e = await rejection(run({ kind: 'file', path: d }));
    expect(e.code).toBe('unreadable');
    expect(e.message).toMatch(/is a directory/);
  });

  it.skipIf(process.getuid?.() === 0)('throws unreadable without permission', async () => {
    const p = file('secret.pcap', pcap);
    chmodSync(p, 0);
    const e = await rejection(run({ kind: 'file', path: p }));
    expect(e.code).toBe('unreadable');
  });

  it('throws empty for a zero-byte file or stream', async () => {
    const e = await rejection(run({ kind: 'file', path: file('empty.pcap', new Uint8Array(0)) }));
    expect(e.code).toBe('empty');
    expect(e.message).toMatch(/empty \(0 bytes\)/);
    const s = await rejection(run({ kind: 'stream', stream: Readable.from([]), name: '-' }));
    expect(s.code).toBe('empty');
    const g = await rejection(run({ kind: 'stream', stream: Readable.from([gzipSync(new Uint8Array(0))]), name: '-' }));
    expect(g.code).toBe('empty');
  });

  it('throws unknown-format saying what the bytes were and what is supported', async () => {
    const e = await rejection(run({ kind: 'file', path: file('x.txt', new TextEncoder().encode('hello world\n')) }));
    expect(e.code).toBe('unknown-format');
    expect(e.message).toMatch(/not a capture file: the first bytes are 68 65 6c 6c 6f 20 77 6f \(text: "hello wo"\)/);
    expect(e.message).toMatch(/supported formats: pcap .* pcapng/);
    const z = await rejection(run({ kind: 'stream', stream: Readable.from([gzipSync(Buffer.from('PK\x03\x04zip'))]), name: '-' }));
    expect(z.code).toBe('unknown-format');
    expect(z.message).toMatch(/the decompressed data starts with 50 4b 03 04/);
    const tiny = await rejection(run({ kind: 'stream', stream: Readable.from([Buffer.from([0xa1])]), name: '-' }));
    expect(tiny.code).toBe('unknown-format');
  });

  it('aborting ends a stream read cleanly', async () => {
    const s = new PassThrough();
    const ac = new AbortController();
    const p = run({ kind: 'stream', stream: s, name: 'pipe' }, { signal: ac.signal });
    s.write(Buffer.from(pcap.subarray(0, 5000)));
    setTimeout(() => ac.abort(), 20);
    const { result, frames } = await p;
    expect(result.format).toBe('pcap');
    expect(frames.length).toBeGreaterThan(0);
  });

  it('aborting a file read stops between chunks: the rest is not read, and the record cut off is not "truncated"', async () => {
    const ac = new AbortController();
    const frames: number[] = [];
    const { result, issues } = await run({ kind: 'file', path: file('stop.pcap', pcap) }, {
      signal: ac.signal,
      onFrame: (f) => {
        frames.push(f.no);
        if (f.no === 10) ac.abort();
      },
    });
    expect(result).toMatchObject({ format: 'pcap', truncated: false, stopped: true });
    expect(result.bytesRead).toBeLessThan(pcap.length);
    expect(frames.length).toBeGreaterThanOrEqual(10);
    expect(frames.length).toBeLessThan(3000);
    expect(issues).toEqual([]);
    // Not stopped: read to the end (the abort came after the last chunk).
    const late = new AbortController();
    const all = await run({ kind: 'file', path: file('late.pcap', pcap) }, { signal: late.signal, onFrame: (f) => void (f.no === 3000 && late.abort()) });
    expect(all.result).toMatchObject({ truncated: false, stopped: false, bytesRead: pcap.length });
  });

  it('an exception from a handler is not reported as the file being unreadable', async () => {
    const err = await run({ kind: 'file', path: file('throws.pcap', pcap) }, { onFrame: () => { throw new RangeError('a bug downstream'); } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect((err as Error).message).toBe('a bug downstream');
  });

  it('captureFormatName', () => {
    expect(captureFormatName('pcap')).toBe('pcap (microsecond)');
    expect(captureFormatName('pcap-ns')).toBe('pcap (nanosecond)');
    expect(captureFormatName('pcapng')).toBe('pcapng');
  });
});
