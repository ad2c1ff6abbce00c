/**
 * Message decoders on SYNTHETIC payloads (test/builders/mysql.ts). Each decoder runs with a TreeBuilder and without
 * one: the typed event must be the same, and tree nodes must point at the bytes they describe.
 */
import { checkBounds, find, walk } from '../../support/tree.js';
import { describe, expect, it } from 'vitest';
import { PayloadReader } from '../../../src/mysql/codec/payload-reader.js';
import { DecodeError } from '../../../src/core/issues.js';
import type { FieldNode } from '../../../src/model/field.js';
import { TreeBuilder } from '../../../src/mysql/messages/tree.js';
import { F } from '../../../src/mysql/fields.js';
import { decodeAuthMoreData, decodeAuthSwitchRequest, decodeGreeting, decodeHandshakeResponse } from '../../../src/mysql/messages/handshake.js';
import { decodeEof, decodeErr, decodeOk, isEofPacket } from '../../../src/mysql/messages/generic.js';
import { ColumnDefinitionCache, decodeColumnCount, decodeColumnDefinition, decodeTextRow } from '../../../src/mysql/messages/resultset.js';
import { isPlainTextRow } from '../../../src/mysql/codec/text-row.js';
import fc from 'fast-check';
import { decodeCommand } from '../../../src/mysql/messages/commands.js';
import {
  authMoreData, authSwitchRequest, cat, CLIENT, CLIENT_CAPS_BASE, columnCount, columnDef, com, COM, DEFAULT_SALT, eof, err,
  handshakeResponse320, handshakeResponse41, handshakeV10, int2, int4, int8, lenencInt, lenencStr, MARIADB_CLIENT, nul, ok, okEof,
  SERVER, SERVER_CAPS_MYSQL8, sslRequest, str, textRow,
} from '../../builders/mysql.js';

type Decode<T> = (r: PayloadReader, t: TreeBuilder | null) => T;

/** Runs a decoder twice (with and without a tree); checks both give the same event and that all bytes were read. */
function both<T>(payload: Uint8Array, decode: Decode<T>, o: { consumeAll?: boolean } = {}): { ev: T; tree: FieldNode[]; r: PayloadReader } {
  const plain = decode(new PayloadReader().reset(payload), null);
  const t = new TreeBuilder();
  const r = new PayloadReader().reset(payload);
  const ev = decode(r, t);
  expect(ev).toEqual(plain);
  if (o.consumeAll !== false) expect(r.remaining, 'bytes left over').toBe(0);
  checkBounds(t.roots, payload.length);
  return { ev, tree: t.roots, r };
}




function findAll(nodes: FieldNode[], name: string): FieldNode[] {
  const out: FieldNode[] = [];
  walk(nodes, (n) => {
    if (n.field.name === name) out.push(n);
  });
  return out;
}

function has(nodes: FieldNode[], name: string): boolean {
  return findAll(nodes, name).length > 0;
}

/** The bytes a node covers. */
function at(payload: Uint8Array, n: FieldNode): number[] {
  return [...payload.subarray(n.offset, n.offset + n.length)];
}

function expectNode(payload: Uint8Array, tree: FieldNode[], name: string, value: unknown, bytes: Uint8Array | number[]): void {
  const n = find(tree, name);
  expect(n.value, name).toEqual(value);
  expect(at(payload, n), name).toEqual([...bytes]);
}

function decodeErrorOf(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('expected a DecodeError');
}

// ---------------------------------------------------------------- connection phase

describe('HandshakeV10 (greeting)', () => {
  it('MySQL 8-like', () => {
    const p = handshakeV10({ version: '8.0.36', threadId: 0x01020304, status: 0x0002, collation: 255 });
    const { ev, tree } = both(p, decodeGreeting);
    expect(ev).toEqual({
      kind: 'greeting', protocol: 10, version: '8.0.36', threadId: 0x01020304, capabilities: SERVER_CAPS_MYSQL8,
      mariadbCapabilities: 0, collation: 255, status: 2, authPlugin: 'caching_sha2_password', mariadb: false,
    });
    expectNode(p, tree, 'mysql.protocol', 10, [10]);
    expectNode(p, tree, 'mysql.version', '8.0.36', nul('8.0.36'));
    expectNode(p, tree, 'mysql.thread_id', 0x01020304, [4, 3, 2, 1]);
    expectNode(p, tree, 'mysql.salt', DEFAULT_SALT.subarray(0, 8), DEFAULT_SALT.subarray(0, 8));
    expectNode(p, tree, 'mysql.caps.server', SERVER_CAPS_MYSQL8 & 0xffff, int2(SERVER_CAPS_MYSQL8 & 0xffff));
    expectNode(p, tree, 'mysql.extcaps.server', SERVER_CAPS_MYSQL8 >>> 16, int2(SERVER_CAPS_MYSQL8 >>> 16));
    expectNode(p, tree, 'mysql.server_language', 255, [255]);
    expectNode(p, tree, 'mysql.server_status', 2, [2, 0]);
    expectNode(p, tree, 'mysql.auth_plugin.length', 21, [21]);
    expectNode(p, tree, 'mysql.unused', new Uint8Array(10), new Uint8Array(10));
    expectNode(p, tree, 'mysql.salt2', cat(DEFAULT_SALT.subarray(8), [0]), cat(DEFAULT_SALT.subarray(8), [0]));
    expectNode(p, tree, 'mysql.auth_plugin', 'caching_sha2_password', nul('caching_sha2_password'));
    const root = find(tree, 'mysql.server_greeting');
    expect([root.offset, root.length]).toEqual([0, p.length]);
    // Flag children of the capability words.
    expect(find(tree, 'mysql.caps.cu').value).toBe(true);
    expect(find(tree, 'mysql.caps.deprecate_eof').value).toBe(true);
    expect(find(tree, 'mysql.caps.query_attrs').value).toBe(false);
    expect(has(tree, 'mariadb.extcaps.server')).toBe(false);
  });

  it('MariaDB 5.5.5- prefix with extended capabilities (CLIENT_MYSQL cleared)', () => {
    const mcaps = MARIADB_CLIENT.PROGRESS | MARIADB_CLIENT.STMT_BULK_OPERATIONS | MARIADB_CLIENT.EXTENDED_METADATA | MARIADB_CLIENT.CACHE_METADATA;
    const p = handshakeV10({ version: '5.5.5-10.11.6-MariaDB-log', mariadbCaps: mcaps, authPlugin: 'mysql_native_password', threadId: 9 });
    const { ev, tree } = both(p, decodeGreeting);
    expect(ev.mariadb).toBe(true);
    expect(ev.version).toBe('5.5.5-10.11.6-MariaDB-log');
    expect(ev.capabilities & CLIENT.LONG_PASSWORD).toBe(0);
    expect(ev.capabilities).toBe((SERVER_CAPS_MYSQL8 & ~1) >>> 0);
    expect(ev.mariadbCapabilities).toBe(mcaps);
    expect(ev.authPlugin).toBe('mysql_native_password');
    const unusedNode = find(tree, 'mysql.unused');
    expect(unusedNode.length).toBe(6);
    expectNode(p, tree, 'mariadb.extcaps.server', mcaps, int4(mcaps));
    expect(find(tree, 'mariadb.caps.em').value).toBe(true);
    expect(find(tree, 'mariadb.caps.cm').value).toBe(false);
  });

  it('MariaDB recognised by the version string alone (CLIENT_MYSQL set)', () => {
    const { ev } = both(handshakeV10({ version: '10.6.1-MariaDB' }), decodeGreeting);
    expect(ev.mariadb).toBe(true);
    expect(ev.mariadbCapabilities).toBe(0);
  });

  it('protocol 9 is recognised, only version and thread id are read', () => {
    const p = cat([9], nul('3.22.0'), int4(5), str('12345678'), [0]);
    const { ev } = both(p, decodeGreeting, { consumeAll: false });
    expect(ev).toMatchObject({ protocol: 9, version: '3.22.0', threadId: 5 });
  });

  it('old 4.0-style greeting that stops after the lower capabilities', () => {
    const p = cat([10], nul('4.0.1'), int4(1), str('abcdefgh'), [0], int2(0x200));
    const { ev } = both(p, decodeGreeting);
    expect(ev).toMatchObject({ capabilities: 0x200, collation: 0, authPlugin: '' });
  });

  it('a truncated greeting throws a DecodeError naming the field', () => {
    const p = handshakeV10();
    const e = decodeErrorOf(() => decodeGreeting(new PayloadReader().reset(p, 0, 12), null));
    expect(e.kind).toBe('truncated');
    expect(e.message).toBe('Salt needs 8 bytes at payload offset 12, but only 0 remain');
    expect(e.offset).toBe(12);
  });
});

