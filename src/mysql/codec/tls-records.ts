/**
 * TLS record framing (RFC 8446 §5.1 / RFC 5246 §6.2): content type, legacy version, 2-byte length. After an
 * SSLRequest both directions carry TLS records until the connection ends; this splits them so each can be shown.
 * Same push contract as the MySQL framer. The body of handshake records (content type 22, the only clear-text ones
 * worth reading: hellos) is gathered and passed on; other bodies are skipped without copying.
 */
export interface TlsRecordHeader {
  contentType: number;
  version: number;
  length: number;
  firstFrame: number;
}

/** Largest TLS record body (2^14 + 2048 for TLS 1.2 ciphertext expansion); longer lengths are still skipped. */
const MAX_RECORD_BODY = 18432;
const HANDSHAKE = 22;

export class TlsRecordFramer {
  private readonly hdr = new Uint8Array(5);
  private hdrHave = 0;
  private bodyLeft = 0;
  private body: Uint8Array | null = null;
  private bodyHave = 0;
  private readonly out: TlsRecordHeader = { contentType: 0, version: 0, length: 0, firstFrame: 0 };

  /** `body` is the record body for handshake records (valid during the call), undefined for the others. */
  constructor(private readonly onRecord: (h: TlsRecordHeader, frameNo: number, body: Uint8Array | undefined) => void) {}

  push(chunk: Uint8Array, frameNo: number): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - off);
        if (this.body) {
          this.body.set(chunk.subarray(off, off + take), this.bodyHave);
          this.bodyHave += take;
        }
        this.bodyLeft -= take;
        off += take;
        if (this.bodyLeft === 0) this.emit(frameNo);
        continue;
      }
      if (this.hdrHave === 0) this.out.firstFrame = frameNo;
      this.hdr[this.hdrHave++] = chunk[off++]!;
      if (this.hdrHave < 5) continue;
      this.hdrHave = 0;
      this.out.contentType = this.hdr[0]!;
      this.out.version = (this.hdr[1]! << 8) | this.hdr[2]!;
      this.out.length = (this.hdr[3]! << 8) | this.hdr[4]!;
      this.bodyLeft = this.out.length;
      this.bodyHave = 0;
      this.body = this.out.contentType === HANDSHAKE && this.out.length <= MAX_RECORD_BODY ? new Uint8Array(this.out.length) : null;
      if (this.bodyLeft === 0) this.emit(frameNo);
    }
  }

  private emit(frameNo: number): void {
    const body = this.body ?? undefined;
    this.body = null;
    this.onRecord(this.out, frameNo, body);
  }

  reset(): void {
    this.hdrHave = 0;
    this.bodyLeft = 0;
    this.body = null;
  }
}
