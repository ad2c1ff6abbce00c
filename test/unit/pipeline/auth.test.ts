/**
 * Authentication exchanges through the pipeline (SYNTHETIC bytes from the MySQL "Authentication Methods" pages):
 * multi-factor authentication (AuthNextFactor, 0x02) and mysql_clear_password after an auth switch. Real captures
 * cover ed25519 (test/fixtures/auth-switch.pcap) and caching_sha2 / sha256 full authentication (corpus run).
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import type { MySqlRecord } from '../../../src/model/record.js';
import { authSwitchRequest, Conversation, framesOf, handshakeResponse41, handshakeV10, ok, segmentsOf } from '../../builders/mysql.js';

const enc = (s: string) => new TextEncoder().encode(s);

function run(cv: Conversation): MySqlRecord[] {
  const out: MySqlRecord[] = [];
  const p = new Pipeline({ tree: true }, (r) => out.push(r));
  for (const f of framesOf(segmentsOf(cv.chunks))) p.frame(f);
  p.end();
  return out;
}

describe('authentication exchanges', () => {
  it('multi-factor: AuthNextFactor asks for a second factor, the client answers, OK', () => {
    const cv = new Conversation();
    cv.server(handshakeV10({ threadId: 4 }), { seq: 0 });
    cv.client(handshakeResponse41({ user: 'mfa' }), { seq: 1 });
    cv.server(Uint8Array.from([0x02, ...enc('authentication_fido_client'), 0x00, 0x01, 0x02]), { seq: 2 });
    cv.client(enc('fido-assertion'), { seq: 3 });
    cv.server(ok({}), { seq: 4 });
    const recs = run(cv);
    expect(recs.map((r) => r.event.kind)).toEqual(['greeting', 'handshake_response', 'auth_next_factor', 'auth_switch_response', 'ok']);
    const nf = recs[2]!.event;
    expect(nf.kind === 'auth_next_factor' && nf.plugin).toBe('authentication_fido_client');
    expect(recs[4]!.tree?.some((n) => n.field.name === 'mysql.login.outcome' && n.value === 'ok')).toBe(true);
  });

  it('mysql_clear_password after an auth switch is named as a cleartext password', () => {
    const cv = new Conversation();
    cv.server(handshakeV10({ threadId: 5 }), { seq: 0 });
    cv.client(handshakeResponse41({ user: 'ldap' }), { seq: 1 });
    cv.server(authSwitchRequest('mysql_clear_password', new Uint8Array(0)), { seq: 2 });
    cv.client(enc('s3cret\0'), { seq: 3 });
    cv.server(ok({}), { seq: 4 });
    const recs = run(cv);
    const resp = recs[3]!.event;
    expect(resp).toMatchObject({ kind: 'auth_switch_response', what: 'cleartext password', length: 7 });
  });
});
