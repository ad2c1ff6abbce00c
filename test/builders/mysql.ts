/**
 * SYNTHETIC MySQL wire-byte builders for tests. Nothing here was captured from a real server or client: every byte
 * is made up, following the MySQL "Client/Server Protocol" pages (Basic Data Types, MySQL Packets, Connection Phase
 * Packets, Generic Response Packets, Text Resultset, COM_* pages) and MariaDB's "Client/Server Protocol" pages.
 *
 *   packet(seq, payload)                  one wire packet (3-byte length + seq + payload); >= 16 MiB payloads are
 *                                         split into 0xFFFFFF parts by `packets16M`
 *   int1/int2/int3/int4/int8, lenencInt, lenencStr, nul
 *   handshakeV10(o)                       greeting (MySQL; MariaDB when `mariadbCaps` is given: CLIENT_MYSQL cleared)
 *   handshakeResponse41(o) / handshakeResponse320(o) / sslRequest(o)
 *   ok(o, caps) / err(o) / eof(o, caps) / columnCount(n, metadataFollows?) / columnDef(o) / textRow(values)
 *   stmtPrepareOk(o) / authSwitchRequest(plugin, data) / authMoreData(data)
 *   com.query(sql), com.initDb(db), ... one builder per COM_*
 *   new Conversation().server(...).client(...)  →  ordered {dir, bytes} chunks
 *   segmentsOf(chunks, o) / framesOf(segments)   →  TCP segments and Frames for the Pipeline
 */
import type { Frame } from '../../src/capture/types.js';
import type { Dir } from '../../src/flow/types.js';
import { CLIENT } from '../../src/mysql/constants/capabilities.js';
import { buildTcpFrame, concatAll, TCP, type LinkKind } from './frames.js';

export { CLIENT };
export { MARIADB_CLIENT } from '../../src/mysql/constants/capabilities.js';
export { COM } from '../../src/mysql/constants/commands.js';
export { SERVER } from '../../src/mysql/constants/status.js';

export type Bytes = Uint8Array;
const enc = new TextEncoder();

// ---------------------------------------------------------------- basic data types

export function cat(...parts: Array<Bytes | number[]>): Bytes {
  return concatAll(parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p))));
}

export function str(s: string): Bytes {
  return enc.encode(s);
}

export function int1(v: number): Bytes {
  return Uint8Array.of(v & 0xff);
}
export function int2(v: number): Bytes {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff);
}
export function int3(v: number): Bytes {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff);
}
export function int4(v: number): Bytes {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}
export function int8(v: number | bigint): Bytes {
  let b = BigInt(v);
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) {
    out[i] = Number(b & 0xffn);
    b >>= 8n;
  }
  return out;
}

/** int<lenenc> in its shortest form, or in a forced form (to test non-minimal encodings). */
export function lenencInt(v: number | bigint, form?: 1 | 3 | 4 | 9): Bytes {
  const n = BigInt(v);
  const f = form ?? (n < 0xfbn ? 1 : n < 0x10000n ? 3 : n < 0x1000000n ? 4 : 9);
  switch (f) {
    case 1: return int1(Number(n));
    case 3: return cat([0xfc], int2(Number(n)));
    case 4: return cat([0xfd], int3(Number(n)));
    case 9: return cat([0xfe], int8(n));
  }
}

export function lenencStr(s: string | Bytes): Bytes {
  const b = typeof s === 'string' ? str(s) : s;
  return cat(lenencInt(b.length), b);
}

/** string<NUL>. */
export function nul(s: string | Bytes): Bytes {
  return cat(typeof s === 'string' ? str(s) : s, [0]);
}

// ---------------------------------------------------------------- packets

/** One wire packet: int<3> payload length, int<1> sequence id, payload. The length must be < 0xFFFFFF. */
export function packet(seq: number, payload: Bytes): Bytes {
  const out = new Uint8Array(4 + payload.length);
  out.set(int3(payload.length), 0);
  out[3] = seq & 0xff;
  out.set(payload, 4);
  return out;
}

/** A header with an arbitrary length (may lie about the payload that follows). */
export function header(length: number, seq: number): Bytes {
  return cat(int3(length), [seq & 0xff]);
}