describe('HandshakeResponse41 / 320 and SSLRequest', () => {
  const auth = Uint8Array.from({ length: 20 }, (_, i) => 0x80 + i);

  it('default: PLUGIN_AUTH_LENENC auth data, CONNECT_WITH_DB, plugin, connection attributes', () => {
    const caps = (CLIENT_CAPS_BASE | CLIENT.CONNECT_WITH_DB) >>> 0;
    const p = handshakeResponse41({ capabilities: caps, user: 'app', schema: 'shop', authResponse: auth, authPlugin: 'caching_sha2_password',
      attributes: [['_os', 'Linux'], ['_client_name', 'libmysql'], ['program_name', 'mysql']], maxPacket: 0x01000000, collation: 45 });
    const { ev, tree } = both(p, decodeHandshakeResponse);
    expect(ev).toEqual({
      kind: 'handshake_response', format: 41, capabilities: caps, mariadbCapabilities: 0, maxPacket: 0x01000000, collation: 45,
      user: 'app', schema: 'shop', authPlugin: 'caching_sha2_password',
      attributes: [['_os', 'Linux'], ['_client_name', 'libmysql'], ['program_name', 'mysql']], zstdLevel: undefined,
    });
    expectNode(p, tree, 'mysql.caps.client', caps & 0xffff, int2(caps & 0xffff));
    expectNode(p, tree, 'mysql.extcaps.client', caps >>> 16, int2(caps >>> 16));
    expectNode(p, tree, 'mysql.max_packet', 0x01000000, int4(0x01000000));
    expectNode(p, tree, 'mysql.charset', 45, [45]);
    expectNode(p, tree, 'mysql.user', 'app', nul('app'));
    expectNode(p, tree, 'mysql.passwd', auth, lenencStr(auth));
    expectNode(p, tree, 'mysql.schema', 'shop', nul('shop'));
    expectNode(p, tree, 'mysql.client_auth_plugin', 'caching_sha2_password', nul('caching_sha2_password'));
    const attrs = find(tree, 'mysql.connattrs');
    expect(at(p, attrs)[0]).toBe(attrs.length - 1); // lenenc total length, then the attributes
    expect(attrs.offset + attrs.length).toBe(p.length);
    const names = findAll(tree, 'mysql.connattrs.name');
    expect(names.map((n) => n.value)).toEqual(['_os', '_client_name', 'program_name']);
    expect(at(p, names[1]!)).toEqual([...lenencStr('_client_name')]);
    expect(at(p, findAll(tree, 'mysql.connattrs.value')[0]!)).toEqual([...lenencStr('Linux')]);
    const root = find(tree, 'mysql.login_request');
    expect([root.offset, root.length]).toEqual([0, p.length]);
  });

  it('without CONNECT_WITH_DB: no schema, the plugin name follows the auth data', () => {
    const caps = CLIENT_CAPS_BASE & ~CLIENT.CONNECT_ATTRS;
    const p = handshakeResponse41({ capabilities: caps, user: 'u', authPlugin: 'mysql_native_password' });
    const { ev, tree } = both(p, decodeHandshakeResponse);
    expect(ev).toMatchObject({ user: 'u', schema: undefined, authPlugin: 'mysql_native_password', attributes: [] });
    expect(has(tree, 'mysql.schema')).toBe(false);
    expect(has(tree, 'mysql.connattrs')).toBe(false);
  });

  it('SECURE_CONNECTION without LENENC: 1-byte auth length', () => {
    const caps = (CLIENT_CAPS_BASE & ~CLIENT.PLUGIN_AUTH_LENENC_CLIENT_DATA & ~CLIENT.CONNECT_ATTRS) | CLIENT.CONNECT_WITH_DB;
    const p = handshakeResponse41({ capabilities: caps, user: 'root', schema: 'db', authResponse: auth });
    const { ev, tree } = both(p, decodeHandshakeResponse);
    expect(ev).toMatchObject({ user: 'root', schema: 'db' });
    expectNode(p, tree, 'mysql.passwd', auth, cat([20], auth));
  });

  it('no SECURE_CONNECTION: NUL-terminated auth data; empty password', () => {
    const caps = CLIENT.LONG_PASSWORD | CLIENT.PROTOCOL_41 | CLIENT.CONNECT_WITH_DB;
    const p = handshakeResponse41({ capabilities: caps, user: 'x', schema: 's', authResponse: str('scramble') });
    const { ev, tree } = both(p, decodeHandshakeResponse);
    expect(ev).toMatchObject({ user: 'x', schema: 's', authPlugin: undefined });
    expectNode(p, tree, 'mysql.passwd', str('scramble'), nul('scramble'));
    const p2 = handshakeResponse41({ capabilities: CLIENT_CAPS_BASE & ~CLIENT.CONNECT_ATTRS, authResponse: new Uint8Array(0) });
    const { tree: t2 } = both(p2, decodeHandshakeResponse);
    expectNode(p2, t2, 'mysql.passwd', new Uint8Array(0), [0]);
  });

  it('zstd compression level is the last byte', () => {
    const caps = (CLIENT_CAPS_BASE | CLIENT.COMPRESS | CLIENT.ZSTD_COMPRESSION_ALGORITHM) >>> 0;
    const p = handshakeResponse41({ capabilities: caps, zstdLevel: 7 });
    const { ev, tree } = both(p, decodeHandshakeResponse);
    expect(ev.kind === 'handshake_response' && ev.zstdLevel).toBe(7);
    const n = find(tree, 'mysql.compression.zstd_level');
    expect([n.offset, n.length, n.value]).toEqual([p.length - 1, 1, 7]);
  });

  it('MariaDB client: extended capabilities in the last 4 filler bytes', () => {
    const mc = MARIADB_CLIENT.STMT_BULK_OPERATIONS | MARIADB_CLIENT.CACHE_METADATA;
    const p = handshakeResponse41({ mariadbCaps: mc, user: 'm' });
    const { ev, tree } = both(p, decodeHandshakeResponse);
    expect(ev).toMatchObject({ mariadbCapabilities: mc, user: 'm' });
    expectNode(p, tree, 'mariadb.extcaps.client', mc, int4(mc));
    expect(find(tree, 'mariadb.extcaps.client').offset).toBe(28);
  });

  it('HandshakeResponse320 with CONNECT_WITH_DB and without', () => {
    const p = handshakeResponse320({ user: 'old', authResponse: str('ABCDEFGH'), schema: 'legacy', maxPacket: 0x123456 });
    const { ev, tree } = both(p, decodeHandshakeResponse);
    expect(ev).toEqual({
      kind: 'handshake_response', format: 320, capabilities: CLIENT.LONG_PASSWORD | CLIENT.LONG_FLAG | CLIENT.CONNECT_WITH_DB,
      mariadbCapabilities: 0, maxPacket: 0x123456, collation: 0, user: 'old', schema: 'legacy', authPlugin: undefined, attributes: [],
      zstdLevel: undefined,
    });
    expectNode(p, tree, 'mysql.max_packet', 0x123456, [0x56, 0x34, 0x12]);
    expectNode(p, tree, 'mysql.passwd', str('ABCDEFGH'), nul('ABCDEFGH'));
    expectNode(p, tree, 'mysql.schema', 'legacy', nul('legacy'));

    const p2 = handshakeResponse320({ user: 'old', authResponse: str('SCRAMBLE') });
    const { ev: ev2, tree: t2 } = both(p2, decodeHandshakeResponse);
    expect(ev2).toMatchObject({ format: 320, user: 'old', schema: undefined });
    expectNode(p2, t2, 'mysql.passwd', str('SCRAMBLE'), str('SCRAMBLE'));
  });

  it('SSLRequest: exactly 32 bytes with CLIENT_SSL', () => {
    const p = sslRequest({ collation: 33 });
    expect(p.length).toBe(32);
    const { ev, tree } = both(p, decodeHandshakeResponse);
    expect(ev).toEqual({ kind: 'ssl_request', capabilities: (CLIENT_CAPS_BASE | CLIENT.SSL) >>> 0, maxPacket: 16777216, collation: 33 });
    const root = find(tree, 'mysql.ssl_request');
    expect([root.offset, root.length]).toEqual([0, 32]);
    expect(find(tree, 'mysql.caps.sl').value).toBe(true);
    // A MariaDB SSLRequest carries its extended caps too.
    const { ev: m } = both(sslRequest({ mariadbCaps: 4 }), decodeHandshakeResponse);
    expect(m.kind).toBe('ssl_request');
  });

  it('a 32-byte response without CLIENT_SSL is a (truncated) login, not an SSLRequest', () => {
    const p = sslRequest().slice();
    p[1]! &= ~(CLIENT.SSL >> 8);
    const e = decodeErrorOf(() => decodeHandshakeResponse(new PayloadReader().reset(p), null));
    expect(e.kind).toBe('truncated');
  });

  it('AuthSwitchRequest, old-password switch, AuthMoreData', () => {
    const p = authSwitchRequest('mysql_native_password');
    const { ev, tree } = both(p, decodeAuthSwitchRequest);
    expect(ev).toEqual({ kind: 'auth_switch_request', plugin: 'mysql_native_password' });
    expectNode(p, tree, 'mysql.auth_switch_request.name', 'mysql_native_password', nul('mysql_native_password'));
    expectNode(p, tree, 'mysql.auth_switch_request.data', cat(DEFAULT_SALT, [0]), cat(DEFAULT_SALT, [0]));
    expect(both(authSwitchRequest(), decodeAuthSwitchRequest).ev).toEqual({ kind: 'auth_switch_request', plugin: 'mysql_old_password' });

    const fast = authMoreData([3]);
    const r1 = both(fast, (r, t) => decodeAuthMoreData(r, t, 'caching_sha2_password'));
    expect(r1.ev).toEqual({ kind: 'auth_more_data', status: 3, length: 1, publicKey: false });
    expectNode(fast, r1.tree, 'mysql.sha2_auth.state', 3, [3]);
    const pem = authMoreData(str('-----BEGIN PUBLIC KEY-----\n'));
    const r2 = both(pem, (r, t) => decodeAuthMoreData(r, t, 'caching_sha2_password'));
    expect(r2.ev).toEqual({ kind: 'auth_more_data', status: undefined, length: 27, publicKey: true });
    expect(find(r2.tree, 'mysql.hf_mysql_pubkey').offset).toBe(1);
    // Another plugin's single byte is data, not a sha2 state.
    expect(both(authMoreData([3]), (r, t) => decodeAuthMoreData(r, t, 'auth_gssapi_client')).ev.status).toBeUndefined();
  });
});

