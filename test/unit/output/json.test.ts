import { describe, expect, it } from 'vitest';
import { jsonValue, JsonReporter, recordToJson } from '../../../src/output/json.js';
import { StringSink } from '../../../src/output/sink.js';
import { TimeBase } from '../../../src/output/summary.js';
import { BASE, conn6, node, record, seedQuery, T } from './helpers.js';

describe('recordToJson', () => {
  it('fixed keys follow the direction', () => {
    const o = recordToJson(seedQuery().rec, new TimeBase(BASE));
    expect(o).toEqual({
      'frame.number': 5,
      'frame.time_epoch': '1700000000.003412000',
      'frame.time_relative': 0.003412,
      'ip.src': '127.0.0.1',
      'ip.dst': '127.0.0.1',
      'tcp.srcport': 51234,
      'tcp.dstport': 3306,
      'tcp.stream': 0,
      'mysql.direction': 'request',
      'mysql.kind': 'command',
      'mysql.conn.user': 'app',
      'mysql.conn.schema': 'shop',
      'mysql.conn.thread_id': 31,
      'mysql.conn.charset': 'utf8mb4',
      'mysql.fingerprint': 'show databases',
      'mysql.frames': [5],
      'mysql.packet_length': 15,
      'mysql.packet_number': 0,
      'test.command': 3,
      'test.query': 'show databases',
      issues: [],
    });
  });

  it('IPv6 responses: ipv6.* keys, server is the source', () => {
    const r = record({ kind: 'eof', warnings: 0, status: 0 }, { conn: conn6, connUser: undefined, connSchema: undefined, connThreadId: undefined });
    const o = recordToJson(r, new TimeBase(BASE));
    expect(o['ipv6.src']).toBe('::1');
    expect(o['tcp.srcport']).toBe(3307);
    expect(o['tcp.dstport']).toBe(40000);
    expect(o['tcp.stream']).toBe(3);
    expect(o['ip.src']).toBeUndefined();
    expect(o['mysql.direction']).toBe('response');
    expect(o['mysql.conn.user']).toBeNull();
  });

  it('repeated fields become arrays; bigint, bytes, null, flags; issues', () => {
    const r = record(
      { kind: 'resultset', columnCount: 1, columns: [], rowCount: 3, rows: [], end: 'eof', status: 0, warnings: 0, moreResults: false },
      {
        packets: [
          { seq: 1, length: 2, frameNo: 12 },
          { seq: 2, length: 2, frameNo: 12 },
          { seq: 3, length: 1, frameNo: 14 },
        ],
        tree: [
          node(T.caps, 1, 0, 0, 2, [node(T.capLong, true, 0, 0, 2), node(T.capFound, false, 0, 0, 2)]),
          node(T.request, null, 0, 0, 0, [node(T.text, 'a', 1, 0, 2), node(T.text, null, 2, 0, 1), node(T.text, 'c', 2, 1, 2)]),
          node(T.affected, 2n ** 60n, 0, 0, 9),
          node(T.affected, 7n, 0, 0, 9),
          node(T.salt, Uint8Array.from([0xde, 0xad]), 0, 0, 2),
        ],
        issues: [{ layer: 'mysql', kind: 'gap', code: 'mysql.gap', message: 'lost 10 bytes' }],
      },
    );
    const o = recordToJson(r, new TimeBase(BASE));
    expect(o['mysql.frames']).toEqual([12, 14]);
    expect(o['mysql.packet_number']).toEqual([1, 2, 3]);
    expect(o['test.caps']).toBe(1);
    expect(o['test.caps.long_password']).toBe(true);
    expect(o['test.caps.found_rows']).toBe(false);
    expect(o['test.text']).toEqual(['a', null, 'c']);
    expect(o['test.affected_rows']).toEqual([String(2n ** 60n), 7]);
    expect(o['test.salt']).toBe('dead');
    expect('test.request' in o).toBe(false);
    expect(o['issues']).toEqual([{ code: 'mysql.gap', message: 'lost 10 bytes' }]);
  });

  it('tree fields never overwrite fixed keys; header fields from the tree are used as they are', () => {
    const fake = { name: 'tcp.stream', label: 'x', type: 'uint', description: '' } as const;
    const len = { name: 'mysql.packet_length', label: 'Packet Length', type: 'uint', description: '' } as const;
    const r = record({ kind: 'command', command: 1 }, { tree: [node(fake, 99, 0, 0, 1), node(len, 1, 0, -4, 3)] });
    const o = recordToJson(r, new TimeBase(BASE));
    expect(o['tcp.stream']).toBe(0);
    expect(o['mysql.packet_length']).toBe(1);
    expect(o['mysql.packet_number']).toBeUndefined();
  });

  it('jsonValue', () => {
    expect(jsonValue(2n ** 53n - 1n)).toBe(2 ** 53 - 1);
    expect(jsonValue(2n ** 53n)).toBe('9007199254740992');
    expect(jsonValue(-(2n ** 63n))).toBe('-9223372036854775808');
    expect(jsonValue(Number.NaN)).toBe('NaN');
    expect(jsonValue(new Uint8Array(0))).toBe('');
  });

  it('reporter writes one parseable line per record', () => {
    const sink = new StringSink();
    const rep = new JsonReporter(sink, new TimeBase(BASE));
    rep.record(seedQuery().rec);
    rep.record(record({ kind: 'command', command: 1 }));
    const lines = sink.toString().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[1]!)['mysql.kind']).toBe('command');
  });
});
