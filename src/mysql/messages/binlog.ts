/**
 * Binlog events of a replication stream (MariaDB "Replication Protocol" pages, one per event; MySQL
 * libbinlogevents binlog_event.h / control_events.h / statement_events.h / rows_event.h).
 *
 * How the session uses it (the lead integrates; nothing here touches session state):
 *
 *   // one per connection, created when the client sends COM_BINLOG_DUMP or COM_BINLOG_DUMP_GTID
 *   const binlog = new BinlogDecoder();                       // or new BinlogDecoder({ checksum: 'crc32' | 'none' })
 *   // every later server packet (payload = one whole logical MySQL packet):
 *   switch (binlogPacketKind(payload)) {
 *     case 'event':  ev = decodeBinlogPacket(reader.reset(payload), tree, binlog, 'auto');  // BinlogEvent
 *                    issues.push(...binlogEventIssues(ev));  // CRC32 mismatches
 *                    summary = binlogSummary(ev);            // "QUERY  schema=shop  INSERT INTO t …"
 *                    break;
 *     case 'eof':    // 0xFE, payload < 9: the dump ended (BINLOG_DUMP_NON_BLOCK) — decode as EOF
 *     case 'err':    // 0xFF: ERR packet, the dump ended
 *   }
 *   // client packets during the dump: a semi-sync ACK starts with 0xEF → decodeSemiSyncAck(reader, tree)
 *
 * A DecodeError thrown from decodeBinlogPacket / decodeEvent is the event's issue (truncated or malformed); the
 * tree keeps the nodes added before it. The decoder's state (checksum algorithm, post-header lengths, table maps)
 * changes only when an event decoded completely, so a bad event does not poison the stream.
 * semiSync: true when the replica set @rpl_semi_sync_slave=1 (MariaDB) / rpl_semi_sync_replica (MySQL) — then every
 * event packet is 0x00 0xEF flag event; 'auto' recognises the header by its magic and the event length.
 *
 * Checksums: the FORMAT_DESCRIPTION_EVENT (FDE) announces the algorithm of the events after it (alg byte before its
 * own 4-byte CRC; servers that know checksums — MySQL 5.6.1+, MariaDB 5.3+ — always append that CRC to the FDE,
 * even when the algorithm is OFF). Events before the first FDE (the artificial ROTATE) are checked by trying the CRC.
 */
import { DecodeError, type Issue } from '../../core/issues.js';
import { DEFAULT_LIMITS } from '../../core/limits.js';
import type { PayloadReader } from '../codec/payload-reader.js';
import { MYSQL_TYPE as T } from '../constants/column-types.js';
import { BINLOG_EVENT_TYPE_NAMES, BINLOG_F as B } from '../fields.js';
import {
  isCharacterColumn, isNumericType, metaLength, presentColumns, readRowImage, stringRealType, UnsupportedColumn,
} from './binlog-rows.js';
import { copyBytes, tBytes, tU16, tU32, tU64, tU8, type TreeBuilder } from './tree.js';
import type { BinlogBody, BinlogChecksum, BinlogColumn, BinlogEvent, BinlogEventHeader, BinlogRow, BinlogSemiSyncAck } from './types.js';

export const BINLOG_EVENT_HEADER_LENGTH = 19;
/** Table maps remembered per stream (principle 11); the oldest is forgotten beyond this. */
export const MAX_BINLOG_TABLE_MAPS = 4096;
/** Columns of one table (MySQL's limit is 4096). */
export const MAX_BINLOG_COLUMNS = 4096;

/** Event type codes used below (names: BINLOG_EVENT_TYPE_NAMES). */
export const BINLOG_EVENT = {
  QUERY: 2, ROTATE: 4, INTVAR: 5, FORMAT_DESCRIPTION: 15, XID: 16, TABLE_MAP: 19,
  WRITE_ROWS_V1: 23, UPDATE_ROWS_V1: 24, DELETE_ROWS_V1: 25, HEARTBEAT: 27, ROWS_QUERY: 29,
  WRITE_ROWS: 30, UPDATE_ROWS: 31, DELETE_ROWS: 32, GTID: 33, ANONYMOUS_GTID: 34, PREVIOUS_GTIDS: 35, HEARTBEAT_V2: 41,
  ANNOTATE_ROWS: 160, BINLOG_CHECKPOINT: 161, MARIADB_GTID: 162, GTID_LIST: 163,
} as const;

export function binlogEventTypeName(code: number): string {
  return BINLOG_EVENT_TYPE_NAMES.get(code) ?? `Unknown (0x${code.toString(16).padStart(2, '0')})`;
}

// ---- CRC32 (IEEE 802.3, reflected 0xEDB88320, as zlib's crc32); node:zlib.crc32 is Node 22+ ----
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(b: Uint8Array, start = 0, end = b.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function le32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
}

export interface BinlogDecoderOptions {
  /** Checksum of the events before the first FDE; 'auto' (default) tries the CRC. */
  checksum?: 'crc32' | 'none' | 'auto';
  /** Rows kept per rows event (all are counted). */
  maxRowsKept?: number;
}

