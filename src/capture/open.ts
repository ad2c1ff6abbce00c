/**
 * The streaming capture reader: file, stream (stdin) or live capture → gunzip when needed → sniff → pcap/pcapng
 * push parser → handlers. Memory stays bounded: chunks are parsed as they arrive.
 *
 * Input errors that prevent reading at all throw a CaptureError (one sentence, with a code the CLI maps to an exit
 * code). Problems inside the capture (truncated last record, corrupt gzip tail, bad block) are issues, and reading
 * finishes with what was decoded.
 */
import { promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CaptureError, type CaptureInput } from '../api-types.js';
import type { Issue } from '../core/issues.js';
import { FileChunks } from './file-chunks.js';
import { openLiveCapture, type LiveCapture } from './live.js';
import { PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';
import { hexHead, sniffFormat, SNIFF_BYTES } from './sniff.js';
import type { CaptureFormat, CaptureHandlers, CaptureParser } from './types.js';

export interface OpenCaptureHandlers extends CaptureHandlers {
  /** Bytes of input read so far (compressed bytes for a gzip file), after every chunk. */
  onProgress?(bytes: number): void;
  /** Aborting ends the read early and cleanly (a live capture is stopped; what arrived so far is decoded). */
  signal?: AbortSignal;
  /** Called with the live capture handle when the input is live (e.g. to stop it on Ctrl-C). */
  onLive?(live: LiveCapture): void;
  /** Backpressure: after each chunk, a promise to wait for before reading on (e.g. until stdout drains). */
  waitForOutput?(): Promise<void> | undefined;
  /** A file's next chunk is read on the thread pool while this one is parsed (default true); false: synchronously. */
  readAhead?: boolean;
  /** Where a file's bytes come from instead of reading it here (a parallel run's shared chunks); the file is still stat'ed. */
  fileSource?(): ChunkSource;
}

/** A file's bytes in chunks; `release` hands a parsed chunk back (its memory may then be read into again). */
export interface ChunkSource extends AsyncIterableIterator<Uint8Array> {
  release(chunk: Uint8Array): void;
  destroy(): void;
}

export interface CaptureResult {
  format: CaptureFormat;
  /** Bytes of input read (before decompression). */
  bytesRead: number;
  /** Size of the input when known (regular files), for progress. */
  totalBytes: number | undefined;
  /** The input ended in the middle of a record, block or gzip member. */
  truncated: boolean;
  /** The input was gzip-compressed. */
  gzip: boolean;
  /**
   * Reading was stopped (the signal, e.g. Ctrl-C) before the end of a file or stream: the rest was not read. A record
   * cut off by the stop is not a truncated file, and is not reported as one.
   */
  stopped: boolean;
}

/** Display name of a capture format. */
export function captureFormatName(format: CaptureFormat | undefined): string {
  switch (format) {
    case 'pcap':
      return 'pcap (microsecond)';
    case 'pcap-ns':
      return 'pcap (nanosecond)';
    case 'pcapng':
      return 'pcapng';
    default:
      return 'unknown';
  }
}

/** Creates the parser for a sniffed format. */
export function createCaptureParser(format: CaptureFormat, handlers: CaptureHandlers): CaptureParser {
  return format === 'pcapng' ? new PcapngParser(handlers) : new PcapParser(handlers);
}

function describeHead(all: Uint8Array): string {
  if (all.length === 0) return 'no bytes';
  const head = all.subarray(0, 8);
  let hint = '';
  if (head[0] === 0x50 && head[1] === 0x4b) hint = ' (a zip archive?)';
  else if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) hint = ' (zstd-compressed?)';
  else if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) hint = ' (bzip2-compressed?)';
  else if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a) hint = ' (xz-compressed?)';
  else if (head.every((c) => c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127))) {
    hint = ` (text: "${Buffer.from(head).toString('latin1').replace(/[\r\n\t]/g, ' ')}")`;
  }
  return `${hexHead(head)}${hint}`;
}

const SUPPORTED = 'pcap (microsecond or nanosecond, either byte order) and pcapng, optionally gzip-compressed';

/** Bytes of the head kept for sniffing and for the unknown-format message. */
const HEAD_KEEP = 16;