/**
 * A logical payload of any size as wire packets: parts of exactly 0xFFFFFF bytes are continued by the next
 * packet, and a payload whose size is a multiple of 0xFFFFFF ends with an empty packet.
 */
export function packets16M(seq: number, payload: Bytes): Bytes {
  const parts: Bytes[] = [];
  let off = 0;
  let s = seq;
  for (;;) {
    const n = Math.min(0xffffff, payload.length - off);
    parts.push(header(n, s), payload.subarray(off, off + n));
    off += n;
    s = (s + 1) & 0xff;
    if (n < 0xffffff) break;
  }
  return concatAll(parts);
}

/** Several payloads as consecutive packets with sequence ids counting up from `seq`. */
export function seqPackets(seq: number, payloads: Bytes[]): Bytes {
  return concatAll(payloads.map((p, i) => packet((seq + i) & 0xff, p)));
}

// ---------------------------------------------------------------- capabilities

/** A MySQL 8.0-like server's capabilities (all lower 16 bits, most upper ones; no QUERY_ATTRIBUTES by default). */
export const SERVER_CAPS_MYSQL8 =
  (0xffff |
    CLIENT.MULTI_STATEMENTS | CLIENT.MULTI_RESULTS | CLIENT.PS_MULTI_RESULTS | CLIENT.PLUGIN_AUTH | CLIENT.CONNECT_ATTRS |
    CLIENT.PLUGIN_AUTH_LENENC_CLIENT_DATA | CLIENT.CAN_HANDLE_EXPIRED_PASSWORDS | CLIENT.SESSION_TRACK |
    CLIENT.DEPRECATE_EOF | CLIENT.OPTIONAL_RESULTSET_METADATA | CLIENT.ZSTD_COMPRESSION_ALGORITHM) >>> 0;

/** A typical client: 4.1 protocol, secure auth, plugin auth, attributes; add DEPRECATE_EOF etc. as needed. */
export const CLIENT_CAPS_BASE =
  (CLIENT.LONG_PASSWORD | CLIENT.LONG_FLAG | CLIENT.PROTOCOL_41 | CLIENT.TRANSACTIONS | CLIENT.SECURE_CONNECTION |
    CLIENT.MULTI_STATEMENTS | CLIENT.MULTI_RESULTS | CLIENT.PS_MULTI_RESULTS | CLIENT.PLUGIN_AUTH |
    CLIENT.CONNECT_ATTRS | CLIENT.PLUGIN_AUTH_LENENC_CLIENT_DATA) >>> 0;

// ---------------------------------------------------------------- connection phase

export interface HandshakeV10Options {
  version?: string;
  threadId?: number;
  /** 20 bytes of auth-plugin-data (8 in part 1, 12 in part 2 followed by a NUL). */
  salt?: Bytes;
  capabilities?: number;
  collation?: number;
  status?: number;
  authPlugin?: string;
  /** MariaDB 10.2+: clears CLIENT_MYSQL (bit 0) and puts these in the last 4 of the 10 reserved bytes. */
  mariadbCaps?: number;
  protocol?: number;
}

export const DEFAULT_SALT = Uint8Array.from({ length: 20 }, (_, i) => 0x21 + i);

/** Protocol::HandshakeV10. */
export function handshakeV10(o: HandshakeV10Options = {}): Bytes {
  const salt = o.salt ?? DEFAULT_SALT;
  let caps = (o.capabilities ?? SERVER_CAPS_MYSQL8) >>> 0;
  if (o.mariadbCaps !== undefined) caps = (caps & ~CLIENT.LONG_PASSWORD) >>> 0;
  const reserved = o.mariadbCaps !== undefined ? cat(new Uint8Array(6), int4(o.mariadbCaps)) : new Uint8Array(10);
  return cat(
    [o.protocol ?? 10],
    nul(o.version ?? '8.0.36'),
    int4(o.threadId ?? 42),
    salt.subarray(0, 8),
    [0],
    int2(caps & 0xffff),
    [o.collation ?? 255],
    int2(o.status ?? 0x0002),
    int2(caps >>> 16),
    [salt.length + 1],
    reserved,
    nul(salt.subarray(8)),
    o.authPlugin === undefined ? nul('caching_sha2_password') : nul(o.authPlugin),
  );
}

