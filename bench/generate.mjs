#!/usr/bin/env node
// SYNTHETIC CAPTURE GENERATOR — the traffic written by this script was never on a wire. It is made up here, byte by
// byte, to look like a MariaDB server (10.11, port 3306) talking to `mariadb`-CLI-like clients over Ethernet/IPv4/TCP,
// for benchmarking on machines without MariaDB. For a real capture use scripts/bench/sysbench-capture.sh.
//
//   node bench/generate.mjs [--size 300M] [--out bench/out/synthetic.pcap] [--seed 1] [--concurrency 8]
//
// What is in it (classic pcap, LINKTYPE_ETHERNET, microsecond timestamps, snaplen 262144):
//   * connections from 192.168.(1..).x:port to 192.168.0.10:3306, `--concurrency` of them open at a time, their
//     packets interleaved; each: SYN / SYN-ACK / ACK (MSS, SACK, timestamps, window scale), a MariaDB HandshakeV10
//     (mysql_native_password, MariaDB extended capabilities), HandshakeResponse41 (user app, schema shop, connection
//     attributes), OK, then 20–400 requests: `select @@version_comment limit 1` first (as the CLI does), then a mix of
//     COM_QUERY — point SELECTs (1 row), range SELECTs (10–120 rows, NULLs), large SELECTs (70–300 KB results, split
//     into 1448-byte MSS segments with delayed ACKs), UPDATE/INSERT/DELETE → OK, BEGIN/COMMIT, errors (1146, 1062,
//     1064) — and a few COM_PING; COM_QUIT; FIN/ACK both ways;
//   * half the connections negotiate CLIENT_DEPRECATE_EOF (result sets end with an OK 0xFE), half do not (EOF);
//   * one connection in 40 starts its sequence numbers just below 2^32 so they wrap; ISNs are random otherwise;
//   * correct IPv4 header checksums, TCP checksums 0 (as with checksum offload; neither tool verifies them by default);
//   * seq/ack consistent, timestamps strictly increasing, deterministic for a given --seed.
//
// Speed: the MySQL byte streams (request + response of every exchange) are built once into pools at start; writing
// only copies pool bytes behind 82-byte frame templates whose seq/ack/ids/lengths/checksums/timestamps are patched,
// into a 4 MiB buffer flushed with writeSync. Memory stays bounded whatever --size is.
//
// Beside the capture it writes FILE.json with the ground truth (frames, connections, requests by kind, result-set
// rows, MySQL packets) that bench/run.mjs compares with what each tool reports.

import { openSync, writeSync, closeSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pcapFileHeader, pcapRecordHeader } from '../dist/capture/pcap-writer.js';

