/**
 * The compressed protocol ("Compression" page): after authentication with CLIENT_COMPRESS (zlib) or
 * CLIENT_ZSTD_COMPRESSION_ALGORITHM (zstd), each direction is a sequence of compressed packets — 3-byte compressed
 * length, 1-byte compressed sequence id, 3-byte uncompressed length (0: the payload is sent as is) — whose
 * payloads, each compressed on its own, inflated and concatenated form the ordinary stream of MySQL packets
 * (which may span compressed packets). Inflating is bounded by `maxInflated`.
 */
import { inflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';

export type CompressionAlgorithm = 'zlib' | 'zstd';

export interface CompressedHeader {
  compressedLength: number;
  seq: number;
  uncompressedLength: number;
}

export class CompressedFramer {
  private readonly hdr = new Uint8Array(7);
  private hdrHave = 0;
  private body: Uint8Array = new Uint8Array(0);
  private bodyHave = 0;
  private readonly out: CompressedHeader = { compressedLength: 0, seq: 0, uncompressedLength: 0 };

  constructor(
    /** The MySQL stream bytes of one compressed packet, in order. */
    private readonly onBytes: (bytes: Uint8Array, h: CompressedHeader, frameNo: number) => void,
    private readonly onError: (message: string, frameNo: number) => void,
    private readonly maxInflated: number,
    private readonly algorithm: CompressionAlgorithm = 'zlib',
  ) {}

  push(chunk: Uint8Array, frameNo: number): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.hdrHave < 7) {
        const take = Math.min(7 - this.hdrHave, chunk.length - off);
        this.hdr.set(chunk.subarray(off, off + take), this.hdrHave);
        this.hdrHave += take;
        off += take;
        if (this.hdrHave < 7) break;
        const h = this.hdr;
        this.out.compressedLength = h[0]! | (h[1]! << 8) | (h[2]! << 16);
        this.out.seq = h[3]!;
        this.out.uncompressedLength = h[4]! | (h[5]! << 8) | (h[6]! << 16);
        if (this.body.length < this.out.compressedLength) this.body = new Uint8Array(this.out.compressedLength);
        this.bodyHave = 0;
      }
      const need = this.out.compressedLength - this.bodyHave;
      const take = Math.min(need, chunk.length - off);
      this.body.set(chunk.subarray(off, off + take), this.bodyHave);
      this.bodyHave += take;
      off += take;
      if (this.bodyHave < this.out.compressedLength) break;
      this.hdrHave = 0;
      this.deliver(frameNo);
    }
  }

  private deliver(frameNo: number): void {
    const h = this.out;
    const raw = this.body.subarray(0, h.compressedLength);
    if (h.uncompressedLength === 0) {
      this.onBytes(raw, h, frameNo);
      return;
    }
    if (h.uncompressedLength > this.maxInflated) {
      this.onError(`compressed packet says it inflates to ${h.uncompressedLength} bytes, over the ${this.maxInflated}-byte limit; skipped`, frameNo);
      return;
    }
    let inflated: Uint8Array;
    try {
      // zstd: the header's uncompressed length (checked above) sizes the output buffer, so it stays bounded.
      inflated = this.algorithm === 'zlib'
        ? inflateSync(raw, { maxOutputLength: this.maxInflated })
        : zstdDecompress(raw, new Uint8Array(h.uncompressedLength));
    } catch (e) {
      this.onError(`compressed packet ${h.seq} could not be inflated (${(e as Error).message})`, frameNo);
      return;
    }
    if (inflated.length !== h.uncompressedLength) {
      this.onError(`compressed packet ${h.seq} inflated to ${inflated.length} bytes, its header said ${h.uncompressedLength}`, frameNo);
    }
    this.onBytes(inflated, h, frameNo);
  }

  reset(): void {
    this.hdrHave = 0;
    this.bodyHave = 0;
  }
}