export interface HandshakeResponse41Options {
  capabilities?: number;
  maxPacket?: number;
  collation?: number;
  user?: string;
  authResponse?: Bytes;
  schema?: string;
  authPlugin?: string;
  attributes?: Array<[string, string]>;
  zstdLevel?: number;
  /** MariaDB: the last 4 of the 23 filler bytes (the client clears CLIENT_MYSQL itself when it sets these). */
  mariadbCaps?: number;
}

/**
 * Protocol::HandshakeResponse41. The auth response is written as lenenc (PLUGIN_AUTH_LENENC_CLIENT_DATA), as
 * a 1-byte length (SECURE_CONNECTION) or NUL-terminated, following `capabilities`; the schema, plugin,
 * attributes and zstd level are written when their capability is set.
 */
export function handshakeResponse41(o: HandshakeResponse41Options = {}): Bytes {
  let caps = (o.capabilities ?? (CLIENT_CAPS_BASE | (o.schema !== undefined ? CLIENT.CONNECT_WITH_DB : 0))) >>> 0;
  if (o.mariadbCaps !== undefined) caps = (caps & ~CLIENT.LONG_PASSWORD) >>> 0;
  const auth = o.authResponse ?? Uint8Array.from({ length: 20 }, (_, i) => 0x80 + i);
  const parts: Bytes[] = [
    int4(caps), int4(o.maxPacket ?? 16777216), int1(o.collation ?? 255),
    o.mariadbCaps !== undefined ? cat(new Uint8Array(19), int4(o.mariadbCaps)) : new Uint8Array(23),
    nul(o.user ?? 'app'),
  ];
  if (caps & CLIENT.PLUGIN_AUTH_LENENC_CLIENT_DATA) parts.push(lenencStr(auth));
  else if (caps & CLIENT.SECURE_CONNECTION) parts.push(cat([auth.length], auth));
  else parts.push(nul(auth));
  if (caps & CLIENT.CONNECT_WITH_DB) parts.push(nul(o.schema ?? ''));
  if (caps & CLIENT.PLUGIN_AUTH) parts.push(nul(o.authPlugin ?? 'caching_sha2_password'));
  if (caps & CLIENT.CONNECT_ATTRS) parts.push(connectAttributes(o.attributes ?? [['_client_name', 'libmysql']]));
  if (caps & CLIENT.ZSTD_COMPRESSION_ALGORITHM) parts.push(int1(o.zstdLevel ?? 3));
  return concatAll(parts);
}

export function connectAttributes(attrs: Array<[string, string]>): Bytes {
  const body = concatAll(attrs.flatMap(([k, v]) => [lenencStr(k), lenencStr(v)]));
  return cat(lenencInt(body.length), body);
}

export interface HandshakeResponse320Options {
  capabilities?: number;
  maxPacket?: number;
  user?: string;
  authResponse?: Bytes;
  schema?: string;
}

/** Protocol::HandshakeResponse320 (pre-4.1): int<2> caps, int<3> max packet, user NUL, auth (NUL + schema, or EOF). */
export function handshakeResponse320(o: HandshakeResponse320Options = {}): Bytes {
  const caps = (o.capabilities ?? (CLIENT.LONG_PASSWORD | CLIENT.LONG_FLAG | (o.schema !== undefined ? CLIENT.CONNECT_WITH_DB : 0))) & 0xffff;
  const auth = o.authResponse ?? str('ABCDEFGH');
  const parts: Bytes[] = [int2(caps), int3(o.maxPacket ?? 0xffffff), nul(o.user ?? 'old')];
  if (caps & CLIENT.CONNECT_WITH_DB) parts.push(nul(auth), nul(o.schema ?? ''));
  else parts.push(auth);
  return concatAll(parts);
}

/** Protocol::SSLRequest: the 32-byte prefix of HandshakeResponse41 with CLIENT_SSL. */
export function sslRequest(o: { capabilities?: number; maxPacket?: number; collation?: number; mariadbCaps?: number } = {}): Bytes {
  let caps = ((o.capabilities ?? CLIENT_CAPS_BASE) | CLIENT.SSL) >>> 0;
  if (o.mariadbCaps !== undefined) caps = (caps & ~CLIENT.LONG_PASSWORD) >>> 0;
  return cat(int4(caps), int4(o.maxPacket ?? 16777216), [o.collation ?? 255],
    o.mariadbCaps !== undefined ? cat(new Uint8Array(19), int4(o.mariadbCaps)) : new Uint8Array(23));
}

