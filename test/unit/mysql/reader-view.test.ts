/**
 * PayloadReader.view(): the session decodes each packet where it lies in the pushed chunk (bytes [start, end) of a
 * larger buffer) instead of making a view of it. Every decoder must give the same result, the same end position,
 * the same error (message, code, payload offset) and the same field tree (offsets included) whether it reads the
 * payload on its own (reset) or inside other bytes (view). Checked on SYNTHETIC random payloads (property) and on
 * every MySQL payload of the real fixture captures, as captured and with one byte changed.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/core/issues.js';
import { PayloadReader } from '../../../src/mysql/codec/payload-reader.js';
import { CLIENT } from '../../../src/mysql/constants/capabilities.js';
import { MYSQL_TYPE } from '../../../src/mysql/constants/column-types.js';
import { decodeBinaryRow } from '../../../src/mysql/messages/binary.js';
import { BinlogDecoder, decodeBinlogPacket, decodeSemiSyncAck } from '../../../src/mysql/messages/binlog.js';
import { decodeCommand } from '../../../src/mysql/messages/commands.js';
import { decodeEof, decodeErr, decodeOk, decodeProgress } from '../../../src/mysql/messages/generic.js';
import {
  decodeAuthMoreData, decodeAuthSwitchRequest, decodeGreeting, decodeHandshakeResponse,
} from '../../../src/mysql/messages/handshake.js';
import { ColumnDefinitionCache, decodeColumnCount, decodeColumnDefinition, decodeTextRow } from '../../../src/mysql/messages/resultset.js';
import { decodeSessionState } from '../../../src/mysql/messages/session-track.js';
import { TreeBuilder } from '../../../src/mysql/messages/tree.js';
import type { ColumnDefinition } from '../../../src/mysql/messages/types.js';
import { analyzeFile } from '../../../src/pipeline/analyze.js';

const CAPS = CLIENT.PROTOCOL_41 | CLIENT.SESSION_TRACK | CLIENT.DEPRECATE_EOF | CLIENT.QUERY_ATTRIBUTES;

function column(type: number): ColumnDefinition {
  const r = new PayloadReader();
  // A ColumnDefinition41 with only the type set (the binary row decoder reads type, flags and decimals).
  const bytes = Uint8Array.from([3, 100, 101, 102, 0, 0, 0, 1, 120, 0, 0x0c, 33, 0, 11, 0, 0, 0, type, 0, 0, 0, 0, 0]);
  return decodeColumnDefinition(r.reset(bytes), null, undefined, false);
}
const BINARY_COLUMNS = [MYSQL_TYPE.LONG, MYSQL_TYPE.VAR_STRING, MYSQL_TYPE.DATETIME, MYSQL_TYPE.DOUBLE].map(column);

/** The decoders the session runs through the message builder, each as one call on a fresh state. */
const DECODERS: Array<[string, (r: PayloadReader, t: TreeBuilder | null) => unknown]> = [
  ['greeting', (r, t) => decodeGreeting(r, t)],
  ['handshake response', (r, t) => decodeHandshakeResponse(r, t)],
  ['auth switch', (r, t) => decodeAuthSwitchRequest(r, t)],
  ['auth more data', (r, t) => decodeAuthMoreData(r, t, 'caching_sha2_password')],
  ['command', (r, t) => decodeCommand(r, t, CAPS, () => undefined)],
  ['command (4.0 client)', (r, t) => decodeCommand(r, t, 0)],
  ['OK', (r, t) => decodeOk(r, t, CAPS)],
  ['OK (capabilities unknown)', (r, t) => decodeOk(r, t, CLIENT.PROTOCOL_41, false)],
  ['ERR', (r, t) => decodeErr(r, t)],
  ['EOF', (r, t) => decodeEof(r, t, CAPS)],
  ['progress', (r, t) => decodeProgress(r, t)],
  ['column count', (r, t) => decodeColumnCount(r, t, true)],
  ['column definition', (r, t) => decodeColumnDefinition(r, t, undefined, true)],
  ['column definition (cached)', (r) => new ColumnDefinitionCache().decode(r, 0, false)],
  ['text row', (r, t) => {
    const out: Array<string | null> = [];
    decodeTextRow(r, t, 3, out);
    return out;
  }],
  ['binary row', (r, t) => decodeBinaryRow(r, t, BINARY_COLUMNS)],
  ['session state', (r, t) => decodeSessionState(r, t)],
  ['binlog packet', (r, t) => decodeBinlogPacket(r, t, new BinlogDecoder(), 'auto')],
  ['semi-sync ACK', (r, t) => decodeSemiSyncAck(r, t)],
];

