/**
 * Real capture: test/fixtures/replication.pcap (scripts/fixtures/make-replication.sh). Three binlog dumps from a
 * MariaDB 10.11 primary (CRC32, ROW format, full table-map metadata): mariadb-binlog --stop-never (stream of
 * COM_BINLOG_DUMP without semi-sync), a minimal replica with COM_REGISTER_SLAVE, semi-sync and heartbeats, and a
 * non-blocking mariadb-binlog dump that ends with EOF. Every server packet after COM_BINLOG_DUMP is decoded here
 * with BinlogDecoder and compared with the DML the script ran (and the general log).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeFile, type MySqlRecord } from '../../../src/index.js';
import { PayloadReader } from '../../../src/mysql/codec/payload-reader.js';
import {
  BinlogDecoder, binlogEventIssues, binlogPacketKind, binlogSummary, decodeBinlogPacket, decodeSemiSyncAck,
} from '../../../src/mysql/messages/binlog.js';
import { TreeBuilder } from '../../../src/mysql/messages/tree.js';
import type { BinlogEvent, BinlogSemiSyncAck } from '../../../src/mysql/messages/types.js';
import { parseGeneralLog } from '../../support/general-log.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const PCAP = join(FIXTURES, 'replication.pcap');

interface Stream { conn: number; events: BinlogEvent[]; acks: BinlogSemiSyncAck[]; kinds: string[] }
let streams: Stream[] = [];

beforeAll(async () => {
  const { records } = await analyzeFile(PCAP, { ports: [3420], hex: true });
  const byConn = new Map<number, MySqlRecord[]>();
  for (const r of records) {
    const list = byConn.get(r.conn.index) ?? [];
    list.push(r);
    byConn.set(r.conn.index, list);
  }
  streams = [];
  for (const [conn, recs] of byConn) {
    const dumpAt = recs.findIndex((r) => r.event.kind === 'command' && (r.event.command === 0x12 || r.event.command === 0x1e));
    if (dumpAt < 0) continue;
    const decoder = new BinlogDecoder();
    const s: Stream = { conn, events: [], acks: [], kinds: [] };
    for (const r of recs.slice(dumpAt + 1)) {
      for (const p of r.packets) {
        expect(p.bytes, 'analyzeFile({ hex: true }) keeps packet bytes').toBeDefined();
        const payload = p.bytes!.subarray(4);
        if (r.dir === 'c2s') {
          if (payload[0] === 0xef) s.acks.push(decodeSemiSyncAck(new PayloadReader().reset(payload), null));
          continue;
        }
        const kind = r.event.kind === 'eof' ? 'eof' : binlogPacketKind(payload); // the session may decode the EOF itself
        s.kinds.push(kind);
        if (kind === 'event') s.events.push(decodeBinlogPacket(new PayloadReader().reset(payload), new TreeBuilder(), decoder, 'auto')); // with the -V tree
      }
    }
    streams.push(s);
  }
});

const rowsOf = (s: Stream) => s.events.flatMap((e) => (e.body.type === 'rows' ? [e.body] : []));

const ROW1 = ['1', '-5', '65535', '-8388608', '-9007199254740993', '1234.56', '3.25', '1.5', '2024-02-29', '2024-02-29 13:14:15.123456',
  '2024-03-01 00:00:01.500', '-12:34:56.78', '2024', 'Zürich 東京', 'ab', "x'00ff10'", "b'1010000001'", 'green', 'a,c'];
const ROW2 = ['2', null, null, null, null, '-0.05', ...Array<null>(13).fill(null)];
const ROW1_UPDATED = [...ROW1];
ROW1_UPDATED[5] = '99999999.99';
ROW1_UPDATED[9] = '1999-12-31 23:59:59.000001';
ROW1_UPDATED[13] = 'naïve';

describe('replication.pcap: binlog events decoded with BinlogDecoder', () => {
  it('has three binlog dumps', () => {
    expect(streams).toHaveLength(3);
  });

  it('decodes every event with a valid CRC32 (the artificial ROTATE of mariadb-binlog has none)', () => {
    for (const s of streams) {
      expect(s.events.length).toBeGreaterThan(10);
      for (const e of s.events) {
        expect(binlogEventIssues(e)).toEqual([]);
        expect(binlogSummary(e)).not.toMatch(/not decoded/);
        if (e.checksum.alg === 'none') expect(e.header.typeName).toBe('ROTATE_EVENT');
        else expect(e.checksum.ok).toBe(true);
      }
      expect(s.events[0]!.body).toMatchObject({ type: 'rotate', file: 'mysql-bin.000001', position: 4 });
      expect(s.events[1]!.body).toMatchObject({ type: 'format_description', binlogVersion: 4, checksumAlg: 1 });
    }
  });

  it('QUERY events carry the DDL with its schema; ANNOTATE_ROWS the DML, as in the general log', () => {
    const log = parseGeneralLog(readFileSync(join(FIXTURES, 'replication.general.log'), 'utf8'));
    const dml = log.filter((l) => l.command === 'Query' && /^(INSERT|UPDATE|DELETE)/.test(l.argument)).map((l) => l.argument);
    expect(dml).toHaveLength(4);
    const full = streams[2]!;
    const queries = full.events.flatMap((e) => (e.body.type === 'query' ? [[e.body.schema, e.body.query.split('\n')[0]]] : []));
    expect(queries).toEqual([
      ['repl', 'CREATE DATABASE repl CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'],
      ['', 'CREATE TABLE repl.items ('],
      ['repl', 'ALTER TABLE items ADD COLUMN note VARCHAR(300) NULL'],
    ]);
    const annotated = full.events.flatMap((e) => (e.body.type === 'annotate_rows' ? [e.body.query] : []));
    expect(annotated).toEqual(dml);
    const gtids = full.events.flatMap((e) => (e.body.type === 'mariadb_gtid' ? [e.body.gtid] : []));
    expect(gtids).toEqual(['0-1-1', '0-1-2', '0-1-3', '0-1-4', '0-1-5', '0-1-6', '0-1-7']);
    expect(full.events.filter((e) => e.body.type === 'xid')).toHaveLength(4);
    expect(full.kinds[full.kinds.length - 1]).toBe('eof');
  });

  it('rows events give the values the DML wrote, through the table map (names, signedness, enum/set, charsets)', () => {
    for (const s of streams) {
      const rows = rowsOf(s);
      expect(rows.map((r) => `${r.action} ${r.schema}.${r.table} ${r.rowCount}`)).toEqual([
        'write repl.items 2', 'update repl.items 1', 'delete repl.items 1', 'write repl.items 1',
      ]);
      const [ins, upd, del, ins2] = rows;
      expect(ins!.rows.map((r) => r.after!.values)).toEqual([ROW1, ROW2]);
      expect(upd!.rows[0]!.before!.values).toEqual(ROW1);
      expect(upd!.rows[0]!.after!.values).toEqual(ROW1_UPDATED);
      expect(del!.rows[0]!.before!.values).toEqual(ROW2);
      const v = ins2!.rows[0]!.after!.values;
      expect(v).toHaveLength(20);
      expect(v[0]).toBe('10');
      expect(v[4]).toBe('9223372036854775807');
      expect(v[19]).toBe('x'.repeat(290));
    }
    const map = streams[2]!.events.find((e) => e.body.type === 'table_map')!.body;
    expect(map).toMatchObject({ type: 'table_map', schema: 'repl', table: 'items' });
    if (map.type !== 'table_map') throw new Error('unreachable');
    expect(map.columns.map((c) => c.name)).toEqual(['id', 'tiny', 'small', 'med', 'big', 'price', 'ratio', 'f', 'd', 'dt', 'ts', 'tm', 'y',
      'name', 'code', 'data', 'bits', 'color', 'tags']);
    expect(map.columns.slice(0, 3).map((c) => c.unsigned)).toEqual([true, false, true]);
  });

  it('the semi-sync replica: 0xEF headers, ACK requests answered by the replica, heartbeats', () => {
    const semi = streams.filter((s) => s.events.some((e) => e.semiSync));
    expect(semi).toHaveLength(1);
    const s = semi[0]!;
    expect(s.events.every((e) => e.semiSync)).toBe(true);
    const asked = s.events.filter((e) => e.semiSync!.ackRequested);
    expect(asked.length).toBeGreaterThan(0);
    expect(s.acks.map((a) => Number(a.position))).toEqual(asked.map((e) => e.header.logPos));
    expect(s.acks.every((a) => a.file === 'mysql-bin.000001')).toBe(true);
    const hb = s.events.filter((e) => e.body.type === 'heartbeat');
    expect(hb.length).toBeGreaterThan(0);
    expect(hb[0]!.body).toMatchObject({ file: 'mysql-bin.000001' });
    expect(binlogSummary(hb[0]!)).toMatch(/^HEARTBEAT {2}mysql-bin\.000001:\d+$/);
  });
});
