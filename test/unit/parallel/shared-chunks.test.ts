/**
 * The file's bytes shared between the threads of a parallel run (src/parallel/shared-chunks.ts), with stand-ins for
 * the workers (SYNTHETIC bytes: a counter pattern, so every chunk's place in the file can be checked).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { FILE_CHUNK } from '../../../src/capture/file-chunks.js';
import { ChunkInbox, MAX_SLOTS, SharedFileChunks, type ChunkMessage, type ReleaseMessage } from '../../../src/parallel/shared-chunks.js';

const dir = mkdtempSync(join(tmpdir(), 'myshark-shared-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file of `chunks` whole chunks and a bit; byte i is (i * 7 + (i >> 20)) & 255. */
function file(chunks: number): { path: string; bytes: Uint8Array } {
  const bytes = new Uint8Array(chunks * FILE_CHUNK + 1234);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >>> 20)) & 255;
  const path = join(dir, `f${chunks}.bin`);
  writeFileSync(path, bytes);
  return { path, bytes };
}

/** Byte-equal (a Buffer comparison: a deep equality of a million elements is slow). */
function same(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** A stand-in worker: keeps what it is posted. */
function fakeWorker(): { worker: Worker; got: ChunkMessage[] } {
  const got: ChunkMessage[] = [];
  return { worker: { postMessage: (m: ChunkMessage) => got.push(m) } as unknown as Worker, got };
}

describe('SharedFileChunks and ChunkInbox', () => {
  it('every thread gets every chunk in order; a slot is read into again only once every thread released it', async () => {
    const { path, bytes } = file(MAX_SLOTS + 3);
    const w = fakeWorker();
    const reader = new SharedFileChunks(path, [w.worker]);
    const inbox = new ChunkInbox((m: ReleaseMessage) => reader.onRelease(m));
    let at = 0;
    // The main thread takes MAX_SLOTS chunks; the worker has released none: the next read must wait.
    for (let k = 0; k < MAX_SLOTS; k++) {
      const r = await reader.next();
      expect(r.done).toBe(false);
      const chunk = r.value as Uint8Array;
      expect(same(chunk, bytes.subarray(at, at + chunk.length))).toBe(true);
      at += chunk.length;
      reader.release(chunk);
    }
    let next: IteratorResult<Uint8Array> | undefined;
    const pending = reader.next().then((r) => (next = r));
    await new Promise((r) => setTimeout(r, 50));
    expect(next).toBeUndefined();
    // The worker catches up: its chunks are the same bytes, and its releases let the reading go on.
    for (const m of w.got.splice(0)) inbox.receive(m);
    let wat = 0;
    for (let k = 0; k < MAX_SLOTS; k++) {
      const r = await inbox.next();
      const chunk = r.value as Uint8Array;
      expect(same(chunk, bytes.subarray(wat, wat + chunk.length))).toBe(true);
      wat += chunk.length;
      inbox.release(chunk);
    }
    await pending;
    expect(next!.done).toBe(false);
    expect(same(next!.value, bytes.subarray(at, at + FILE_CHUNK))).toBe(true);
    at += FILE_CHUNK;
    const later = async (r: IteratorResult<Uint8Array>): Promise<void> => {
      for (const m of w.got.splice(0)) inbox.receive(m);
      const wr = await inbox.next();
      expect(wr.done).toBe(r.done);
      if (r.done) return;
      expect(same(wr.value, r.value)).toBe(true);
      reader.release(r.value);
      inbox.release(wr.value as Uint8Array);
    };
    await later(next!);
    for (;;) {
      const r = await reader.next();
      await later(r);
      if (r.done) break;
      expect(same(r.value, bytes.subarray(at, at + r.value.length))).toBe(true);
      at += r.value.length;
    }
    expect(at).toBe(bytes.length);
  });

  it('destroy ends a reading that waits for a worker that will never hand its chunks back (it failed)', async () => {
    const { path } = file(MAX_SLOTS + 1);
    const w = fakeWorker();
    const reader = new SharedFileChunks(path, [w.worker]);
    for (let k = 0; k < MAX_SLOTS; k++) reader.release((await reader.next()).value as Uint8Array);
    const pending = reader.next();
    reader.destroy();
    expect((await pending).done).toBe(true);
    expect(w.got.at(-1)).toEqual({ t: 'chunk', slot: -1, n: 0 });
  });

  it('a worker that stops early hands back what it holds and what still comes', async () => {
    const released: number[] = [];
    const inbox = new ChunkInbox((m) => released.push(m.slot));
    const memory = new SharedArrayBuffer(16);
    inbox.receive({ t: 'chunk', slot: 0, n: 16, memory });
    inbox.receive({ t: 'chunk', slot: 1, n: 16, memory: new SharedArrayBuffer(16) });
    await inbox.next(); // slot 0, not released
    inbox.destroy();
    inbox.receive({ t: 'chunk', slot: 2, n: 16, memory: new SharedArrayBuffer(16) });
    expect(released).toEqual([0, 1, 2]);
    expect((await inbox.next()).done).toBe(true);
  });
});