/** Protocol::AuthSwitchRequest (0xFE, plugin NUL, plugin data); `plugin` undefined gives the lone 0xFE. */
export function authSwitchRequest(plugin?: string, data: Bytes = cat(DEFAULT_SALT, [0])): Bytes {
  if (plugin === undefined) return Uint8Array.of(0xfe);
  return cat([0xfe], nul(plugin), data);
}

/** Protocol::AuthMoreData: 0x01 then the plugin data (e.g. [3] fast_auth_success). */
export function authMoreData(data: Bytes | number[]): Bytes {
  return cat([0x01], data);
}

// ---------------------------------------------------------------- generic responses

export interface OkOptions {
  header?: number;
  affectedRows?: number | bigint;
  lastInsertId?: number | bigint;
  status?: number;
  warnings?: number;
  info?: string;
  /** Raw session state information (written as string<lenenc> under SESSION_TRACK + SESSION_STATE_CHANGED). */
  sessionState?: Bytes;
}

/** OK_Packet under the given capabilities (PROTOCOL_41 / TRANSACTIONS / SESSION_TRACK change its layout). */
export function ok(o: OkOptions = {}, caps = CLIENT.PROTOCOL_41): Bytes {
  const parts: Bytes[] = [int1(o.header ?? 0), lenencInt(o.affectedRows ?? 0), lenencInt(o.lastInsertId ?? 0)];
  let status = o.status ?? 0x0002;
  if (o.sessionState) status |= 0x4000;
  if (caps & CLIENT.PROTOCOL_41) parts.push(int2(status), int2(o.warnings ?? 0));
  else if (caps & CLIENT.TRANSACTIONS) parts.push(int2(status));
  if (caps & CLIENT.SESSION_TRACK) {
    if (o.info !== undefined || o.sessionState) parts.push(lenencStr(o.info ?? ''));
    if (o.sessionState) parts.push(lenencStr(o.sessionState));
  } else if (o.info !== undefined) {
    parts.push(str(o.info));
  }
  return concatAll(parts);
}

/** OK_Packet with the 0xFE header that ends a result set under CLIENT_DEPRECATE_EOF. */
export function okEof(o: OkOptions = {}, caps = CLIENT.PROTOCOL_41): Bytes {
  return ok({ ...o, header: 0xfe }, caps);
}

/** ERR_Packet; the SQLSTATE marker is written unless `sqlstate` is null. */
export function err(o: { code?: number; sqlstate?: string | null; message?: string } = {}): Bytes {
  const state = o.sqlstate === undefined ? 'HY000' : o.sqlstate;
  return cat([0xff], int2(o.code ?? 1064), state === null ? [] : cat(str('#'), str(state)), str(o.message ?? 'error'));
}

/** EOF_Packet: 0xFE, then warnings and status under PROTOCOL_41. */
export function eof(o: { warnings?: number; status?: number } = {}, caps = CLIENT.PROTOCOL_41): Bytes {
  if (!(caps & CLIENT.PROTOCOL_41)) return Uint8Array.of(0xfe);
  return cat([0xfe], int2(o.warnings ?? 0), int2(o.status ?? 0x0002));
}

// ---------------------------------------------------------------- result sets

export function columnCount(n: number | bigint, metadataFollows?: number): Bytes {
  return metadataFollows === undefined ? lenencInt(n) : cat(lenencInt(n), [metadataFollows]);
}

export interface ColumnDefOptions {
  catalog?: string;
  schema?: string;
  table?: string;
  orgTable?: string;
  name?: string;
  orgName?: string;
  charset?: number;
  columnLength?: number;
  type?: number;
  flags?: number;
  decimals?: number;
  /** COM_FIELD_LIST: a default value (string<lenenc>), or null for 0xFB. */
  default?: string | null;
  /** MariaDB extended metadata (string<lenenc>), written when given. */
  extendedMetadata?: Bytes;
}