/** Reads chunks from `it` until `n` bytes were seen or the input ended. Returns the chunks read. */
async function readHead(it: AsyncIterator<Uint8Array>, n: number): Promise<{ chunks: Uint8Array[]; head: Uint8Array; ended: boolean }> {
  const chunks: Uint8Array[] = [];
  let len = 0;
  while (len < n) {
    const r = await it.next();
    if (r.done) return { chunks, head: concatHead(chunks, HEAD_KEEP), ended: true };
    if (r.value.length === 0) continue;
    chunks.push(r.value);
    len += r.value.length;
  }
  return { chunks, head: concatHead(chunks, HEAD_KEEP), ended: false };
}

function concatHead(chunks: Uint8Array[], n: number): Uint8Array {
  const total = Math.min(n, chunks.reduce((a, c) => a + c.length, 0));
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    if (o >= total) break;
    const take = Math.min(c.length, total - o);
    out.set(c.subarray(0, take), o);
    o += take;
  }
  return out;
}

/** The head chunks again, then the rest of the iterator. */
async function* replay(chunks: Uint8Array[], it: AsyncIterator<Uint8Array>, ended: boolean): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
  if (ended) return;
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    yield r.value;
  }
}

function toU8(c: unknown): Uint8Array {
  if (c instanceof Uint8Array) return c;
  if (typeof c === 'string') return Buffer.from(c, 'latin1');
  throw new CaptureError('unreadable', 'the input stream produced objects, not bytes');
}

/** Gunzips a chunk stream; a corrupt or truncated gzip stream is reported through onZlibError and ends the output. */
async function* gunzip(src: AsyncIterable<Uint8Array>, onZlibError: (e: Error) => void): AsyncGenerator<Uint8Array> {
  const gz = createGunzip();
  const input = Readable.from(src, { objectMode: false });
  let srcError: unknown;
  input.on('error', (e) => {
    srcError = e;
    gz.destroy(e);
  });
  input.pipe(gz);
  try {
    for await (const out of gz) yield toU8(out);
  } catch (e) {
    if (srcError !== undefined) throw srcError;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_') || code.startsWith('ERR_ZLIB') || /unexpected end of file|incorrect header|invalid/i.test((e as Error).message)) {
      onZlibError(e as Error);
    } else {
      throw e;
    }
  } finally {
    input.destroy();
    gz.destroy();
  }
}

function isFsError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

function mapFsError(e: unknown, path: string): CaptureError {
  const err = e as NodeJS.ErrnoException;
  if (err instanceof CaptureError) return err;
  switch (err.code) {
    case 'ENOENT':
      return new CaptureError('not-found', `${path}: no such file`);
    case 'EACCES':
    case 'EPERM':
      return new CaptureError('unreadable', `${path}: permission denied`);
    case 'EISDIR':
      return new CaptureError('unreadable', `${path}: is a directory, not a capture file`);
    default:
      return new CaptureError('unreadable', `${path}: cannot be read (${err.message})`);
  }
}

/**
 * Reads a capture from a file, a stream or a live capture and calls the handlers for every frame.
 * Resolves when the input is exhausted (or the signal aborted); throws CaptureError when it cannot be read at all.
 */
