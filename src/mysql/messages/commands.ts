/**
 * Client commands ("Text Protocol", "Utility Commands", "Prepared Statements", "Replication Protocol" pages).
 * The first payload byte is the command; the layout of the rest depends on it and on negotiated capabilities
 * (CLIENT_QUERY_ATTRIBUTES for COM_QUERY; CLIENT_SECURE_CONNECTION / PLUGIN_AUTH / CONNECT_ATTRS for
 * COM_CHANGE_USER).
 */
import { DecodeError } from '../../core/issues.js';
import type { PayloadReader } from '../codec/payload-reader.js';
import { CLIENT, hasCap } from '../constants/capabilities.js';
import { COM } from '../constants/commands.js';
import { F, FB } from '../fields.js';
import { decodeConnectAttributes } from './handshake.js';
import {
  copyBytes, tBytes, tRestBytes, tRestString, tU16, tU32, tU64, tU8, type TreeBuilder,
} from './tree.js';
import { decodeStmtBulkExecute, decodeStmtExecute } from './prepared.js';
import { decodeBinaryValue } from './binary.js';
import type { Command, PreparedStatement, QueryAttribute } from './types.js';

function restIfAny(r: PayloadReader, t: TreeBuilder | null): void {
  if (r.remaining > 0) tRestBytes(r, t, F.payload);
}

/** A length-prefixed (1 byte) string, as in COM_REGISTER_SLAVE. */
function u8String(r: PayloadReader, t: TreeBuilder | null, def: typeof F.slaveUser): string {
  const n = r.u8(`${def.label} length`);
  const p = r.pos;
  const s = r.fixedString(n, def.label);
  t?.add(def, s, p, n);
  return s;
}

/**
 * `stmts` finds a prepared statement by id (the session's registry): COM_STMT_EXECUTE and BULK_EXECUTE need its
 * parameter count and types to decode the values, and carry its SQL.
 */
export function decodeCommand(r: PayloadReader, t: TreeBuilder | null, caps: number, stmts?: (id: number) => PreparedStatement | undefined): Command {
  const node = t?.open(F.request, null, r.pos);
  const c: Command = { kind: 'command', command: -1 };
  try {
    const code = tU8(r, t, F.command); // inside the try: an empty payload must close the subtree too
    c.command = code;
    switch (code) {
      case COM.QUERY:
        if (hasCap(caps, CLIENT.QUERY_ATTRIBUTES)) c.attributes = decodeQueryAttributes(r, t);
        c.query = tRestString(r, t, F.query);
        break;
      case COM.STMT_PREPARE:
        c.query = tRestString(r, t, F.query);
        break;
      case COM.INIT_DB:
      case COM.CREATE_DB:
      case COM.DROP_DB:
        c.schema = tRestString(r, t, F.schema);
        break;
      case COM.FIELD_LIST: {
        const p = r.pos;
        c.table = r.nulStringOrRest(F.tableName.label);
        t?.add(F.tableName, c.table, p, r.pos - p);
        if (r.remaining > 0) tRestString(r, t, F.fieldWildcard);
        break;
      }
      case COM.REFRESH:
        c.option = tU8(r, t, F.refresh);
        break;
      case COM.SHUTDOWN:
        if (r.remaining > 0) c.option = tU8(r, t, F.shutdown);
        break;
      case COM.PROCESS_KILL:
        c.threadId = tU32(r, t, F.threadId);
        break;
      case COM.SET_OPTION:
        c.option = tU16(r, t, F.option);
        break;
      case COM.CHANGE_USER:
        decodeChangeUser(r, t, caps, c);
        break;
      case COM.STMT_EXECUTE: {
        const lookup = stmts ?? (() => undefined);
        const ex = decodeStmtExecute(r, t, caps, lookup);
        c.execute = ex;
        c.stmtId = ex.stmtId;
        const stmt = lookup(ex.stmtId);
        if (stmt?.sql !== undefined && stmt.sql !== '') c.query = stmt.sql;
        else c.stmtUnknown = true;
        break;
      }
      case COM.STMT_BULK_EXECUTE: {
        const lookup = stmts ?? (() => undefined);
        const b = decodeStmtBulkExecute(r, t, lookup);
        c.bulk = b;
        c.stmtId = b.stmtId;
        const stmt = lookup(b.stmtId);
        if (stmt?.sql !== undefined && stmt.sql !== '') c.query = stmt.sql;
        else c.stmtUnknown = true;
        break;
      }
      case COM.STMT_SEND_LONG_DATA: {
        c.stmtId = tU32(r, t, F.stmtId);
        c.param = tU16(r, t, F.param);
        const p = r.pos;
        const data = r.restBytes();
        c.dataLength = data.length;
        t?.add(F.longData, copyBytes(data), p, data.length);
        break;
      }
      case COM.STMT_CLOSE:
      case COM.STMT_RESET:
        c.stmtId = tU32(r, t, F.stmtId);
        break;
      case COM.STMT_FETCH:
        c.stmtId = tU32(r, t, F.stmtId);
        tU32(r, t, F.numRows);
        break;
      case COM.BINLOG_DUMP:
        c.binlogPos = tU32(r, t, F.binlogPosition);
        tU16(r, t, F.binlogFlags);
        c.serverId = tU32(r, t, F.binlogServerId);
        c.binlogFile = tRestString(r, t, F.binlogFileName);
        break;
      case COM.BINLOG_DUMP_GTID: {
        const flags = tU16(r, t, F.binlogFlags);
        c.serverId = tU32(r, t, F.binlogServerId);
        const n = r.u32('binlog file name length');
        const p = r.pos;
        c.binlogFile = r.fixedString(n, F.binlogFileName.label);
        t?.add(F.binlogFileName, c.binlogFile, p, n);
        c.binlogPos = tU64(r, t, F.binlogPosition);
        if ((flags & 0x0004) !== 0 && r.remaining >= 4) {
          const size = r.u32('GTID data size');
          tBytes(r, t, F.binlogGtidData, size);
        }
        break;
      }
      case COM.REGISTER_SLAVE:
        c.serverId = tU32(r, t, F.binlogServerId);
        u8String(r, t, F.slaveHostname);
        c.user = u8String(r, t, F.slaveUser);
        u8String(r, t, F.slavePassword);
        tU16(r, t, F.slavePort);
        tU32(r, t, F.replicationRank);
        tU32(r, t, F.masterId);
        break;
      case COM.CLONE:
        if (r.remaining > 0) tRestBytes(r, t, F.cloneData);
        break;
      case COM.QUIT:
      case COM.STATISTICS:
      case COM.PROCESS_INFO:
      case COM.PING:
      case COM.DEBUG:
      case COM.TIME:
      case COM.RESET_CONNECTION:
      case COM.SLEEP:
      case COM.CONNECT:
      case COM.DAEMON:
      case COM.DELAYED_INSERT:
      case COM.TABLE_DUMP:
      case COM.CONNECT_OUT:
      case COM.SUBSCRIBE_GROUP_REPLICATION_STREAM:
      default:
        restIfAny(r, t);
        break;
    }
  } finally {
    if (node) t!.close(node, r.pos);
  }
  return c;
}

