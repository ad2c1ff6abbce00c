/**
 * Session state tracking on a REAL capture: test/fixtures/session-track.pcap (MariaDB, session_track_* enabled;
 * the statements are in session-track.general.log). Each OK packet's session state information is decoded with
 * decodeSessionState and compared with tshark's mysql.session_track.* fields (when tshark is installed) and with
 * values read from the capture once.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tcpPayloads } from '../../support/pcap-payloads.js';
import { describe, expect, it } from 'vitest';
import { PayloadReader } from '../../../src/mysql/codec/payload-reader.js';
import { applySessionChanges, decodeSessionState } from '../../../src/mysql/messages/session-track.js';
import { TreeBuilder } from '../../../src/mysql/messages/tree.js';
import type { SessionStateChange } from '../../../src/mysql/messages/types.js';
import { tsharkAvailable } from '../../support/tshark.js';

const PCAP = 'test/fixtures/session-track.pcap';


/**
 * The session state changes of the OK packet that is the last MySQL packet of a TCP payload (CLIENT_PROTOCOL_41 +
 * SESSION_TRACK; 0x00, or 0xFE ending a result set under CLIENT_DEPRECATE_EOF).
 */
function changesOf(payload: Uint8Array): SessionStateChange[] {
  let start = 0;
  for (let o = 0; o + 4 <= payload.length;) {
    start = o;
    o += 4 + (payload[o]! | (payload[o + 1]! << 8) | (payload[o + 2]! << 16));
  }
  const len = payload[start]! | (payload[start + 1]! << 8) | (payload[start + 2]! << 16);
  const r = new PayloadReader().reset(payload, start + 4, start + 4 + len);
  expect([0x00, 0xfe]).toContain(r.u8());
  r.lenenc();
  r.lenenc();
  const status = r.u16();
  expect(status & 0x4000).toBe(0x4000);
  r.u16();
  r.lenencBytes();
  const t = new TreeBuilder();
  const changes = decodeSessionState(r, t);
  expect(r.remaining).toBe(0);
  return changes;
}

const frames = tcpPayloads(PCAP);
const OK_FRAMES = [8, 10, 12, 14, 16, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 42];

describe('session-track.pcap (real MariaDB)', () => {
  it('decodes every tracked OK packet; values as read from the capture', () => {
    const all = new Map(OK_FRAMES.map((f) => [f, changesOf(frames.get(f)!)]));
    expect(all.get(8)).toEqual([{ kind: 'schema', type: 1, schema: 'shop' }]);
    expect(all.get(16)!.map((c) => c.type)).toEqual([0, 0, 0, 2]);
    expect(applySessionChanges(all.get(16))).toMatchObject({ charsetClient: 'latin1', charsetConnection: 'latin1', charsetResults: 'latin1', stateChanged: true });
    expect(applySessionChanges(all.get(22))).toMatchObject({ schema: 'inventory', stateChanged: true });
    expect(applySessionChanges(all.get(24))).toMatchObject({ autocommit: false });
    expect(all.get(26)).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'transaction_state', state: 'T_______', transaction: 'explicit' }),
      { kind: 'transaction_characteristics', type: 4, characteristics: 'START TRANSACTION READ WRITE;' },
    ]));
    expect(all.get(28)).toEqual([expect.objectContaining({ kind: 'transaction_state', state: 'T___W___', writeTrx: true })]);
    expect(applySessionChanges(all.get(32)).variables.get('sql_mode')).toBe('ONLY_FULL_GROUP_BY,STRICT_ALL_TABLES,NO_ZERO_DATE');
    expect(applySessionChanges(all.get(40))).toMatchObject({ charsetClient: 'utf8mb4', charsetResults: 'utf8mb4', charsetConnection: 'utf8mb4' });
    expect(all.get(42)).toEqual([expect.objectContaining({ kind: 'transaction_state', state: 'I_R___S_', transaction: 'implicit', readTrx: true, resultSet: true })]);
  });

  it('agrees with tshark field by field (when tshark is installed)', () => {
    if (!tsharkAvailable()) {
      console.warn('tshark not installed: differential part skipped');
      return;
    }
    const fields = ['mysql.session_track.type', 'mysql.session_track.sysvar.name', 'mysql.session_track.sysvar.value', 'mysql.session_track.schema',
      'mysql.session_track.transaction_state', 'mysql.session_track.transaction_characteristics', 'mysql.session_track.gtids'];
    const out = execFileSync('tshark', ['-r', PCAP, '-Y', 'mysql.session_track', '-T', 'fields', '-E', 'aggregator=|', '-e', 'frame.number', ...fields.flatMap((f) => ['-e', f])],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const lines = out.split('\n').filter((l) => l.length > 0);
    expect(lines.map((l) => Number(l.split('\t')[0]))).toEqual(OK_FRAMES);
    for (const line of lines) {
      const [frame, types, names, vals, schema, trx, chars, gtids] = line.split('\t').map((v) => v ?? '');
      const ch = changesOf(frames.get(Number(frame))!);
      const pick = <K extends SessionStateChange['kind']>(k: K) => ch.filter((c): c is Extract<SessionStateChange, { kind: K }> => c.kind === k);
      const ctx = `frame ${frame}`;
      expect(ch.map((c) => c.type).join('|'), ctx).toBe(types);
      expect(pick('system_variable').map((c) => c.name).join('|'), ctx).toBe(names ?? '');
      expect(pick('system_variable').map((c) => c.value).join('|'), ctx).toBe(vals ?? '');
      expect(pick('schema').map((c) => c.schema).join('|'), ctx).toBe(schema ?? '');
      expect(pick('transaction_state').map((c) => c.state).join('|'), ctx).toBe(trx ?? '');
      expect(pick('transaction_characteristics').map((c) => c.characteristics).join('|'), ctx).toBe(chars ?? '');
      expect(pick('gtids').map((c) => c.gtids).join('|'), ctx).toBe(gtids ?? '');
    }
  });
});