// ---------------------------------------------------------------- generic responses

describe('OK / ERR / EOF under different capabilities', () => {
  it('OK under PROTOCOL_41', () => {
    const p = ok({ affectedRows: 3, lastInsertId: 300, status: 0x0003, warnings: 2, info: 'Rows matched: 3' });
    const { ev, tree } = both(p, (r, t) => decodeOk(r, t, CLIENT.PROTOCOL_41));
    expect(ev).toEqual({ kind: 'ok', header: 0, affectedRows: 3, lastInsertId: 300, status: 3, warnings: 2, info: 'Rows matched: 3' });
    expectNode(p, tree, 'mysql.response_code', 0, [0]);
    expectNode(p, tree, 'mysql.affected_rows', 3, [3]);
    expectNode(p, tree, 'mysql.insert_id', 300, lenencInt(300));
    expectNode(p, tree, 'mysql.server_status', 3, [3, 0]);
    expect(find(tree, 'mysql.stat.it').value).toBe(true);
    expectNode(p, tree, 'mysql.warnings', 2, [2, 0]);
    expectNode(p, tree, 'mysql.message', 'Rows matched: 3', str('Rows matched: 3'));
  });

  it('OK with 64-bit values', () => {
    const p = ok({ affectedRows: 2n ** 63n, lastInsertId: 2n ** 53n + 7n });
    const { ev, tree } = both(p, (r, t) => decodeOk(r, t, CLIENT.PROTOCOL_41));
    expect(ev.affectedRows).toBe(2n ** 63n);
    expect(ev.lastInsertId).toBe(2n ** 53n + 7n);
    expect(find(tree, 'mysql.affected_rows').length).toBe(9);
  });

  it('OK under TRANSACTIONS only: status without warnings', () => {
    const p = ok({ status: 0x0001, info: 'x' }, CLIENT.TRANSACTIONS);
    expect(p.length).toBe(6);
    const { ev } = both(p, (r, t) => decodeOk(r, t, CLIENT.TRANSACTIONS));
    expect(ev).toMatchObject({ status: 1, warnings: 0, info: 'x' });
  });

  it('OK before 4.1: header and two lenencs only', () => {
    const p = ok({ affectedRows: 1 }, 0);
    expect(p.length).toBe(3);
    const { ev } = both(p, (r, t) => decodeOk(r, t, 0));
    expect(ev).toMatchObject({ affectedRows: 1, status: 0, warnings: 0, info: '' });
  });

  it('OK under SESSION_TRACK: info as string<lenenc>, then session state', () => {
    const caps = CLIENT.PROTOCOL_41 | CLIENT.SESSION_TRACK;
    const state = cat([0x01], lenencStr(cat(lenencStr('shop'))));
    const p = ok({ info: 'ok!', sessionState: state }, caps);
    const { ev, tree } = both(p, (r, t) => decodeOk(r, t, caps));
    expect(ev.info).toBe('ok!');
    expect(ev.status & SERVER.SESSION_STATE_CHANGED).not.toBe(0);
    expectNode(p, tree, 'mysql.message', 'ok!', lenencStr('ok!'));
    // The session state information is decoded (session-track.ts): one SCHEMA change.
    expect(ev.sessionState).toEqual([expect.objectContaining({ kind: 'schema', schema: 'shop' })]);
    expect(find(tree, 'mysql.session_track.schema').value).toBe('shop');
    // Without info under SESSION_TRACK nothing follows the warnings.
    const bare = ok({}, caps);
    expect(bare.length).toBe(7);
    expect(both(bare, (r, t) => decodeOk(r, t, caps)).ev.info).toBe('');
  });

  it('the 0xFE-headed OK (CLIENT_DEPRECATE_EOF end of result set)', () => {
    const p = okEof({ status: SERVER.MORE_RESULTS_EXISTS | 2, warnings: 1 });
    const { ev } = both(p, (r, t) => decodeOk(r, t, CLIENT.PROTOCOL_41 | CLIENT.DEPRECATE_EOF));
    expect(ev).toMatchObject({ header: 0xfe, status: 10, warnings: 1 });
    expect(isEofPacket(p, p.length)).toBe(true); // 7 bytes: shape alone cannot tell (the session decides by caps)
  });

  it('ERR with and without the SQLSTATE marker', () => {
    const p = err({ code: 1146, sqlstate: '42S02', message: "Table 'shop.nope' doesn't exist" });
    const { ev, tree } = both(p, decodeErr);
    expect(ev).toEqual({ kind: 'err', code: 1146, sqlstate: '42S02', message: "Table 'shop.nope' doesn't exist" });
    expectNode(p, tree, 'mysql.error_code', 1146, int2(1146));
    expectNode(p, tree, 'mysql.sqlstate', '42S02', str('42S02'));
    expect(find(tree, 'mysql.sqlstate').offset).toBe(4);
    expectNode(p, tree, 'mysql.error.message', "Table 'shop.nope' doesn't exist", str("Table 'shop.nope' doesn't exist"));
    const p2 = err({ code: 1040, sqlstate: null, message: 'Too many connections' });
    const r2 = both(p2, decodeErr);
    expect(r2.ev).toEqual({ kind: 'err', code: 1040, sqlstate: undefined, message: 'Too many connections' });
    expect(find(r2.tree, 'mysql.error.message').offset).toBe(3);
    // A message that happens to start with '#' but is too short for a SQLSTATE stays a message.
    expect(both(cat([0xff], int2(1), str('#ab')), decodeErr).ev).toMatchObject({ sqlstate: undefined, message: '#ab' });
  });

  it('EOF under PROTOCOL_41 and before', () => {
    const p = eof({ warnings: 4, status: 0x000a });
    const { ev, tree } = both(p, (r, t) => decodeEof(r, t, CLIENT.PROTOCOL_41));
    expect(ev).toEqual({ kind: 'eof', warnings: 4, status: 10 });
    expectNode(p, tree, 'mysql.eof', 0xfe, [0xfe]);
    expectNode(p, tree, 'mysql.warnings', 4, [4, 0]);
    expectNode(p, tree, 'mysql.server_status', 10, [10, 0]);
    expect(both(Uint8Array.of(0xfe), (r, t) => decodeEof(r, t, 0)).ev).toEqual({ kind: 'eof', warnings: 0, status: 0 });
    expect(isEofPacket(p, p.length)).toBe(true);
    expect(isEofPacket(cat([0xfe], new Uint8Array(8)), 9)).toBe(false);
  });
});

