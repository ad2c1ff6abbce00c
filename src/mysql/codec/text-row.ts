/**
 * True when bytes [start, end) of `b` are exactly `columns` text-row values (string<lenenc> with a 1-, 3- or 4-byte
 * length, or 0xFB for NULL) and nothing else: a row that can be counted without decoding. Anything else (an 8-byte
 * length, a value that runs past the end, bytes left over) is false and left to decodeTextRow, which says what is
 * wrong. A codec function (no decoding, no allocation): the framer counts rows with it.
 */
export function isPlainTextRow(b: Uint8Array, columns: number, start = 0, end = b.length): boolean {
  let pos = start;
  for (let i = 0; i < columns; i++) {
    if (pos >= end) return false;
    const c = b[pos]!;
    if (c < 0xfb) pos += 1 + c;
    else if (c === 0xfb) pos++;
    else if (c === 0xfc) pos = pos + 3 > end ? end + 1 : pos + 3 + (b[pos + 1]! | (b[pos + 2]! << 8));
    else if (c === 0xfd) pos = pos + 4 > end ? end + 1 : pos + 4 + (b[pos + 1]! | (b[pos + 2]! << 8) | (b[pos + 3]! << 16));
    else return false;
  }
  return pos === end;
}