interface TableMap { schema: string; table: string; columns: BinlogColumn[] }

/** Per replication stream state: what the FDE said, and the table maps by table id. */
export class BinlogDecoder {
  /** Checksum of the events after the last FDE ('auto' until one is seen). */
  checksum: 'crc32' | 'none' | 'auto';
  /** Post-header length per event type (index = type - 1), from the last FDE. */
  postHeaderLengths: number[] = [];
  serverVersion: string | undefined;
  readonly tables = new Map<number, TableMap>();
  readonly maxRowsKept: number;
  /** Checksum alg byte of the FDE being decoded (undefined: a server without checksums). */
  private fdeAlg: number | undefined;

  constructor(opts: BinlogDecoderOptions = {}) {
    this.checksum = opts.checksum ?? 'auto';
    this.maxRowsKept = opts.maxRowsKept ?? DEFAULT_LIMITS.maxRowsKept;
  }

  /** Post-header length of an event type, from the FDE, else the v4 default. */
  postHeaderLength(type: number, fallback: number): number {
    return this.postHeaderLengths[type - 1] ?? fallback;
  }

  /**
   * Decode one event starting at r.pos; the event must end at or before r.end (its size is in its header).
   * Leaves r.pos after the event. Throws DecodeError when the bytes are truncated or malformed.
   */
  decodeEvent(r: PayloadReader, t: TreeBuilder | null): BinlogEvent {
    const start = r.pos;
    const node = t?.open(B.event, null, start);
    try {
      return this.decodeEventInner(r, t, start);
    } finally {
      if (node) t!.close(node, r.pos);
    }
  }

  private decodeEventInner(r: PayloadReader, t: TreeBuilder | null, start: number): BinlogEvent {
    const p0 = r.pos;
    const timestamp = r.u32('event timestamp');
    t?.add(B.timestamp, timestamp, p0, 4);
    const typeCode = tU8(r, t, B.eventType);
    const serverId = tU32(r, t, B.serverId);
    const eventSize = tU32(r, t, B.eventSize);
    const logPos = tU32(r, t, B.logPosition);
    const flags = tU16(r, t, B.eventFlags);
    const header: BinlogEventHeader = { timestamp, typeCode, typeName: binlogEventTypeName(typeCode), serverId, eventSize, logPos, flags };
    if (eventSize < BINLOG_EVENT_HEADER_LENGTH) {
      throw new DecodeError('malformed', 'mysql.binlog.bad_event_size', `binlog event size ${eventSize} at payload offset ${start + 9} is smaller than the 19-byte header`, start + 9);
    }
    const end = start + eventSize;
    if (end > r.end) {
      throw new DecodeError('truncated', 'mysql.truncated_payload',
        `binlog event size says ${eventSize} bytes at payload offset ${start}, but only ${r.end - start} remain`, start);
    }
    const buf = r.buf;

    // Which bytes are the checksum?
    let checksumAlg: 'crc32' | 'none';
    let fdeAlg: number | undefined;
    if (typeCode === BINLOG_EVENT.FORMAT_DESCRIPTION) {
      fdeAlg = fdeChecksumAlg(buf, start, end);
      this.fdeAlg = fdeAlg;
      checksumAlg = fdeAlg === undefined ? 'none' : 'crc32';
    } else if (this.checksum === 'auto') {
      checksumAlg = eventSize >= BINLOG_EVENT_HEADER_LENGTH + 4 && crc32(buf, start, end - 4) === le32(buf, end - 4) ? 'crc32' : 'none';
    } else {
      checksumAlg = this.checksum;
    }
    const bodyEnd = checksumAlg === 'crc32' ? end - 4 : end;
    if (bodyEnd < r.pos) {
      throw new DecodeError('malformed', 'mysql.binlog.bad_event_size', `binlog event size ${eventSize} leaves no room for its 4-byte checksum`, start + 9);
    }

    const savedEnd = r.end;
    r.end = bodyEnd;
    let body: BinlogBody;
    let commit: (() => void) | undefined;
    try {
      const res = this.decodeBody(r, t, header);
      body = res.body;
      commit = res.commit;
      if (r.pos < bodyEnd && body.type !== 'raw') {
        tBytes(r, t, B.body, bodyEnd - r.pos); // bytes after what we decode (newer servers' extra fields)
      }
    } finally {
      r.end = savedEnd;
    }
    r.pos = bodyEnd;

    let checksum: BinlogChecksum;
    if (checksumAlg === 'crc32') {
      const stored = le32(buf, bodyEnd);
      const computed = crc32(buf, start, bodyEnd);
      // An FDE with alg OFF may carry a zero "checksum" (servers that did not compute it).
      const ok = stored === computed || (fdeAlg === 0 && stored === 0);
      t?.add(B.checksum, stored, bodyEnd, 4);
      t?.derived(B.checksumGood, ok);
      checksum = { alg: 'crc32', stored, computed, ok };
      r.pos = end;
    } else {
      checksum = { alg: 'none' };
    }
    commit?.();
    if (fdeAlg !== undefined) this.checksum = fdeAlg === 1 ? 'crc32' : 'none';
    return { kind: 'binlog_event', header, checksum, body };
  }

