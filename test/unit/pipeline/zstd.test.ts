/**
 * zstd compressed protocol (CLIENT_ZSTD_COMPRESSION_ALGORITHM; MySQL 8.0.18+, MariaDB has none, so no real
 * fixture of ours): SYNTHETIC vectors. The zstd frames below were made with the `zstd` CLI (`zstd -19 -c
 * --no-check`) from the MySQL packets shown, following the MySQL "Compression" page: 7-byte compressed header,
 * then one zstd frame per compressed packet.
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import type { MySqlRecord } from '../../../src/model/record.js';
import { CLIENT } from '../../../src/mysql/constants/capabilities.js';
import {
  CLIENT_CAPS_BASE, Conversation, framesOf, handshakeResponse41, handshakeV10, ok, segmentsOf, type Chunk,
} from '../../builders/mysql.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
/** COM_QUERY "SELECT 'aaa…a'" (200 a's), 214 bytes with its header, zstd-compressed (a real compressed block). */
const QUERY_ZSTD = hex('28b52ffd20d6b5000078d20000000353454c454354202761270100440a2801');
/** OK_Packet 07 00 00 01 00 00 00 02 00 00 00 (11 bytes), zstd frame with a raw block. */
const OK_ZSTD = hex('28b52ffd200b5900000700000100000002000000');

function compressedPacket(seq: number, body: Uint8Array, uncompressed: number): Uint8Array {
  const h = [body.length & 0xff, (body.length >> 8) & 0xff, body.length >> 16, seq, uncompressed & 0xff, (uncompressed >> 8) & 0xff, uncompressed >> 16];
  return Uint8Array.from([...h, ...body]);
}

describe('zstd compressed protocol', () => {
  it('inflates both directions after a login that negotiated zstd', () => {
    const cv = new Conversation();
    cv.server(handshakeV10({ threadId: 3 }), { seq: 0 });
    cv.client(handshakeResponse41({ user: 'app', capabilities: (CLIENT_CAPS_BASE | CLIENT.ZSTD_COMPRESSION_ALGORITHM) >>> 0, zstdLevel: 7 }), { seq: 1 });
    cv.server(ok({}));
    const chunks: Chunk[] = [
      ...cv.chunks,
      { dir: 'c2s', bytes: compressedPacket(0, QUERY_ZSTD, 214) },
      { dir: 's2c', bytes: compressedPacket(1, OK_ZSTD, 11) },
    ];
    const records: MySqlRecord[] = [];
    const p = new Pipeline({ tree: true }, (r) => records.push(r));
    for (const f of framesOf(segmentsOf(chunks))) p.frame(f);
    p.end();
    const kinds = records.map((r) => r.event.kind);
    expect(kinds).toEqual(['greeting', 'handshake_response', 'ok', 'command', 'ok']);
    const login = records[1]!.event;
    expect(login.kind === 'handshake_response' && login.zstdLevel).toBe(7);
    const q = records[3]!.event;
    expect(q.kind === 'command' && q.query).toBe(`SELECT '${'a'.repeat(200)}'`);
    for (const r of records) expect(r.issues).toEqual([]);
  });
});
