/**
 * Classic pcap writer (libpcap savefile, microsecond or nanosecond resolution, little-endian).
 * Used by `-w` exports, the benchmark generator and test builders.
 */
export interface PcapWriterOptions {
  linkType: number;
  snaplen?: number;
  nanosecond?: boolean;
}

export function pcapFileHeader(opts: PcapWriterOptions): Uint8Array {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(opts.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeInt32LE(0, 8); // thiszone
  b.writeUInt32LE(0, 12); // sigfigs
  b.writeUInt32LE(opts.snaplen ?? 262144, 16);
  b.writeUInt32LE(opts.linkType, 20);
  return b;
}

/** A 16-byte record header; `frac` is microseconds or nanoseconds, matching the file header. */
export function pcapRecordHeader(sec: number, frac: number, capLen: number, origLen: number): Uint8Array {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(sec >>> 0, 0);
  b.writeUInt32LE(frac >>> 0, 4);
  b.writeUInt32LE(capLen, 8);
  b.writeUInt32LE(origLen, 12);
  return b;
}

/** Collects records in memory: fine for tests and small exports; stream the two header functions for large files. */
export class PcapBuilder {
  private readonly parts: Uint8Array[];
  constructor(opts: PcapWriterOptions) {
    this.parts = [pcapFileHeader(opts)];
  }
  add(sec: number, frac: number, data: Uint8Array, origLen = data.length): this {
    this.parts.push(pcapRecordHeader(sec, frac, data.length, origLen), data);
    return this;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}
