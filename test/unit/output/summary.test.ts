import { describe, expect, it } from 'vitest';
import { describeEvent, summarize, SummaryReporter, TimeBase } from '../../../src/output/summary.js';
import { oneLine, escapeControl } from '../../../src/output/format.js';
import { StringSink } from '../../../src/output/sink.js';
import type { MySqlEvent, ResultSet } from '../../../src/mysql/messages/types.js';
import { BASE, conn6, record } from './helpers.js';

const col = { catalog: 'def', schema: 's', table: 't', orgTable: 't', name: 'id', orgName: 'id', charset: 33, columnLength: 11, type: 3, flags: 0, decimals: 0 };

/** One example of every MySqlEvent kind with the text we expect; `satisfies` keeps the list exhaustive. */
const cases: Array<[MySqlEvent, string]> = [
  [{ kind: 'greeting', protocol: 10, version: '10.11.6-MariaDB', threadId: 31, capabilities: 0, mariadbCapabilities: 0, collation: 8, status: 2, authPlugin: 'mysql_native_password', mariadb: true },
    'Server Greeting  proto=10 version=10.11.6-MariaDB thread_id=31'],
  [{ kind: 'handshake_response', format: 41, capabilities: 0, mariadbCapabilities: 0, maxPacket: 1 << 24, collation: 33, user: 'app', schema: 'shop', authPlugin: undefined, attributes: [], zstdLevel: undefined },
    'Login Request  user=app schema=shop'],
  [{ kind: 'ssl_request', capabilities: 0, maxPacket: 0, collation: 33 }, 'SSL Request (the rest of this connection is TLS: records and hellos shown, not decrypted)'],
  [{ kind: 'auth_switch_request', plugin: 'caching_sha2_password' }, 'Auth Switch Request  plugin=caching_sha2_password'],
  [{ kind: 'auth_switch_response', length: 20 }, 'Auth Switch Response  20 bytes'],
  [{ kind: 'auth_more_data', status: 3, length: 1 }, 'Auth More Data  fast auth success'],
  [{ kind: 'auth_data', length: 1 }, 'Auth Data  1 byte'],
  [{ kind: 'command', command: 3, query: 'SELECT 1' }, 'Request Query  SELECT 1'],
  [{ kind: 'ok', header: 0, affectedRows: 1, lastInsertId: 5, status: 2, warnings: 0, info: '' }, 'Response OK  affected_rows=1 last_insert_id=5'],
  [{ kind: 'err', code: 1146, sqlstate: '42S02', message: "Table 'x.y' doesn't exist" }, "Response Error 1146 (42S02) Table 'x.y' doesn't exist"],
  [{ kind: 'eof', warnings: 0, status: 2 }, 'Response EOF'],
  [{ kind: 'resultset', columnCount: 3, columns: [], rowCount: 4, rows: [], end: 'eof', status: 2, warnings: 0, moreResults: false },
    'Response Result set  3 columns, 4 rows'],
  [{ kind: 'field_list', columns: [col], end: 'eof' }, 'Response Field list  1 column: id'],
  [{ kind: 'stmt_prepare_ok', stmtId: 1, numColumns: 3, numParams: 2, warnings: 0, params: [], columns: [] }, 'Response Prepare OK  stmt_id=1 params=2 columns=3'],
  [{ kind: 'text', text: 'Uptime: 5  Threads: 1' }, 'Response Text  Uptime: 5  Threads: 1'],
  [{ kind: 'local_infile', filename: '/tmp/x.csv' }, 'Response LOCAL INFILE Request  filename=/tmp/x.csv'],
  [{ kind: 'tls', length: 517, contentType: 22 }, 'TLS  517 bytes (Handshake), not decrypted'],
  [{ kind: 'unknown', reason: 'no command pending', firstByte: 0x42 }, 'Unknown packet (first byte 0x42)  no command pending'],
];

