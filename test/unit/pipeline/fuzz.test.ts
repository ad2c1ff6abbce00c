/**
 * Fuzz (SYNTHETIC bytes): arbitrary payloads on a MySQL port, with and without a handshake, and real MySQL
 * conversations with random bytes flipped. The pipeline must never throw; every problem is an issue on a record.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import type { MySqlRecord } from '../../../src/model/record.js';
import { framesOf, segmentsOf, standardConversation, type Chunk } from '../../builders/mysql.js';

function runChunks(chunks: Chunk[], handshake: boolean): MySqlRecord[] {
  const out: MySqlRecord[] = [];
  const p = new Pipeline({ tree: true, hex: true }, (r) => out.push(r));
  for (const f of framesOf(segmentsOf(chunks, { handshake, mss: 64 }))) p.frame(f);
  p.end();
  return out;
}

const chunkArb = fc.record({
  dir: fc.constantFrom<'c2s' | 's2c'>('c2s', 's2c'),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 300 }),
});

describe('fuzz: the pipeline never throws', () => {
  it('on random payloads', () => {
    fc.assert(fc.property(fc.array(chunkArb, { maxLength: 12 }), fc.boolean(), (chunks, hs) => {
      const recs = runChunks(chunks, hs);
      for (const r of recs) expect(r.event.kind).toBeTypeOf('string');
    }), { numRuns: 300 });
  });

  it('on real conversations with bytes flipped', () => {
    const base = standardConversation().chunks;
    fc.assert(fc.property(
      fc.array(fc.record({ chunk: fc.nat(), offset: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      (flips, hs) => {
        const chunks = base.map((c) => ({ ...c, bytes: new Uint8Array(c.bytes) }));
        for (const f of flips) {
          const c = chunks[f.chunk % chunks.length]!;
          c.bytes[f.offset % c.bytes.length] = f.value;
        }
        const recs = runChunks(chunks, hs);
        expect(recs.length).toBeGreaterThan(0);
      },
    ), { numRuns: 300 });
  });

  it('regression (found by the property above): headers announcing more than was ever sent are reported at the end', () => {
    // Greeting's length middle byte set to 2 and the login's length low byte to 200: both directions wait for bytes
    // that never come. Before the fix nothing at all was reported.
    const chunks = standardConversation().chunks.map((c) => ({ ...c, bytes: new Uint8Array(c.bytes) }));
    chunks[0]!.bytes[1] = 2;
    chunks[1]!.bytes[0] = 200;
    const recs = runChunks(chunks, true);
    const msgs = recs.flatMap((r) => r.issues.filter((i) => i.code === 'mysql.incomplete_packet').map((i) => i.message));
    expect(msgs).toHaveLength(2);
    expect(msgs[0]).toMatch(/^the connection ended \(or the capture stopped\) with a MySQL packet \(sequence id 1\) holding \d+ of the 200 payload bytes its header announced from the client/);
    expect(msgs[1]).toMatch(/sequence id 0\) holding \d+ of the \d+ payload bytes its header announced from the server/);
  });
});
