/**
 * Session state information in OK packets (messages/session-track.ts). Vectors marked "docs" are the OK packet
 * examples of the MySQL protocol documentation (OK_Packet, session state information); the others are SYNTHETIC,
 * built from the format described there.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DecodeError } from '../../../src/core/issues.js';
import type { FieldNode } from '../../../src/model/field.js';
import { PayloadReader } from '../../../src/mysql/codec/payload-reader.js';
import { applySessionChanges, decodeSessionState, describeSessionChange, explainTransactionState } from '../../../src/mysql/messages/session-track.js';
import { TreeBuilder } from '../../../src/mysql/messages/tree.js';
import type { SessionStateChange } from '../../../src/mysql/messages/types.js';
import { cat, CLIENT, lenencInt, lenencStr, ok } from '../../builders/mysql.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((h) => parseInt(h, 16)));

function entry(type: number, data: Uint8Array | number[]): Uint8Array {
  const d = data instanceof Uint8Array ? data : Uint8Array.from(data);
  return cat([type], lenencInt(d.length), d);
}
function state(...entries: Uint8Array[]): Uint8Array {
  const body = cat(...entries);
  return cat(lenencInt(body.length), body);
}

function decode(bytes: Uint8Array, start = 0): { changes: SessionStateChange[]; tree: FieldNode[]; r: PayloadReader } {
  const plain = decodeSessionState(new PayloadReader().reset(bytes, start), null);
  const r = new PayloadReader().reset(bytes, start);
  const t = new TreeBuilder();
  const changes = decodeSessionState(r, t);
  expect(changes).toEqual(plain);
  walk(t.roots, (n) => {
    if (n.packet >= 0) {
      expect(n.offset, n.field.name).toBeGreaterThanOrEqual(0);
      expect(n.offset + n.length, n.field.name).toBeLessThanOrEqual(bytes.length);
    }
  });
  return { changes, tree: t.roots, r };
}

function walk(nodes: FieldNode[], f: (n: FieldNode) => void): void {
  for (const n of nodes) {
    f(n);
    if (n.children) walk(n.children, f);
  }
}
function names(nodes: FieldNode[]): string[] {
  const out: string[] = [];
  walk(nodes, (n) => out.push(n.field.name));
  return out;
}
function values(nodes: FieldNode[], name: string): unknown[] {
  const out: unknown[] = [];
  walk(nodes, (n) => { if (n.field.name === name) out.push(n.value); });
  return out;
}

describe('decodeSessionState', () => {
  it('docs: SET autocommit=OFF — a system variable and a state change', () => {
    // OK packet payload: header, affected rows, insert id, status 0x4002, warnings, info '' then the state info.
    const payload = hex('00 00 00 02 40 00 00 00 14 00 0f 0a 61 75 74 6f 63 6f 6d 6d 69 74 03 4f 46 46 02 01 31');
    const { changes, tree, r } = decode(payload, 8);
    expect(r.pos).toBe(payload.length);
    expect(changes).toEqual([
      { kind: 'system_variable', type: 0, name: 'autocommit', value: 'OFF' },
      { kind: 'state_change', type: 2, changed: true, raw: '1' },
    ]);
    expect(applySessionChanges(changes)).toMatchObject({ autocommit: false, stateChanged: true });
    expect(values(tree, 'mysql.session_track.data.length')).toEqual([20]);
    expect(values(tree, 'mysql.session_track.type')).toEqual([0, 2]);
    expect(values(tree, 'mysql.session_track.sysvar.name')).toEqual(['autocommit']);
    expect(values(tree, 'mysql.session_track.sysvar.value')).toEqual(['OFF']);
    expect(values(tree, 'mysql.session_track.state_change')).toEqual(['1']);
    expect(tree[0]!.offset).toBe(8);
    expect(tree[0]!.length).toBe(21);
  });

  it('docs: USE test — schema and state change', () => {
    const payload = hex('00 00 00 02 40 00 00 00 0a 01 05 04 74 65 73 74 02 01 31');
    const { changes, tree } = decode(payload, 8);
    expect(changes).toEqual([
      { kind: 'schema', type: 1, schema: 'test' },
      { kind: 'state_change', type: 2, changed: true, raw: '1' },
    ]);
    expect(applySessionChanges(changes).schema).toBe('test');
    const schemaNode = tree[0]!.children![0]!.children!.find((n) => n.field.name === 'mysql.session_track.schema')!;
    expect([schemaNode.offset, schemaNode.length]).toEqual([12, 4]);
    expect(values(tree, 'mysql.session_track.schema.length')).toEqual([4]);
  });

  it('synthetic: SET NAMES — several name/value pairs in one entry, and the OK builder framing', () => {
    const vars = cat(lenencStr('character_set_client'), lenencStr('utf8mb4'), lenencStr('character_set_connection'), lenencStr('utf8mb4'),
      lenencStr('character_set_results'), lenencStr('latin1'), lenencStr('collation_connection'), lenencStr('utf8mb4_general_ci'));
    // ok() writes lenenc(info) then the entries as a lenenc string (= the total length): the state starts at 1+1+1+2+2+1.
    const payload = ok({ info: '', sessionState: entry(0, vars) }, CLIENT.PROTOCOL_41 | CLIENT.SESSION_TRACK);
    const { changes } = decode(payload, 8);
    expect(changes.map((c) => c.kind)).toEqual(['system_variable', 'system_variable', 'system_variable', 'system_variable']);
    const s = applySessionChanges(changes);
    expect(s).toMatchObject({ charsetClient: 'utf8mb4', charsetConnection: 'utf8mb4', charsetResults: 'latin1', collationConnection: 'utf8mb4_general_ci' });
    expect(s.variables.get('character_set_results')).toBe('latin1');
  });

  it('synthetic: GTIDs, transaction characteristics and state, an unknown type', () => {
    const gtid = '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5';
    const bytes = state(
      entry(3, cat([0], lenencStr(gtid))),
      entry(4, lenencStr('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; START TRANSACTION READ ONLY;')),
      entry(5, lenencStr('T_R___S_')),
      entry(0x2a, [1, 2, 3]),
    );
    const { changes, tree } = decode(bytes);
    expect(changes[0]).toEqual({ kind: 'gtids', type: 3, encoding: 0, gtids: gtid });
    expect(changes[1]).toMatchObject({ kind: 'transaction_characteristics', characteristics: expect.stringContaining('READ ONLY') });
    expect(changes[2]).toMatchObject({ kind: 'transaction_state', state: 'T_R___S_', transaction: 'explicit', readTrx: true, resultSet: true, writeTrx: false });
    expect(changes[3]).toEqual({ kind: 'unknown', type: 0x2a, data: Uint8Array.of(1, 2, 3) });
    const s = applySessionChanges(changes);
    expect(s).toMatchObject({ gtids: gtid, trxState: 'T_R___S_' });
    expect(names(tree)).toEqual(expect.arrayContaining([
      'mysql.session_track.gtids.encoding', 'mysql.session_track.gtids.length', 'mysql.session_track.gtids',
      'mysql.session_track.transaction_characteristics', 'mysql.session_track.transaction_state',
      'mysql.session_track.transaction_state.trx_type', 'mysql.session_track.transaction_state.read_trx', 'mysql.session_track.data',
    ]));
    expect(values(tree, 'mysql.session_track.transaction_state.trx_type')).toEqual(['T (explicit)']);
    expect(values(tree, 'mysql.session_track.transaction_state.resultset')).toEqual([true]);
    expect(describeSessionChange(changes[2]!)).toBe('trx_state=T_R___S_ (explicit transaction; transactional tables read; result set sent)');
  });

  it('explains every transaction state position', () => {
    const all = explainTransactionState('IrRwWsSL');
    expect(all).toMatchObject({ transaction: 'implicit', readUnsafe: true, readTrx: true, writeUnsafe: true, writeTrx: true, stmtUnsafe: true, resultSet: true, lockedTables: true });
    expect(explainTransactionState('________')).toMatchObject({ transaction: 'none', description: 'no transaction' });
    expect(explainTransactionState('X___').description).toContain('unexpected length 4');
  });

  it('skips bytes a known type does not use, and accepts a lenenc state change', () => {
    const bytes = state(entry(1, cat(lenencStr('db1'), [0xaa, 0xbb])), entry(2, lenencStr('1')));
    const { changes, r } = decode(bytes);
    expect(changes).toEqual([{ kind: 'schema', type: 1, schema: 'db1' }, { kind: 'state_change', type: 2, changed: true, raw: '1' }]);
    expect(r.pos).toBe(bytes.length);
  });

  it('an entry length running past the total is malformed, naming both length fields; r.end is restored', () => {
    // total 6, but the schema entry says 9.
    const bytes = cat([6], [1, 9], lenencStr('test'), [0, 0, 0, 0, 0]);
    const r = new PayloadReader().reset(bytes, 0, bytes.length);
    const out: SessionStateChange[] = [];
    const e = catchErr(() => decodeSessionState(r, new TreeBuilder(), out));
    expect(e).toMatchObject({ kind: 'malformed', code: 'mysql.session_track_overrun' });
    expect(e.message).toContain('payload offset 2');
    expect(e.message).toContain('length at payload offset 0');
    expect(r.end).toBe(bytes.length);
  });

  it('keeps the changes decoded before an error in the array passed in', () => {
    const good = entry(1, lenencStr('a'));
    const body = cat(good, [0, 5], lenencStr('abcdefgh')); // name length 8 inside an entry of 5
    const bytes = cat(lenencInt(body.length), body);
    const out: SessionStateChange[] = [];
    const e = catchErr(() => decodeSessionState(new PayloadReader().reset(bytes), null, out));
    expect(e).toMatchObject({ kind: 'malformed', code: 'mysql.session_track_overrun' });
    expect(out).toEqual([{ kind: 'schema', type: 1, schema: 'a' }]);
  });

  it('a total running past the packet is truncated; an empty entry of a typed kind is malformed', () => {
    expect(catchErr(() => decodeSessionState(new PayloadReader().reset(cat([10], [1, 0])), null))).toMatchObject({ kind: 'truncated', code: 'mysql.truncated_payload' });
    expect(catchErr(() => decodeSessionState(new PayloadReader().reset(state(entry(3, []))), null))).toMatchObject({ kind: 'malformed', code: 'mysql.session_track_overrun' });
  });

  it('property: encode → decode round-trips; every truncated prefix gives only a DecodeError', () => {
    const text = fc.string({ maxLength: 30 });
    const change = fc.oneof(
      fc.tuple(text, text).map(([n, v]) => ({ c: { kind: 'system_variable', type: 0, name: n, value: v } as SessionStateChange, b: entry(0, cat(lenencStr(n), lenencStr(v))) })),
      text.map((s) => ({ c: { kind: 'schema', type: 1, schema: s } as SessionStateChange, b: entry(1, lenencStr(s)) })),
      fc.tuple(fc.integer({ min: 0, max: 255 }), text).map(([enc, g]) => ({ c: { kind: 'gtids', type: 3, encoding: enc, gtids: g } as SessionStateChange, b: entry(3, cat([enc], lenencStr(g))) })),
      fc.tuple(fc.integer({ min: 6, max: 250 }), fc.uint8Array({ maxLength: 300 })).map(([ty, d]) => ({ c: { kind: 'unknown', type: ty, data: d } as SessionStateChange, b: entry(ty, d) })),
    );
    fc.assert(fc.property(fc.array(change, { maxLength: 6 }), (list) => {
      const bytes = state(...list.map((x) => x.b));
      expect(decodeSessionState(new PayloadReader().reset(bytes), null)).toEqual(list.map((x) => x.c));
      for (let cut = 0; cut < bytes.length; cut++) {
        const r = new PayloadReader().reset(bytes, 0, cut);
        try {
          decodeSessionState(r, new TreeBuilder());
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
        expect(r.end).toBe(cut);
      }
    }), { numRuns: 150 });
  });
});

describe('applySessionChanges', () => {
  it('last value wins, autocommit parses ON/OFF/1/0, unknown entries are ignored', () => {
    const s = applySessionChanges([
      { kind: 'schema', type: 1, schema: 'a' },
      { kind: 'schema', type: 1, schema: 'b' },
      { kind: 'system_variable', type: 0, name: 'AUTOCOMMIT', value: 'ON' },
      { kind: 'system_variable', type: 0, name: 'time_zone', value: '+00:00' },
      { kind: 'unknown', type: 9, data: new Uint8Array(0) },
    ]);
    expect(s.schema).toBe('b');
    expect(s.autocommit).toBe(true);
    expect(s.variables.get('time_zone')).toBe('+00:00');
    expect(applySessionChanges([{ kind: 'system_variable', type: 0, name: 'autocommit', value: '0' }]).autocommit).toBe(false);
    expect(applySessionChanges(undefined)).toEqual({ variables: new Map() });
  });
});

function catchErr(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('expected a DecodeError');
}