export async function openCaptureStream(input: CaptureInput, handlers: OpenCaptureHandlers): Promise<CaptureResult> {
  let name: string;
  let source: AsyncIterable<unknown> & { destroy?(): void };
  let file: ChunkSource | undefined;
  let totalBytes: number | undefined;
  let live: LiveCapture | undefined;
  if (input.kind === 'file') {
    name = input.path;
    let st;
    try {
      st = await fsp.stat(input.path);
    } catch (e) {
      throw mapFsError(e, input.path);
    }
    if (st.isDirectory()) throw new CaptureError('unreadable', `${input.path}: is a directory, not a capture file`);
    if (st.isFile()) totalBytes = st.size;
    source = file = handlers.fileSource?.() ?? new FileChunks(input.path, { ahead: handlers.readAhead !== false });
  } else if (input.kind === 'stream') {
    name = input.name;
    source = input.stream;
  } else {
    name = `live capture on ${input.iface}`;
    live = openLiveCapture(input.iface, input.filter, input.tool);
    source = live.stream;
    handlers.onLive?.(live);
  }

  const signal = handlers.signal;
  const onAbort = (): void => {
    if (live) live.stop();
    else source.destroy?.();
  };
  if (signal) {
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  }

  let bytesRead = 0;
  let truncated = false;
  const aborted = (): boolean => signal?.aborted === true && !live;

  // Raw chunks with byte counting; fs errors mapped to CaptureError.
  const rawIter = source[Symbol.asyncIterator]();
  async function* raw(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        let r: IteratorResult<unknown>;
        try {
          r = await rawIter.next();
        } catch (e) {
          if (aborted()) return;
          if (e instanceof CaptureError) throw e;
          if (input.kind === 'file') throw mapFsError(e, name);
          throw new CaptureError('unreadable', `${name}: read error (${(e as Error).message})`);
        }
        if (r.done) return;
        const c = toU8(r.value);
        bytesRead += c.length;
        handlers.onProgress?.(bytesRead);
        yield c;
      }
    } finally {
      await rawIter.return?.();
    }
  }

  try {
    const rawGen = raw();
    const first = await readHead(rawGen, SNIFF_BYTES);
    if (bytesRead === 0) {
      if (live) await live.done; // a failed tool explains the empty stream better
      if (aborted() || signal?.aborted) throw new CaptureError('empty', `${name}: no bytes were read before the capture was stopped`);
      throw new CaptureError('empty', `${name}: the input is empty (0 bytes)`);
    }
    let body: AsyncIterator<Uint8Array> = replay(first.chunks, rawGen, first.ended);
    let head = first.head;
    let isGzip = false;
    if (sniffFormat(head) === 'gzip') {
      isGzip = true;
      let zerr: Error | undefined;
      const gz = gunzip({ [Symbol.asyncIterator]: () => body }, (e) => {
        zerr = e;
        truncated = true;
        handlers.onIssue({
          layer: 'capture',
          kind: 'truncated',
          code: 'capture.gzip_truncated',
          message: `${name}: the gzip data is truncated or corrupt (${e.message}) after ${bytesRead} compressed bytes; decoding what was decompressed`,
        });
      });
      const h = await readHead(gz, SNIFF_BYTES);
      if (h.chunks.length === 0) {
        if (zerr) throw new CaptureError('unreadable', `${name}: the gzip data is corrupt (${zerr.message}); nothing could be decompressed`);
        throw new CaptureError('empty', `${name}: the gzip data decompresses to 0 bytes`);
      }
      head = h.head;
      body = replay(h.chunks, gz, h.ended);
    }
    const fmt = sniffFormat(head);
    if (fmt === undefined || fmt === 'gzip') {
      const what = isGzip ? 'the decompressed data starts with' : 'the first bytes are';
      throw new CaptureError('unknown-format', `${name}: not a capture file: ${what} ${describeHead(head)}; supported formats: ${SUPPORTED}`);
    }
    const wrapped: CaptureHandlers = {
      onFrame: handlers.onFrame,
      onIssue: (i: Issue) => {
        if (i.kind === 'truncated') truncated = true;
        handlers.onIssue(i);
      },
    };
    if (handlers.onFormat) wrapped.onFormat = handlers.onFormat;
    const parser = createCaptureParser(fmt, wrapped);
    for (;;) {
      const r = await body.next();
      if (r.done) break;
      parser.push(r.value);
      file?.release(r.value); // parsed: nothing keeps a view of it
      if (parser.fatal() !== undefined) break;
      const wait = handlers.waitForOutput?.();
      if (wait) await wait;
    }
    const stopped = aborted() && (totalBytes === undefined || bytesRead < totalBytes || parser.pendingBytes > 0);
    if (parser.fatal() === undefined && !stopped) parser.end();
    await body.return?.(undefined);
    if (live) await live.done;
    return { format: fmt, bytesRead, totalBytes, truncated, gzip: isGzip, stopped };
  } catch (e) {
    if (live) live.stop();
    if (e instanceof CaptureError) throw e;
    // An fs error is about the file; anything else (a handler's exception, a bug) is not, and goes on as it is.
    if (input.kind === 'file' && isFsError(e)) throw mapFsError(e, name);
    throw e;
  } finally {
    if (signal) signal.removeEventListener('abort', onAbort);
    source.destroy?.();
  }
}
