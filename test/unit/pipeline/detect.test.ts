/**
 * Finding MySQL and deciding roles without being told (SYNTHETIC conversations from test/builders/mysql.ts):
 * a server greeting on an unknown port, framing on a connection that was already open, and a greeting that
 * reveals the roles were guessed the wrong way round.
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import type { AnalyzeOptions } from '../../../src/api-types.js';
import type { MySqlRecord } from '../../../src/model/record.js';
import {
  Conversation, com, columnCount, columnDef, eof, framesOf, handshakeResponse41, handshakeV10, ok, segmentsOf, textRow,
} from '../../builders/mysql.js';

function run(frames: ReturnType<typeof framesOf>, opts: AnalyzeOptions = {}): MySqlRecord[] {
  const out: MySqlRecord[] = [];
  const p = new Pipeline(opts, (r) => out.push(r));
  for (const f of frames) p.frame(f);
  p.end();
  return out;
}

function session(withHandshake: boolean): Conversation {
  const cv = new Conversation();
  if (withHandshake) {
    cv.server(handshakeV10({ threadId: 9 }), { seq: 0 });
    cv.client(handshakeResponse41({ user: 'app', schema: 'shop' }), { seq: 1 });
    cv.server(ok({}));
  }
  cv.client(com.query('SELECT name FROM customers WHERE id = 1'));
  cv.server([columnCount(1), columnDef({ name: 'name' }), eof(), textRow(['Anna']), eof()]);
  cv.client(com.quit());
  return cv;
}

const CLIENT = { ip: '10.1.1.1', port: 41000 };

describe('finding MySQL on a port nobody named', () => {
  it('from the server greeting', () => {
    const frames = framesOf(segmentsOf(session(true).chunks), { client: CLIENT, server: { ip: '10.1.1.2', port: 13306 } });
    const recs = run(frames);
    expect(recs.map((r) => r.event.kind)).toEqual(['greeting', 'handshake_response', 'ok', 'command', 'resultset', 'command']);
    expect(recs[0]!.conn.server.port).toBe(13306);
    expect(recs[0]!.conn.roleBasis).toBe('syn');
  });

  it('from framing, for a connection open before the capture (request then response)', () => {
    const frames = framesOf(segmentsOf(session(false).chunks, { handshake: false }), { client: CLIENT, server: { ip: '10.1.1.2', port: 13306 } });
    const recs = run(frames);
    const kinds = recs.map((r) => r.event.kind);
    expect(kinds).toEqual(['command', 'resultset', 'command']);
    expect(recs[0]!.event.kind === 'command' && recs[0]!.event.query).toBe('SELECT name FROM customers WHERE id = 1');
    expect(recs[0]!.issues.map((i) => i.code)).toContain('mysql.midstream');
  });

  it('not with --no-auto-detect, and not on traffic that is not MySQL', () => {
    const frames = framesOf(segmentsOf(session(true).chunks), { client: CLIENT, server: { ip: '10.1.1.2', port: 13306 } });
    expect(run(frames, { autoDetect: false })).toEqual([]);
    const http = new Conversation();
    http.client(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example\r\n\r\n'), { seq: 0 });
    http.server(new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    // Raw bytes, not MySQL packets: build the chunks by hand.
    const chunks = [
      { dir: 'c2s' as const, bytes: new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example\r\n\r\n') },
      { dir: 's2c' as const, bytes: new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n') },
    ];
    expect(run(framesOf(segmentsOf(chunks), { client: CLIENT, server: { ip: '10.1.1.2', port: 8080 } }))).toEqual([]);
  });
});

describe('client and server roles', () => {
  it('a greeting from the side guessed as client swaps the roles (no SYN, server on the higher port)', () => {
    // Without a SYN and without a known port the lower port is guessed as the server: here that is the client.
    const frames = framesOf(segmentsOf(session(true).chunks, { handshake: false }), {
      client: { ip: '10.1.1.1', port: 2000 }, server: { ip: '10.1.1.2', port: 45000 },
    });
    const recs = run(frames);
    expect(recs.map((r) => `${r.dir}:${r.event.kind}`)).toEqual([
      's2c:greeting', 'c2s:handshake_response', 's2c:ok', 'c2s:command', 's2c:resultset', 'c2s:command',
    ]);
    expect(recs[0]!.conn.server.port).toBe(45000);
    expect(recs[0]!.conn.roleBasis).toBe('greeting');
  });

  it('the configured port decides when there is no SYN', () => {
    const frames = framesOf(segmentsOf(session(false).chunks, { handshake: false }), { client: CLIENT, server: { ip: '10.1.1.2', port: 3306 } });
    const recs = run(frames);
    expect(recs[0]!.conn.roleBasis).toBe('port');
    expect(recs.map((r) => r.dir)).toEqual(['c2s', 's2c', 'c2s']);
  });
});
