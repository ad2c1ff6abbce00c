import { defineField, fieldByName, names, type FieldDef, type FieldNode, type FieldValue } from '../../../src/model/field.js';
import type { MySqlRecord, PacketRef } from '../../../src/model/record.js';
import type { MySqlEvent } from '../../../src/mysql/messages/types.js';
import type { ConnInfo } from '../../../src/flow/types.js';

/** Test-only fields (prefix `test.`), registered once even when several test files import this module. */
function def(d: FieldDef): FieldDef {
  return fieldByName(d.name) ?? defineField(d);
}

export const T = {
  request: def({ name: 'test.request', label: 'Request Command Query', type: 'none', description: 'subtree' }),
  command: def({ name: 'test.command', label: 'Command', type: 'uint', description: 'cmd', valueNames: names({ 3: 'Query', 1: 'Quit' }) }),
  query: def({ name: 'test.query', label: 'Statement', type: 'string', description: 'sql' }),
  caps: def({ name: 'test.caps', label: 'Server Capabilities', type: 'uint', base: 'hex4', description: 'caps' }),
  capLong: def({ name: 'test.caps.long_password', label: 'Long Password', type: 'bool', mask: 0x0001, description: 'flag' }),
  capFound: def({ name: 'test.caps.found_rows', label: 'Found Rows', type: 'bool', mask: 0x0002, description: 'flag' }),
  status: def({ name: 'test.status', label: 'Server Status', type: 'uint', base: 'hex', description: 'status' }),
  affected: def({ name: 'test.affected_rows', label: 'Affected Rows', type: 'uint', description: 'rows' }),
  salt: def({ name: 'test.salt', label: 'Salt', type: 'bytes', description: 'salt' }),
  text: def({ name: 'test.text', label: 'text', type: 'string', description: 'row value' }),
  rowCount: def({ name: 'test.row_count', label: 'Rows', type: 'uint', description: 'derived' }),
  flag: def({ name: 'test.flag', label: 'Flag', type: 'bool', description: 'plain bool' }),
};

export function node(field: FieldDef, value: FieldValue, packet: number, offset: number, length: number, children?: FieldNode[]): FieldNode {
  return children ? { field, value, packet, offset, length, children } : { field, value, packet, offset, length };
}

export const conn4: ConnInfo = {
  index: 0,
  ipVersion: 4,
  client: { ip: '127.0.0.1', port: 51234 },
  server: { ip: '127.0.0.1', port: 3306 },
  roleBasis: 'syn',
  sawSyn: true,
  firstTs: { sec: 1_700_000_000, nsec: 0 },
  firstFrame: 1,
};

export const conn6: ConnInfo = { ...conn4, index: 3, ipVersion: 6, client: { ip: '::1', port: 40000 }, server: { ip: '::1', port: 3307 } };

export function record(event: MySqlEvent, over: Partial<MySqlRecord> = {}): MySqlRecord {
  const packets: PacketRef[] = [{ seq: 0, length: 1, frameNo: 12 }];
  return {
    id: 1,
    conn: conn4,
    dir: event.kind === 'command' || event.kind === 'handshake_response' || event.kind === 'ssl_request' ? 'c2s' : 's2c',
    frameNo: 12,
    ts: { sec: 1_700_000_000, nsec: 3_412_000 },
    lastFrameNo: 12,
    lastTs: { sec: 1_700_000_000, nsec: 3_412_000 },
    event,
    tree: null,
    packets,
    issues: [],
    connUser: 'app',
    connSchema: 'shop',
    connThreadId: 31,
    connCharset: 'utf8mb4',
    ...over,
  };
}

export const BASE = { sec: 1_700_000_000, nsec: 0 };

/** The 19-byte COM_QUERY packet of the second seed: `show databases`. */
export function seedQuery(): { bytes: Uint8Array; rec: MySqlRecord } {
  const bytes = Uint8Array.from([15, 0, 0, 0, 3, 115, 104, 111, 119, 32, 100, 97, 116, 97, 98, 97, 115, 101, 115]);
  const tree = [
    node(T.request, null, 0, 0, 15, [node(T.command, 3, 0, 0, 1), node(T.query, 'show databases', 0, 1, 14)]),
  ];
  const rec = record(
    { kind: 'command', command: 3, query: 'show databases' },
    { tree, packets: [{ seq: 0, length: 15, frameNo: 5, bytes }], frameNo: 5, lastFrameNo: 5 },
  );
  return { bytes, rec };
}
