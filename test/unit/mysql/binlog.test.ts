/**
 * SYNTHETIC binlog events, built byte by byte from the documentation (MariaDB "Replication Protocol" pages, MySQL
 * binlog_event.h / control_events.h / rows_event.h). The real-capture test is binlog-real.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/core/issues.js';
import { PayloadReader } from '../../../src/mysql/codec/payload-reader.js';
import { MYSQL_TYPE as T } from '../../../src/mysql/constants/column-types.js';
import {
  BinlogDecoder, binlogEventIssues, binlogSummary, crc32, decodeBinlogPacket, decodeSemiSyncAck,
} from '../../../src/mysql/messages/binlog.js';
import { decodeDecimal, decodeTime2 } from '../../../src/mysql/messages/binlog-rows.js';
import { TreeBuilder } from '../../../src/mysql/messages/tree.js';

const cat = (...parts: Array<number[] | Uint8Array>) => Uint8Array.from(parts.flatMap((p) => [...p]));
const u16 = (v: number) => [v & 0xff, v >> 8];
const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const u64 = (v: number) => [...u32(v % 2 ** 32), ...u32(Math.floor(v / 2 ** 32))];
const str = (s: string) => [...new TextEncoder().encode(s)];
const lenstr = (s: string) => [str(s).length, ...str(s)];

/** A v4 event: header (timestamp 1700000000, server 7, log_pos 1000, flags 0) + body [+ CRC32]. */
function ev(type: number, body: number[] | Uint8Array, crc = true, logPos = 1000): Uint8Array {
  const size = 19 + body.length + (crc ? 4 : 0);
  const e = cat(u32(1700000000), [type], u32(7), u32(size), u32(logPos), u16(0), body);
  return crc ? cat(e, u32(crc32(e))) : e;
}

/** MariaDB 10.11 FDE: post-header lengths for 171 types (ROTATE 8, QUERY 13, TABLE_MAP 8, rows v1 8, v2 10), alg byte. */
function fde(alg: number): Uint8Array {
  const ph = new Array<number>(171).fill(0);
  ph[2 - 1] = 13; ph[4 - 1] = 8; ph[19 - 1] = 8; ph[23 - 1] = ph[24 - 1] = ph[25 - 1] = 8; ph[30 - 1] = ph[31 - 1] = ph[32 - 1] = 10;
  const version = new Array<number>(50).fill(0);
  str('10.11.19-MariaDB-log').forEach((b, i) => { version[i] = b; });
  return ev(15, [...u16(4), ...version, ...u32(0), 19, ...ph, alg], true);
}

function decode(d: BinlogDecoder, bytes: Uint8Array, t: TreeBuilder | null = null) {
  return d.decodeEvent(new PayloadReader().reset(bytes), t);
}

function started(): BinlogDecoder {
  const d = new BinlogDecoder();
  decode(d, fde(1));
  return d;
}