/** Protocol::ColumnDefinition41. */
export function columnDef(o: ColumnDefOptions = {}): Bytes {
  const name = o.name ?? 'c';
  const parts: Bytes[] = [
    lenencStr(o.catalog ?? 'def'), lenencStr(o.schema ?? 'shop'), lenencStr(o.table ?? 't'), lenencStr(o.orgTable ?? o.table ?? 't'),
    lenencStr(name), lenencStr(o.orgName ?? name),
  ];
  if (o.extendedMetadata) parts.push(lenencStr(o.extendedMetadata));
  parts.push(lenencInt(0x0c), int2(o.charset ?? 255), int4(o.columnLength ?? 11), int1(o.type ?? 0x03), int2(o.flags ?? 0),
    int1(o.decimals ?? 0), int2(0));
  if (o.default !== undefined) parts.push(o.default === null ? Uint8Array.of(0xfb) : lenencStr(o.default));
  return concatAll(parts);
}

/** A text row: string<lenenc> per value, 0xFB for NULL. */
export function textRow(values: Array<string | null>): Bytes {
  return concatAll(values.map((v) => (v === null ? Uint8Array.of(0xfb) : lenencStr(v))));
}

/** COM_STMT_PREPARE_OK header. */
export function stmtPrepareOk(o: { stmtId?: number; numColumns?: number; numParams?: number; warnings?: number; metadataFollows?: number } = {}): Bytes {
  return cat([0x00], int4(o.stmtId ?? 1), int2(o.numColumns ?? 0), int2(o.numParams ?? 0), [0], int2(o.warnings ?? 0),
    o.metadataFollows === undefined ? [] : [o.metadataFollows]);
}

/**
 * A whole text result set's payloads (column count, definitions, [EOF], rows, end marker): EOF markers unless
 * `deprecateEof`, then the end is an OK with the 0xFE header.
 */
export function resultSetPayloads(o: {
  columns: ColumnDefOptions[]; rows: Array<Array<string | null>>; deprecateEof?: boolean; endStatus?: number; caps?: number;
}): Bytes[] {
  const caps = o.caps ?? CLIENT.PROTOCOL_41;
  const out: Bytes[] = [columnCount(o.columns.length), ...o.columns.map(columnDef)];
  if (!o.deprecateEof) out.push(eof({}, caps));
  out.push(...o.rows.map(textRow));
  const status = o.endStatus ?? 0x0002;
  out.push(o.deprecateEof ? okEof({ status }, caps) : eof({ status }, caps));
  return out;
}

// ---------------------------------------------------------------- commands

