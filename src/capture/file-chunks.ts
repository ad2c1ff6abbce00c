/**
 * A regular capture file, read in chunks into memory that is used again.
 *
 * Why not a read stream: createReadStream allocates a new buffer for every chunk (and reads it on libuv's thread
 * pool, two thread hand-offs each). Here a few chunk-sized buffers go round:
 *   - ahead (the default): the next chunk is read on the thread pool while this one is decoded, into a buffer
 *     handed back earlier. With one decoding thread a core is free to do that copy;
 *   - synchronous (`ahead: false`): readSync on this thread, no hand-off at all. When every core is already decoding
 *     (a parallel run) the copy costs less here than the hand-offs do.
 * On the 2.6 GB benchmark capture a one-thread `queries` run used about 15 % less CPU time than with the read stream
 * (BENCHMARKS.md has the measurements of both modes).
 *
 * Reuse: the memory of a chunk is read into again only after the consumer hands the chunk back with `release` — the
 * capture parser has then parsed it, and nothing downstream keeps a view of those bytes (the chunk-reuse test
 * overwrites every chunk once it is parsed and compares every output). A chunk never released (the head kept for
 * sniffing the format before it is parsed, the compressed chunks of a gzip file) is simply not reused.
 *
 * The event loop runs between chunks (the awaited read, or `setImmediate` when reading synchronously), so that
 * Ctrl-C, standard output's drain and the messages of worker threads are handled while a long file is read.
 */
import { close, closeSync, openSync, read, readSync } from 'node:fs';

/** Bytes read at once (what the read stream used before). */
export const FILE_CHUNK = 1024 * 1024;
/** Released chunks kept for reuse: the parser holds one chunk at a time, and one more may be being read. */
const MAX_FREE = 2;

const DONE: IteratorResult<Uint8Array> = { done: true, value: undefined };

export interface FileChunksOptions {
  /** Bytes per chunk (default FILE_CHUNK). */
  chunkSize?: number;
  /** Read the next chunk on the thread pool while this one is decoded (default true); false: readSync. */
  ahead?: boolean;
}

interface Read {
  mem: ArrayBuffer;
  n: number;
}

export class FileChunks implements AsyncIterableIterator<Uint8Array> {
  private fd: number | undefined;
  private position = 0;
  private ended = false;
  /** The last read returned less than a chunk: the end of the file. */
  private atEnd = false;
  /** The read of the next chunk, in flight (ahead mode). */
  private pending: Promise<Read> | undefined;
  private readonly free: ArrayBuffer[] = [];
  /** Memory of the chunks handed out and not yet released. */
  private readonly out = new Set<ArrayBufferLike>();
  private readonly chunkSize: number;
  private readonly ahead: boolean;

  constructor(
    private readonly path: string,
    options: FileChunksOptions = {},
  ) {
    this.chunkSize = options.chunkSize ?? FILE_CHUNK;
    this.ahead = options.ahead !== false;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next chunk (a view of the file's next bytes), or done at the end; fs errors are thrown as they are. */
  async next(): Promise<IteratorResult<Uint8Array>> {
    if (this.ended || this.atEnd) return this.finish();
    let r: Read;
    if (this.ahead) {
      this.pending ??= this.startRead();
      r = await this.pending; // still `pending` meanwhile: a close waits for it before closing the file
      this.pending = undefined;
    } else {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.ended) return DONE; // destroyed meanwhile (an abort)
      const mem = this.take();
      r = { mem, n: readSync(this.open(), new Uint8Array(mem), 0, this.chunkSize, this.position) };
      this.position += r.n;
    }
    if (this.ended || r.n === 0) {
      this.giveBack(r.mem);
      return this.finish();
    }
    if (r.n < this.chunkSize) this.atEnd = true;
    else if (this.ahead) this.pending = this.startRead();
    this.out.add(r.mem);
    const buf = new Uint8Array(r.mem);
    return { done: false, value: r.n === buf.length ? buf : buf.subarray(0, r.n) };
  }

  /** The consumer is done with `chunk` (one this reader gave out; anything else is ignored): its memory may be reused. */
  release(chunk: Uint8Array): void {
    const mem = chunk.buffer;
    if (this.out.delete(mem)) this.giveBack(mem as ArrayBuffer);
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    this.close();
    return DONE;
  }

  /** Stops reading (abort, or the end of the run) and closes the file. */
  destroy(): void {
    this.close();
  }

  private startRead(): Promise<Read> {
    const fd = this.open();
    const mem = this.take();
    const at = this.position;
    this.position += this.chunkSize;
    const p = new Promise<Read>((resolve, reject) => {
      read(fd, new Uint8Array(mem), 0, this.chunkSize, at, (e, n) => (e ? reject(e) : resolve({ mem, n })));
    });
    p.catch(() => {}); // a read ahead nobody waits for any more (the reading stopped) must not be an unhandled rejection
    return p;
  }

  private open(): number {
    this.fd ??= openSync(this.path, 'r');
    return this.fd;
  }

  private take(): ArrayBuffer {
    return this.free.pop() ?? new ArrayBuffer(this.chunkSize);
  }

  private giveBack(mem: ArrayBuffer): void {
    if (this.free.length < MAX_FREE) this.free.push(mem);
  }

  private finish(): IteratorResult<Uint8Array> {
    this.close();
    return DONE;
  }

  private close(): void {
    this.ended = true;
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    const pending = this.pending;
    this.pending = undefined;
    // A read still in flight uses the descriptor: close it once that read is over.
    if (pending) void pending.then(() => close(fd, () => {}), () => close(fd, () => {}));
    else closeSync(fd);
  }
}
