/** The TCP payload of every frame of a capture, read with our own capture parser and decoder (by frame number). */
import { readFileSync } from 'node:fs';
import { createCaptureParser } from '../../src/capture/open.js';
import { sniffFormat } from '../../src/capture/sniff.js';
import { PacketDecoder } from '../../src/decode/decoder.js';

export function tcpPayloads(path: string): Map<number, Uint8Array> {
  const bytes = readFileSync(path);
  const format = sniffFormat(bytes);
  if (format === undefined || format === 'gzip') throw new Error(`${path}: not a plain pcap/pcapng`);
  const decoder = new PacketDecoder();
  const out = new Map<number, Uint8Array>();
  const parser = createCaptureParser(format, {
    onFrame: (f) => {
      const p = decoder.decode(f);
      if (p && p.payload.length > 0) out.set(f.no, new Uint8Array(p.payload));
    },
    onIssue: () => {},
  });
  parser.push(bytes);
  parser.end();
  return out;
}
