/**
 * Does a chunk of a byte stream start at a MySQL packet boundary? Used to pick up a connection mid-stream,
 * to resynchronise after lost segments, and to detect MySQL on ports nobody named. A chunk passes when it is a
 * chain of packet headers that ends exactly at the chunk end (or with one packet running past it), with sequence
 * ids counting up by one, and a first packet that makes sense for the direction.
 */
import { COM, COMMAND_NAMES } from '../constants/commands.js';

const MAX_PLAUSIBLE_PACKET = 0xffffff;

/**
 * A client command: sequence id 0, a known command byte, and either whole packets or — for a statement longer
 * than the segment — SQL text that runs to the end of the chunk.
 */
export function plausibleRequestStart(chunk: Uint8Array): boolean {
  if (chunk.length < 5) return false;
  if (chunk[3] !== 0) return false;
  const cmd = chunk[4]!;
  if (!COMMAND_NAMES.has(cmd)) return false;
  if (chainFits(chunk)) return true;
  return (cmd === COM.QUERY || cmd === COM.STMT_PREPARE) && chunk.length >= 24 && isStatementText(chunk, 5);
}

/** Bytes that can be SQL text: no control characters other than tab, newline and carriage return. */
function isStatementText(b: Uint8Array, from: number): boolean {
  for (let i = from; i < b.length; i++) {
    const c = b[i]!;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return false;
  }
  return true;
}

/**
 * A server greeting (seq 0, protocol 10, printable version) or the start of a response (seq 1). Packets in the
 * middle of a response (rows) are not accepted: without the request they answer they cannot be placed anyway,
 * and row bytes too easily look like a header.
 */
export function plausibleResponseStart(chunk: Uint8Array): boolean {
  if (chunk.length < 5) return false;
  if (chunk[3] === 0) return looksLikeGreeting(chunk);
  if (chunk[3] !== 1) return false;
  return chainFits(chunk);
}

/** HandshakeV10: `0a` then a NUL-terminated printable version string starting with a digit. */
export function looksLikeGreeting(chunk: Uint8Array): boolean {
  if (chunk.length < 10 || chunk[3] !== 0 || chunk[4] !== 0x0a) return false;
  const len = chunk[0]! | (chunk[1]! << 8) | (chunk[2]! << 16);
  if (len < 20 || len > 1024) return false;
  const c0 = chunk[5]!;
  if (c0 < 0x30 || c0 > 0x39) return false;
  const end = Math.min(chunk.length, 4 + len);
  for (let i = 6; i < end; i++) {
    const c = chunk[i]!;
    if (c === 0) return i > 6;
    if (c < 0x20 || c > 0x7e) return false;
  }
  return false;
}

/** At least one whole packet, and every header after it fits the chain (a last packet may run past the chunk). */
function chainFits(chunk: Uint8Array): boolean {
  let off = 0;
  let expectSeq = chunk[3]!;
  let packets = 0;
  while (off + 4 <= chunk.length) {
    const len = chunk[off]! | (chunk[off + 1]! << 8) | (chunk[off + 2]! << 16);
    if (chunk[off + 3] !== expectSeq) return false;
    if (len > MAX_PLAUSIBLE_PACKET) return false;
    off += 4 + len;
    if (off > chunk.length) return packets > 0; // the last packet continues in the next segment
    packets++;
    expectSeq = (expectSeq + 1) & 0xff;
    if (off === chunk.length) return true;
  }
  // A few bytes of a next header left over: fine only if some packets matched.
  return packets > 0 && off <= chunk.length;
}

/**
 * A chunk made of whole compressed-protocol packets (connection picked up mid-stream, compression negotiated
 * before the capture): 7-byte headers whose compressed lengths chain exactly to the end of the chunk, the first
 * holding a zlib stream (0x78 + valid check bits), a zstd frame (28 b5 2f fd), or — uncompressed length 0 — a
 * plain MySQL packet. The caller prefers plain framing when the chunk is also an exact chain of MySQL packets.
 */
export function looksCompressed(chunk: Uint8Array): 'zlib' | 'zstd' | undefined {
  if (chunk.length < 12) return undefined;
  let off = 0;
  while (off + 7 <= chunk.length) off += 7 + (chunk[off]! | (chunk[off + 1]! << 8) | (chunk[off + 2]! << 16));
  if (off !== chunk.length) return undefined;
  const clen = chunk[0]! | (chunk[1]! << 8) | (chunk[2]! << 16);
  const ulen = chunk[4]! | (chunk[5]! << 8) | (chunk[6]! << 16);
  const b = chunk.subarray(7, 7 + clen);
  if (ulen === 0) return plausibleRequestStart(b) || plausibleResponseStart(b) ? 'zlib' : undefined;
  if (b[0] === 0x78 && ((0x78 << 8) | b[1]!) % 31 === 0) return 'zlib';
  if (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return 'zstd';
  return undefined;
}

/** The chunk is exactly a chain of whole MySQL packets. */
export function exactPacketChain(chunk: Uint8Array): boolean {
  let off = 0;
  while (off + 4 <= chunk.length) off += 4 + (chunk[off]! | (chunk[off + 1]! << 8) | (chunk[off + 2]! << 16));
  return off === chunk.length;
}
