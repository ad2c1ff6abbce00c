import { describe, expect, it } from 'vitest';
import { renderTree, TreeReporter } from '../../../src/output/tree.js';
import { bitPicture, formatValue } from '../../../src/output/format.js';
import { StringSink } from '../../../src/output/sink.js';
import { TimeBase } from '../../../src/output/summary.js';
import { BASE, node, record, seedQuery, T } from './helpers.js';

describe('renderTree', () => {
  it('prints the seed query like Wireshark', () => {
    const { rec } = seedQuery();
    expect(renderTree(rec)).toBe(
      [
        'Frame 5: 127.0.0.1:51234 → 127.0.0.1:3306, tcp.stream 0',
        'MySQL Protocol',
        '    Packet Length: 15',
        '    Packet Number: 0',
        '    Request Command Query',
        '        Command: Query (3)',
        '        Statement: show databases',
        '',
      ].join('\n'),
    );
  });

  it('one MySQL Protocol block per packet, flags with bit pictures, derived values in brackets, issues', () => {
    const caps = node(T.caps, 0xf7ff, 0, 1, 2);
    caps.children = [node(T.capLong, true, 0, 1, 2), node(T.capFound, true, 0, 1, 2)];
    const rec = record(
      { kind: 'resultset', columnCount: 1, columns: [], rowCount: 1, rows: [['x']], end: 'eof', status: 2, warnings: 0, moreResults: false },
      {
        frameNo: 20,
        lastFrameNo: 21,
        packets: [
          { seq: 1, length: 3, frameNo: 20 },
          { seq: 2, length: 2, frameNo: 21 },
        ],
        tree: [caps, node(T.text, 'x', 1, 0, 2), node(T.text, null, 1, 2, 1), node(T.rowCount, 1, -1, -1, 0)],
        issues: [{ layer: 'mysql', kind: 'malformed', code: 'mysql.x', message: 'bad row' }],
      },
    );
    expect(renderTree(rec)).toBe(
      [
        'Frame 20: 127.0.0.1:3306 → 127.0.0.1:51234, tcp.stream 0 (frames 20-21)',
        'MySQL Protocol',
        '    Packet Length: 3',
        '    Packet Number: 1',
        '    Server Capabilities: 0xf7ff',
        '        .... .... .... ...1 = Long Password: Set',
        '        .... .... .... ..1. = Found Rows: Set',
        'MySQL Protocol',
        '    Packet Length: 2',
        '    Packet Number: 2',
        '    text: x',
        '    text: NULL',
        '    [Rows: 1]',
        '    [Expert Info (Error/malformed): bad row] (mysql.x)',
        '',
      ].join('\n'),
    );
  });

  it('falls back to the summary line without a tree', () => {
    const rec = record({ kind: 'command', command: 1 });
    expect(renderTree(rec, new TimeBase(BASE))).toBe(
      'Frame 12: 127.0.0.1:51234 → 127.0.0.1:3306, tcp.stream 0\n   12   0.003412 127.0.0.1:51234 → 127.0.0.1:3306  Request Quit\n',
    );
  });

  it('does not repeat packet header fields found in the tree', () => {
    const hdr = { name: 'mysql.packet_length', label: 'Packet Length', type: 'uint', description: '' } as const;
    const rec = record({ kind: 'command', command: 1 }, { tree: [node(hdr, 1, 0, -4, 3), node(T.command, 1, 0, 0, 1)] });
    expect(renderTree(rec).match(/Packet Length/g)).toHaveLength(1);
  });

  it('reporter separates messages by an empty line', () => {
    const sink = new StringSink();
    new TreeReporter(sink).record(seedQuery().rec);
    expect(sink.toString().endsWith('show databases\n\n')).toBe(true);
  });
});

describe('formatValue', () => {
  it('formats every kind of value', () => {
    expect(formatValue(T.command, 3)).toBe('Query (3)');
    expect(formatValue(T.command, 9)).toBe('9');
    expect(formatValue(T.caps, 0x2)).toBe('0x0002');
    expect(formatValue(T.status, 0x2, node(T.status, 2, 0, 0, 2))).toBe('0x0002');
    expect(formatValue(T.status, 0x2)).toBe('0x02');
    expect(formatValue(T.affected, 2n ** 64n - 1n)).toBe('18446744073709551615');
    expect(formatValue(T.salt, Uint8Array.from([0, 0xab, 0x10]))).toBe('00ab10');
    expect(formatValue(T.query, 'a\nb')).toBe('a\\nb');
    expect(formatValue(T.capLong, false)).toBe('Not set');
    expect(formatValue(T.flag, true)).toBe('True');
    expect(formatValue(T.text, null)).toBe('NULL');
  });
  it('bit pictures', () => {
    expect(bitPicture(0x0200, 0xf7ff, 16)).toBe('.... ..1. .... ....');
    expect(bitPicture(0x0800, 0xf7ff, 16)).toBe('.... 0... .... ....');
    expect(bitPicture(0x80000000, 0x80000000, 32)).toBe('1... .... .... .... .... .... .... ....');
  });
});
