/**
 * pcapng reader (draft-ietf-opsawg-pcapng, "PCAP Now Generic"): blocks of (type u32, total length u32, body,
 * total length u32), in the byte order given by each Section Header Block's byte-order magic.
 *
 * Read: SHB (0x0A0D0D0A; a new section resets the interfaces), IDB (1; link type, snaplen, options if_tsresol and
 * if_tsoffset), EPB (6), SPB (3; interface 0, captured length = min(original length, snaplen, block body)) and the
 * obsolete Packet Block (2). Every other block type is skipped and counted in `skippedBlocks`.
 *
 * Lifecycle: push(chunk) any number of times (split anywhere), then end() once. One Frame object is reused and its
 * `data` is a view, valid only until the next frame.
 */
import { ChunkedParser, MAX_RECORD_BYTES, rd16, rd32 } from './chunked.js';
import type { CaptureHandlers, CaptureParser, Frame } from './types.js';

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 1;
const BT_PB = 2;
const BT_SPB = 3;
const BT_EPB = 6;
const BOM = 0x1a2b3c4d;

const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

/** An interface of the current section, with its timestamp conversion precomputed. */
export interface PcapngInterface {
  linkType: number;
  /** 0 = no limit. */
  snaplen: number;
  /** Timestamp units per second: 10^k or 2^k (if_tsresol; default 10^6). */
  unitsPerSec: number;
  /** Exponent of if_tsresol and whether the base is 2 (else 10). */
  tsresolExp: number;
  tsresolBase2: boolean;
  /** if_tsoffset: seconds added to every timestamp. */
  tsOffset: number;
}

/** Divides the unsigned 64-bit value hi·2^32 + lo exactly; the results go to divSec/divRem (no allocation). */
let divSec = 0;
let divRem = 0;
function divmod64(hi: number, lo: number, d: number): void {
  if (hi < 0x200000) {
    // Below 2^53: exact in a double, but the floating quotient may round up, so correct it.
    const t = hi * 4294967296 + lo;
    let q = Math.floor(t / d);
    let r = t - q * d;
    if (r < 0) {
      q -= 1;
      r += d;
    } else if (r >= d) {
      q += 1;
      r -= d;
    }
    divSec = q;
    divRem = r;
    return;
  }
  if (d <= 0x100000000) {
    // Long division in 16-bit digits: every intermediate stays below 2^48.
    const q1 = Math.floor(hi / d);
    let r = hi - q1 * d;
    let x = r * 65536 + (lo >>> 16);
    const q2 = Math.floor(x / d);
    r = x - q2 * d;
    x = r * 65536 + (lo & 0xffff);
    const q3 = Math.floor(x / d);
    r = x - q3 * d;
    divSec = q1 * 4294967296 + q2 * 65536 + q3;
    divRem = r;
    return;
  }
  const t = (BigInt(hi) << 32n) | BigInt(lo);
  const bd = BigInt(d);
  divSec = Number(t / bd);
  divRem = Number(t % bd);
}

/** Converts `rem` units of 1/unitsPerSec to whole nanoseconds (truncating, as Wireshark does). */
function remToNsec(rem: number, itf: PcapngInterface): number {
  if (!itf.tsresolBase2) {
    const k = itf.tsresolExp;
    if (k === 9) return rem;
    if (k < 9) return rem * 10 ** (9 - k);
    return Math.floor(rem / 10 ** (k - 9));
  }
  const k = itf.tsresolExp;
  if (k <= 23) return Math.floor((rem * 1e9) / itf.unitsPerSec);
  return Number((BigInt(rem) * 1000000000n) >> BigInt(k));
}

export class PcapngParser extends ChunkedParser implements CaptureParser {
  private le = true;
  private inSection = false;
  /** Interfaces of the current section, by id. */
  readonly interfaces: PcapngInterface[] = [];
  /** Link types of every interface seen (all sections), for onFormat. */
  private readonly allLinkTypes: number[] = [];
  private formatReported = false;
  private frameNo = 0;
  /** Sections seen. */
  sections = 0;
  /** Blocks of types this reader skips, by block type. */
  readonly skippedBlocks = new Map<number, number>();
  private readonly frame: Frame = {
    no: 0,
    tsSec: 0,
    tsNsec: 0,
    capLen: 0,
    origLen: 0,
    linkType: 0,
    interfaceId: 0,
    data: new Uint8Array(0),
  };

  constructor(handlers: CaptureHandlers) {
    super(handlers);
    this.want = 12;
  }

  get frames(): number {
    return this.frameNo;
  }

