/**
 * COM_QUERY with query attributes (CLIENT_QUERY_ATTRIBUTES, MySQL 8.0.23+; MariaDB has none): SYNTHETIC bytes
 * built from the MySQL "COM_QUERY" page. Real captures of it are in the public corpus run (zeek query-attr*.pcap).
 */
import { describe, expect, it } from 'vitest';
import { PayloadReader } from '../../../src/mysql/codec/payload-reader.js';
import { CLIENT } from '../../../src/mysql/constants/capabilities.js';
import { decodeCommand } from '../../../src/mysql/messages/commands.js';
import { TreeBuilder } from '../../../src/mysql/messages/tree.js';

const enc = (s: string) => [...new TextEncoder().encode(s)];

describe('COM_QUERY query attributes', () => {
  // 2 attributes: trace_id (VAR_STRING 'abc') and n (LONGLONG NULL), then the statement.
  const payload = Uint8Array.from([
    0x03, // COM_QUERY
    0x02, 0x01, // parameter_count 2, parameter_set_count 1
    0b10, // NULL bitmap: the second attribute is NULL
    0x01, // new_params_bind_flag
    0xfd, 0x00, 0x08, ...enc('trace_id'), // VAR_STRING, name
    0x08, 0x00, 0x01, ...enc('n'), // LONGLONG, name
    0x03, ...enc('abc'), // value of trace_id
    ...enc('SELECT 1'),
  ]);

  it('decodes names, types and values, then the statement', () => {
    const t = new TreeBuilder();
    const c = decodeCommand(new PayloadReader().reset(payload), t, CLIENT.PROTOCOL_41 | CLIENT.QUERY_ATTRIBUTES);
    expect(c.query).toBe('SELECT 1');
    expect(c.attributes?.map((a) => [a.name, a.type, a.value?.text ?? null])).toEqual([['trace_id', 0xfd, 'abc'], ['n', 8, null]]);
  });

  it('every truncated prefix is a DecodeError, never another exception', () => {
    for (let n = 2; n < payload.length - 8; n++) {
      expect(() => decodeCommand(new PayloadReader().reset(payload.subarray(0, n)), new TreeBuilder(), CLIENT.PROTOCOL_41 | CLIENT.QUERY_ATTRIBUTES))
        .toThrow(expect.objectContaining({ name: 'DecodeError' }));
    }
  });

  it('no attributes: count 0 and the statement', () => {
    const c = decodeCommand(new PayloadReader().reset(Uint8Array.from([0x03, 0x00, 0x01, ...enc('SELECT 2')])), null, CLIENT.PROTOCOL_41 | CLIENT.QUERY_ATTRIBUTES);
    expect(c).toMatchObject({ query: 'SELECT 2', attributes: [] });
  });
});