  private decodeBody(r: PayloadReader, t: TreeBuilder | null, h: BinlogEventHeader): { body: BinlogBody; commit?: () => void } {
    const E = BINLOG_EVENT;
    switch (h.typeCode) {
      case E.FORMAT_DESCRIPTION: {
        const binlogVersion = tU16(r, t, B.fdeBinlogVersion);
        const pv = r.pos;
        const raw = r.bytes(50, 'server version');
        const z = raw.indexOf(0);
        const serverVersion = new TextDecoder().decode(z >= 0 ? raw.subarray(0, z) : raw);
        t?.add(B.fdeServerVersion, serverVersion, pv, 50);
        const pc = r.pos;
        const createTimestamp = r.u32('create timestamp');
        t?.add(B.fdeCreateTimestamp, createTimestamp, pc, 4);
        const headerLength = tU8(r, t, B.fdeHeaderLength);
        if (headerLength !== BINLOG_EVENT_HEADER_LENGTH) {
          throw new DecodeError('malformed', 'mysql.binlog.bad_header_length', `FORMAT_DESCRIPTION_EVENT says events have a ${headerLength}-byte header; only 19 (binlog v4) is known`, r.pos - 1);
        }
        // The body ends before the checksum; with a checksum-aware server the alg byte is the last body byte.
        const alg = this.fdeAlg;
        const phEnd = alg === undefined ? r.end : r.end - 1;
        if (phEnd < r.pos) {
          throw new DecodeError('malformed', 'mysql.binlog.bad_event_size', `FORMAT_DESCRIPTION_EVENT of ${h.eventSize} bytes has no room for its checksum algorithm`, r.pos);
        }
        const postHeaderLengths = [...tBytes(r, t, B.fdePostHeaderLengths, phEnd - r.pos)];
        let checksumAlg: number | undefined;
        if (alg !== undefined) checksumAlg = tU8(r, t, B.fdeChecksumAlg);
        return {
          body: { type: 'format_description', binlogVersion, serverVersion, createTimestamp, headerLength, postHeaderLengths, checksumAlg },
          commit: () => { this.postHeaderLengths = postHeaderLengths; this.serverVersion = serverVersion; },
        };
      }
      case E.ROTATE: {
        const position = this.postHeaderLength(E.ROTATE, 8) >= 8 ? tU64(r, t, B.rotatePosition) : 4;
        const pf = r.pos;
        const file = r.restString();
        t?.add(B.rotateFile, file, pf, r.pos - pf);
        return { body: { type: 'rotate', position, file } };
      }
      case E.QUERY: {
        const threadId = tU32(r, t, B.queryThreadId);
        const execTime = tU32(r, t, B.queryExecTime);
        const schemaLength = tU8(r, t, B.querySchemaLength);
        const errorCode = tU16(r, t, B.queryErrorCode);
        const statusVarsLength = this.postHeaderLength(E.QUERY, 13) >= 13 ? tU16(r, t, B.queryStatusVarsLength) : 0;
        if (statusVarsLength > 0) tBytes(r, t, B.queryStatusVars, statusVarsLength);
        const ps = r.pos;
        const schema = r.fixedString(schemaLength, 'schema');
        r.skip(1, 'schema NUL');
        t?.add(B.querySchema, schema, ps, schemaLength + 1);
        const pq = r.pos;
        const query = r.restString();
        t?.add(B.query, query, pq, r.pos - pq);
        return { body: { type: 'query', threadId, execTime, schema, errorCode, statusVarsLength, query } };
      }
      case E.XID:
        return { body: { type: 'xid', xid: tU64(r, t, B.xid) } };
      case E.INTVAR: {
        const varType = tU8(r, t, B.intvarType);
        return { body: { type: 'intvar', varType, value: tU64(r, t, B.intvarValue) } };
      }
      case E.GTID: case E.ANONYMOUS_GTID:
        return { body: this.mysqlGtid(r, t, h.typeCode === E.ANONYMOUS_GTID) };
      case E.PREVIOUS_GTIDS: {
        const n = r.u64('number of SIDs');
        if (typeof n === 'bigint' || n * 24 > r.remaining) {
          throw new DecodeError('truncated', 'mysql.truncated_payload', `PREVIOUS_GTIDS says ${n} SIDs but only ${r.remaining} bytes remain`, r.pos - 8);
        }
        const sets: Array<{ uuid: string; intervals: Array<[number | bigint, number | bigint]> }> = [];
        for (let i = 0; i < n; i++) {
          const uuid = uuidText(r.bytes(16, 'SID'));
          const k = r.u64('number of intervals');
          if (typeof k === 'bigint' || k * 16 > r.remaining) {
            throw new DecodeError('truncated', 'mysql.truncated_payload', `PREVIOUS_GTIDS says ${k} intervals but only ${r.remaining} bytes remain`, r.pos - 8);
          }
          const intervals: Array<[number | bigint, number | bigint]> = [];
          for (let j = 0; j < k; j++) intervals.push([r.u64('interval start'), r.u64('interval end')]);
          sets.push({ uuid, intervals });
        }
        // Intervals are [start, end): shown as MySQL does, uuid:1-5:7.
        const gtidSet = sets.map((s) => [s.uuid, ...s.intervals.map(([a, b]) => {
          const last = typeof b === 'bigint' ? b - 1n : b - 1;
          return String(a) === String(last) ? String(a) : `${a}-${last}`;
        })].join(':')).join(',');
        t?.derived(B.gtidSet, gtidSet);
        return { body: { type: 'previous_gtids', sets, gtidSet } };
      }
      case E.MARIADB_GTID: {
        const seqNo = tU64(r, t, B.gtidSeqNo);
        const domainId = tU32(r, t, B.gtidDomainId);
        const flags = tU8(r, t, B.gtidFlags);
        let commitId: number | bigint | undefined;
        if (flags & 0x02) commitId = tU64(r, t, B.gtidCommitId);
        // else: XA xid (FL_PREPARED_XA / FL_COMPLETED_XA) or 6 zero bytes, then MariaDB 10.5+ flags_extra: kept as extra data
        if (r.remaining > 0) tBytes(r, t, B.gtidExtra, r.remaining);
        const gtid = `${domainId}-${h.serverId}-${seqNo}`;
        t?.derived(B.gtid, gtid);
        return { body: { type: 'mariadb_gtid', seqNo, domainId, flags, ...(commitId !== undefined ? { commitId } : {}), gtid } };
      }
      case E.GTID_LIST: {
        const p = r.pos;
        const word = r.u32('GTID count');
        const count = word & 0x0fffffff;
        t?.add(B.gtidListCount, count, p, 4);
        if (count * 16 > r.remaining) {
          throw new DecodeError('truncated', 'mysql.truncated_payload', `GTID_LIST says ${count} GTIDs (16 bytes each) but only ${r.remaining} bytes remain`, p);
        }
        const gtids: string[] = [];
        for (let i = 0; i < count; i++) {
          const pg = r.pos;
          const domain = r.u32('domain id');
          const server = r.u32('server id');
          const seq = r.u64('sequence number');
          const g = `${domain}-${server}-${seq}`;
          t?.add(B.gtid, g, pg, 16);
          gtids.push(g);
        }
        return { body: { type: 'gtid_list', flags: Math.floor(word / 0x10000000), gtids } };
      }
      case E.BINLOG_CHECKPOINT: {
        const n = tU32(r, t, B.checkpointFileLength);
        const p = r.pos;
        const file = r.fixedString(n, 'checkpoint file name');
        t?.add(B.checkpointFile, file, p, n);
        return { body: { type: 'binlog_checkpoint', file } };
      }
      case E.ANNOTATE_ROWS: case E.ROWS_QUERY: {
        if (h.typeCode === E.ROWS_QUERY) r.skip(1, 'length byte'); // MySQL: a 1-byte length (truncated at 255), then the whole text
        const p = r.pos;
        const query = r.restString();
        t?.add(B.query, query, p, r.pos - p);
        return { body: { type: 'annotate_rows', query } };
      }
      case E.TABLE_MAP:
        return this.tableMap(r, t);
      case E.WRITE_ROWS_V1: case E.UPDATE_ROWS_V1: case E.DELETE_ROWS_V1:
      case E.WRITE_ROWS: case E.UPDATE_ROWS: case E.DELETE_ROWS:
        return { body: this.rows(r, t, h.typeCode) };
      case E.HEARTBEAT: {
        const p = r.pos;
        const file = r.restString();
        t?.add(B.hbFilename, file, p, r.pos - p);
        return { body: { type: 'heartbeat', file, position: h.logPos } };
      }
      case E.HEARTBEAT_V2: {
        // Fields: type<1>, length<lenenc>, value; 1 = file name, 2 = position (lenenc-packed).
        const node = t?.open(B.hbV2, null, r.pos);
        let file = '';
        let position: number | bigint = h.logPos;
        while (r.remaining > 0) {
          const entry = t?.open(B.hbV2Entry, null, r.pos);
          const type = tU8(r, t, B.hbV2Type);
          if (type === 0) { if (entry) t!.close(entry, r.pos); break; }
          const len = r.lenencLength('HEARTBEAT_V2 field length');
          const vs = r.pos;
          if (type === 1) { file = r.fixedString(len, 'file name'); t?.add(B.hbFilename, file, vs, len); }
          else if (type === 2) {
            const sub = r.end;
            r.end = r.pos + len;
            try { position = r.lenenc('log position'); } finally { r.end = sub; }
            r.pos = vs + len;
            t?.add(B.hbPosition, position, vs, len);
          } else r.skip(len, 'HEARTBEAT_V2 field');
          if (entry) t!.close(entry, r.pos);
        }
        if (node) t!.close(node, r.pos);
        return { body: { type: 'heartbeat', file, position } };
      }
      default: {
        const n = r.remaining;
        tBytes(r, t, B.body, n);
        return { body: { type: 'raw', length: n } };
      }
    }
  }