describe('binlog events (SYNTHETIC)', () => {
  it('CRC32 is zlib\'s (check value of "123456789")', () => {
    expect(crc32(Uint8Array.from(str('123456789')))).toBe(0xcbf43926);
  });

  it('FORMAT_DESCRIPTION_EVENT announces CRC32 and the post-header lengths, with Wireshark header field names', () => {
    const d = new BinlogDecoder();
    const t = new TreeBuilder();
    const e = decode(d, fde(1), t);
    expect(e.header).toMatchObject({ typeCode: 15, typeName: 'FORMAT_DESCRIPTION_EVENT', serverId: 7, logPos: 1000, timestamp: 1700000000 });
    expect(e.body).toMatchObject({ type: 'format_description', binlogVersion: 4, serverVersion: '10.11.19-MariaDB-log', headerLength: 19, checksumAlg: 1 });
    expect(e.checksum).toMatchObject({ alg: 'crc32', ok: true });
    expect(d.checksum).toBe('crc32');
    expect(d.postHeaderLength(2, 0)).toBe(13);
    const names = JSON.stringify(t.roots, (k, v) => (k === 'field' ? v.name : v));
    for (const n of ['mysql.binlog.event_header.timestamp', 'mysql.binlog.event_header.event_type', 'mysql.binlog.event_header.server_id',
      'mysql.binlog.event_header.event_size', 'mysql.binlog.event_header.log_position', 'mysql.binlog.event_header.flags', 'mysql.binlog.event_checksum']) {
      expect(names).toContain(n);
    }
    const off = new BinlogDecoder();
    expect(decode(off, fde(0)).body).toMatchObject({ checksumAlg: 0 });
    expect(off.checksum).toBe('none');
  });

  it('ROTATE before the FDE: checksum found by trying it; without one, the name is whole', () => {
    const d = new BinlogDecoder();
    const body = [...u64(4), ...str('mysql-bin.000001')];
    expect(decode(d, ev(4, body, true, 0))).toMatchObject({ body: { type: 'rotate', position: 4, file: 'mysql-bin.000001' }, checksum: { ok: true } });
    expect(decode(new BinlogDecoder(), ev(4, body, false, 0))).toMatchObject({ body: { file: 'mysql-bin.000001' }, checksum: { alg: 'none' } });
  });

  it('QUERY_EVENT: thread id, exec time, schema, error code, status vars skipped by length, SQL', () => {
    const status = [0x00, ...u32(0)]; // Q_FLAGS2_CODE
    const e = decode(started(), ev(2, [...u32(42), ...u32(3), 4, ...u16(0), ...u16(status.length), ...status, ...str('shop'), 0, ...str('INSERT INTO t VALUES (1)')]));
    expect(e.body).toEqual({ type: 'query', threadId: 42, execTime: 3, schema: 'shop', errorCode: 0, statusVarsLength: 5, query: 'INSERT INTO t VALUES (1)' });
    expect(binlogSummary(e)).toBe('QUERY  schema=shop  INSERT INTO t VALUES (1)');
  });

  it('XID, MariaDB GTID (group commit id), GTID_LIST, BINLOG_CHECKPOINT, ANNOTATE_ROWS', () => {
    const d = started();
    expect(decode(d, ev(16, u64(77))).body).toEqual({ type: 'xid', xid: 77 });
    expect(decode(d, ev(162, [...u64(9884), ...u32(0), 0x02 | 0x04, ...u64(123)])).body)
      .toEqual({ type: 'mariadb_gtid', seqNo: 9884, domainId: 0, flags: 6, commitId: 123, gtid: '0-7-9884' });
    expect(decode(d, ev(162, [...u64(5), ...u32(2), 0x01, 0, 0, 0, 0, 0, 0])).body).toMatchObject({ gtid: '2-7-5', flags: 1 });
    expect(decode(d, ev(163, [...u32(2), ...u32(0), ...u32(1), ...u64(10), ...u32(1), ...u32(2), ...u64(20)])).body)
      .toEqual({ type: 'gtid_list', flags: 0, gtids: ['0-1-10', '1-2-20'] });
    expect(decode(d, ev(161, [...u32(16), ...str('mysql-bin.000003')])).body).toEqual({ type: 'binlog_checkpoint', file: 'mysql-bin.000003' });
    expect(decode(d, ev(160, str('DELETE FROM t'))).body).toEqual({ type: 'annotate_rows', query: 'DELETE FROM t' });
  });

  it('MySQL GTID_LOG_EVENT (logical clock, commit timestamps, length), ANONYMOUS_GTID, PREVIOUS_GTIDS', () => {
    const d = started();
    const uuid = Array.from({ length: 16 }, (_, i) => i * 17);
    const ts = [...u32(0x12345678), 0x9a, 0x0b, 0x80]; // 7 bytes, top bit: original timestamp follows
    const e = decode(d, ev(33, [1, ...uuid, ...u64(5), 2, ...u64(3), ...u64(4), ...ts, ...u32(0x12345678), 0x9a, 0x0b, 0x00, 0xfc, ...u16(600)]));
    expect(e.body).toMatchObject({ type: 'gtid', anonymous: false, flags: 1, uuid: '00112233-4455-6677-8899-aabbccddeeff', gno: 5,
      gtid: '00112233-4455-6677-8899-aabbccddeeff:5', lastCommitted: 3, sequenceNumber: 4, transactionLength: 600,
      immediateCommitTimestamp: 0x0b9a12345678, originalCommitTimestamp: 0x0b9a12345678 });
    expect(decode(d, ev(34, [0, ...new Array(16).fill(0), ...u64(0), 2, ...u64(0), ...u64(1)])).body).toMatchObject({ anonymous: true, gtid: 'ANONYMOUS' });
    expect(decode(d, ev(35, [...u64(1), ...uuid, ...u64(2), ...u64(1), ...u64(6), ...u64(7), ...u64(8)])).body)
      .toMatchObject({ type: 'previous_gtids', gtidSet: '00112233-4455-6677-8899-aabbccddeeff:1-5:7' });
  });

  it('HEARTBEAT_LOG_EVENT and HEARTBEAT_LOG_EVENT_V2', () => {
    const d = started();
    expect(decode(d, ev(27, str('mysql-bin.000002'), true, 3981)).body).toEqual({ type: 'heartbeat', file: 'mysql-bin.000002', position: 3981 });
    expect(decode(d, ev(41, [1, 5, ...str('b.001'), 2, 3, 0xfc, ...u16(5000), 0])).body).toEqual({ type: 'heartbeat', file: 'b.001', position: 5000 });
  });

  it('unknown event types keep header and raw body', () => {
    const e = decode(started(), ev(200, [1, 2, 3]));
    expect(e.header.typeName).toBe('Unknown (0xc8)');
    expect(e.body).toEqual({ type: 'raw', length: 3 });
  });

  it('a CRC32 mismatch is a returned flag and an issue, not an exception', () => {
    const bytes = ev(16, u64(77));
    bytes[19] ^= 0xff;
    const e = decode(started(), bytes);
    expect(e.checksum.ok).toBe(false);
    expect(binlogEventIssues(e)).toMatchObject([{ code: 'mysql.binlog.bad_checksum', kind: 'malformed' }]);
  });

  it('semi-sync packets: 0x00 0xEF flag event (explicit and auto), and the replica ACK', () => {
    const x = ev(16, u64(1));
    const semi = decodeBinlogPacket(new PayloadReader().reset(cat([0, 0xef, 1], x)), null, started(), 'auto');
    expect(semi.semiSync).toEqual({ ackRequested: true });
    const plain = decodeBinlogPacket(new PayloadReader().reset(cat([0], x)), null, started(), 'auto');
    expect(plain.semiSync).toBeUndefined();
    expect(decodeBinlogPacket(new PayloadReader().reset(cat([0, 0xef, 0], x)), null, started(), true).semiSync).toEqual({ ackRequested: false });
    expect(decodeSemiSyncAck(new PayloadReader().reset(cat([0xef], u64(3981), str('mysql-bin.000001'))), null))
      .toEqual({ kind: 'binlog_semisync_ack', position: 3981, file: 'mysql-bin.000001' });
  });
});

