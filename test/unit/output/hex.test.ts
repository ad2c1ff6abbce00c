import { describe, expect, it } from 'vitest';
import { hexDump, renderHex, HexReporter } from '../../../src/output/hex.js';
import { StringSink } from '../../../src/output/sink.js';
import { TimeBase } from '../../../src/output/summary.js';
import { BASE, node, record, seedQuery, T } from './helpers.js';

describe('hexDump', () => {
  it('16 bytes a line with offsets and ASCII', () => {
    expect(hexDump(seedQuery().bytes)).toBe(
      '0000  0f 00 00 00 03 73 68 6f 77 20 64 61 74 61 62 61   .....show databa\n' +
        '0010  73 65 73                                          ses\n',
    );
  });
  it('empty input gives nothing', () => {
    expect(hexDump(new Uint8Array(0))).toBe('');
  });
});

describe('renderHex', () => {
  it('splits the seed query packet into its fields', () => {
    expect(renderHex(seedQuery().rec)).toBe(
      [
        'Packet 0 (frame 5): 19 bytes',
        '0000  0f 00 00 00 03 73 68 6f 77 20 64 61 74 61 62 61   .....show databa',
        '0010  73 65 73                                          ses',
        '[0000-0002] Packet Length: 15',
        '[0003] Packet Number: 0',
        '[0004] Command: Query (3)',
        '[0005-0012] Statement: show databases',
        '',
      ].join('\n'),
    );
  });

  it('one dump per packet, fields of each packet, flags and derived values left out', () => {
    const caps = node(T.caps, 0x0001, 0, 0, 2, [node(T.capLong, true, 0, 0, 2)]);
    const rec = record(
      { kind: 'eof', warnings: 0, status: 0 },
      {
        packets: [
          { seq: 1, length: 2, frameNo: 7, bytes: Uint8Array.from([2, 0, 0, 1, 1, 0]) },
          { seq: 2, length: 1, frameNo: 8, bytes: Uint8Array.from([1, 0, 0, 2, 0x41]) },
        ],
        tree: [caps, node(T.text, 'A', 1, 0, 1), node(T.rowCount, 1, -1, -1, 0)],
      },
    );
    const out = renderHex(rec);
    expect(out).toContain('Packet 0 (frame 7): 6 bytes\n0000  02 00 00 01 01 00');
    expect(out).toContain('[0004-0005] Server Capabilities: 0x0001\nPacket 1');
    expect(out).toContain('Packet 1 (frame 8): 5 bytes\n0000  01 00 00 02 41');
    expect(out).toContain('[0003] Packet Number: 2\n[0004] text: A\n');
    expect(out).not.toContain('Long Password');
    expect(out).not.toContain('Rows');
  });

  it('says when bytes were not kept or were cut', () => {
    const notKept = record({ kind: 'command', command: 1 });
    expect(renderHex(notKept)).toContain('Packet 0 (frame 12): 5 bytes, not kept');
    const cut = record(
      { kind: 'command', command: 3, query: 'x'.repeat(100) },
      { packets: [{ seq: 0, length: 101, frameNo: 12, bytes: Uint8Array.from([101, 0, 0, 0, 3, 120]), truncated: true }],
        tree: [node(T.command, 3, 0, 0, 1), node(T.query, 'x'.repeat(100), 0, 1, 100)] },
    );
    const out = renderHex(cut);
    expect(out).toContain('Packet 0 (frame 12): 105 bytes, only the first 6 kept');
    expect(out).toContain('[0005-0068] Statement: ');
    expect(out).toContain('(beyond the bytes kept)');
  });

  it('reporter: summary line, then packets, then an empty line', () => {
    const sink = new StringSink();
    new HexReporter(sink, false, new TimeBase(BASE)).record(seedQuery().rec);
    const s = sink.toString();
    expect(s.startsWith('    5   0.003412 127.0.0.1:51234 → 127.0.0.1:3306  Request Query  show databases\nPacket 0 (frame 5)')).toBe(true);
    expect(s.endsWith('show databases\n\n')).toBe(true);
    const withTree = new StringSink();
    new HexReporter(withTree, true).record(seedQuery().rec);
    expect(withTree.toString()).toMatch(/^Frame 5: .*\nMySQL Protocol\n[\s\S]*\nPacket 0 \(frame 5\)/);
  });
});