  private mysqlGtid(r: PayloadReader, t: TreeBuilder | null, anonymous: boolean): BinlogBody {
    const flags = tU8(r, t, B.gtidFlags);
    const pu = r.pos;
    const uuid = uuidText(r.bytes(16, 'source uuid'));
    t?.add(B.gtidUuid, uuid, pu, 16);
    const gno = tU64(r, t, B.gtidGno);
    const gtid = anonymous ? 'ANONYMOUS' : `${uuid}:${gno}`;
    t?.derived(B.gtid, gtid);
    const body: Extract<BinlogBody, { type: 'gtid' }> = { type: 'gtid', anonymous, flags, uuid, gno, gtid };
    if (r.remaining > 0) {
      const lt = tU8(r, t, B.gtidLtType);
      if (lt === 2) {
        body.lastCommitted = tU64(r, t, B.gtidLastCommitted);
        body.sequenceNumber = tU64(r, t, B.gtidSequenceNumber);
      }
    }
    if (r.remaining >= 7) {
      // 7-byte commit timestamps (µs); the top bit of the immediate one says an original one follows.
      const p = r.pos;
      const b = r.bytes(7, 'immediate commit timestamp');
      const hasOriginal = (b[6]! & 0x80) !== 0;
      body.immediateCommitTimestamp = le56(b, 0x7f);
      t?.add(B.gtidImmediateCommitTs, body.immediateCommitTimestamp, p, 7);
      if (hasOriginal) {
        const po = r.pos;
        body.originalCommitTimestamp = le56(r.bytes(7, 'original commit timestamp'), 0xff);
        t?.add(B.gtidOriginalCommitTs, body.originalCommitTimestamp, po, 7);
      } else body.originalCommitTimestamp = body.immediateCommitTimestamp;
      if (r.remaining > 0) {
        const pl = r.pos;
        body.transactionLength = r.lenenc('transaction length');
        t?.add(B.gtidTransactionLength, body.transactionLength, pl, r.pos - pl);
      }
    }
    return body;
  }

