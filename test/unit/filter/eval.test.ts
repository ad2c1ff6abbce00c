import { describe, expect, it } from 'vitest';
import { compileFilter, type FieldAccess } from '../../../src/filter/compile.js';
import type { FieldValue } from '../../../src/model/field.js';

function fa(fields: Record<string, FieldValue | FieldValue[]>): FieldAccess {
  return (name) => {
    const v = fields[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
}

function matches(filter: string, fields: Record<string, FieldValue | FieldValue[]>): boolean {
  const r = compileFilter(filter);
  if (!r.ok) throw new Error(`${r.error.message}\n${r.error.caret}`);
  return r.filter.test(fa(fields));
}

const both = { 'tcp.port': [51960, 3306] };
const one = { 'tcp.port': [3306, 3306] };
const none = {};

describe('any/all semantics (Wireshark 4)', () => {
  it.each([
    // filter, both ports differ, both 3306, field absent
    ['tcp.port == 3306', true, true, false],
    ['tcp.port eq 3306', true, true, false],
    ['tcp.port any_eq 3306', true, true, false],
    ['tcp.port != 3306', false, false, false],
    ['tcp.port ne 3306', false, false, false],
    ['tcp.port all_ne 3306', false, false, false],
    ['tcp.port != 1', true, true, false],
    ['tcp.port === 3306', false, true, false],
    ['tcp.port all_eq 3306', false, true, false],
    ['tcp.port !== 3306', true, false, false],
    ['tcp.port any_ne 3306', true, false, false],
    ['tcp.port ~= 3306', true, false, false],
    ['tcp.port > 50000', true, false, false],
    ['all tcp.port > 1024', true, true, false],
    ['all tcp.port > 4000', false, false, false],
    ['any tcp.port != 3306', true, false, false],
    ['not tcp.port == 3306', false, false, true],
    ['not tcp.port', false, false, true],
    ['tcp.port', true, true, false],
    ['tcp.port in {3306}', true, true, false],
    ['tcp.port in {1 2 51000..52000}', true, false, false],
    ['tcp.port not in {3306}', false, false, true],
  ] as const)('%s', (filter, a, b, c) => {
    expect([matches(filter, both), matches(filter, one), matches(filter, none)]).toEqual([a, b, c]);
  });
});

describe('logic', () => {
  it('and / or / xor / not and their symbols', () => {
    const x = { 'mysql.query': 'select 1', 'tcp.port': 3306 };
    expect(matches('mysql.query and tcp.port', x)).toBe(true);
    expect(matches('mysql.query && mysql.command', x)).toBe(false);
    expect(matches('mysql.command or tcp.port', x)).toBe(true);
    expect(matches('mysql.command || mysql.user', x)).toBe(false);
    expect(matches('mysql.query xor tcp.port', x)).toBe(false);
    expect(matches('mysql.query ^^ mysql.command', x)).toBe(true);
    expect(matches('!mysql.command and not mysql.user', x)).toBe(true);
    expect(matches('(mysql.command or tcp.port) and mysql.query', x)).toBe(true);
  });
});

describe('values', () => {
  it('integers in decimal, hex, octal and binary; bigint-safe', () => {
    const x = { 'mysql.affected_rows': 10, 'mysql.insert_id': 2n ** 64n - 1n };
    for (const v of ['10', '0xa', '0XA', '012', '0b1010', "'\\n'"]) expect(matches(`mysql.affected_rows == ${v}`, x)).toBe(true);
    expect(matches('mysql.insert_id == 18446744073709551615', x)).toBe(true);
    expect(matches('mysql.insert_id == 0xffffffffffffffff', x)).toBe(true);
    expect(matches('mysql.insert_id > 18446744073709551614', x)).toBe(true);
    expect(matches('mysql.insert_id > 9007199254740993', x)).toBe(true);
    expect(matches('mysql.affected_rows < 9007199254740993', x)).toBe(true);
  });
  it('floats and times', () => {
    const x = { 'frame.time_relative': 1.25, 'mysql.response_time': 0.5, 'frame.time_epoch': 1700000000.5 };
    expect(matches('frame.time_relative > 1.2', x)).toBe(true);
    expect(matches('frame.time_relative <= 1', x)).toBe(false);
    expect(matches('mysql.response_time >= 0.5', x)).toBe(true);
    expect(matches('frame.time_epoch > "2023-11-14T22:13:19Z"', x)).toBe(true);
    expect(matches('frame.time_epoch < "2023-11-14T22:13:21Z"', x)).toBe(true);
    expect(matches('frame.time_epoch > 1700000000', x)).toBe(true);
  });
  it('strings: equality, order, contains, escapes', () => {
    const x = { 'mysql.query': 'SELECT "a"\\b\n' };
    expect(matches('mysql.query == "SELECT \\"a\\"\\\\b\\n"', x)).toBe(true);
    expect(matches('mysql.query == "SELECT \\x22a\\042\\\\b\\x0a"', x)).toBe(true);
    expect(matches('mysql.query contains "\\"a\\""', x)).toBe(true);
    expect(matches('mysql.query contains "select"', x)).toBe(false);
    expect(matches('mysql.query > "S"', x)).toBe(true);
    expect(matches('mysql.query < "S"', x)).toBe(false);
    expect(matches('mysql.query == r"SELECT \\"a\\"\\b\n"', { 'mysql.query': 'SELECT \\"a\\"\\b\n' })).toBe(true);
  });
  it('matches: case-insensitive by default like Wireshark, (?-i) for case-sensitive', () => {
    const x = { 'mysql.query': 'SELECT * FROM notes' };
    expect(matches('mysql.query matches "^select"', x)).toBe(true);
    expect(matches('mysql.query matches "(?i)^select"', x)).toBe(true);
    expect(matches('mysql.query matches "(?-i)^select"', x)).toBe(false);
    expect(matches('mysql.query ~ "from\\\\s+notes$"', x)).toBe(true);
    expect(matches('mysql.query matches "^(?-i)SELECT"', x)).toBe(true);
  });
  it('value names, case-insensitive, quoted or bare', () => {
    const x = { 'mysql.command': 3 };
    for (const v of ['"Query"', '"query"', 'Query', '3', '0x03']) expect(matches(`mysql.command == ${v}`, x)).toBe(true);
    expect(matches('mysql.command in {"Quit" "Query"}', x)).toBe(true);
    expect(matches('mysql.command != "Query"', x)).toBe(false);
    expect(matches('mysql.command == "Use Database"', { 'mysql.command': 2 })).toBe(true);
    // one name for two numbers: either matches
    expect(matches('mysql.sha2_auth.state == request_public_key', { 'mysql.sha2_auth.state': 2 })).toBe(true);
  });
  it('booleans', () => {
    const t = { 'mysql.stat.ac': true };
    const f = { 'mysql.stat.ac': false };
    for (const v of ['1', 'True', 'TRUE', 'true', '2']) expect([matches(`mysql.stat.ac == ${v}`, t), matches(`mysql.stat.ac == ${v}`, f)]).toEqual([true, false]);
    for (const v of ['0', 'False', 'FALSE']) expect([matches(`mysql.stat.ac == ${v}`, t), matches(`mysql.stat.ac == ${v}`, f)]).toEqual([false, true]);
    expect(matches('mysql.stat.ac', f)).toBe(true); // presence, not truth
    expect(matches('mysql.stat.ac != 1', f)).toBe(true);
  });
  it('byte strings', () => {
    const x = { 'mysql.payload': Uint8Array.of(0xaa, 0xbb, 0xcc, 0x41) };
    for (const v of ['aa:bb:cc:41', 'aa-bb-cc-41', 'aa.bb.cc.41', 'AA:BB:CC:41', '"\\xaa\\xbb\\xccA"']) expect(matches(`mysql.payload == ${v}`, x)).toBe(true);
    expect(matches('mysql.payload contains bb:cc', x)).toBe(true);
    expect(matches('mysql.payload contains "A"', x)).toBe(true);
    expect(matches('mysql.payload contains 0x41', x)).toBe(true);
    expect(matches('mysql.payload contains cc:bb', x)).toBe(false);
    expect(matches('mysql.payload > aa:bb', x)).toBe(true);
    expect(matches('mysql.payload[0] == aa', x)).toBe(true);
    expect(matches('mysql.payload[-1] == 0x41', x)).toBe(true);
    expect(matches('len(mysql.payload) == 4', x)).toBe(true);
  });
  it('IPv4, IPv6 and CIDR; ip.addr matches either side', () => {
    const x = { 'ip.src': '10.1.2.3', 'ip.dst': '192.168.0.7', 'ip.addr': ['10.1.2.3', '192.168.0.7'] };
    expect(matches('ip.addr == 10.0.0.0/8', x)).toBe(true);
    expect(matches('ip.src == 10.1.2.3', x)).toBe(true);
    expect(matches('ip.dst == 10.0.0.0/8', x)).toBe(false);
    expect(matches('ip.addr != 10.0.0.0/8', x)).toBe(false);
    expect(matches('ip.addr !== 10.0.0.0/8', x)).toBe(true);
    expect(matches('ip.addr in {172.16.0.0/12 192.168.0.0/16}', x)).toBe(true);
    expect(matches('ip.src in {10.1.2.0 .. 10.1.2.9}', x)).toBe(true);
    expect(matches('ip.src > 9.255.255.255', x)).toBe(true);
    expect(matches('ip.addr == "192.168.0.7"', x)).toBe(true);
    const y = { 'ipv6.src': '::1', 'ipv6.dst': 'fe80::a:b', 'ipv6.addr': ['::1', 'fe80::a:b'] };
    expect(matches('ipv6.addr == ::1', y)).toBe(true);
    expect(matches('ipv6.src == 0:0:0:0:0:0:0:1', y)).toBe(true);
    expect(matches('ipv6.dst == fe80::/10', y)).toBe(true);
    expect(matches('ipv6.dst == fe80::a:b', y)).toBe(true);
    expect(matches('ipv6.dst == fe80::a:c', y)).toBe(false);
    expect(matches('ipv6.addr == ::ffff:127.0.0.1', { 'ipv6.addr': '::ffff:7f00:1' })).toBe(true);
  });
  it('field against field', () => {
    expect(matches('tcp.srcport > tcp.dstport', { 'tcp.srcport': 51960, 'tcp.dstport': 3306 })).toBe(true);
    expect(matches('tcp.srcport == tcp.dstport', { 'tcp.srcport': 51960, 'tcp.dstport': 3306 })).toBe(false);
    expect(matches('mysql.user == mysql.conn.user', { 'mysql.user': 'app', 'mysql.conn.user': 'app' })).toBe(true);
  });
  it('SQL NULL values exist but equal nothing', () => {
    const x = { 'mysql.exec.field.string': [null, 'a'] };
    expect(matches('mysql.exec.field.string', { 'mysql.exec.field.string': null })).toBe(true);
    expect(matches('mysql.exec.field.string == "a"', x)).toBe(true);
    expect(matches('mysql.exec.field.string === "a"', x)).toBe(false);
  });
});

describe('slices', () => {
  const q = { 'mysql.query': ['SELECT * FROM t', 'use db'] };
  it.each([
    ['mysql.query[0:6] == "SELECT"', true],
    ['mysql.query[:6] == "SELECT"', true],
    ['mysql.query[0-5] == "SELECT"', true],
    ['mysql.query[0] == "S"', true],
    ['mysql.query[0] == 53', true],
    ['mysql.query[0] == 0x53', true],
    ['mysql.query[-1] == "t"', true],
    ['mysql.query[-4:] == "OM t"', true],
    ['mysql.query[-2:2] == "db"', true],
    ['mysql.query[4:] == "db"', true],
    ['mysql.query[1,3-4] == "EEC"', true],
    ['mysql.query[20]', false], // beyond the end: no value
    ['mysql.query[0:100] contains "S"', false],
    ['mysql.query[10:]', true],
    ['all mysql.query[0:6] == "SELECT"', false],
    ['mysql.query[0:3] contains "EL"', true],
    ['lower(mysql.query[0:6]) == "select"', true],
    ['len(mysql.query[0:3]) == 3', true],
  ] as const)('%s', (filter, expected) => {
    expect(matches(filter, q)).toBe(expected);
  });
  it('slices count bytes of the UTF-8 text, as Wireshark does', () => {
    expect(matches('mysql.query[0:2] == "é"', { 'mysql.query': 'é!' })).toBe(true);
    expect(matches('len(mysql.query) == 3', { 'mysql.query': 'é!' })).toBe(true);
  });
});

describe('functions', () => {
  const x = { 'mysql.query': ['Select 1', 'SHOW TABLES'], 'mysql.field.name': ['id', 'a', 'b'], 'mysql.error_code': 1146 };
  it.each([
    ['len(mysql.query) == 8', true],
    ['len(mysql.query) > 10', true],
    ['all len(mysql.query) > 10', false],
    ['lower(mysql.query) == "select 1"', true],
    ['upper(mysql.query) contains "SELECT"', true],
    ['count(mysql.field.name) == 3', true],
    ['count(mysql.query) == 2', true],
    ['count(mysql.user) == 0', false], // an absent field has no count, as in Wireshark
    ['string(mysql.error_code) matches "^11"', true],
    ['string(mysql.error_code) == "1146"', true],
  ] as const)('%s', (filter, expected) => {
    expect(matches(filter, x)).toBe(expected);
  });
  it('bitwise and', () => {
    const s = { 'mysql.server_status': 0x0022 };
    expect(matches('mysql.server_status & 0x0002', s)).toBe(true);
    expect(matches('mysql.server_status & 0x0001', s)).toBe(false);
    expect(matches('mysql.server_status & 0x00f0 == 0x20', s)).toBe(true);
    expect(matches('mysql.server_status bitwise_and 2', s)).toBe(true);
  });
});

describe('compiled filter', () => {
  it('lists the fields it reads and its canonical text', () => {
    const r = compileFilter('tcp.port eq 3306 && len(mysql.query) > 3 || ip.src == ip.dst');
    expect(r.ok && r.filter.fields).toEqual(['tcp.port', 'mysql.query', 'ip.src', 'ip.dst']);
    expect(r.ok && r.filter.canonical).toBe('tcp.port == 3306 and len(mysql.query) > 3 or ip.src == ip.dst');
  });
});
