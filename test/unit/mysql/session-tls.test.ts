/**
 * After an SSLRequest (SYNTHETIC bytes): the wire shows TLS records, and bytes decrypted later (a key log, next
 * issue) enter the same session through `decrypted()` and decode like clear text — the design point of issue 3.
 */
import { describe, expect, it } from 'vitest';
import { MySqlSession } from '../../../src/mysql/session/connection.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import type { ConnInfo, Dir } from '../../../src/flow/types.js';
import type { MySqlRecord } from '../../../src/model/record.js';
import { seg } from '../../builders/segments.js';
import { CLIENT, CLIENT_CAPS_BASE, CLIENT_EP, com, handshakeResponse41, handshakeV10, ok, packet, SERVER_EP, sslRequest } from '../../builders/mysql.js';

const conn: ConnInfo = {
  index: 0, ipVersion: 4, client: CLIENT_EP, server: SERVER_EP, roleBasis: 'syn', sawSyn: true,
  firstTs: { sec: 1_700_000_000, nsec: 0 }, firstFrame: 1,
};

describe('TLS after an SSLRequest', () => {
  it('shows records on the wire, and decodes decrypted bytes like clear text', () => {
    const records: MySqlRecord[] = [];
    let id = 0;
    let frame = 0;
    const s = new MySqlSession(conn, { tree: true, hex: false, limits: DEFAULT_LIMITS }, {
      emit: (r) => records.push(r), nextId: () => ++id, swapRoles: () => undefined,
    });
    const pkt = (dir: Dir, bytes: Uint8Array) => {
      const [src, dst] = dir === 'c2s' ? [CLIENT_EP, SERVER_EP] : [SERVER_EP, CLIENT_EP];
      return seg({ src, dst, seq: 1, payload: bytes, frameNo: ++frame });
    };
    const wire = (dir: Dir, b: Uint8Array) => s.data(dir, b, pkt(dir, b));
    const caps = (CLIENT_CAPS_BASE | CLIENT.SSL | CLIENT.CONNECT_WITH_DB) >>> 0;
    wire('s2c', packet(0, handshakeV10({ threadId: 5 })));
    wire('c2s', packet(1, sslRequest({ capabilities: caps })));
    // A TLS record (Application Data, 4 opaque bytes) on the wire.
    wire('c2s', Uint8Array.from([23, 3, 3, 0, 4, 1, 2, 3, 4]));
    // What decryption would give: the login, its OK, a query.
    const login = packet(2, handshakeResponse41({ capabilities: caps, user: 'app', schema: 'shop' }));
    s.decrypted('c2s', login, pkt('c2s', login));
    const okb = packet(3, ok({}));
    s.decrypted('s2c', okb, pkt('s2c', okb));
    const q = packet(0, com.query('SELECT 1'));
    s.decrypted('c2s', q, pkt('c2s', q));
    s.close('fin', null); // the query is still waiting for its answer: released at the end
    expect(records.map((r) => r.event.kind)).toEqual(['greeting', 'ssl_request', 'tls', 'handshake_response', 'ok', 'command']);
    expect(s.facts).toMatchObject({ tls: true, login: 'ok', user: 'app', schema: 'shop' });
    const cmd = records[5]!.event;
    expect(cmd.kind === 'command' && cmd.query).toBe('SELECT 1');
  });
});
