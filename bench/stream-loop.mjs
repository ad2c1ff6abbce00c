#!/usr/bin/env node
// Streamed read loop: the bare loop as most Node code would write it, for reference beside bench/read-loop.mjs (the
// floor the targets use). fs.createReadStream with its default 64 KiB chunks, walking the classic pcap record headers
// (a header split between two chunks is put together), looking at no packet. Prints `records bytes pcap` like
// read-loop.mjs; anything but classic pcap: exit 2, "not applicable".
//
//   node bench/stream-loop.mjs FILE
import { createReadStream } from 'node:fs';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: node bench/stream-loop.mjs FILE\n');
  process.exit(2);
}

let le = true;
let started = false;
let records = 0;
let bytes = 0;
/** Bytes still to skip: the rest of the current record's data (or of the file header). */
let skip = 0;
/** A record header split between chunks. */
const head = Buffer.alloc(16);
let headHave = 0;

for await (const chunk of createReadStream(path)) {
  bytes += chunk.length;
  let s = 0;
  if (!started) {
    const magic = chunk.readUInt32LE(0);
    if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true;
    else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) le = false;
    else {
      process.stderr.write('stream-loop: not applicable (not a classic pcap file)\n');
      process.exit(2);
    }
    started = true;
    s = 24;
  }
  const n = chunk.length;
  for (;;) {
    if (skip > 0) {
      const t = Math.min(skip, n - s);
      skip -= t;
      s += t;
      if (skip > 0) break;
    }
    if (headHave > 0 || s + 16 > n) {
      const t = Math.min(16 - headHave, n - s);
      chunk.copy(head, headHave, s, s + t);
      headHave += t;
      s += t;
      if (headHave < 16) break;
      headHave = 0;
      skip = le ? head.readUInt32LE(8) : head.readUInt32BE(8);
      records++;
      continue;
    }
    skip = le ? chunk.readUInt32LE(s + 8) : chunk.readUInt32BE(s + 8);
    s += 16;
    records++;
  }
}
process.stdout.write(`${records} ${bytes} pcap\n`);
