/**
 * A regular capture file, read in chunks with readSync into memory that is used again.
 *
 * Why not a read stream: createReadStream reads each chunk on libuv's thread pool, which costs two thread hand-offs
 * per chunk and a newly allocated buffer each time. For a file in the page cache the read itself is only a copy, and
 * for one that is not the kernel's read-ahead keeps sequential reads ahead of us; on the 2.6 GB benchmark capture a
 * one-thread `queries` run took 16 % less CPU time this way, warm or cold cache (BENCHMARKS.md).
 *
 * Reuse: the memory of a chunk is read into again only after the consumer hands the chunk back with `release` — the
 * capture parser has then parsed it, and nothing downstream keeps a view of those bytes (the chunk-reuse test
 * overwrites every chunk once it is parsed and compares every output). A chunk never released (the head kept for
 * sniffing the format before it is parsed, the compressed chunks of a gzip file) is simply not reused.
 *
 * The event loop still runs between chunks (`setImmediate`), so that Ctrl-C, standard output's drain and the messages
 * of worker threads are handled while a long file is read.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Bytes read at once (what the read stream used before). */
export const FILE_CHUNK = 1024 * 1024;
/** Released chunks kept for reuse: the parser holds one chunk at a time. */
const MAX_FREE = 2;

const DONE: IteratorResult<Uint8Array> = { done: true, value: undefined };

export class FileChunks implements AsyncIterableIterator<Uint8Array> {
  private fd: number | undefined;
  private position = 0;
  private ended = false;
  private readonly free: ArrayBuffer[] = [];
  /** Memory of the chunks handed out and not yet released. */
  private readonly out = new Set<ArrayBufferLike>();

  constructor(
    private readonly path: string,
    private readonly chunkSize = FILE_CHUNK,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next chunk (a view of the file's next bytes), or done at the end; fs errors are thrown as they are. */
  async next(): Promise<IteratorResult<Uint8Array>> {
    if (this.ended) return DONE;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.ended) return DONE; // destroyed meanwhile (an abort)
    this.fd ??= openSync(this.path, 'r');
    const mem = this.free.pop() ?? new ArrayBuffer(this.chunkSize);
    const buf = new Uint8Array(mem);
    const n = readSync(this.fd, buf, 0, buf.length, this.position);
    if (n === 0) {
      this.free.push(mem);
      this.close();
      return DONE;
    }
    this.position += n;
    this.out.add(mem);
    return { done: false, value: n === buf.length ? buf : buf.subarray(0, n) };
  }

  /** The consumer is done with `chunk` (one this reader gave out; anything else is ignored): its memory may be reused. */
  release(chunk: Uint8Array): void {
    const mem = chunk.buffer;
    if (!this.out.delete(mem)) return;
    if (this.free.length < MAX_FREE) this.free.push(mem as ArrayBuffer);
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    this.close();
    return DONE;
  }

  /** Stops reading (abort, or the end of the run) and closes the file. */
  destroy(): void {
    this.close();
  }

  private close(): void {
    this.ended = true;
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      closeSync(fd);
    }
  }
}