// ---------------------------------------------------------------- result sets

describe('column count, ColumnDefinition41, text rows', () => {
  it('column count with and without metadata_follows', () => {
    expect(both(columnCount(3), (r, t) => decodeColumnCount(r, t, false)).ev).toEqual({ count: 3, metadataFollows: true });
    const p = columnCount(300, 0);
    const { ev, tree } = both(p, (r, t) => decodeColumnCount(r, t, true));
    expect(ev).toEqual({ count: 300, metadataFollows: false });
    expectNode(p, tree, 'mysql.num_fields', 300, lenencInt(300));
    expectNode(p, tree, 'mysql.metadata_follows', 0, [0]);
    expect(both(columnCount(2, 1), (r, t) => decodeColumnCount(r, t, true)).ev.metadataFollows).toBe(true);
  });

  it('ColumnDefinition41', () => {
    const p = columnDef({ schema: 'shop', table: 'o', orgTable: 'orders', name: 'id', orgName: 'order_id', charset: 63, columnLength: 20,
      type: 8, flags: 0x4203, decimals: 0 });
    const { ev, tree } = both(p, (r, t) => decodeColumnDefinition(r, t, 0, false));
    expect(ev).toEqual({ catalog: 'def', schema: 'shop', table: 'o', orgTable: 'orders', name: 'id', orgName: 'order_id', charset: 63,
      columnLength: 20, type: 8, flags: 0x4203, decimals: 0 });
    expectNode(p, tree, 'mysql.field.catalog', 'def', lenencStr('def'));
    expectNode(p, tree, 'mysql.field.org_table', 'orders', lenencStr('orders'));
    expectNode(p, tree, 'mysql.field.org_name', 'order_id', lenencStr('order_id'));
    expectNode(p, tree, 'mysql.field.charsetnr', 63, int2(63));
    expectNode(p, tree, 'mysql.field.length', 20, int4(20));
    expectNode(p, tree, 'mysql.field.type', 8, [8]);
    expectNode(p, tree, 'mysql.field.flags', 0x4203, int2(0x4203));
    expect(find(tree, 'mysql.field.flags.not_null').value).toBe(true);
    expect(find(tree, 'mysql.field.flags.unique_key').value).toBe(false);
    const root = find(tree, 'mysql.field');
    expect([root.offset, root.length, root.value]).toEqual([0, p.length, 'id']);
  });

  it('COM_FIELD_LIST column definitions carry a default value (or 0xFB)', () => {
    const p = columnDef({ name: 'status', default: 'new' });
    const { tree } = both(p, (r, t) => decodeColumnDefinition(r, t, 0, true));
    expectNode(p, tree, 'mysql.field.default', 'new', lenencStr('new'));
    const { tree: t2 } = both(columnDef({ name: 'n', default: null }), (r, t) => decodeColumnDefinition(r, t, 0, true));
    expect(has(t2, 'mysql.field.default')).toBe(false);
  });

  it('MariaDB extended metadata is read only when negotiated', () => {
    const ext = cat([0], lenencStr('json'));
    const p = columnDef({ name: 'doc', extendedMetadata: ext });
    const { ev } = both(p, (r, t) => decodeColumnDefinition(r, t, MARIADB_CLIENT.EXTENDED_METADATA, false));
    expect(ev.name).toBe('doc');
    expect(ev.columnLength).toBe(11);
  });

  it('text row with NULLs', () => {
    const p = textRow(['1', null, '', 'héllo', null]);
    const out: Array<string | null> = [];
    const t = new TreeBuilder();
    const r = new PayloadReader().reset(p);
    decodeTextRow(r, t, 5, out);
    expect(out).toEqual(['1', null, '', 'héllo', null]);
    expect(r.remaining).toBe(0);
    const nulls = findAll(t.roots, 'mysql.row.null');
    expect(nulls.map((n) => [n.offset, n.length, at(p, n)])).toEqual([[2, 1, [0xfb]], [p.length - 1, 1, [0xfb]]]);
    const texts = findAll(t.roots, 'mysql.row.text');
    expect(texts.map((n) => n.value)).toEqual(['1', '', 'héllo']);
    expect(at(p, texts[2]!)).toEqual([...lenencStr('héllo')]);
    // Without a tree and without kept values.
    const r2 = new PayloadReader().reset(p);
    decodeTextRow(r2, null, 5, null);
    expect(r2.remaining).toBe(0);
  });

  it('isPlainTextRow (the counted-row shortcut): true for every well-formed row with 1-, 3- or 4-byte lengths, and only for rows decodeTextRow reads whole without a problem (property, synthetic bytes)', () => {
    const value = fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ minLength: 251, maxLength: 300 }), fc.constant('x'.repeat(70_000))), { nil: null });
    fc.assert(fc.property(fc.array(value, { maxLength: 6 }), fc.integer({ min: -1, max: 1 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (vals, colDelta, at, byte) => {
      const good = textRow(vals);
      expect(isPlainTextRow(good, vals.length)).toBe(true);
      // Damaged variants: another column count, a changed byte, a cut, an extra byte.
      const variants: Array<[Uint8Array, number]> = [[good, Math.max(0, vals.length + colDelta)]];
      if (good.length > 0) {
        const changed = good.slice();
        changed[at % good.length] = byte;
        variants.push([changed, vals.length], [good.subarray(0, at % good.length), vals.length]);
      }
      variants.push([cat(good, Uint8Array.of(byte)), vals.length]);
      for (const [p, cols] of variants) {
        if (!isPlainTextRow(p, cols)) continue;
        const r = new PayloadReader().reset(p);
        decodeTextRow(r, null, cols, null); // must not throw
        expect(r.remaining).toBe(0);
      }
    }), { numRuns: 400 });
    // An 8-byte length (0xFE) is left to the full decoder.
    expect(isPlainTextRow(cat(Uint8Array.of(0xfe), int8(1n), str('a')), 1)).toBe(false);
  });

  it('ColumnDefinitionCache gives what decodeColumnDefinition gives, shared only for the same bytes decoded alike (property, synthetic bytes)', () => {
    const cache = new ColumnDefinitionCache();
    const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
    const utf8 = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
    const def = fc.record({
      name: fc.constantFrom('c', 'id', 'k', 'pad', 'é'), table: fc.constantFrom('sbtest1', 'sbtest2', 't'),
      type: fc.constantFrom(0x03, 0xfe, 0x0f), extra: fc.constantFrom(0, 1),
    });
    fc.assert(fc.property(fc.array(fc.tuple(def, fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 60 }), (defs) => {
      for (const [d, withDefault, otherText] of defs) {
        // A trailing byte now and then (kept as payload bytes), and another text decoder (SET NAMES).
        const p = cat(columnDef({ name: d.name, table: d.table, type: d.type }), d.extra ? Uint8Array.of(0x00) : new Uint8Array(0));
        const fresh = new PayloadReader().reset(p);
        const cached = new PayloadReader().reset(p);
        fresh.decodeText = otherText ? latin1 : utf8;
        cached.decodeText = otherText ? latin1 : utf8;
        const want = decodeColumnDefinition(fresh, null, undefined, withDefault);
        expect(cache.decode(cached, undefined, withDefault)).toEqual(want);
        expect(cached.pos).toBe(fresh.pos);
      }
    }), { numRuns: 200 });
    // The same bytes again: the very same object (a session's reader keeps its decoder function).
    const p = columnDef({ name: 'c' });
    const reader = (): PayloadReader => Object.assign(new PayloadReader().reset(p), { decodeText: utf8 });
    const a = cache.decode(reader(), undefined, false);
    expect(cache.decode(reader(), undefined, false)).toBe(a);
    expect(cache.decode(reader(), 0, false)).not.toBe(a); // decoded with known capabilities
    expect(cache.decode(Object.assign(new PayloadReader().reset(p), { decodeText: latin1 }), undefined, false)).not.toBe(a);
  });

  it('a row with fewer values than columns is a truncated row; the values read are kept', () => {
    const p = textRow(['1', null]);
    const out: Array<string | null> = [];
    const e = decodeErrorOf(() => decodeTextRow(new PayloadReader().reset(p), null, 3, out));
    expect(e.kind).toBe('truncated');
    expect(e.message).toBe('the row ends after 2 of its 3 values (payload offset 3)');
    expect(out).toEqual(['1', null]);
    const e0 = decodeErrorOf(() => decodeTextRow(new PayloadReader().reset(new Uint8Array(0)), new TreeBuilder(), 1, null));
    expect(e0.message).toBe('the row ends after 0 of its 1 values (payload offset 0)');
  });

  it('a row with more values than columns keeps the extra bytes as payload', () => {
    const p = textRow(['a', 'b']);
    const out: Array<string | null> = [];
    const t = new TreeBuilder();
    const r = new PayloadReader().reset(p);
    decodeTextRow(r, t, 1, out);
    expect(out).toEqual(['a']);
    expect(at(p, find(t.roots, 'mysql.payload'))).toEqual([...lenencStr('b')]);
  });
});

