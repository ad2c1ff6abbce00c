/**
 * TLS record framing (RFC 8446 §5.1 / RFC 5246 §6.2): content type, legacy version, 2-byte length. After an
 * SSLRequest both directions carry TLS records until the connection ends; this splits them so each can be shown
 * (decryption comes later). Same push contract as the MySQL framer; the header is passed with each record.
 */
export interface TlsRecordHeader {
  contentType: number;
  version: number;
  length: number;
  firstFrame: number;
}

export class TlsRecordFramer {
  private readonly hdr = new Uint8Array(5);
  private hdrHave = 0;
  private bodyLeft = 0;
  private readonly out: TlsRecordHeader = { contentType: 0, version: 0, length: 0, firstFrame: 0 };

  constructor(private readonly onRecord: (h: TlsRecordHeader, frameNo: number) => void) {}

  push(chunk: Uint8Array, frameNo: number): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - off);
        this.bodyLeft -= take;
        off += take;
        if (this.bodyLeft === 0) this.onRecord(this.out, frameNo);
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
      if (this.bodyLeft === 0) this.onRecord(this.out, frameNo);
    }
  }

  reset(): void {
    this.hdrHave = 0;
    this.bodyLeft = 0;
  }
}