describe('describeEvent', () => {
  it('covers every event kind', () => {
    const kinds = new Set(cases.map(([e]) => e.kind));
    expect(kinds.size).toBe(18);
  });
  it.each(cases)('%o', (event, text) => {
    expect(describeEvent(event)).toBe(text);
  });
  it('names commands and their arguments', () => {
    expect(describeEvent({ kind: 'command', command: 1 })).toBe('Request Quit');
    expect(describeEvent({ kind: 'command', command: 2, schema: 'shop' })).toBe('Request Use Database  shop');
    expect(describeEvent({ kind: 'command', command: 0x0c, threadId: 7 })).toBe('Request Kill Server Thread  thread_id=7');
    expect(describeEvent({ kind: 'command', command: 0x17, stmtId: 2 })).toBe('Request Execute Statement  stmt_id=2');
    expect(describeEvent({ kind: 'command', command: 0x11, user: 'u', schema: 'd' })).toBe('Request Change User  user=u schema=d');
    expect(describeEvent({ kind: 'command', command: 0x3f })).toBe('Request Unknown (0x3f)');
  });
  it('shows result set variants', () => {
    const base: ResultSet = { kind: 'resultset', columnCount: 1, columns: [], rowCount: 1, rows: [], end: 'eof', status: 0, warnings: 0, moreResults: true };
    expect(describeEvent(base)).toBe('Response Result set  1 column, 1 row (more results)');
    expect(describeEvent({ ...base, moreResults: false, end: 'incomplete' })).toBe('Response Result set  1 column, 1 row (incomplete)');
    expect(describeEvent({ ...base, moreResults: false, end: 'err', error: { kind: 'err', code: 1317, sqlstate: '70100', message: 'interrupted' } }))
      .toBe('Response Result set  1 column, 1 row, ended by Error 1317 (70100) interrupted');
  });
  it('shows OK details only when present, bigint as decimal', () => {
    expect(describeEvent({ kind: 'ok', header: 0, affectedRows: 0, lastInsertId: 0, status: 2, warnings: 0, info: '' })).toBe('Response OK  affected_rows=0');
    expect(describeEvent({ kind: 'ok', header: 0, affectedRows: 2n ** 60n, lastInsertId: 0n, status: 2, warnings: 1, info: 'Rows matched: 1' }))
      .toBe(`Response OK  affected_rows=${2n ** 60n} warnings=1 info="Rows matched: 1"`);
  });
  it('error without SQLSTATE (protocol 4.0)', () => {
    expect(describeEvent({ kind: 'err', code: 1045, sqlstate: undefined, message: 'Access denied' })).toBe('Response Error 1045 Access denied');
  });
  it('auth more data statuses', () => {
    expect(describeEvent({ kind: 'auth_more_data', status: 4, length: 1 })).toBe('Auth More Data  full authentication required');
    expect(describeEvent({ kind: 'auth_more_data', status: undefined, length: 300 })).toBe('Auth More Data  300 bytes');
  });
});

describe('summarize', () => {
  it('prints frame, relative time, direction and text', () => {
    const r = record({ kind: 'command', command: 3, query: 'SELECT 1' });
    expect(summarize(r, BASE)).toBe('   12   0.003412 127.0.0.1:51234 → 127.0.0.1:3306  Request Query  SELECT 1');
  });
  it('follows the direction for responses, brackets IPv6', () => {
    const r = record({ kind: 'eof', warnings: 0, status: 0 }, { conn: conn6 });
    expect(summarize(r, BASE)).toBe('   12   0.003412 [::1]:3307 → [::1]:40000  Response EOF');
  });
  it('appends issues', () => {
    const r = record({ kind: 'eof', warnings: 0, status: 0 }, {
      issues: [
        { layer: 'mysql', kind: 'truncated', code: 'mysql.truncated', message: 'payload ends inside the status flags' },
        { layer: 'mysql', kind: 'assumption', code: 'mysql.midstream', message: 'assumed CLIENT_PROTOCOL_41' },
      ],
    });
    expect(summarize(r, BASE)).toMatch(/Response EOF \[!\] payload ends inside the status flags; assumed CLIENT_PROTOCOL_41$/);
  });
  it('keeps SQL on one line and truncates long SQL', () => {
    const r = record({ kind: 'command', command: 3, query: 'SELECT\n\t1\r\n' + 'x'.repeat(500) });
    const line = summarize(r, BASE);
    expect(line).not.toMatch(/[\n\r\t]/);
    expect(line).toContain('SELECT\\n\\t1\\r\\n');
    expect(line.endsWith('…')).toBe(true);
    expect(line.length).toBeLessThan(300);
  });
  it('reporter uses the first connection start as time base when none is given', () => {
    const sink = new StringSink();
    const rep = new SummaryReporter(sink, new TimeBase());
    rep.record(record({ kind: 'command', command: 1 }));
    expect(sink.toString()).toBe('   12   0.003412 127.0.0.1:51234 → 127.0.0.1:3306  Request Quit\n');
  });
});

describe('escaping', () => {
  it('escapes control characters', () => {
    expect(escapeControl('a\u0000b\u007f')).toBe('a\\x00b\\x7f');
    expect(oneLine('abc', 2)).toBe('ab…');
    expect(oneLine('abc', 3)).toBe('abc');
  });
});
