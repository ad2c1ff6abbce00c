/**
 * Classic libpcap savefile reader (draft-ietf-opsawg-pcap, "PCAP Capture File Format"): a 24-byte file header,
 * then records of a 16-byte header (ts_sec, ts_usec|ts_nsec, incl_len, orig_len) and incl_len bytes of data.
 * Both byte orders, microsecond (0xa1b2c3d4) and nanosecond (0xa1b23c4d) resolution.
 *
 * Lifecycle: push(chunk) any number of times (split anywhere), then end() once. One Frame object is reused and its
 * `data` is a view into the chunk or the parser's buffer, valid only until the next frame.
 */
import { ChunkedParser, MAX_RECORD_BYTES, rd16, rd32 } from './chunked.js';
import type { CaptureFormat, CaptureHandlers, CaptureParser, Frame } from './types.js';

const FILE_HEADER = 24;
const RECORD_HEADER = 16;

export class PcapParser extends ChunkedParser implements CaptureParser {
  private headerDone = false;
  private le = true;
  private nano = false;
  /** Snaplen from the file header (0 = unknown / unlimited). */
  snaplen = 0;
  linkType = 0;
  versionMajor = 0;
  versionMinor = 0;
  /** The format, once the file header was read. */
  format: CaptureFormat | undefined;
  private frameNo = 0;
  private warnedOverSnaplen = false;
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
    this.want = FILE_HEADER;
  }

  /** Frames emitted so far. */
  get frames(): number {
    return this.frameNo;
  }

  protected step(b: Uint8Array, off: number, end: number): number {
    const avail = end - off;
    if (!this.headerDone) {
      if (avail < FILE_HEADER) {
        this.want = FILE_HEADER;
        return 0;
      }
      return this.readFileHeader(b, off);
    }
    if (avail < RECORD_HEADER) {
      this.want = RECORD_HEADER;
      return 0;
    }
    const le = this.le;
    const capLen = rd32(b, off + 8, le);
    if (capLen > MAX_RECORD_BYTES) {
      this.fail(
        'capture.bad_record_length',
        `record ${this.frameNo + 1} at file offset ${this.unitOffset} has a captured length of ${capLen} bytes ` +
          `(more than the ${MAX_RECORD_BYTES}-byte limit): the file is corrupt from here on`,
        this.frameNo + 1,
      );
      return 0;
    }
    const total = RECORD_HEADER + capLen;
    if (avail < total) {
      this.want = total;
      return 0;
    }
    const origLen = rd32(b, off + 12, le);
    const no = ++this.frameNo;
    if (this.snaplen > 0 && capLen > this.snaplen && !this.warnedOverSnaplen) {
      // Wireshark reads such records (some writers put a wrong snaplen in the header); say so once and go on.
      this.warnedOverSnaplen = true;
      this.handlers.onIssue({
        layer: 'capture',
        kind: 'malformed',
        code: 'capture.caplen_over_snaplen',
        message:
          `record ${no} at file offset ${this.unitOffset} has a captured length of ${capLen} bytes, more than the ` +
          `file's snaplen of ${this.snaplen}; reading it anyway (reported once)`,
        frame: no,
        offset: this.unitOffset,
      });
    }
    let sec = rd32(b, off, le);
    let frac = rd32(b, off + 4, le);
    let nsec: number;
    if (this.nano) {
      if (frac >= 1e9) {
        sec += Math.floor(frac / 1e9);
        frac %= 1e9;
      }
      nsec = frac;
    } else {
      if (frac >= 1e6) {
        sec += Math.floor(frac / 1e6);
        frac %= 1e6;
      }
      nsec = frac * 1000;
    }
    const f = this.frame;
    f.no = no;
    f.tsSec = sec;
    f.tsNsec = nsec;
    f.capLen = capLen;
    f.origLen = origLen;
    f.linkType = this.linkType;
    f.data = b.subarray(off + RECORD_HEADER, off + total);
    this.handlers.onFrame(f);
    return total;
  }

  private readFileHeader(b: Uint8Array, off: number): number {
    const m = rd32(b, off, false);
    switch (m) {
      case 0xa1b2c3d4:
        this.le = false;
        this.nano = false;
        break;
      case 0xd4c3b2a1:
        this.le = true;
        this.nano = false;
        break;
      case 0xa1b23c4d:
        this.le = false;
        this.nano = true;
        break;
      case 0x4d3cb2a1:
        this.le = true;
        this.nano = true;
        break;
      default:
        this.fail(
          'capture.bad_magic',
          `not a pcap file: the magic number is 0x${m.toString(16).padStart(8, '0')}, expected 0xa1b2c3d4 or 0xa1b23c4d in either byte order`,
        );
        return 0;
    }
    this.versionMajor = rd16(b, off + 4, this.le);
    this.versionMinor = rd16(b, off + 6, this.le);
    this.snaplen = rd32(b, off + 16, this.le);
    // The low 16 bits are the link type; the high bits may carry FCS information (ignored: IP lengths bound payloads).
    this.linkType = rd32(b, off + 20, this.le) & 0xffff;
    this.headerDone = true;
    this.format = this.nano ? 'pcap-ns' : 'pcap';
    this.want = RECORD_HEADER;
    this.handlers.onFormat?.(this.format, [this.linkType]);
    return FILE_HEADER;
  }

  protected truncatedMessage(have: number): string {
    if (!this.headerDone) {
      return `the pcap file header needs ${FILE_HEADER} bytes, only ${have} present: the file is truncated`;
    }
    const no = this.frameNo + 1;
    if (have < RECORD_HEADER) {
      return `record ${no} at file offset ${this.unitOffset} needs ${RECORD_HEADER} bytes for its header, only ${have} present: the file is truncated`;
    }
    return `record ${no} at file offset ${this.unitOffset} needs ${this.want} bytes, only ${have} present: the file is truncated`;
  }
}
