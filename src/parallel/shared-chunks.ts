/**
 * The capture file's bytes, read once and shared by every thread of a parallel run (run.ts): the main thread reads
 * each chunk into shared memory (SharedFileChunks) and posts it to every worker (ChunkInbox); every thread parses
 * it. A chunk's memory is read into again once all of them have released it (the capture parser has parsed it and
 * nothing keeps a view of it, as with FileChunks). Reading waits while MAX_SLOTS chunks are not released: a worker
 * that is behind holds the reading back, and so bounds the memory.
 *
 * Why: reading the 2.6 GB benchmark capture costs each thread that reads it about 0.4 s of copying from the page
 * cache; shared, only the main thread pays it.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { ChunkSource } from '../capture/open.js';
import { FILE_CHUNK } from '../capture/file-chunks.js';

/** Chunks in flight at once (48 MiB with 1 MiB chunks): a worker may lag this far behind before reading waits. */
export const MAX_SLOTS = 48;

/**
 * Main → worker: chunk `slot` holds the next `n` bytes of the file. n = 0: no more (the end, or the main thread
 * stopped reading: it reports why).
 */
export interface ChunkMessage {
  t: 'chunk';
  slot: number;
  /** The slot's memory, on the first chunk read into it. */
  memory?: SharedArrayBuffer;
  n: number;
}

/** Worker → main: the worker is done with chunk `slot`. */
export interface ReleaseMessage {
  t: 'release';
  slot: number;
}

/** The main thread's side: reads the file into shared slots, chunk by chunk, and shares each chunk. */
export class SharedFileChunks implements ChunkSource {
  private fd: number | undefined;
  private position = 0;
  private ended = false;
  private atEnd = false;
  private readonly memory: SharedArrayBuffer[] = [];
  /** Threads still holding each slot's chunk (0: free). */
  private readonly holders: number[] = [];
  private readonly free: number[] = [];
  private wake: (() => void) | undefined;
  /** The slot of each chunk handed out here, by its view. */
  private readonly out = new Map<Uint8Array, number>();
  /** Whether a slot's memory went to the workers already. */
  private readonly sent: boolean[] = [];

  constructor(
    private readonly path: string,
    private readonly workers: Worker[],
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * The next chunk, read synchronously (every core is decoding: the copy costs less here than a hand-off to the
   * thread pool), after a turn of the event loop: the workers' messages are handled between chunks.
   */
  async next(): Promise<IteratorResult<Uint8Array>> {
    if (this.ended || this.atEnd) return this.finish();
    await new Promise<void>((resolve) => setImmediate(resolve));
    let slot: number;
    let n: number;
    try {
      slot = await this.takeSlot();
      if (this.ended) return this.finish();
      this.fd ??= openSync(this.path, 'r');
      n = readSync(this.fd, new Uint8Array(this.memory[slot]!), 0, FILE_CHUNK, this.position);
    } catch (e) {
      this.finish();
      throw e;
    }
    this.position += n;
    if (n === 0) {
      this.free.push(slot);
      return this.finish();
    }
    if (n < FILE_CHUNK) this.atEnd = true;
    this.holders[slot] = this.workers.length + 1;
    const memory = this.memory[slot]!;
    for (const w of this.workers) w.postMessage({ t: 'chunk', slot, n, ...(this.sent[slot] ? {} : { memory }) } satisfies ChunkMessage);
    this.sent[slot] = true;
    const view = new Uint8Array(memory, 0, n);
    this.out.set(view, slot);
    return { done: false, value: view };
  }

  /** This thread is done with a chunk it was given. */
  release(chunk: Uint8Array): void {
    const slot = this.out.get(chunk);
    if (slot === undefined) return;
    this.out.delete(chunk);
    this.drop(slot);
  }

  /** A worker is done with a chunk. */
  onRelease(m: ReleaseMessage): void {
    this.drop(m.slot);
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    return this.finish();
  }

  destroy(): void {
    this.finish();
  }

  private drop(slot: number): void {
    if (--this.holders[slot]! > 0) return;
    this.free.push(slot);
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** A free slot, or a new one while there are fewer than MAX_SLOTS; else waits for one to be released. */
  private async takeSlot(): Promise<number> {
    for (;;) {
      if (this.ended) return 0; // stopped meanwhile (the caller checks)
      const s = this.free.pop();
      if (s !== undefined) return s;
      if (this.memory.length < MAX_SLOTS) {
        this.memory.push(new SharedArrayBuffer(FILE_CHUNK));
        this.holders.push(0);
        return this.memory.length - 1;
      }
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  private finish(): IteratorResult<Uint8Array> {
    if (!this.ended) {
      this.ended = true;
      for (const w of this.workers) w.postMessage({ t: 'chunk', slot: -1, n: 0 } satisfies ChunkMessage);
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
      const w = this.wake;
      this.wake = undefined;
      w?.();
    }
    return { done: true, value: undefined };
  }
}

/** A worker's side: the chunks the main thread shares, in order; releasing one tells the main thread. */
export class ChunkInbox implements ChunkSource {
  private readonly memory: SharedArrayBuffer[] = [];
  private readonly queue: ChunkMessage[] = [];
  private waiting: ((m: ChunkMessage) => void) | undefined;
  private readonly out = new Map<Uint8Array, number>();
  private ended = false;

  constructor(private readonly post: (m: ReleaseMessage) => void) {}

  /** A chunk message from the main thread. */
  receive(m: ChunkMessage): void {
    if (m.memory !== undefined) this.memory[m.slot] = m.memory;
    if (this.ended) {
      if (m.n > 0) this.post({ t: 'release', slot: m.slot });
      return;
    }
    const w = this.waiting;
    if (w !== undefined) {
      this.waiting = undefined;
      w(m);
    } else {
      this.queue.push(m);
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    if (this.ended) return { done: true, value: undefined };
    const m = this.queue.shift() ?? (await new Promise<ChunkMessage>((r) => (this.waiting = r)));
    if (m.n === 0) {
      this.ended = true;
      return { done: true, value: undefined };
    }
    const view = new Uint8Array(this.memory[m.slot]!, 0, m.n);
    this.out.set(view, m.slot);
    return { done: false, value: view };
  }

  release(chunk: Uint8Array): void {
    const slot = this.out.get(chunk);
    if (slot === undefined) return;
    this.out.delete(chunk);
    this.post({ t: 'release', slot });
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    this.destroy();
    return { done: true, value: undefined };
  }

  /** Stops: the chunks not yet parsed are released, so the main thread's reading never waits for this worker. */
  destroy(): void {
    this.ended = true;
    for (const slot of this.out.values()) this.post({ t: 'release', slot });
    this.out.clear();
    for (const m of this.queue.splice(0)) if (m.n > 0) this.post({ t: 'release', slot: m.slot });
  }
}