  protected step(b: Uint8Array, off: number, end: number): number {
    const avail = end - off;
    if (avail < 12) {
      this.want = 12;
      return 0;
    }
    const typeBE = rd32(b, off, false);
    let le = this.le;
    if (typeBE === BT_SHB) {
      const bom = rd32(b, off + 8, false);
      if (bom === BOM) le = false;
      else if (bom === 0x4d3c2b1a) le = true;
      else {
        this.fail(
          'capture.bad_byte_order_magic',
          `the section header block at file offset ${this.unitOffset} has byte-order magic 0x${bom.toString(16).padStart(8, '0')}, expected 0x1a2b3c4d`,
        );
        return 0;
      }
    } else if (!this.inSection) {
      this.fail(
        'capture.no_section_header',
        `not a pcapng file: the first block (type 0x${typeBE.toString(16)}) is not a section header block`,
      );
      return 0;
    }
    const type = typeBE === BT_SHB ? BT_SHB : rd32(b, off, le);
    const len = rd32(b, off + 4, le);
    if (len < 12 || len % 4 !== 0 || len > MAX_RECORD_BYTES) {
      this.fail(
        'capture.bad_block_length',
        `the block at file offset ${this.unitOffset} (type 0x${type.toString(16)}) has an invalid total length of ${len} bytes ` +
          `(must be a multiple of 4, at least 12 and at most ${MAX_RECORD_BYTES}): the file is corrupt from here on`,
      );
      return 0;
    }
    if (avail < len) {
      this.want = len;
      return 0;
    }
    const trailer = rd32(b, off + len - 4, le);
    if (trailer !== len) {
      this.fail(
        'capture.bad_block_length',
        `the block at file offset ${this.unitOffset} (type 0x${type.toString(16)}) says ${len} bytes at its start and ${trailer} at its end: the file is corrupt from here on`,
      );
      return 0;
    }
    this.want = 12;
    const body = off + 8;
    const bodyLen = len - 12;
    switch (type) {
      case BT_SHB:
        this.readShb(b, body, bodyLen, le);
        break;
      case BT_IDB:
        this.readIdb(b, body, bodyLen);
        break;
      case BT_EPB:
        this.readEpb(b, body, bodyLen);
        break;
      case BT_SPB:
        this.readSpb(b, body, bodyLen);
        break;
      case BT_PB:
        this.readPb(b, body, bodyLen);
        break;
      default:
        this.skippedBlocks.set(type, (this.skippedBlocks.get(type) ?? 0) + 1);
    }
    return len;
  }

  private readShb(b: Uint8Array, body: number, bodyLen: number, le: boolean): void {
    if (bodyLen < 16) {
      this.fail('capture.bad_block_length', `the section header block at file offset ${this.unitOffset} is too short (${bodyLen + 12} bytes)`);
      return;
    }
    const major = rd16(b, body + 4, le);
    if (major !== 1) {
      this.fail(
        'capture.unsupported_version',
        `the section header block at file offset ${this.unitOffset} has pcapng version ${major}.${rd16(b, body + 6, le)}; only version 1 is supported`,
      );
      return;
    }
    this.le = le;
    this.inSection = true;
    this.sections++;
    this.interfaces.length = 0;
  }