  private tableId(r: PayloadReader, t: TreeBuilder | null, type: number): number {
    const p = r.pos;
    const six = this.postHeaderLength(type, type === BINLOG_EVENT.TABLE_MAP || type <= 25 ? 8 : 10) !== 6;
    const id = six ? r.u32('table id') + r.u16('table id') * 0x100000000 : r.u32('table id');
    t?.add(B.tableId, id, p, r.pos - p);
    return id;
  }

  private tableMap(r: PayloadReader, t: TreeBuilder | null): { body: BinlogBody; commit: () => void } {
    const tableId = this.tableId(r, t, BINLOG_EVENT.TABLE_MAP);
    const flags = tU16(r, t, B.tableFlags);
    const schema = lenString(r, t, B.schema);
    const table = lenString(r, t, B.table);
    const pc = r.pos;
    const n = columnCount(r, 'TABLE_MAP');
    t?.add(B.columnCount, n, pc, r.pos - pc);
    const typesAt = r.pos;
    const types = r.bytes(n, 'column types');
    const pm = r.pos;
    const metaLen = r.lenencLength('metadata length');
    t?.add(B.metadataLength, metaLen, pm, r.pos - pm);
    const metaEnd = r.pos + metaLen;
    const columns: BinlogColumn[] = [];
    const metaAt: number[] = [];
    for (let i = 0; i < n; i++) {
      const type = types[i]!;
      const ml = metaLength(type);
      metaAt.push(r.pos);
      if (r.pos + ml > metaEnd) {
        throw new DecodeError('malformed', 'mysql.binlog.bad_metadata', `TABLE_MAP metadata (${metaLen} bytes) ends before the metadata of column ${i}`, r.pos);
      }
      const meta = ml === 0 ? 0 : ml === 1 ? r.u8('column metadata') : r.u8('column metadata') | (r.u8('column metadata') << 8);
      let realType = type;
      if (type === T.STRING) realType = stringRealType(meta).realType;
      columns.push({ type, realType, meta, nullable: false });
    }
    if (r.pos !== metaEnd) r.skip(metaEnd - r.pos, 'column metadata');
    const pn = r.pos;
    const nullBits = r.bytes((n + 7) >> 3, 'NULL bitmap');
    t?.add(B.nullBitmap, copyBytes(nullBits), pn, nullBits.length);
    columns.forEach((c, i) => { c.nullable = (nullBits[i >> 3]! & (1 << (i & 7))) !== 0; });
    while (r.remaining > 0) optionalMetadata(r, t, columns);
    if (t) {
      columns.forEach((c, i) => {
        const node = t.open(B.column, c.name ?? String(i), typesAt + i, 1);
        t.add(B.columnType, c.realType, typesAt + i, 1);
        t.add(B.columnMeta, c.meta, metaAt[i]!, metaLength(c.type));
        if (c.name !== undefined) t.derived(B.columnName, c.name);
        t.derived(B.columnNullable, c.nullable);
        if (c.unsigned !== undefined) t.derived(B.columnUnsigned, c.unsigned);
        t.close(node);
      });
    }
    return {
      body: { type: 'table_map', tableId, flags, schema, table, columns },
      commit: () => {
        this.tables.delete(tableId);
        if (this.tables.size >= MAX_BINLOG_TABLE_MAPS) {
          const oldest = this.tables.keys().next();
          if (!oldest.done) this.tables.delete(oldest.value);
        }
        this.tables.set(tableId, { schema, table, columns });
      },
    };
  }