// TABLE_MAP for: id INT UNSIGNED, d DECIMAL(10,2), dt DATETIME(6), tm TIME(2), ts TIMESTAMP(3), v VARCHAR(300) utf8mb4,
// c CHAR(4) (STRING, real type STRING), e ENUM (STRING with real type ENUM), s SET (real type SET), b BLOB (2 length bytes),
// bit BIT(10), y YEAR, dd DATE, f FLOAT, db DOUBLE, big BIGINT, tiny TINYINT
const TYPES = [T.LONG, T.NEWDECIMAL, T.DATETIME2, T.TIME2, T.TIMESTAMP2, T.VARCHAR, T.STRING, T.STRING, T.STRING, T.BLOB, T.BIT, T.YEAR,
  T.DATE, T.FLOAT, T.DOUBLE, T.LONGLONG, T.TINY];
const META = [10, 2, 6, 2, 3, ...u16(1200), 0xfe, 16, T.ENUM, 1, T.SET, 1, 2, 2, 1, 4, 8];
const optional = (type: number, value: number[]) => [type, value.length, ...value];
function tableMap(tableId = 0x10203) {
  const n = TYPES.length;
  return [...u32(tableId), ...u16(0), ...u16(1), ...lenstr('shop'), 0, ...lenstr('items'), 0, n, ...TYPES, META.length, ...META,
    0xff, 0xff, 0xff, // all nullable
    ...optional(1, [0b10000000, 0]), // SIGNEDNESS: numeric columns id, d, f, db, big, tiny: only id unsigned
    ...optional(4, ['id', 'd', 'dt', 'tm', 'ts', 'v', 'c', 'e', 's', 'b', 'bit', 'y', 'dd', 'f', 'db', 'big', 'tiny'].flatMap(lenstr)),
    ...optional(6, [3, ...lenstr('red'), ...lenstr('green'), ...lenstr('blue')]),
    ...optional(5, [2, ...lenstr('a'), ...lenstr('b')]),
    ...optional(3, [224, 0, 8, 0, 63].slice(0, 0)), // (empty field is allowed)
    ...optional(2, [224, 2, 63]), // default utf8mb4_unicode_ci; character column 2 (BLOB b) binary
  ];
}
function rowValues(): number[] {
  const nulls = [0, 0, 0]; // 17 columns present, none NULL
  const f32 = new Uint8Array(new Float32Array([1.5]).buffer);
  const f64 = new Uint8Array(new Float64Array([-2.25]).buffer);
  return [...nulls,
    ...u32(4294967295),
    0x80 | 0x00, 0x00, 0x04, 0xd2, 0x38, // DECIMAL(10,2) 1234.56: intg 8 digits (4 bytes) 1234, frac 2 digits (1 byte) 56
    0x99, 0xb2, 0xba, 0xd3, 0x8f, 0x01, 0xe2, 0x40, // DATETIME(6) 2024-02-29 13:14:15.123456
    0x7f, 0x37, 0x47, 0xb2, // TIME(2) -12:34:56.78
    0x65, 0xe1, 0x1a, 0x81, 0x13, 0x88, // TIMESTAMP(3) 1709251201.500
    ...u16(str('Zürich 東京').length), ...str('Zürich 東京'), // 2 length bytes (max 1200 bytes)
    2, ...str('ab'),
    2, // ENUM index 2 → green
    0b11, // SET a,b
    ...u16(3), 0x00, 0xff, 0x10, // BLOB, binary collation
    0b10, 0b00000001, // BIT(10) = b'1000000001'
    124, // YEAR 2024
    ...[0x5d, 0xd0, 0x0f], // DATE 2024-02-29 (2024<<9 | 2<<5 | 29)
    ...f32, ...f64,
    ...u32(0xffffffff), ...u32(0xffffffff), // BIGINT -1
    0x80, // TINYINT -128
  ];
}
const ROW = ['4294967295', '1234.56', '2024-02-29 13:14:15.123456', '-12:34:56.78', '2024-03-01 00:00:01.500', 'Zürich 東京', 'ab', 'green', 'a,b',
  "x'00ff10'", "b'1000000001'", '2024', '2024-02-29', '1.5', '-2.25', '-1', '-128'];