const here = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- options
export function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(String(s).trim());
  if (!m) throw new Error(`bad size ${s} (e.g. 300M, 1G, 50000K)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()];
  return Math.round(Number(m[1]) * mult);
}

// ---------------------------------------------------------------- deterministic PRNG (mulberry32)
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)); // inclusive
  next.pick = (arr) => arr[Math.floor(next() * arr.length)];
  return next;
}

// ---------------------------------------------------------------- MySQL wire bytes
const CAP = {
  LONG_PASSWORD: 1, FOUND_ROWS: 2, LONG_FLAG: 4, CONNECT_WITH_DB: 8, NO_SCHEMA: 16, COMPRESS: 32, ODBC: 64,
  LOCAL_FILES: 128, IGNORE_SPACE: 256, PROTOCOL_41: 512, INTERACTIVE: 1024, SSL: 2048, IGNORE_SIGPIPE: 4096,
  TRANSACTIONS: 8192, RESERVED: 16384, SECURE_CONNECTION: 32768, MULTI_STATEMENTS: 1 << 16, MULTI_RESULTS: 1 << 17,
  PS_MULTI_RESULTS: 1 << 18, PLUGIN_AUTH: 1 << 19, CONNECT_ATTRS: 1 << 20, PLUGIN_AUTH_LENENC: 1 << 21,
  CAN_HANDLE_EXPIRED: 1 << 22, SESSION_TRACK: 1 << 23, DEPRECATE_EOF: 1 << 24,
};
const SERVER_CAPS = // as MariaDB 10.11 without TLS: bit 0 (CLIENT_MYSQL) clear = MariaDB extended capabilities follow
  (CAP.FOUND_ROWS | CAP.LONG_FLAG | CAP.CONNECT_WITH_DB | CAP.NO_SCHEMA | CAP.COMPRESS | CAP.ODBC | CAP.LOCAL_FILES |
    CAP.IGNORE_SPACE | CAP.PROTOCOL_41 | CAP.INTERACTIVE | CAP.IGNORE_SIGPIPE | CAP.TRANSACTIONS | CAP.RESERVED |
    CAP.SECURE_CONNECTION | CAP.MULTI_STATEMENTS | CAP.MULTI_RESULTS | CAP.PS_MULTI_RESULTS | CAP.PLUGIN_AUTH |
    CAP.CONNECT_ATTRS | CAP.PLUGIN_AUTH_LENENC | CAP.CAN_HANDLE_EXPIRED | CAP.SESSION_TRACK | CAP.DEPRECATE_EOF) >>> 0;
const SERVER_EXT_CAPS = 0x1d; // MARIADB_CLIENT_PROGRESS | COM_MULTI | STMT_BULK_OPERATIONS | EXTENDED_METADATA (as 10.11)
const CLIENT_CAPS_BASE =
  (CAP.LONG_FLAG | CAP.CONNECT_WITH_DB | CAP.LOCAL_FILES | CAP.PROTOCOL_41 | CAP.INTERACTIVE | CAP.TRANSACTIONS |
    CAP.SECURE_CONNECTION | CAP.MULTI_STATEMENTS | CAP.MULTI_RESULTS | CAP.PS_MULTI_RESULTS | CAP.PLUGIN_AUTH |
    CAP.CONNECT_ATTRS | CAP.PLUGIN_AUTH_LENENC | CAP.CAN_HANDLE_EXPIRED) >>> 0;
const SERVER_STATUS_AUTOCOMMIT = 0x0002;
const SERVER_STATUS_IN_TRANS = 0x0001;

/** Growable byte builder for building pools (not used on the hot path). */
class Bytes {
  constructor() { this.buf = Buffer.alloc(1024); this.len = 0; }
  ensure(n) {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = Buffer.alloc(cap); this.buf.copy(b, 0, 0, this.len); this.buf = b;
  }
  u8(v) { this.ensure(1); this.buf[this.len++] = v & 0xff; return this; }
  u16(v) { this.ensure(2); this.buf.writeUInt16LE(v & 0xffff, this.len); this.len += 2; return this; }
  u24(v) { this.u16(v & 0xffff); return this.u8(v >>> 16); }
  u32(v) { this.ensure(4); this.buf.writeUInt32LE(v >>> 0, this.len); this.len += 4; return this; }
  raw(b) { this.ensure(b.length); this.buf.set(b, this.len); this.len += b.length; return this; }
  str(s) { return this.raw(Buffer.from(s, 'utf8')); }
  strz(s) { return this.str(s).u8(0); }
  zeros(n) { this.ensure(n); this.buf.fill(0, this.len, this.len + n); this.len += n; return this; }
  lenenc(n) {
    if (n < 251) return this.u8(n);
    if (n < 0x10000) return this.u8(0xfc).u16(n);
    if (n < 0x1000000) return this.u8(0xfd).u24(n);
    this.u8(0xfe).u32(n % 0x100000000); return this.u32(Math.floor(n / 0x100000000));
  }
  lenstr(s) { const b = Buffer.from(s, 'utf8'); return this.lenenc(b.length).raw(b); }
  out() { return Buffer.from(this.buf.subarray(0, this.len)); }
}

/** Accumulates MySQL packets (3-byte length + sequence id) of one direction of one exchange. */
class Stream {
  constructor() { this.b = new Bytes(); this.seq = 0; this.packets = 0; }
  packet(fill) {
    const p = new Bytes(); fill(p);
    // every payload here is < 16 MiB, so no continuation packets
    this.b.u24(p.len).u8(this.seq++ & 0xff).raw(p.buf.subarray(0, p.len));
    this.packets++;
    return this;
  }
  out() { return this.b.out(); }
}

function okPayload(p, { affected = 0, insertId = 0, status = SERVER_STATUS_AUTOCOMMIT, warnings = 0, info = '', header = 0 }) {
  p.u8(header).lenenc(affected).lenenc(insertId).u16(status).u16(warnings);
  if (info) p.lenstr(info); // as the server writes it (net_store_data: length-encoded), not string<EOF>
}
function eofPayload(p, status = SERVER_STATUS_AUTOCOMMIT) { p.u8(0xfe).u16(0).u16(status); }
function errPayload(p, code, state, msg) { p.u8(0xff).u16(code).str('#').str(state).str(msg); }

const T = { LONG: 3, LONGLONG: 8, NEWDECIMAL: 246, DATETIME: 12, VAR_STRING: 253, BLOB: 252, TINY: 1 };

function columnDef(p, schema, table, name, type, len, flags, charset, decimals = 0) {
  p.lenstr('def').lenstr(schema).lenstr(table).lenstr(table).lenstr(name).lenstr(name)
    .lenenc(0x0c).u16(charset).u32(len).u8(type).u16(flags).u8(decimals).u16(0);
}

/** Builds a complete text result set response; rows are arrays of string|null. */
function resultSet(cols, rows, deprecateEof, status = SERVER_STATUS_AUTOCOMMIT) {
  const s = new Stream(); s.seq = 1;
  s.packet((p) => p.lenenc(cols.length));
  for (const c of cols) s.packet((p) => columnDef(p, ...c));
  if (!deprecateEof) s.packet((p) => eofPayload(p, status));
  for (const r of rows) s.packet((p) => { for (const v of r) { if (v === null) p.u8(0xfb); else p.lenstr(v); } });
  if (deprecateEof) s.packet((p) => okPayload(p, { header: 0xfe, status }));
  else s.packet((p) => eofPayload(p, status));
  return s;
}

function comQuery(sql) { const s = new Stream(); s.packet((p) => p.u8(0x03).str(sql)); return s; }

// ---------------------------------------------------------------- exchange pools
const FIRST = ['Ada', 'Bob', 'Chloé', 'Dmitri', 'Eve', 'Fatima', 'Günter', 'Hiro', 'Ines', 'José', 'Kai', 'Léa', 'Mia', 'Noah', 'Øyvind', 'Priya'];
const LAST = ['Lovelace', 'Smith', 'Dupont', 'Ivanov', 'Moreau', 'Zahir', 'Müller', 'Tanaka', 'García', 'Nakamura', 'Schmidt', 'Nguyen'];
const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat'.split(' ');

function ts(r) {
  const d = new Date(Date.UTC(2024, r.int(0, 11), r.int(1, 28), r.int(0, 23), r.int(0, 59), r.int(0, 59)));
  return d.toISOString().slice(0, 19).replace('T', ' ');
}
function text(r, minLen, maxLen) {
  const n = r.int(minLen, maxLen); let s = '';
  while (s.length < n) s += (s ? ' ' : '') + r.pick(WORDS);
  return s.slice(0, n);
}

const CUSTOMER_COLS = [
  ['shop', 'customers', 'id', T.LONG, 11, 0x4203, 63],
  ['shop', 'customers', 'name', T.VAR_STRING, 400, 0x1001, 224],
  ['shop', 'customers', 'email', T.VAR_STRING, 1020, 0, 224],
  ['shop', 'customers', 'balance', T.NEWDECIMAL, 12, 0, 63, 2],
  ['shop', 'customers', 'created_at', T.DATETIME, 19, 0x0081, 63],
];
function customerRow(r, id) {
  const f = r.pick(FIRST), l = r.pick(LAST);
  return [String(id), `${f} ${l}`, r() < 0.1 ? null : `${f}.${l}@example.com`.toLowerCase(),
    (r.int(0, 10000000) / 100).toFixed(2), ts(r)];
}
const PRODUCT_COLS = [
  ['shop', 'products', 'id', T.LONGLONG, 20, 0x4203, 63],
  ['shop', 'products', 'sku', T.VAR_STRING, 128, 0x5001, 224],
  ['shop', 'products', 'category', T.VAR_STRING, 256, 0, 224],
  ['shop', 'products', 'price', T.NEWDECIMAL, 12, 0x1001, 63, 2],
  ['shop', 'products', 'stock', T.LONG, 11, 0, 63],
  ['shop', 'products', 'description', T.BLOB, 262140, 0x0010, 224],
];
const CATEGORIES = ['books', 'garden', 'tools', 'toys', 'kitchen', 'music', 'sports', 'office'];

/**
 * One pool of exchanges for each EOF flavour. Each: { kind, req: Buffer, resp: Buffer, reqPackets, respPackets,
 * rows, command }. Response sequence ids start at 1 (request is 0), so every exchange is valid in any position.
 */
function buildPools(seed) {
  const pools = { eof: [], deprecateEof: [] };
  for (const [name, dep] of [['eof', false], ['deprecateEof', true]]) {
    const r = rng(seed * 7919 + (dep ? 1 : 0));
    const pool = pools[name];
    const add = (kind, req, resp, rows = 0, command = 'query') =>
      pool.push({ kind, req: req.out(), resp: resp.out(), reqPackets: req.packets, respPackets: resp.packets, rows, command });
    // first request of every connection (index 0, not drawn at random)
    add('version_comment', comQuery('select @@version_comment limit 1'),
      resultSet([['', '', '@@version_comment', T.VAR_STRING, 256, 0x0001, 224]], [['Debian 12']], dep), 1);
    for (let i = 0; i < 64; i++) {
      const id = r.int(1, 2000000);
      add('point_select', comQuery(`SELECT id, name, email, balance, created_at FROM customers WHERE id = ${id}`),
        resultSet(CUSTOMER_COLS, [customerRow(r, id)], dep), 1);
    }
    for (let i = 0; i < 48; i++) {
      const a = r.int(1, 2000000), n = r.int(10, 120);
      const rows = []; for (let k = 0; k < n; k++) rows.push(customerRow(r, a + k));
      add('range_select', comQuery(`SELECT id, name, email, balance, created_at FROM customers WHERE id BETWEEN ${a} AND ${a + n - 1} ORDER BY id`),
        resultSet(CUSTOMER_COLS, rows, dep), n);
    }
    for (let i = 0; i < 16; i++) {
      const cat = r.pick(CATEGORIES), target = r.int(70, 300) * 1024;
      const rows = []; let bytes = 0, id = r.int(1, 100000);
      while (bytes < target) {
        const row = [String(id++), `SKU-${r.int(100000, 999999)}`, cat, (r.int(100, 99999) / 100).toFixed(2),
          String(r.int(0, 500)), r() < 0.05 ? null : text(r, 60, 900)];
        bytes += row.reduce((a, v) => a + (v ? v.length + 1 : 1), 4);
        rows.push(row);
      }
      add('large_select', comQuery(`SELECT id, sku, category, price, stock, description FROM products WHERE category = '${cat}' ORDER BY id`),
        resultSet(PRODUCT_COLS, rows, dep), rows.length);
    }
    const okResp = (o) => { const s = new Stream(); s.seq = 1; s.packet((p) => okPayload(p, o)); return s; };
    for (let i = 0; i < 32; i++) {
      const id = r.int(1, 2000000), amt = (r.int(1, 50000) / 100).toFixed(2);
      add('update', comQuery(`UPDATE customers SET balance = balance + ${amt} WHERE id = ${id}`),
        okResp({ affected: 1, info: 'Rows matched: 1  Changed: 1  Warnings: 0' }));
    }
    for (let i = 0; i < 32; i++) {
      const cid = r.int(1, 2000000), qty = r.int(1, 9), pid = r.int(1, 100000);
      add('insert', comQuery(`INSERT INTO orders (customer_id, product_id, qty, note, created_at) VALUES (${cid}, ${pid}, ${qty}, '${text(r, 0, 60)}', NOW())`),
        okResp({ affected: 1, insertId: r.int(1, 50000000) }));
    }
    for (let i = 0; i < 8; i++) {
      const id = r.int(1, 50000000);
      add('delete', comQuery(`DELETE FROM orders WHERE id = ${id}`), okResp({ affected: r.int(0, 1) }));
    }
    add('begin', comQuery('BEGIN'), okResp({ status: SERVER_STATUS_AUTOCOMMIT | SERVER_STATUS_IN_TRANS }));
    add('commit', comQuery('COMMIT'), okResp({}));
    const errResp = (code, state, msg) => { const s = new Stream(); s.seq = 1; s.packet((p) => errPayload(p, code, state, msg)); return s; };
    add('error', comQuery('SELECT * FROM nonexistent WHERE id = 1'), errResp(1146, '42S02', "Table 'shop.nonexistent' doesn't exist"));
    add('error', comQuery("INSERT INTO customers (id, name) VALUES (1, 'dup')"), errResp(1062, '23000', "Duplicate entry '1' for key 'PRIMARY'"));
    add('error', comQuery('SELEC id FROM customers'), errResp(1064, '42000', "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near 'SELEC id FROM customers' at line 1"));
    const ping = new Stream(); ping.packet((p) => p.u8(0x0e));
    add('ping', ping, okResp({}), 0, 'ping');
  }
  return pools;
}

function byKind(pool) {
  const m = {};
  for (const e of pool) (m[e.kind] ??= []).push(e);
  return m;
}

// weights of the request mix (per 1000)
const MIX = [['point_select', 450], ['range_select', 150], ['large_select', 25], ['update', 120], ['insert', 120],
  ['delete', 20], ['txn', 60], ['error', 15], ['ping', 40]];
const MIX_TOTAL = MIX.reduce((a, [, w]) => a + w, 0);

function greetingBytes(threadId, salt) {
  const s = new Stream();
  s.packet((p) => {
    p.u8(10).strz('5.5.5-10.11.6-MariaDB-0+deb12u1').u32(threadId).raw(salt.subarray(0, 8)).u8(0)
      .u16(SERVER_CAPS & 0xffff).u8(45).u16(SERVER_STATUS_AUTOCOMMIT).u16(SERVER_CAPS >>> 16).u8(21)
      .zeros(6).u32(SERVER_EXT_CAPS).raw(salt.subarray(8, 20)).u8(0).strz('mysql_native_password');
  });
  return s;
}
function loginBytes(caps, r, pid) {
  const s = new Stream(); s.seq = 1;
  const scramble = Buffer.alloc(20); for (let i = 0; i < 20; i++) scramble[i] = r.int(0, 255);
  s.packet((p) => {
    p.u32(caps).u32(16 * 1024 * 1024).u8(45).zeros(23).strz('app').lenenc(20).raw(scramble).strz('shop')
      .strz('mysql_native_password');
    const a = new Bytes();
    for (const [k, v] of [['_client_name', 'libmariadb'], ['_client_version', '3.3.8'], ['_os', 'Linux'],
      ['_pid', String(pid)], ['_platform', 'x86_64'], ['program_name', 'mariadb']]) a.lenstr(k).lenstr(v);
    p.lenenc(a.len).raw(a.buf.subarray(0, a.len));
  });
  return s;
}

// ---------------------------------------------------------------- frame writer
const ETH = 14, IP = 20, TCPH = 32, HDR = ETH + IP + TCPH; // data segments carry NOP NOP TS
const MSS = 1448;
const F = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 };
const SERVER_IP = [192, 168, 0, 10];
const SERVER_MAC = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
const CLIENT_MAC = [0x52, 0x54, 0x00, 0xab, 0xcd, 0xef];

class Writer {
  constructor(path, chunkSize = 4 << 20) {
    this.fd = openSync(path, 'w');
    this.chunk = Buffer.allocUnsafe(chunkSize);
    this.pos = 0;
    this.bytes = 0; // bytes written to the file (incl. headers)
    this.frames = 0;
    this.t = 1700000000 * 1e6; // capture clock, µs
    this.put(pcapFileHeader({ linkType: 1, snaplen: 262144 }));
  }
  put(b) { this.reserve(b.length); this.chunk.set(b, this.pos); this.pos += b.length; }
  reserve(n) { if (this.pos + n > this.chunk.length) this.flush(); }
  flush() {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.chunk, off, this.pos - off);
    this.bytes += this.pos; this.pos = 0;
  }
  close() { this.flush(); closeSync(this.fd); }
  get size() { return this.bytes + this.pos; }
}

/** Per-connection, per-direction 66-byte Ethernet+IPv4+TCP templates; emit() patches them. */
class Conn {
  constructor(w, index, r, deprecateEof) {
    this.w = w; this.r = r; this.index = index; this.deprecateEof = deprecateEof;
    const cport = 32768 + (index % 28000), chost = Math.floor(index / 28000);
    const cip = [192, 168, 1 + (chost >> 8) % 250, 2 + (chost & 0xff) % 250];
    this.tmpl = [this.template(cip, SERVER_IP, CLIENT_MAC, SERVER_MAC, cport, 3306),
      this.template(SERVER_IP, cip, SERVER_MAC, CLIENT_MAC, 3306, cport)];
    const wrap = index % 40 === 7;
    this.seq = [wrap ? (0x100000000 - r.int(200, 3000)) >>> 0 : (r() * 0x100000000) >>> 0,
      wrap ? (0x100000000 - r.int(200, 3000)) >>> 0 : (r() * 0x100000000) >>> 0];
    this.ipId = [r.int(0, 0xffff), r.int(0, 0xffff)];
    this.tsv = [(r() * 0x100000000) >>> 0, (r() * 0x100000000) >>> 0];
  }
  template(sip, dip, smac, dmac, sport, dport) {
    const b = Buffer.alloc(HDR);
    b.set(dmac, 0); b.set(smac, 6); b.writeUInt16BE(0x0800, 12);
    b[14] = 0x45; b[15] = 0; b[20] = 0x40; /* DF */ b[22] = 64; b[23] = 6; b.set(sip, 26); b.set(dip, 30);
    b.writeUInt16BE(sport, 34); b.writeUInt16BE(dport, 36);
    b[46] = (TCPH / 4) << 4; b[48] = 0; b[49] = 0; // window patched; checksum 0
    b[54] = 1; b[55] = 1; b[56] = 8; b[57] = 10; // NOP NOP TS(10)
    // partial IPv4 checksum over the constant words (total length, id, checksum left 0)
    let sum = 0; for (let i = 14; i < 34; i += 2) sum += b.readUInt16BE(i);
    return { b, sum };
  }
  /** Writes one frame; dir 0 = client→server, 1 = server→client; data from src[off, off+len). */
  emit(dir, flags, src, off, len, dt) {
    const w = this.w;
    w.t += dt;
    const t = w.t, syn = flags & F.SYN;
    const tcpLen = syn ? 40 : TCPH, frameLen = ETH + IP + tcpLen + len;
    w.reserve(16 + frameLen);
    const sec = Math.floor(t / 1e6);
    w.chunk.set(pcapRecordHeader(sec, t - sec * 1e6, frameLen, frameLen), w.pos);
    const p = w.pos + 16, c = w.chunk, tp = this.tmpl[dir];
    tp.b.copy(c, p, 0, HDR);
    const ipLen = IP + tcpLen + len, id = this.ipId[dir]; this.ipId[dir] = (id + 1) & 0xffff;
    c[p + 16] = ipLen >> 8; c[p + 17] = ipLen & 0xff; c[p + 18] = id >> 8; c[p + 19] = id & 0xff;
    let sum = tp.sum + ipLen + id; sum = (sum & 0xffff) + (sum >>> 16); sum = (sum & 0xffff) + (sum >>> 16);
    const ck = ~sum & 0xffff; c[p + 24] = ck >> 8; c[p + 25] = ck & 0xff;
    c.writeUInt32BE(this.seq[dir], p + 38);
    c.writeUInt32BE(flags & F.ACK ? this.seq[1 - dir] : 0, p + 42);
    c[p + 46] = (tcpLen / 4) << 4; c[p + 47] = flags;
    const tsv = (this.tsv[dir] = (this.tsv[dir] + 1) >>> 0);
    if (syn) {
      c.writeUInt16BE(dir === 0 ? 64240 : 65160, p + 48);
      // MSS 1460, SACK permitted, TS, NOP, window scale 7
      const o = p + 54;
      c[o] = 2; c[o + 1] = 4; c[o + 2] = 0x05; c[o + 3] = 0xb4; c[o + 4] = 4; c[o + 5] = 2; c[o + 6] = 8; c[o + 7] = 10;
      c.writeUInt32BE(tsv, o + 8); c.writeUInt32BE(flags & F.ACK ? this.tsv[1 - dir] : 0, o + 12);
      c[o + 16] = 1; c[o + 17] = 3; c[o + 18] = 3; c[o + 19] = 7;
    } else {
      c.writeUInt16BE(dir === 0 ? 502 : 509, p + 48);
      c.writeUInt32BE(tsv, p + 58); c.writeUInt32BE(this.tsv[1 - dir], p + 62);
    }
    if (len > 0) src.copy(c, p + ETH + IP + tcpLen, off, off + len);
    this.seq[dir] = (this.seq[dir] + len + (syn ? 1 : 0) + (flags & F.FIN ? 1 : 0)) >>> 0;
    w.pos += 16 + frameLen; w.frames++;
  }
}

/**
 * One connection as a generator: each next() writes one or a few frames. `ctl.stopping` makes it quit at the next
 * request boundary. Counters go to `stats`.
 */
function* connection(conn, pools, kinds, nRequests, ctl, stats, r) {
  const dt = (lo, hi) => r.int(lo, hi); // µs
  // handshake
  conn.emit(0, F.SYN, null, 0, 0, dt(50, 2000)); yield;
  conn.emit(1, F.SYN | F.ACK, null, 0, 0, dt(5, 30)); yield;
  conn.emit(0, F.ACK, null, 0, 0, dt(5, 30)); yield;
  const salt = Buffer.alloc(20); for (let i = 0; i < 20; i++) salt[i] = r.int(0x21, 0x7e);
  const greet = greetingBytes(100000 + conn.index, salt).out();
  conn.emit(1, F.PSH | F.ACK, greet, 0, greet.length, dt(80, 400)); yield;
  conn.emit(0, F.ACK, null, 0, 0, dt(5, 30));
  const caps = (CLIENT_CAPS_BASE | (conn.deprecateEof ? CAP.DEPRECATE_EOF : 0)) >>> 0;
  const login = loginBytes(caps, r, 10000 + conn.index).out();
  conn.emit(0, F.PSH | F.ACK, login, 0, login.length, dt(100, 600)); yield;
  const ok = Buffer.from([7, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0]);
  conn.emit(1, F.PSH | F.ACK, ok, 0, ok.length, dt(200, 900)); yield;
  stats.mysqlPackets += 3; stats.messages.greeting++; stats.messages.login++; stats.messages.ok++;

  const pool = conn.deprecateEof ? pools.deprecateEof : pools.eof;
  for (let i = 0; i < nRequests && !ctl.stopping; i++) {
    let seq;
    if (i === 0) seq = [pool[0]];
    else {
      let x = r() * MIX_TOTAL, kind = MIX[0][0];
      for (const [k, wgt] of MIX) { if (x < wgt) { kind = k; break; } x -= wgt; }
      seq = kind === 'txn'
        ? [kinds.begin[0], r.pick(kinds.update), r.pick(kinds.insert), kinds.commit[0]]
        : [r.pick(kinds[kind])];
    }
    for (const ex of seq) {
      // request: always one segment (queries here are < MSS)
      conn.emit(0, F.PSH | F.ACK, ex.req, 0, ex.req.length, dt(30, 1500)); yield;
      // response, in MSS segments; the client ACKs every second full segment
      let off = 0, n = 0, first = true;
      while (off < ex.resp.length) {
        const len = Math.min(MSS, ex.resp.length - off);
        conn.emit(1, off + len >= ex.resp.length ? F.PSH | F.ACK : F.ACK, ex.resp, off, len, first ? dt(40, 800) : dt(1, 12));
        first = false; off += len; n++;
        if (n % 2 === 0 && off < ex.resp.length) conn.emit(0, F.ACK, null, 0, 0, dt(1, 8));
        if (n % 3 === 0) yield; // let other connections interleave inside large responses
      }
      if (r() < 0.3 || n > 1) conn.emit(0, F.ACK, null, 0, 0, dt(10, 60)); // (delayed) ACK of the last segment
      yield;
      stats.requests[ex.kind] = (stats.requests[ex.kind] ?? 0) + 1;
      stats.rows += ex.rows;
      stats.mysqlPackets += ex.reqPackets + ex.respPackets;
      if (ex.command === 'query') stats.queries++;
    }
  }
  // COM_QUIT, then the server closes: FIN from server, FIN from client, last ACK
  const quit = Buffer.from([1, 0, 0, 0, 0x01]);
  conn.emit(0, F.PSH | F.ACK, quit, 0, quit.length, dt(30, 800)); yield;
  stats.requests.quit = (stats.requests.quit ?? 0) + 1; stats.mysqlPackets += 1;
  conn.emit(1, F.FIN | F.ACK, null, 0, 0, dt(20, 100));
  conn.emit(0, F.FIN | F.ACK, null, 0, 0, dt(5, 40));
  conn.emit(1, F.ACK, null, 0, 0, dt(5, 40));
  stats.connections++;
}

export function generate({ out, size, seed = 1, concurrency = 8, quiet = false }) {
  const t0 = process.hrtime.bigint();
  mkdirSync(dirname(out), { recursive: true });
  const pools = buildPools(seed);
  const kinds = { eof: byKind(pools.eof), deprecateEof: byKind(pools.deprecateEof) };
  const w = new Writer(out);
  const r = rng(seed);
  const ctl = { stopping: false };
  const stats = { connections: 0, queries: 0, rows: 0, mysqlPackets: 0, requests: {}, messages: { greeting: 0, login: 0, ok: 0 } };
  let nextIndex = 0;
  const start = () => {
    const conn = new Conn(w, nextIndex++, r, r() < 0.5);
    const k = conn.deprecateEof ? kinds.deprecateEof : kinds.eof;
    return connection(conn, pools, k, r.int(20, 400), ctl, stats, r);
  };
  const active = [];
  for (let i = 0; i < concurrency; i++) active.push(start());
  let lastReport = 0;
  while (active.length > 0) {
    const i = Math.floor(r() * active.length);
    const g = active[i];
    const steps = r.int(1, 3);
    let done = false;
    for (let s = 0; s < steps && !done; s++) done = g.next().done;
    if (done) {
      if (!ctl.stopping) active[i] = start();
      else active.splice(i, 1);
    }
    if (!ctl.stopping && w.size >= size) ctl.stopping = true;
    if (!quiet && w.size - lastReport > 64 << 20) { lastReport = w.size; process.stderr.write(`\r${(w.size / 1e6).toFixed(0)} MB`); }
  }
  w.close();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const truth = {
    synthetic: true, generator: 'bench/generate.mjs', seed, concurrency, bytes: w.bytes, frames: w.frames,
    connections: stats.connections, queries: stats.queries, requests: stats.requests,
    totalRequests: Object.values(stats.requests).reduce((a, b) => a + b, 0), resultSetRows: stats.rows,
    mysqlPackets: stats.mysqlPackets, generationSeconds: +secs.toFixed(2),
  };
  writeFileSync(`${out}.json`, JSON.stringify(truth, null, 2) + '\n');
  if (!quiet) process.stderr.write(`\r${out}: ${(w.bytes / 1e6).toFixed(1)} MB, ${w.frames} frames, ${stats.connections} connections, ${stats.queries} queries in ${secs.toFixed(1)} s (${(w.bytes / 1e6 / secs).toFixed(0)} MB/s) — synthetic\n`);
  return truth;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = { out: resolve(here, 'out/synthetic.pcap'), size: parseSize('300M'), seed: 1, concurrency: 8 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i], v = () => { if (i + 1 >= args.length) throw new Error(`${a} needs a value`); return args[++i]; };
    if (a === '--size') opt.size = parseSize(v());
    else if (a === '--out' || a === '-o') opt.out = resolve(v());
    else if (a === '--seed') opt.seed = Number(v());
    else if (a === '--concurrency') opt.concurrency = Math.max(1, Number(v()));
    else if (a === '-h' || a === '--help') { console.log('usage: node bench/generate.mjs [--size 300M] [--out FILE] [--seed N] [--concurrency N]'); process.exit(0); }
    else { console.error(`unknown argument ${a}`); process.exit(2); }
  }
  generate(opt);
}