  private rows(r: PayloadReader, t: TreeBuilder | null, type: number): BinlogBody {
    const E = BINLOG_EVENT;
    const action = type === E.WRITE_ROWS_V1 || type === E.WRITE_ROWS ? 'write' : type === E.UPDATE_ROWS_V1 || type === E.UPDATE_ROWS ? 'update' : 'delete';
    const version = type >= E.WRITE_ROWS ? 2 : 1;
    const tableId = this.tableId(r, t, type);
    const flags = tU16(r, t, B.tableFlags);
    let extraDataLength = 0;
    if (version === 2) {
      extraDataLength = tU16(r, t, B.extraDataLength);
      if (extraDataLength < 2) {
        throw new DecodeError('malformed', 'mysql.binlog.bad_extra_data', `ROWS_EVENT v2 extra data length ${extraDataLength} is below 2 (it counts itself)`, r.pos - 2);
      }
      if (extraDataLength > 2) tBytes(r, t, B.extraData, extraDataLength - 2);
    }
    const pc = r.pos;
    const n = columnCount(r, 'rows event');
    t?.add(B.columnCount, n, pc, r.pos - pc);
    const present = presentColumns(tBytes(r, t, B.columnsPresent, (n + 7) >> 3), n);
    const presentAfter = action === 'update' ? presentColumns(tBytes(r, t, B.columnsPresentAfter, (n + 7) >> 3), n) : present;
    const map = this.tables.get(tableId);
    const body: Extract<BinlogBody, { type: 'rows' }> = {
      type: 'rows', action, version, tableId, flags, columnCount: n, extraDataLength, rowCount: 0, rows: [],
      ...(map ? { schema: map.schema, table: map.table } : {}),
    };
    if (map) { t?.derived(B.schema, map.schema); t?.derived(B.table, map.table); }
    const undecoded = (why: string): BinlogBody => {
      body.undecoded = why;
      t?.derived(B.rowsUndecoded, why);
      tBytes(r, t, B.body, r.remaining);
      return body;
    };
    if (!map) return undecoded(`no TABLE_MAP_EVENT for table id ${tableId} in this stream`);
    if (map.columns.length !== n) return undecoded(`the table map of table id ${tableId} has ${map.columns.length} columns, the rows event ${n}`);
    while (r.remaining > 0) {
      const rowStart = r.pos;
      const node = t?.open(B.row, body.rowCount + 1, rowStart);
      try {
        const row: BinlogRow = {};
        if (action !== 'write') row.before = this.image(r, t, map.columns, present, B.rowBefore);
        if (action !== 'delete') row.after = this.image(r, t, map.columns, presentAfter, B.rowAfter);
        body.rowCount++;
        if (body.rows.length < this.maxRowsKept) body.rows.push(row);
      } catch (e) {
        if (!(e instanceof UnsupportedColumn)) throw e;
        r.pos = rowStart;
        if (node) t!.close(node, rowStart);
        return undecoded(e.message);
      }
      if (node) t!.close(node, r.pos);
    }
    t?.derived(B.rowCount, body.rowCount);
    return body;
  }

  private image(r: PayloadReader, t: TreeBuilder | null, columns: BinlogColumn[], present: number[], def: typeof B.rowBefore) {
    const p = r.pos;
    if (!t) return readRowImage(r, columns, present);
    const node = t.open(def, null, p);
    const img = readRowImage(r, columns, present);
    t.add(B.rowNullBitmap, copyBytes(r.buf.subarray(p, p + ((present.length + 7) >> 3))), p, (present.length + 7) >> 3);
    img.values.forEach((v, k) => {
      const c = columns[img.cols[k]!];
      const label = c?.name ?? String(img.cols[k]);
      if (v === null) t.derived(B.rowNull, true);
      else t.derived(B.rowValue, `${label} = ${v}`);
    });
    t.close(node, r.pos);
    return img;
  }
}

/** Offset-free check: does the FDE in buf[start, end) carry a checksum-alg byte (+ 4-byte CRC)? Returns the alg or undefined. */
function fdeChecksumAlg(buf: Uint8Array, start: number, end: number): number | undefined {
  // binlog_version<2> server_version<50> at header + 0 / 2
  const vs = start + BINLOG_EVENT_HEADER_LENGTH + 2;
  if (end - start < BINLOG_EVENT_HEADER_LENGTH + 57 + 5 || vs + 50 > buf.length) return undefined;
  let ver = '';
  for (let i = vs; i < vs + 50 && buf[i] !== 0; i++) ver += String.fromCharCode(buf[i]!);
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(ver);
  if (!m) return undefined;
  const v = Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]);
  const aware = /mariadb/i.test(ver) || Number(m[1]) >= 10 ? v >= 50300 : v >= 50601;
  return aware ? buf[end - 5] : undefined;
}