describe('TABLE_MAP and rows events (SYNTHETIC)', () => {
  it('values check: DECIMAL and TIME2 layouts', () => {
    expect(decodeDecimal(Uint8Array.from([0x80, 0x00, 0x04, 0xd2, 0x38]), 10, 2)).toBe('1234.56');
    expect(decodeDecimal(Uint8Array.from([0x7f, 0xff, 0xff, 0xff, 0xfa]), 10, 2)).toBe('-0.05');
    expect(decodeTime2(Uint8Array.from([0x80, 0x00, 0x00]), 0)).toBe('00:00:00');
    expect(decodeTime2(Uint8Array.from([0x7f, 0x37, 0x47, 0xb2]), 2)).toBe('-12:34:56.78');
  });

  it('TABLE_MAP: 6-byte table id, names, types, metadata, nullability, optional metadata', () => {
    const d = started();
    const e = decode(d, ev(19, tableMap()));
    if (e.body.type !== 'table_map') throw new Error('not a table map');
    expect(e.body).toMatchObject({ tableId: 0x10203, schema: 'shop', table: 'items' });
    const cols = e.body.columns;
    expect(cols.map((c) => c.name)).toEqual(['id', 'd', 'dt', 'tm', 'ts', 'v', 'c', 'e', 's', 'b', 'bit', 'y', 'dd', 'f', 'db', 'big', 'tiny']);
    expect(cols[0]).toMatchObject({ unsigned: true, nullable: true });
    expect(cols[1]).toMatchObject({ meta: 10 | (2 << 8), unsigned: false });
    expect(cols[7]).toMatchObject({ type: T.STRING, realType: T.ENUM, enumValues: ['red', 'green', 'blue'] });
    expect(cols[8]).toMatchObject({ realType: T.SET, setValues: ['a', 'b'] });
    expect(cols[5]!.collation).toBe(224);
    expect(cols[9]!.collation).toBe(63);
    expect(binlogSummary(e)).toBe('TABLE_MAP  shop.items  id=66051  17 columns');
  });

  it('WRITE_ROWS v2 (extra data), UPDATE_ROWS v1 (two images, two bitmaps), DELETE_ROWS v1 with NULLs', () => {
    const d = started();
    decode(d, ev(19, tableMap()));
    const all = [0xff, 0xff, 0x01];
    const w = decode(d, ev(30, [...u32(0x10203), ...u16(0), ...u16(1), ...u16(4), 0xaa, 0xbb, 17, ...all, ...rowValues()]), new TreeBuilder());
    expect(w.body).toMatchObject({ type: 'rows', action: 'write', version: 2, schema: 'shop', table: 'items', extraDataLength: 4, rowCount: 1 });
    if (w.body.type !== 'rows') throw new Error('not rows');
    expect(w.body.rows[0]!.after!.values).toEqual(ROW);
    expect(binlogSummary(w)).toBe('WRITE_ROWS_EVENT  shop.items  1 row');

    // UPDATE v1: before = columns {0, 11} (id, y); after = {11}
    const before = [0b00000001, 0b00001000, 0];
    const after = [0, 0b00001000, 0];
    const u = decode(d, ev(24, [...u32(0x10203), ...u16(0), ...u16(1), 17, ...before, ...after, 0, ...u32(5), 124, 0b1, /* NULL year */]));
    if (u.body.type !== 'rows') throw new Error('not rows');
    expect(u.body.rows[0]).toEqual({ before: { cols: [0, 11], values: ['5', '2024'] }, after: { cols: [11], values: [null] } });

    const del = decode(d, ev(25, [...u32(0x10203), ...u16(0), ...u16(1), 17, ...all, 0xfe, 0xff, 0x01, ...u32(9), 0xfe, 0xff, 0x01, ...u32(10)]));
    if (del.body.type !== 'rows') throw new Error('not rows');
    expect(del.body.rowCount).toBe(2);
    expect(del.body.rows[1]!.before!.values).toEqual(['10', ...new Array(16).fill(null)]);
  });

  it('a rows event without its table map is kept undecoded', () => {
    const e = decode(started(), ev(23, [...u32(99), ...u16(0), ...u16(1), 1, 1, 0, ...u32(1)]));
    expect(e.body).toMatchObject({ type: 'rows', undecoded: 'no TABLE_MAP_EVENT for table id 99 in this stream' });
  });
});