// ---------------------------------------------------------------- commands

describe('COM_* requests', () => {
  const P41 = CLIENT.PROTOCOL_41 | CLIENT.SECURE_CONNECTION;
  const cmd = (p: Uint8Array, caps = P41) => both(p, (r, t) => decodeCommand(r, t, caps));

  it('every request has a Request Command subtree covering the payload, and a command node', () => {
    const p = com.query('SELECT 1');
    const { tree } = cmd(p);
    const root = find(tree, 'mysql.request');
    expect([root.offset, root.length]).toEqual([0, p.length]);
    expectNode(p, tree, 'mysql.command', 3, [3]);
  });

  it('COM_QUERY, also under CLIENT_QUERY_ATTRIBUTES', () => {
    const p = com.query('SELECT * FROM t WHERE a = "é"');
    const { ev, tree } = cmd(p);
    expect(ev).toEqual({ kind: 'command', command: COM.QUERY, query: 'SELECT * FROM t WHERE a = "é"' });
    expectNode(p, tree, 'mysql.query', 'SELECT * FROM t WHERE a = "é"', p.subarray(1));
    const qa = com.queryWithAttrs('SELECT 2');
    const r2 = cmd(qa, P41 | CLIENT.QUERY_ATTRIBUTES);
    expect(r2.ev.query).toBe('SELECT 2');
    expect(find(r2.tree, 'mysql.query').offset).toBe(3);
    // Query attributes present: decoded (one STRING attribute n='v'), then the statement.
    const withAttr = cat([0x03, 0x01, 0x01, 0x00, 0x01, 0xfe, 0x00], lenencStr('n'), lenencStr('v'), str('SELECT 3'));
    const c = decodeCommand(new PayloadReader().reset(withAttr), null, P41 | CLIENT.QUERY_ATTRIBUTES);
    expect(c.query).toBe('SELECT 3');
    expect(c.attributes?.map((a) => [a.name, a.value?.text])).toEqual([['n', 'v']]);
  });

  it('COM_INIT_DB / CREATE_DB / DROP_DB', () => {
    const p = com.initDb('shop');
    const { ev, tree } = cmd(p);
    expect(ev).toEqual({ kind: 'command', command: COM.INIT_DB, schema: 'shop' });
    expectNode(p, tree, 'mysql.schema', 'shop', str('shop'));
    expect(cmd(com.createDb('x')).ev).toEqual({ kind: 'command', command: COM.CREATE_DB, schema: 'x' });
    expect(cmd(com.dropDb('y')).ev).toEqual({ kind: 'command', command: COM.DROP_DB, schema: 'y' });
  });

  it('COM_FIELD_LIST with and without a wildcard', () => {
    const p = com.fieldList('orders', 'id%');
    const { ev, tree } = cmd(p);
    expect(ev).toEqual({ kind: 'command', command: COM.FIELD_LIST, table: 'orders' });
    expectNode(p, tree, 'mysql.table_name', 'orders', nul('orders'));
    expectNode(p, tree, 'mysql.field_wildcard', 'id%', str('id%'));
    const r2 = cmd(com.fieldList('t'));
    expect(r2.ev.table).toBe('t');
    expect(has(r2.tree, 'mysql.field_wildcard')).toBe(false);
  });

  it('payload-less commands: PING, QUIT, STATISTICS, DEBUG, RESET_CONNECTION, PROCESS_INFO, SLEEP', () => {
    for (const [p, code] of [[com.ping(), COM.PING], [com.quit(), COM.QUIT], [com.statistics(), COM.STATISTICS], [com.debug(), COM.DEBUG],
      [com.resetConnection(), COM.RESET_CONNECTION], [com.processInfo(), COM.PROCESS_INFO], [com.sleep(), COM.SLEEP]] as const) {
      const { ev, tree } = cmd(p);
      expect(ev).toEqual({ kind: 'command', command: code });
      expect(has(tree, 'mysql.payload')).toBe(false);
    }
    // Unexpected extra bytes are kept as payload.
    const { tree } = cmd(cat(com.ping(), [1, 2]));
    expect(find(tree, 'mysql.payload')).toMatchObject({ offset: 1, length: 2 });
  });

  it('COM_PROCESS_KILL, COM_REFRESH, COM_SET_OPTION', () => {
    const p = com.processKill(0xdeadbeef);
    const { ev, tree } = cmd(p);
    expect(ev).toEqual({ kind: 'command', command: COM.PROCESS_KILL, threadId: 0xdeadbeef });
    expectNode(p, tree, 'mysql.thread_id', 0xdeadbeef, int4(0xdeadbeef));
    expect(cmd(com.refresh(0x41)).ev).toEqual({ kind: 'command', command: COM.REFRESH, option: 0x41 });
    const so = com.setOption(1);
    const r = cmd(so);
    expect(r.ev).toEqual({ kind: 'command', command: COM.SET_OPTION, option: 1 });
    expectNode(so, r.tree, 'mysql.option', 1, [1, 0]);
  });

  it('COM_CHANGE_USER (4.1, plugin, attributes)', () => {
    const caps = P41 | CLIENT.PLUGIN_AUTH | CLIENT.CONNECT_ATTRS;
    const auth = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
    const p = com.changeUser({ user: 'bob', auth, schema: 'hr', charset: 45, plugin: 'mysql_native_password', attributes: [['k', 'v']] });
    const { ev, tree } = cmd(p, caps);
    expect(ev).toEqual({ kind: 'command', command: COM.CHANGE_USER, user: 'bob', schema: 'hr' });
    expectNode(p, tree, 'mysql.user', 'bob', nul('bob'));
    expectNode(p, tree, 'mysql.passwd', auth, cat([20], auth));
    expectNode(p, tree, 'mysql.schema', 'hr', nul('hr'));
    expectNode(p, tree, 'mysql.charset', 45, int2(45));
    expectNode(p, tree, 'mysql.client_auth_plugin', 'mysql_native_password', nul('mysql_native_password'));
    expect(findAll(tree, 'mysql.connattrs.name').map((n) => n.value)).toEqual(['k']);
    // Minimal form: user, auth, schema only.
    expect(cmd(com.changeUser({ user: 'a', schema: '' })).ev).toEqual({ kind: 'command', command: COM.CHANGE_USER, user: 'a', schema: '' });
  });

  it('prepared-statement headers: PREPARE, EXECUTE, CLOSE, RESET, FETCH, SEND_LONG_DATA', () => {
    const prep = com.stmtPrepare('SELECT ?');
    const r0 = cmd(prep);
    expect(r0.ev).toEqual({ kind: 'command', command: COM.STMT_PREPARE, query: 'SELECT ?' });
    expectNode(prep, r0.tree, 'mysql.query', 'SELECT ?', str('SELECT ?'));

    const ex = com.stmtExecute(7, 1, 1, [0x00, 0x01, 0x08, 0x00, 0x2a, 0, 0, 0, 0, 0, 0, 0]);
    const r1 = cmd(ex);
    // Without the PREPARE the statement is unknown: its one BIGINT parameter (42) is inferred from the bytes.
    expect(r1.ev).toMatchObject({ kind: 'command', command: COM.STMT_EXECUTE, stmtId: 7, stmtUnknown: true });
    expect(r1.ev.kind === 'command' && r1.ev.execute).toMatchObject({ inferred: true, paramCount: 1, params: [{ type: 8, value: { value: 42 } }] });
    expectNode(ex, r1.tree, 'mysql.stmt_id', 7, int4(7));
    expect(find(r1.tree, 'mysql.exec.field.longlong')).toMatchObject({ offset: 14, length: 8, value: 42 });

    for (const [p, code] of [[com.stmtClose(9), COM.STMT_CLOSE], [com.stmtReset(9), COM.STMT_RESET]] as const) {
      const r = cmd(p);
      expect(r.ev).toEqual({ kind: 'command', command: code, stmtId: 9 });
      expectNode(p, r.tree, 'mysql.stmt_id', 9, int4(9));
    }
    const fe = com.stmtFetch(3, 100);
    const r2 = cmd(fe);
    expect(r2.ev).toEqual({ kind: 'command', command: COM.STMT_FETCH, stmtId: 3 });
    expectNode(fe, r2.tree, 'mysql.num_rows', 100, int4(100));

    const ld = com.stmtSendLongData(4, 2, str('blobdata'));
    const r3 = cmd(ld);
    expect(r3.ev).toEqual(expect.objectContaining({ kind: 'command', command: COM.STMT_SEND_LONG_DATA, stmtId: 4, param: 2, dataLength: 8 }));
    expectNode(ld, r3.tree, 'mysql.param', 2, int2(2));
    expectNode(ld, r3.tree, 'mysql.long_data', str('blobdata'), str('blobdata'));
  });

  it('COM_BINLOG_DUMP', () => {
    const p = com.binlogDump(4, 1, 77, 'binlog.000042');
    const { ev, tree } = cmd(p);
    expect(ev).toEqual({ kind: 'command', command: COM.BINLOG_DUMP, binlogPos: 4, serverId: 77, binlogFile: 'binlog.000042' });
    expectNode(p, tree, 'mysql.binlog.position', 4, int4(4));
    expectNode(p, tree, 'mysql.binlog.flags', 1, int2(1));
    expectNode(p, tree, 'mysql.binlog.server_id', 77, int4(77));
    expectNode(p, tree, 'mysql.binlog.file_name', 'binlog.000042', str('binlog.000042'));
  });

  it('COM_BINLOG_DUMP_GTID with and without GTID data', () => {
    const gtid = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0]);
    const p = com.binlogDumpGtid({ serverId: 5, file: 'mysql-bin.000003', pos: 2n ** 60n, gtid });
    const { ev, tree } = cmd(p);
    expect(ev).toEqual({ kind: 'command', command: COM.BINLOG_DUMP_GTID, serverId: 5, binlogFile: 'mysql-bin.000003', binlogPos: 2n ** 60n });
    expectNode(p, tree, 'mysql.binlog.flags', 4, int2(4));
    expectNode(p, tree, 'mysql.binlog.file_name', 'mysql-bin.000003', str('mysql-bin.000003'));
    expectNode(p, tree, 'mysql.binlog.position', 2n ** 60n, int8(2n ** 60n));
    expectNode(p, tree, 'mysql.binlog.gtid_data', gtid, gtid);
    const p2 = com.binlogDumpGtid({ file: '', pos: 4 });
    const r2 = cmd(p2);
    expect(r2.ev).toMatchObject({ binlogFile: '', binlogPos: 4 });
    expect(has(r2.tree, 'mysql.binlog.gtid_data')).toBe(false);
  });

  it('COM_REGISTER_SLAVE', () => {
    const p = com.registerSlave({ serverId: 2, host: 'r1', user: 'repl', password: 'pw', port: 3307 });
    const { ev, tree } = cmd(p);
    expect(ev).toEqual({ kind: 'command', command: COM.REGISTER_SLAVE, serverId: 2, user: 'repl' });
    expectNode(p, tree, 'mysql.binlog.slave_hostname', 'r1', str('r1'));
    expectNode(p, tree, 'mysql.binlog.slave_user', 'repl', str('repl'));
    expectNode(p, tree, 'mysql.binlog.slave_password', 'pw', str('pw'));
    expectNode(p, tree, 'mysql.binlog.slave_mysql_port', 3307, int2(3307));
    expect(find(tree, 'mysql.binlog.master_id').offset).toBe(p.length - 4);
  });

  it('an unknown command code is data, not an exception', () => {
    const p = com.raw(0x99, [1, 2, 3]);
    const { ev, tree } = cmd(p);
    expect(ev).toEqual({ kind: 'command', command: 0x99 });
    expect(find(tree, 'mysql.payload')).toMatchObject({ offset: 1, length: 3 });
  });

  it('every strict prefix of a fixed-layout request throws a DecodeError (never RangeError); tree subtree still closed', () => {
    const fixed = [com.processKill(1), com.stmtClose(1), com.stmtFetch(1, 2), com.stmtExecute(1), com.setOption(0),
      com.binlogDump(4, 0, 1, ''), com.registerSlave(), com.binlogDumpGtid({ file: 'f' }), com.stmtSendLongData(1, 0, new Uint8Array(0))];
    for (const p of fixed) {
      const need = p[0] === COM.STMT_SEND_LONG_DATA ? 7 : p[0] === COM.BINLOG_DUMP_GTID ? p.length : p[0] === COM.BINLOG_DUMP ? 11 : p.length;
      for (let n = 0; n < need; n++) {
        const t = new TreeBuilder();
        const e = decodeErrorOf(() => decodeCommand(new PayloadReader().reset(p, 0, n), t, P41));
        expect(['truncated', 'malformed']).toContain(e.kind);
        // The request subtree was closed on the error: the next node lands at the top level.
        t.derived(F.anomaly, 'marker');
        expect(t.roots.map((r) => r.field.name)).toEqual(['mysql.request', 'mysql.anomaly']);
      }
    }
  });
});