export const com = {
  sleep: (): Bytes => Uint8Array.of(0x00),
  quit: (): Bytes => Uint8Array.of(0x01),
  initDb: (db: string): Bytes => cat([0x02], str(db)),
  query: (sql: string): Bytes => cat([0x03], str(sql)),
  /** COM_QUERY under CLIENT_QUERY_ATTRIBUTES with no attributes: parameter_count 0, parameter_set_count 1. */
  queryWithAttrs: (sql: string): Bytes => cat([0x03, 0x00, 0x01], str(sql)),
  fieldList: (table: string, wildcard?: string): Bytes => cat([0x04], nul(table), wildcard === undefined ? [] : str(wildcard)),
  createDb: (db: string): Bytes => cat([0x05], str(db)),
  dropDb: (db: string): Bytes => cat([0x06], str(db)),
  refresh: (flags: number): Bytes => Uint8Array.of(0x07, flags),
  statistics: (): Bytes => Uint8Array.of(0x09),
  processInfo: (): Bytes => Uint8Array.of(0x0a),
  processKill: (id: number): Bytes => cat([0x0c], int4(id)),
  debug: (): Bytes => Uint8Array.of(0x0d),
  ping: (): Bytes => Uint8Array.of(0x0e),
  changeUser: (o: { user?: string; auth?: Bytes; schema?: string; charset?: number; plugin?: string; attributes?: Array<[string, string]> } = {}): Bytes => {
    const auth = o.auth ?? Uint8Array.from({ length: 20 }, (_, i) => 0x40 + i);
    const parts: Bytes[] = [Uint8Array.of(0x11), nul(o.user ?? 'bob'), cat([auth.length], auth), nul(o.schema ?? '')];
    if (o.charset !== undefined) parts.push(int2(o.charset));
    if (o.plugin !== undefined) parts.push(nul(o.plugin));
    if (o.attributes !== undefined) parts.push(connectAttributes(o.attributes));
    return concatAll(parts);
  },
  binlogDump: (pos: number, flags: number, serverId: number, file: string): Bytes => cat([0x12], int4(pos), int2(flags), int4(serverId), str(file)),
  registerSlave: (o: { serverId?: number; host?: string; user?: string; password?: string; port?: number; rank?: number; masterId?: number } = {}): Bytes =>
    cat([0x15], int4(o.serverId ?? 7), [(o.host ?? 'replica').length], str(o.host ?? 'replica'), [(o.user ?? 'repl').length], str(o.user ?? 'repl'),
      [(o.password ?? 'pw').length], str(o.password ?? 'pw'), int2(o.port ?? 3307), int4(o.rank ?? 0), int4(o.masterId ?? 0)),
  stmtPrepare: (sql: string): Bytes => cat([0x16], str(sql)),
  /** COM_STMT_EXECUTE header (+ raw parameter bytes). */
  stmtExecute: (stmtId: number, flags = 0, iterations = 1, rest: Bytes | number[] = []): Bytes => cat([0x17], int4(stmtId), [flags], int4(iterations), rest),
  stmtSendLongData: (stmtId: number, param: number, data: Bytes): Bytes => cat([0x18], int4(stmtId), int2(param), data),
  stmtClose: (stmtId: number): Bytes => cat([0x19], int4(stmtId)),
  stmtReset: (stmtId: number): Bytes => cat([0x1a], int4(stmtId)),
  setOption: (option: number): Bytes => cat([0x1b], int2(option)),
  stmtFetch: (stmtId: number, rows: number): Bytes => cat([0x1c], int4(stmtId), int4(rows)),
  binlogDumpGtid: (o: { flags?: number; serverId?: number; file?: string; pos?: number | bigint; gtid?: Bytes } = {}): Bytes => {
    const file = str(o.file ?? 'binlog.000001');
    const flags = (o.flags ?? 0) | (o.gtid ? 0x0004 : 0);
    return cat([0x1e], int2(flags), int4(o.serverId ?? 9), int4(file.length), file, int8(o.pos ?? 4),
      o.gtid ? cat(int4(o.gtid.length), o.gtid) : []);
  },
  resetConnection: (): Bytes => Uint8Array.of(0x1f),
  raw: (code: number, rest: Bytes | number[] = []): Bytes => cat([code], rest),
};

// ---------------------------------------------------------------- conversations

export interface Chunk {
  dir: Dir;
  /** Whole wire bytes (one or more packets) sent at once by one side. */
  bytes: Bytes;
  label?: string;
}

/**
 * An ordered list of chunks, one per "send" of a side. Each call takes payloads and numbers them from `seq`
 * (default: 0 for the client's first packet of a command; the server continues from the client's last seq + 1).
 */
export class Conversation {
  readonly chunks: Chunk[] = [];
  private nextSeq = 0;

  /** Client packets; `seq` defaults to 0 (a new command). */
  client(payloads: Bytes | Bytes[], o: { seq?: number; label?: string } = {}): this {
    return this.add('c2s', payloads, o.seq ?? 0, o.label);
  }

  /** Server packets; `seq` defaults to the one after the last packet. */
  server(payloads: Bytes | Bytes[], o: { seq?: number; label?: string } = {}): this {
    return this.add('s2c', payloads, o.seq ?? this.nextSeq, o.label);
  }

  /** Raw bytes (no framing added). */
  raw(dir: Dir, bytes: Bytes, label?: string): this {
    this.chunks.push(label === undefined ? { dir, bytes } : { dir, bytes, label });
    return this;
  }

  private add(dir: Dir, payloads: Bytes | Bytes[], seq: number, label?: string): this {
    const list = Array.isArray(payloads) ? payloads : [payloads];
    const bytes = seqPackets(seq, list);
    this.nextSeq = (seq + list.length) & 0xff;
    return this.raw(dir, bytes, label);
  }

  stream(dir: Dir): Bytes {
    return concatAll(this.chunks.filter((c) => c.dir === dir).map((c) => c.bytes));
  }
}

// ---------------------------------------------------------------- TCP segments and frames