/** A lenenc column count, checked against MAX_BINLOG_COLUMNS (principle 11). */
function columnCount(r: PayloadReader, what: string): number {
  const p = r.pos;
  const n = r.lenenc('column count');
  if (typeof n === 'bigint' || n > MAX_BINLOG_COLUMNS) {
    throw new DecodeError('over-limit', 'mysql.binlog.too_many_columns', `${what} says ${n} columns at payload offset ${p}, above the limit of ${MAX_BINLOG_COLUMNS}`, p);
  }
  return n;
}

function le56(b: Uint8Array, topMask: number): number {
  let v = (b[6]! & topMask);
  for (let i = 5; i >= 0; i--) v = v * 256 + b[i]!;
  return v;
}

function uuidText(b: Uint8Array): string {
  let h = '';
  for (const x of b) h += x.toString(16).padStart(2, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** TABLE_MAP schema/table: length<1>, name, NUL. */
function lenString(r: PayloadReader, t: TreeBuilder | null, def: typeof B.schema): string {
  const p = r.pos;
  const n = r.u8(def.label + ' length');
  const s = r.fixedString(n, def.label);
  r.skip(1, def.label + ' NUL');
  t?.add(def, s, p, n + 2);
  return s;
}

function bitsMsbFirst(b: Uint8Array, i: number): boolean {
  return (b[i >> 3]! & (0x80 >> (i & 7))) !== 0;
}

/** One optional metadata field of TABLE_MAP (MySQL 8.0.1+, MariaDB 10.5+ with binlog_row_metadata=MINIMAL/FULL). */
function optionalMetadata(r: PayloadReader, t: TreeBuilder | null, columns: BinlogColumn[]): void {
  const p = r.pos;
  const node = t?.open(B.optionalMeta, null, p);
  const type = tU8(r, t, B.optionalMetaType);
  const len = r.lenencLength('optional metadata length');
  const vs = r.pos;
  const end = vs + len;
  const saved = r.end;
  r.end = end;
  try {
    const chars = columns.filter(isCharacterColumn);
    const enums = columns.filter((c) => c.realType === T.ENUM);
    const sets = columns.filter((c) => c.realType === T.SET);
    // A count or index: each counted item takes at least one byte, so it cannot exceed the field length.
    const lenenc = (what: string): number => {
      const at = r.pos;
      const v = r.lenenc(what);
      if (typeof v === 'bigint' || v > len) {
        throw new DecodeError('malformed', 'mysql.binlog.bad_optional_metadata', `${what} ${v} at payload offset ${at} is larger than its ${len}-byte optional metadata field`, at);
      }
      return v;
    };
    switch (type) {
      case 1: { // SIGNEDNESS: one bit per numeric column, most significant first; 1 = unsigned
        const bm = r.bytes(len, 'signedness bitmap');
        let k = 0;
        for (const c of columns) if (isNumericType(c.realType)) c.unsigned = bitsMsbFirst(bm, k++);
        break;
      }
      case 2: { // DEFAULT_CHARSET: default collation, then (character column index, collation) exceptions
        const def = r.lenenc('default collation');
        for (const c of chars) c.collation = Number(def);
        while (r.remaining > 0) {
          const i = lenenc('column index');
          const coll = r.lenenc('collation');
          const c = chars[i];
          if (c) c.collation = Number(coll);
        }
        break;
      }
      case 3: // COLUMN_CHARSET: one collation per character column
        for (const c of chars) { if (r.remaining === 0) break; c.collation = Number(r.lenenc('collation')); }
        break;
      case 4: // COLUMN_NAME
        for (const c of columns) { if (r.remaining === 0) break; c.name = r.lenencString('column name'); }
        break;
      case 5: case 6: { // SET_STR_VALUE / ENUM_STR_VALUE
        for (const c of type === 5 ? sets : enums) {
          if (r.remaining === 0) break;
          const k = lenenc('value count');
          const vals: string[] = [];
          for (let j = 0; j < k; j++) vals.push(r.lenencString('value'));
          if (type === 5) c.setValues = vals; else c.enumValues = vals;
        }
        break;
      }
      default:
        break;
    }
  } finally {
    r.end = saved;
  }
  r.pos = end;
  t?.add(B.optionalMetaValue, copyBytes(r.buf.subarray(vs, end)), vs, len);
  if (node) t!.close(node, end);
}

/** What a server packet of a binlog dump is, by its first byte (call before decoding). */
export function binlogPacketKind(payload: Uint8Array): 'event' | 'eof' | 'err' | 'unknown' {
  const b = payload[0];
  if (b === 0x00) return 'event';
  if (b === 0xfe && payload.length < 9) return 'eof';
  if (b === 0xff) return 'err';
  return 'unknown';
}

/**
 * One server packet of a binlog dump: 0x00, [0xEF flag when semi-sync], event. `semiSync`: true/false as the session
 * knows it, or 'auto' (the 0xEF header is recognised when the event size that follows it fits the packet exactly).
 */
export function decodeBinlogPacket(r: PayloadReader, t: TreeBuilder | null, decoder: BinlogDecoder, semiSync: boolean | 'auto'): BinlogEvent {
  const p = r.pos;
  const ok = r.u8('binlog packet header');
  t?.add(B.okByte, ok, p, 1);
  if (ok !== 0x00) {
    throw new DecodeError('malformed', 'mysql.binlog.not_event', `binlog dump packet starts with 0x${ok.toString(16).padStart(2, '0')}, not 0x00`, p);
  }
  let semi: BinlogEvent['semiSync'];
  const hasSemi = semiSync === 'auto' ? looksSemiSync(r) : semiSync;
  if (hasSemi) {
    const pm = r.pos;
    const magic = r.u8('semi-sync indicator');
    t?.add(B.semiSyncMagic, magic, pm, 1);
    if (magic !== 0xef) {
      throw new DecodeError('malformed', 'mysql.binlog.bad_semisync', `semi-sync header starts with 0x${magic.toString(16)}, not 0xef`, pm);
    }
    const flag = tU8(r, t, B.semiSyncFlag);
    semi = { ackRequested: (flag & 1) !== 0 };
  }
  const ev = decoder.decodeEvent(r, t);
  if (semi) ev.semiSync = semi;
  return ev;
}

function looksSemiSync(r: PayloadReader): boolean {
  const b = r.buf;
  const p = r.pos;
  const n = r.end - p;
  if (n < 2 + BINLOG_EVENT_HEADER_LENGTH || b[p] !== 0xef) return false;
  const plain = n >= BINLOG_EVENT_HEADER_LENGTH ? le32(b, p + 9) : -1;
  if (plain === n) return false;
  return le32(b, p + 2 + 9) === n - 2;
}

/** Client → server semi-sync ACK: 0xEF, position<8>, binlog file name<EOF>. */
export function decodeSemiSyncAck(r: PayloadReader, t: TreeBuilder | null): BinlogSemiSyncAck {
  const node = t?.open(B.semiSyncAck, null, r.pos);
  const pm = r.pos;
  const magic = r.u8('semi-sync indicator');
  t?.add(B.semiSyncMagic, magic, pm, 1);
  if (magic !== 0xef) throw new DecodeError('malformed', 'mysql.binlog.bad_semisync', `semi-sync ACK starts with 0x${magic.toString(16)}, not 0xef`, pm);
  const position = tU64(r, t, B.hbPosition);
  const pf = r.pos;
  const file = r.restString();
  t?.add(B.hbFilename, file, pf, r.pos - pf);
  if (node) t!.close(node, r.pos);
  return { kind: 'binlog_semisync_ack', position, file };
}

/** Issues carried by a decoded event (a CRC32 mismatch). */
export function binlogEventIssues(ev: BinlogEvent): Issue[] {
  if (ev.checksum.ok !== false) return [];
  const hex = (v: number | undefined) => `0x${(v ?? 0).toString(16).padStart(8, '0')}`;
  return [{
    layer: 'mysql', kind: 'malformed', code: 'mysql.binlog.bad_checksum',
    message: `${ev.header.typeName} at binlog position ${ev.header.logPos} has CRC32 ${hex(ev.checksum.stored)} but its bytes give ${hex(ev.checksum.computed)}`,
  }];
}

function oneLine(s: string, max = 120): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

/** A one-line summary, e.g. `QUERY  schema=shop  INSERT INTO t …` or `WRITE_ROWS_EVENT_V1  shop.t  2 rows`. */
export function binlogSummary(ev: BinlogEvent): string {
  const b = ev.body;
  const name = ev.header.typeName;
  switch (b.type) {
    case 'format_description': return `${name}  server ${b.serverVersion}  checksum ${b.checksumAlg === 1 ? 'CRC32' : b.checksumAlg === 0 ? 'OFF' : 'n/a'}`;
    case 'rotate': return `${name}  ${b.file}:${b.position}`;
    case 'query': return `QUERY  schema=${b.schema}  ${oneLine(b.query)}`;
    case 'xid': return `XID  ${b.xid}`;
    case 'intvar': return `${name}  ${b.varType === 1 ? 'LAST_INSERT_ID' : 'INSERT_ID'}=${b.value}`;
    case 'gtid': case 'mariadb_gtid': return `GTID  ${b.gtid}`;
    case 'previous_gtids': return `${name}  ${b.gtidSet}`;
    case 'gtid_list': return `GTID_LIST  [${b.gtids.join(',')}]`;
    case 'binlog_checkpoint': return `BINLOG_CHECKPOINT  ${b.file}`;
    case 'annotate_rows': return `${name}  ${oneLine(b.query)}`;
    case 'table_map': return `TABLE_MAP  ${b.schema}.${b.table}  id=${b.tableId}  ${b.columns.length} columns`;
    case 'rows': return `${name}  ${b.schema !== undefined ? `${b.schema}.${b.table}` : `table id ${b.tableId}`}  ${b.undecoded ? `not decoded: ${b.undecoded}` : `${b.rowCount} row${b.rowCount === 1 ? '' : 's'}`}`;
    case 'heartbeat': return `HEARTBEAT  ${b.file}:${b.position}`;
    case 'raw': return `${name}  ${b.length} bytes`;
  }
}
