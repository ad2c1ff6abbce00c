/**
 * Compression negotiated before the capture began: test/fixtures/compressed.pcap (real: `mariadb --compress`)
 * with its first 8 frames (handshake, login, OK) dropped, as if tcpdump had started later — the compressed
 * protocol must be recognised from the framing and the queries decoded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PcapParser } from '../../../src/capture/pcap.js';
import { PcapBuilder } from '../../../src/capture/pcap-writer.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import type { MySqlRecord } from '../../../src/model/record.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/compressed.pcap');

function withoutFirstFrames(n: number): { frames: Array<{ sec: number; usec: number; data: Uint8Array }>; linkType: number } {
  const frames: Array<{ sec: number; usec: number; data: Uint8Array }> = [];
  let linkType = 1;
  const parser = new PcapParser({
    onFrame: (f) => {
      linkType = f.linkType;
      if (f.no > n) frames.push({ sec: f.tsSec, usec: Math.floor(f.tsNsec / 1000), data: new Uint8Array(f.data) });
    },
    onIssue: () => {},
  });
  parser.push(readFileSync(FIXTURE));
  parser.end();
  return { frames, linkType };
}

describe('compressed protocol picked up mid-stream', () => {
  it('recognises zlib compression from the framing and decodes the queries', async () => {
    const { frames, linkType } = withoutFirstFrames(8);
    const b = new PcapBuilder({ linkType });
    for (const f of frames) b.add(f.sec, f.usec, f.data);
    const records: MySqlRecord[] = [];
    const p = new Pipeline({}, (r) => records.push(r));
    const parser = new PcapParser({ onFrame: (f) => p.frame(f), onIssue: () => {} });
    parser.push(b.toBuffer());
    parser.end();
    p.end();
    const queries = records.flatMap((r) => (r.event.kind === 'command' && r.event.query ? [r.event.query] : []));
    expect(queries).toEqual([
      'SELECT id, name, city FROM customers ORDER BY id',
      "SELECT REPEAT('abc', 1000) AS long_text",
      'SELECT * FROM nope',
    ]);
    const first = records[0]!;
    expect(first.issues.map((i) => i.code)).toContain('mysql.compression_detected');
    const rs = records.filter((r) => r.event.kind === 'resultset').map((r) => (r.event.kind === 'resultset' ? r.event.rowCount : -1));
    expect(rs).toEqual([4, 1]);
    expect(records.some((r) => r.event.kind === 'err')).toBe(true);
  });
});