export interface SegmentSpec {
  dir: Dir;
  seq: number;
  ack: number;
  flags: number;
  payload: Bytes;
  label?: string;
}

export interface SegmentsOptions {
  /** Start with SYN, SYN+ACK, ACK (default true). */
  handshake?: boolean;
  /** End with FIN from both sides (default true). */
  fin?: boolean;
  clientIsn?: number;
  serverIsn?: number;
  /** Cut every chunk into segments of at most this many bytes. */
  mss?: number;
}

/** TCP segments carrying the chunks, with consistent sequence and acknowledgement numbers. */
export function segmentsOf(chunks: readonly Chunk[], o: SegmentsOptions = {}): SegmentSpec[] {
  const cIsn = o.clientIsn ?? 1000;
  const sIsn = o.serverIsn ?? 50000;
  const hs = o.handshake !== false;
  let c = hs ? cIsn + 1 : cIsn;
  let s = hs ? sIsn + 1 : sIsn;
  const out: SegmentSpec[] = [];
  const empty = new Uint8Array(0);
  if (hs) {
    out.push({ dir: 'c2s', seq: cIsn, ack: 0, flags: TCP.SYN, payload: empty, label: 'SYN' });
    out.push({ dir: 's2c', seq: sIsn, ack: c, flags: TCP.SYN | TCP.ACK, payload: empty, label: 'SYN+ACK' });
    out.push({ dir: 'c2s', seq: c, ack: s, flags: TCP.ACK, payload: empty, label: 'ACK' });
  }
  const mss = o.mss ?? 1 << 30;
  for (const ch of chunks) {
    for (let off = 0; off < ch.bytes.length; off += mss) {
      const payload = ch.bytes.subarray(off, Math.min(ch.bytes.length, off + mss));
      const base = { flags: TCP.ACK | TCP.PSH, payload, ...(ch.label !== undefined ? { label: ch.label } : {}) };
      if (ch.dir === 'c2s') {
        out.push({ dir: 'c2s', seq: c >>> 0, ack: s >>> 0, ...base });
        c += payload.length;
      } else {
        out.push({ dir: 's2c', seq: s >>> 0, ack: c >>> 0, ...base });
        s += payload.length;
      }
    }
  }
  if (o.fin !== false) {
    out.push({ dir: 'c2s', seq: c >>> 0, ack: s >>> 0, flags: TCP.FIN | TCP.ACK, payload: empty, label: 'C FIN' });
    c++;
    out.push({ dir: 's2c', seq: s >>> 0, ack: c >>> 0, flags: TCP.FIN | TCP.ACK, payload: empty, label: 'S FIN' });
    s++;
    out.push({ dir: 'c2s', seq: c >>> 0, ack: s >>> 0, flags: TCP.ACK, payload: empty, label: 'C ACK' });
  }
  return out;
}

export const CLIENT_EP = { ip: '10.1.0.1', port: 51000 };
export const SERVER_EP = { ip: '10.1.0.2', port: 3306 };

/** Frames (Ethernet/IPv4 by default) numbered from 1, one per segment, 1 ms apart. */
export function framesOf(segs: readonly SegmentSpec[], o: { link?: LinkKind; client?: typeof CLIENT_EP; server?: typeof SERVER_EP; startSec?: number } = {}): Frame[] {
  const cl = o.client ?? CLIENT_EP;
  const sv = o.server ?? SERVER_EP;
  return segs.map((sg, i) => {
    const [src, dst] = sg.dir === 'c2s' ? [cl, sv] : [sv, cl];
    const { data, linkType } = buildTcpFrame({
      src: src.ip, dst: dst.ip, srcPort: src.port, dstPort: dst.port, seq: sg.seq, ack: sg.ack, flags: sg.flags,
      payload: sg.payload, link: o.link ?? 'ethernet',
    });
    return {
      no: i + 1, tsSec: o.startSec ?? 1_700_000_000, tsNsec: (i + 1) * 1_000_000, capLen: data.length, origLen: data.length,
      linkType, interfaceId: 0, data,
    };
  });
}

// ---------------------------------------------------------------- a whole session

export interface StandardConversationOptions {
  /** Client sets CLIENT_DEPRECATE_EOF (the MySQL 8-like server offers it): result sets end with a 0xFE OK. */
  deprecateEof?: boolean;
}

