/**
 * Finding MySQL on a connection whose port nobody named: from the server greeting (a HandshakeV10 in the first
 * bytes), or, for connections already open when the capture began, from framing — a client chunk that is a
 * well-formed command packet followed by a server chunk that is a well-formed response.
 */
import type { Dir } from '../flow/types.js';
import { COM } from '../mysql/constants/commands.js';
import { looksLikeGreeting, plausibleRequestStart, plausibleResponseStart } from '../mysql/session/plausible.js';

export type DetectVerdict = 'mysql' | 'not-mysql' | 'undecided';

/** Chunks looked at before giving up on a connection. */
const MAX_CHUNKS = 6;
/** Bytes of the first client chunk kept to replay once MySQL is recognised. */
const MAX_REPLAY = 64 * 1024;

export class MySqlDetector {
  private chunks = 0;
  private request: Uint8Array | undefined;
  private requestFrame = 0;
  how: 'greeting' | 'framing' | undefined;

  /** Looks at one in-order chunk. */
  look(dir: Dir, bytes: Uint8Array, frameNo: number): DetectVerdict {
    this.chunks++;
    if (looksLikeGreeting(bytes)) {
      this.how = 'greeting';
      return 'mysql';
    }
    if (dir === 'c2s' && this.request === undefined && strongRequest(bytes)) {
      this.request = new Uint8Array(bytes.subarray(0, MAX_REPLAY));
      this.requestFrame = frameNo;
    } else if (dir === 's2c' && this.request !== undefined && plausibleResponseStart(bytes) && bytes[3] === 1) {
      this.how = 'framing';
      return 'mysql';
    } else if (dir === 'c2s' && this.request !== undefined) {
      this.request = undefined; // a second client chunk before any answer: start over
    }
    return this.chunks >= MAX_CHUNKS ? 'not-mysql' : 'undecided';
  }

  /** The client request seen before the response that confirmed MySQL (framing detection), to replay. */
  takeReplay(): { bytes: Uint8Array; frameNo: number } | undefined {
    const r = this.request;
    this.request = undefined;
    return r && { bytes: r, frameNo: this.requestFrame };
  }
}

/** A whole command packet in one chunk whose command is common and whose text (if any) is printable. */
function strongRequest(b: Uint8Array): boolean {
  if (!plausibleRequestStart(b)) return false;
  const len = b[0]! | (b[1]! << 8) | (b[2]! << 16);
  if (4 + len !== b.length) return false;
  const cmd = b[4]!;
  if (cmd === COM.QUERY || cmd === COM.STMT_PREPARE || cmd === COM.INIT_DB) {
    if (len < 2) return false;
    for (let i = 5; i < b.length; i++) {
      const c = b[i]!;
      if (c < 0x09 || (c > 0x0d && c < 0x20) || c === 0x7f) return false;
    }
    return true;
  }
  return cmd === COM.PING || cmd === COM.STATISTICS || cmd === COM.STMT_EXECUTE || cmd === COM.STMT_CLOSE || cmd === COM.QUIT;
}