// ---------------------------------------------------------------- partial trees

describe('a decoder that fails half-way leaves a well-formed tree', () => {
  /** Decode a cut payload with a tree; then add a marker node: it must land at the top level, after the partial message. */
  function cut(payload: Uint8Array, n: number, decode: Decode<unknown>): FieldNode[] {
    const t = new TreeBuilder();
    const r = new PayloadReader().reset(payload, 0, n);
    decodeErrorOf(() => decode(r, t));
    t.derived(F.anomaly, 'marker');
    return t.roots;
  }

  const cases: Array<[string, Uint8Array, Decode<unknown>, string]> = [
    ['greeting', handshakeV10(), decodeGreeting, 'mysql.server_greeting'],
    ['login', handshakeResponse41({ schema: 's', attributes: [['a', 'b'], ['c', 'd']] }), decodeHandshakeResponse, 'mysql.login_request'],
    ['login 320', handshakeResponse320({ schema: 's' }), decodeHandshakeResponse, 'mysql.login_request'],
    ['column definition', columnDef({ name: 'col' }), (r, t) => decodeColumnDefinition(r, t, 0, false), 'mysql.field'],
    ['text row', textRow(['abc', null, 'defg']), (r, t) => decodeTextRow(r, t, 3, null), 'mysql.row'],
  ];

  for (const [name, payload, decode, root] of cases) {
    it(`${name}: every failing prefix closes its subtree, with the length decoded so far`, () => {
      let failures = 0;
      for (let n = 1; n < payload.length; n++) {
        try {
          decode(new PayloadReader().reset(payload, 0, n), null);
          continue; // this prefix is a complete message of its own
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
        failures++;
        const roots = cut(payload, n, decode);
        expect(roots.map((x) => x.field.name), `prefix ${n}`).toEqual([root, 'mysql.anomaly']);
        const top = roots[0]!;
        expect(top.offset).toBe(0);
        if (n >= 4) expect(top.length, `prefix ${n}`).toBeGreaterThan(0);
        expect(top.length, `prefix ${n}`).toBeLessThanOrEqual(n);
        checkBounds(roots, n);
      }
      expect(failures).toBeGreaterThan(0);
    });
  }
});