/** What `standardConversation` contains, in order, as the records a decoder should give (dir, kind, details). */
export const STANDARD_EXPECTED = [
  { dir: 's2c', kind: 'greeting' },
  { dir: 'c2s', kind: 'handshake_response', user: 'app', schema: 'shop' },
  { dir: 's2c', kind: 'ok' },
  { dir: 'c2s', kind: 'command', command: 0x03, query: 'SELECT id, name FROM t' },
  { dir: 's2c', kind: 'resultset', rowCount: 2, columns: 2, moreResults: false },
  { dir: 'c2s', kind: 'command', command: 0x03, query: 'CALL p()' },
  { dir: 's2c', kind: 'resultset', rowCount: 1, columns: 1, moreResults: true },
  { dir: 's2c', kind: 'ok' },
  { dir: 'c2s', kind: 'command', command: 0x03, query: 'SELECT * FROM nope' },
  { dir: 's2c', kind: 'err', code: 1146 },
  { dir: 'c2s', kind: 'command', command: 0x04 },
  { dir: 's2c', kind: 'field_list', columns: 2 },
  { dir: 'c2s', kind: 'command', command: 0x16, query: 'SELECT ? + ?' },
  { dir: 's2c', kind: 'stmt_prepare_ok', columns: 1, params: 2 },
  { dir: 'c2s', kind: 'command', command: 0x01 },
] as const;

/**
 * handshake → login → OK → query → result set → CALL (two results: SERVER_MORE_RESULTS_EXISTS) → error →
 * field list → prepare OK → quit. One chunk per side's turn (chunk i is in frame 4 + i with `segmentsOf` defaults).
 */
export function standardConversation(o: StandardConversationOptions = {}): Conversation {
  const dep = o.deprecateEof === true;
  const clientCaps = (CLIENT_CAPS_BASE | CLIENT.CONNECT_WITH_DB | (dep ? CLIENT.DEPRECATE_EOF : 0)) >>> 0;
  const caps = (SERVER_CAPS_MYSQL8 & clientCaps) >>> 0;
  const end = (status = 0x0002): Bytes => (dep ? okEof({ status }, caps) : eof({ status }, caps));
  const cv = new Conversation();
  cv.server(handshakeV10({ version: '8.0.36', threadId: 77 }), { seq: 0, label: 'greeting' });
  cv.client(handshakeResponse41({ capabilities: clientCaps, user: 'app', schema: 'shop' }), { seq: 1, label: 'login' });
  cv.server(ok({}, caps), { label: 'login OK' });
  cv.client(com.query('SELECT id, name FROM t'), { label: 'query' });
  cv.server(resultSetPayloads({
    columns: [{ name: 'id', type: 3 }, { name: 'name', type: 253 }], rows: [['1', 'alpha'], ['2', null]], deprecateEof: dep, caps,
  }), { label: 'result set' });
  cv.client(com.query('CALL p()'), { label: 'CALL' });
  cv.server([
    ...resultSetPayloads({ columns: [{ name: 'n', type: 8 }], rows: [['42']], deprecateEof: dep, caps, endStatus: 0x000a }),
    ok({ status: 0x0002 }, caps),
  ], { label: 'CALL results' });
  cv.client(com.query('SELECT * FROM nope'), { label: 'bad query' });
  cv.server(err({ code: 1146, sqlstate: '42S02', message: "Table 'shop.nope' doesn't exist" }), { label: 'ERR' });
  cv.client(com.fieldList('t'), { label: 'field list' });
  cv.server([columnDef({ name: 'id', default: null }), columnDef({ name: 'name', default: 'x' }), end()], { label: 'field list response' });
  cv.client(com.stmtPrepare('SELECT ? + ?'), { label: 'prepare' });
  cv.server([
    stmtPrepareOk({ stmtId: 1, numColumns: 1, numParams: 2 }), columnDef({ name: '?' }), columnDef({ name: '?' }), ...(dep ? [] : [eof({}, caps)]),
    columnDef({ name: '? + ?' }), ...(dep ? [] : [eof({}, caps)]),
  ], { label: 'prepare OK' });
  cv.client(com.quit(), { label: 'quit' });
  return cv;
}
