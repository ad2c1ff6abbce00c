#!/usr/bin/env node
// Bare read loop: the floor for any tool that has to look at every record of a capture. Opens FILE, reads it in
// 4 MiB chunks with fs.readSync and walks the record headers without looking at the packets, then prints
//   records bytes format
// on one line (e.g. `2148698 2366692057 pcap`). bench/run.mjs times it next to myshark ("myshark vs bare loop").
//
//   node bench/read-loop.mjs FILE                 # count records
//   node bench/read-loop.mjs --first-bytes 300M FILE
//                                                 # print N, the number of leading records whose pcap file (24-byte
//                                                 # header + N records) stays within that size (for `editcap -r FILE
//                                                 # SLICE 1-N`); classic pcap only
//
// Classic pcap (either byte order, micro- or nanosecond): 16-byte record headers, caplen at offset 8.
// pcapng: walks blocks (type, total length) and counts packet blocks (EPB 6, SPB 3, obsolete PB 2); the section
// header's byte-order magic sets the endianness. Anything else (gzip, zstd ...): exit 2, "not applicable".
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';

const CHUNK = 4 << 20;

function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(String(s).trim());
  if (!m) throw new Error(`bad size ${s} (e.g. 300M, 1G)`);
  return Math.round(Number(m[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()]);
}

/** Calls onRecord(offset, recordBytes) for every pcap record; returns { records, bytes, format } or null. */
export function walk(path, onRecord) {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(CHUNK);
    let n = readSync(fd, buf, 0, CHUNK, 0);
    if (n < 4) return null;
    const magic = buf.readUInt32LE(0);
    let records = 0;
    if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d || magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) {
      const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
      // base = file offset of buf[0]; s = position in buf of the next record header
      let base = 0, s = 24;
      for (;;) {
        while (s + 16 <= n) {
          const len = 16 + (le ? buf.readUInt32LE(s + 8) : buf.readUInt32BE(s + 8));
          if (onRecord && onRecord(base + s, len) === false) return { records, bytes: base + s, format: 'pcap' };
          s += len;
          records++;
        }
        base += s; // the next header starts at file offset base (maybe past this chunk: the record's data continues)
        if (base >= size) break;
        n = readSync(fd, buf, 0, CHUNK, base);
        s = 0;
        if (n < 16) break; // truncated last record header
      }
      return { records, bytes: size, format: 'pcap' };
    }
    if (magic === 0x0a0d0d0a) {
      let le = true, base = 0, s = 0;
      for (;;) {
        while (s + 12 <= n) {
          const typeLE = buf.readUInt32LE(s);
          if (typeLE === 0x0a0d0d0a) le = buf.readUInt32LE(s + 8) === 0x1a2b3c4d; // section header: byte order
          const type = le ? typeLE : buf.readUInt32BE(s);
          const len = le ? buf.readUInt32LE(s + 4) : buf.readUInt32BE(s + 4);
          if (len < 12) return { records, bytes: base + s, format: 'pcapng', damaged: true };
          if (type === 6 || type === 3 || type === 2) records++;
          s += len;
        }
        base += s;
        if (base >= size) break;
        n = readSync(fd, buf, 0, CHUNK, base);
        s = 0;
        if (n < 12) break;
      }
      return { records, bytes: size, format: 'pcapng' };
    }
    return null;
  } finally { closeSync(fd); }
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const a = process.argv.slice(2);
  let first = null, file = null;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--first-bytes') first = parseSize(a[++i]);
    else if (a[i] === '-h' || a[i] === '--help') { console.log('usage: node bench/read-loop.mjs [--first-bytes SIZE] FILE'); process.exit(0); }
    else file = a[i];
  }
  if (!file) { console.error('usage: node bench/read-loop.mjs [--first-bytes SIZE] FILE'); process.exit(2); }
  if (first != null) {
    let n = 0;
    const r = walk(file, (off, len) => { if (off + len > first) return false; n++; return true; });
    if (!r || r.format !== 'pcap') { console.error(`${file}: --first-bytes needs a classic pcap`); process.exit(2); }
    console.log(n);
  } else {
    const r = walk(file);
    if (!r) { console.error(`${file}: not a pcap/pcapng file (compressed?): bare loop not applicable`); process.exit(2); }
    console.log(`${r.records} ${r.bytes} ${r.format}${r.damaged ? ' damaged' : ''}`);
  }
}