/** What one decode gave: the value or the error, where the reader stopped, and the tree. */
function outcome(decode: (r: PayloadReader, t: TreeBuilder | null) => unknown, r: PayloadReader): unknown {
  const t = new TreeBuilder();
  try {
    const value = decode(r, t);
    return { value, pos: r.pos, end: r.end, tree: t.roots };
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return { error: { message: e.message, code: e.code, kind: e.kind, offset: e.offset }, pos: r.pos, tree: t.roots };
  }
}

/** Payloads: random bytes, often starting with a byte that selects a message kind, and sometimes short. */
const payload = fc.tuple(
  fc.constantFrom(-1, 0x00, 0x01, 0x03, 0x0a, 0x16, 0x17, 0xef, 0xfb, 0xfc, 0xfd, 0xfe, 0xff),
  fc.uint8Array({ maxLength: 120 }),
).map(([first, rest]) => (first < 0 ? rest : Uint8Array.from([first, ...rest])));

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
let cached: Uint8Array[] | undefined;

/** The distinct MySQL payloads (whole, up to 4 KiB) of the fixture captures, as the session framed them. */
async function fixturePayloads(): Promise<Uint8Array[]> {
  if (cached) return cached;
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.pcap')).sort()) {
    const { records } = await analyzeFile(FIXTURES + f, { hex: true, autoDetect: true, limits: { maxHexBytesPerMessage: 4096 } });
    for (const r of records) {
      for (const ref of r.packets) {
        if (!ref.bytes || ref.truncated || ref.bytes.length <= 4) continue;
        const p = ref.bytes.subarray(4);
        const key = Buffer.from(p).toString('latin1');
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(p);
      }
    }
  }
  return (cached = out);
}

/** A copy of `p` with one byte (chosen by `n`) changed. */
function changed(p: Uint8Array, n: number): Uint8Array {
  const c = Uint8Array.from(p);
  const i = (n * 7919) % c.length;
  c[i] = c[i]! ^ (1 << (n % 8));
  return c;
}

describe('PayloadReader.view: decoding a payload inside a larger buffer', () => {
  it.each(DECODERS)('%s: same value, position, error and tree as on the payload alone (property)', (_name, decode) => {
    fc.assert(
      fc.property(payload, fc.uint8Array({ maxLength: 16 }), fc.uint8Array({ maxLength: 16 }), (p, before, after) => {
        const big = Uint8Array.from([...before, ...p, ...after]);
        const alone = outcome(decode, new PayloadReader().reset(Uint8Array.from(p)));
        const inside = outcome(decode, new PayloadReader().view(big, before.length, before.length + p.length));
        expect(inside).toEqual(alone);
      }),
      { numRuns: 400 },
    );
  });

  it.each(DECODERS)('%s: the same on every payload of the real fixture captures, and with one byte changed', async (_name, decode) => {
    const payloads = await fixturePayloads();
    expect(payloads.length).toBeGreaterThan(500);
    let n = 0;
    for (const p of payloads) {
      for (const bytes of [p, changed(p, n++)]) {
        const big = new Uint8Array(bytes.length + 7).fill(0xfe);
        big.set(bytes, 3);
        const alone = outcome(decode, new PayloadReader().reset(Uint8Array.from(bytes)));
        const inside = outcome(decode, new PayloadReader().view(big, 3, 3 + bytes.length));
        expect(inside).toEqual(alone);
      }
    }
  });

  it('buf is the payload alone (a view made on first use), and positions start at 0', () => {
    const big = Uint8Array.from([9, 9, 1, 2, 3, 9]);
    const r = new PayloadReader().view(big, 2, 5);
    expect([r.pos, r.end, r.remaining]).toEqual([0, 3, 3]);
    expect([...r.buf]).toEqual([1, 2, 3]);
    expect(r.u16()).toBe(0x0201);
    expect(() => r.u16()).toThrow(/at payload offset 2, but only 1 remain/);
    expect(r.equals(0, 3, Uint8Array.from([1, 2, 3]))).toBe(true);
    expect(r.equals(0, 3, Uint8Array.from([1, 2, 9]))).toBe(false);
    expect([...r.copy(1, 3)]).toEqual([2, 3]);
    // reset() after view(): positions are offsets in the buffer again.
    r.reset(big, 2, 4);
    expect([...r.buf]).toEqual([...big]);
    expect(r.u8()).toBe(1);
  });
});