  private readIdb(b: Uint8Array, body: number, bodyLen: number): void {
    const le = this.le;
    if (bodyLen < 8) {
      this.issue('capture.bad_block', `the interface description block at file offset ${this.unitOffset} is too short`);
      return;
    }
    const itf: PcapngInterface = {
      linkType: rd16(b, body, le),
      snaplen: rd32(b, body + 4, le),
      unitsPerSec: 1e6,
      tsresolExp: 6,
      tsresolBase2: false,
      tsOffset: 0,
    };
    // Options: code u16, length u16, value padded to 4 bytes.
    let o = body + 8;
    const end = body + bodyLen;
    while (o + 4 <= end) {
      const code = rd16(b, o, le);
      const olen = rd16(b, o + 2, le);
      if (code === OPT_ENDOFOPT) break;
      const v = o + 4;
      if (v + olen > end) break;
      if (code === OPT_IF_TSRESOL && olen >= 1) {
        const r = b[v]!;
        const exp = r & 0x7f;
        if (r & 0x80) {
          itf.tsresolBase2 = true;
          itf.tsresolExp = exp;
          itf.unitsPerSec = 2 ** exp;
        } else {
          itf.tsresolBase2 = false;
          itf.tsresolExp = exp;
          itf.unitsPerSec = 10 ** exp;
        }
        if (exp > 60) {
          this.issue('capture.bad_tsresol', `interface ${this.interfaces.length} has an absurd if_tsresol of 0x${r.toString(16)}; using microseconds`);
          itf.tsresolBase2 = false;
          itf.tsresolExp = 6;
          itf.unitsPerSec = 1e6;
        }
      } else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        const hi = rd32(b, le ? v + 4 : v, le) | 0; // signed
        const lo = rd32(b, le ? v : v + 4, le);
        itf.tsOffset = hi * 4294967296 + lo;
      }
      o = v + ((olen + 3) & ~3);
    }
    this.interfaces.push(itf);
    this.allLinkTypes.push(itf.linkType);
  }

  private iface(id: number, what: string): PcapngInterface | undefined {
    const itf = this.interfaces[id];
    if (!itf) {
      this.issue(
        'capture.unknown_interface',
        `the ${what} at file offset ${this.unitOffset} refers to interface ${id}, but the section defines ${this.interfaces.length}; skipping it`,
      );
    }
    return itf;
  }

  private readEpb(b: Uint8Array, body: number, bodyLen: number): void {
    const le = this.le;
    if (bodyLen < 20) {
      this.issue('capture.bad_block', `the enhanced packet block at file offset ${this.unitOffset} is too short (${bodyLen + 12} bytes)`);
      return;
    }
    const id = rd32(b, body, le);
    const itf = this.iface(id, 'enhanced packet block');
    if (!itf) return;
    const capLen = rd32(b, body + 12, le);
    if (capLen > bodyLen - 20) {
      this.issue(
        'capture.bad_block',
        `the enhanced packet block at file offset ${this.unitOffset} says ${capLen} bytes were captured, but the block holds only ${bodyLen - 20}; skipping it`,
      );
      return;
    }
    this.emit(itf, id, rd32(b, body + 4, le), rd32(b, body + 8, le), capLen, rd32(b, body + 16, le), b, body + 20);
  }

  private readPb(b: Uint8Array, body: number, bodyLen: number): void {
    const le = this.le;
    if (bodyLen < 20) {
      this.issue('capture.bad_block', `the packet block at file offset ${this.unitOffset} is too short (${bodyLen + 12} bytes)`);
      return;
    }
    const id = rd16(b, body, le);
    const itf = this.iface(id, 'packet block');
    if (!itf) return;
    const capLen = rd32(b, body + 12, le);
    if (capLen > bodyLen - 20) {
      this.issue(
        'capture.bad_block',
        `the packet block at file offset ${this.unitOffset} says ${capLen} bytes were captured, but the block holds only ${bodyLen - 20}; skipping it`,
      );
      return;
    }
    this.emit(itf, id, rd32(b, body + 4, le), rd32(b, body + 8, le), capLen, rd32(b, body + 16, le), b, body + 20);
  }

  private readSpb(b: Uint8Array, body: number, bodyLen: number): void {
    if (bodyLen < 4) {
      this.issue('capture.bad_block', `the simple packet block at file offset ${this.unitOffset} is too short`);
      return;
    }
    const itf = this.iface(0, 'simple packet block');
    if (!itf) return;
    const origLen = rd32(b, body, this.le);
    let capLen = Math.min(origLen, bodyLen - 4);
    if (itf.snaplen > 0 && capLen > itf.snaplen) capLen = itf.snaplen;
    // No timestamp in an SPB.
    this.emitRaw(itf.linkType, 0, 0, 0, capLen, origLen, b, body + 4);
  }

  private emit(
    itf: PcapngInterface,
    id: number,
    tsHi: number,
    tsLo: number,
    capLen: number,
    origLen: number,
    b: Uint8Array,
    data: number,
  ): void {
    let sec: number;
    let nsec: number;
    if (!itf.tsresolBase2 && itf.tsresolExp === 6 && tsHi < 0x200000) {
      // Fast path: microseconds below 2^53.
      const t = tsHi * 4294967296 + tsLo;
      sec = Math.floor(t / 1e6);
      let r = t - sec * 1e6;
      if (r < 0) {
        sec -= 1;
        r += 1e6;
      } else if (r >= 1e6) {
        sec += 1;
        r -= 1e6;
      }
      nsec = r * 1000;
    } else {
      divmod64(tsHi, tsLo, itf.unitsPerSec);
      sec = divSec;
      nsec = remToNsec(divRem, itf);
    }
    this.emitRaw(itf.linkType, id, sec + itf.tsOffset, nsec, capLen, origLen, b, data);
  }

  private emitRaw(linkType: number, id: number, sec: number, nsec: number, capLen: number, origLen: number, b: Uint8Array, data: number): void {
    if (!this.formatReported) this.reportFormat();
    const f = this.frame;
    f.no = ++this.frameNo;
    f.tsSec = sec;
    f.tsNsec = nsec;
    f.capLen = capLen;
    f.origLen = origLen;
    f.linkType = linkType;
    f.interfaceId = id;
    f.data = b.subarray(data, data + capLen);
    this.handlers.onFrame(f);
  }

  private reportFormat(): void {
    this.formatReported = true;
    this.handlers.onFormat?.('pcapng', this.allLinkTypes.slice());
  }

  private issue(code: string, message: string): void {
    this.handlers.onIssue({ layer: 'capture', kind: 'malformed', code, message, offset: this.unitOffset });
  }

  protected override onEnd(): void {
    if (!this.formatReported && this.inSection) this.reportFormat();
  }

  protected truncatedMessage(have: number): string {
    if (have < 12) {
      return `the block at file offset ${this.unitOffset} needs at least 12 bytes for its header, only ${have} present: the file is truncated`;
    }
    return `the block at file offset ${this.unitOffset} needs ${this.want} bytes, only ${have} present: the file is truncated (after frame ${this.frameNo})`;
  }
}
