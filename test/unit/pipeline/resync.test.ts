/**
 * Regression (SYNTHETIC bytes, test/builders): after a lost client segment, decoding resynchronises on a long
 * statement that spans several TCP segments — before the fix only commands that fit in one segment could resync.
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import type { MySqlRecord } from '../../../src/model/record.js';
import { Conversation, com, framesOf, handshakeV10, handshakeResponse41, ok, segmentsOf, columnCount, columnDef, textRow, eof } from '../../builders/mysql.js';

describe('resync after a lost client segment', () => {
  it('picks up a statement longer than one segment', () => {
    const longSql = `SELECT ${'x'.repeat(300)} FROM t WHERE id = 1`;
    const cv = new Conversation();
    cv.server(handshakeV10({ threadId: 5 }), { seq: 0, label: 'greeting' });
    cv.client(handshakeResponse41({ user: 'app', schema: 'shop' }), { seq: 1, label: 'login' });
    cv.server(ok({}), { label: 'login OK' });
    cv.client(com.query('SELECT 1 /* lost */ FROM dual WHERE 1 = 1'), { label: 'lost query' });
    cv.server(ok({}), { label: 'answer to the lost query' });
    cv.client(com.query(longSql), { label: 'long query' });
    cv.server([columnCount(1), columnDef({ name: 'x' }), eof(), textRow(['1']), eof()], { label: 'result' });
    cv.client(com.quit(), { label: 'quit' });
    const segs = segmentsOf(cv.chunks, { mss: 100 });
    const lost = segs.findIndex((s) => s.label === 'lost query');
    expect(lost).toBeGreaterThan(0);
    const records: MySqlRecord[] = [];
    const p = new Pipeline({ tree: false }, (r) => records.push(r));
    for (const f of framesOf(segs.filter((_, i) => i !== lost))) p.frame(f);
    p.end();
    const queries = records.filter((r) => r.event.kind === 'command' && r.event.command === 3).map((r) => (r.event.kind === 'command' ? r.event.query : ''));
    expect(queries).toEqual([longSql]);
    const rs = records.find((r) => r.event.kind === 'resultset');
    expect(rs?.event.kind === 'resultset' && rs.event.rowCount).toBe(1);
    expect(records.some((r) => r.issues.some((i) => i.kind === 'gap'))).toBe(true);
  });
});