describe('every truncated prefix gives a DecodeError and nothing else (SYNTHETIC)', () => {
  const events: Array<[string, Uint8Array]> = [
    ['FDE', fde(1)],
    ['QUERY', ev(2, [...u32(1), ...u32(0), 1, ...u16(0), ...u16(0), ...str('s'), 0, ...str('SELECT 1')])],
    ['XID', ev(16, u64(1))],
    ['GTID_LIST', ev(163, [...u32(1), ...u32(0), ...u32(1), ...u64(10)])],
    ['TABLE_MAP', ev(19, tableMap())],
    ['WRITE_ROWS v2', ev(30, [...u32(0x10203), ...u16(0), ...u16(1), ...u16(2), 17, 0xff, 0xff, 0x01, ...rowValues()])],
    ['HEARTBEAT_V2', ev(41, [1, 5, ...str('b.001'), 2, 1, 9, 0])],
  ];
  for (const [name, bytes] of events) {
    it(name, () => {
      for (let n = 0; n < bytes.length; n++) {
        const d = started();
        decode(d, ev(19, tableMap()));
        const prefix = bytes.subarray(0, n);
        let err: unknown;
        try { decode(d, prefix); } catch (e) { err = e; }
        expect(err, `prefix ${n} of ${bytes.length}`).toBeInstanceOf(DecodeError);
        try { decodeBinlogPacket(new PayloadReader().reset(cat([0], prefix)), null, started(), 'auto'); } catch (e) { err = e; }
        expect(err).toBeInstanceOf(DecodeError);
      }
    });
  }

  it('random bytes after a valid header: only DecodeError, and the decoder stays usable', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 80 }), fc.boolean(), (type, body, crc) => {
      const d = started();
      decode(d, ev(19, tableMap()));
      try { decode(d, ev(type, body, crc)); } catch (e) { if (!(e instanceof DecodeError)) throw e; }
      expect(decode(d, ev(16, u64(1))).body).toEqual({ type: 'xid', xid: 1 });
    }), { numRuns: 2000 });
  });
});