/**
 * Query attributes before the statement of a COM_QUERY (CLIENT_QUERY_ATTRIBUTES, MySQL 8.0.23+): parameter count,
 * parameter set count (1), then — when there are parameters — NULL bitmap, new-params-bound flag, each parameter's
 * type (2 bytes) and name (lenenc), and the non-NULL values in the binary protocol.
 */
function decodeQueryAttributes(r: PayloadReader, t: TreeBuilder | null): QueryAttribute[] {
  const pc = r.pos;
  const count = r.lenenc('parameter count');
  t?.add(F.numParams, count, pc, r.pos - pc);
  r.lenenc('parameter set count');
  if (count === 0) return [];
  if (typeof count === 'bigint' || count > r.remaining) {
    throw new DecodeError('malformed', 'mysql.query_attributes', `COM_QUERY says it carries ${count} query attributes, more than its ${r.remaining} remaining bytes`, pc);
  }
  const node = t?.open(F.queryAttrs, null, pc);
  try {
    const bitmap = r.bytes((count + 7) >> 3, 'query attributes NULL bitmap');
    const bound = r.u8('new params bound flag');
    const attrs: QueryAttribute[] = [];
    for (let i = 0; i < count; i++) attrs.push({ name: '', type: 0, unsigned: false, value: null });
    if (bound !== 1) return attrs; // types and names are always sent with query attributes; nothing more to read
    for (const a of attrs) {
      a.type = r.u8('attribute type');
      a.unsigned = (r.u8('attribute flags') & 0x80) !== 0;
      const np = r.pos;
      a.name = r.lenencString('attribute name');
      t?.add(FB.execParamName, a.name, np, r.pos - np);
    }
    attrs.forEach((a, i) => {
      if ((bitmap[i >> 3]! & (1 << (i & 7))) !== 0) return; // NULL
      a.value = decodeBinaryValue(r, t, a.type, a.unsigned, a.name);
    });
    return attrs;
  } finally {
    if (node) t!.close(node, r.pos);
  }
}

/** COM_CHANGE_USER: user, auth response, schema, then (4.1) collation, plugin and connection attributes. */
function decodeChangeUser(r: PayloadReader, t: TreeBuilder | null, caps: number, c: Command): void {
  const p0 = r.pos;
  c.user = r.nulString(F.user.label);
  t?.add(F.user, c.user, p0, r.pos - p0);
  const pa = r.pos;
  const auth = hasCap(caps, CLIENT.SECURE_CONNECTION) ? r.bytes(r.u8('auth response length'), 'auth response') : r.nulBytes('auth response');
  t?.add(F.passwd, copyBytes(auth), pa, r.pos - pa);
  const ps = r.pos;
  c.schema = r.nulStringOrRest(F.schema.label);
  t?.add(F.schema, c.schema, ps, r.pos - ps);
  if (r.remaining >= 2) {
    const pc = r.pos;
    const collation = r.u16('character set');
    t?.add(F.charset, collation, pc, 2);
  }
  if (hasCap(caps, CLIENT.PLUGIN_AUTH) && r.remaining > 0) {
    const pp = r.pos;
    const plugin = r.nulStringOrRest(F.clientAuthPlugin.label);
    t?.add(F.clientAuthPlugin, plugin, pp, r.pos - pp);
  }
  if (hasCap(caps, CLIENT.CONNECT_ATTRS) && r.remaining > 0) decodeConnectAttributes(r, t, []);
}
