/**
 * The reader/worker split of a parallel run, in one thread: the front end writes each MySQL connection's session calls
 * into an EventLog (Forwarder), SessionReplay makes them on real sessions. Every record (JSON, summary line, hex) and
 * every exchange, rendered when it is emitted, must be what one ordinary run gives — here with a batch after every
 * frame, each batch's bytes overwritten once it is applied (a worker hands that memory back to be reused, so nothing
 * may keep a view of it), and the record ids and totals the same.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import { openCaptureStream } from '../../../src/capture/open.js';
import { EventLog, Forwarder, type InputBatch } from '../../../src/parallel/events.js';
import { SessionReplay } from '../../../src/parallel/replay.js';
import type { AnalyzeOptions } from '../../../src/api-types.js';
import type { Timestamp } from '../../../src/core/time.js';
import type { Frame } from '../../../src/capture/types.js';
import { recorder } from '../../support/render.js';
import { Conversation, com, columnCount, columnDef, eof, framesOf, handshakeResponse41, handshakeV10, ok, segmentsOf, textRow } from '../../builders/mysql.js';

const FIX = 'test/fixtures/';
const { fixtures } = JSON.parse(readFileSync(FIX + 'fixtures.json', 'utf8')) as { fixtures: { file: string; serverPorts: number[] }[] };

/** One ordinary run and one through the events, on the same frames; both rendered as they are emitted. */
function bothWays(frames: Frame[], base: AnalyzeOptions): { one: string[]; many: string[] } {
  const one = recorder();
  const direct = new Pipeline({ ...base, onExchange: one.onExchange, onFirstFrame: one.onFirstFrame }, one.onRecord);
  for (const f of frames) direct.frame(f);
  const oneTotals = direct.end();

  // The reader: a batch after every frame.
  const log = new EventLog(64);
  const clock = { position: 0 };
  let first: Timestamp | undefined;
  let firstSent = false;
  const batches: InputBatch[] = [];
  const cut = (upTo: number, last: boolean): void => {
    batches.push({ t: 'input', ...log.take(), upTo, last, ...(first !== undefined && !firstSent ? { first } : {}) });
    if (first !== undefined) firstSent = true;
  };
  const reader = new Pipeline({ ...base, clock, onFirstFrame: (ts) => (first = ts) }, () => {}, (conn) => new Forwarder(conn, log, clock));
  for (const f of frames) {
    reader.frame(f);
    cut(clock.position, false);
  }
  const readerTotals = reader.end();
  cut(Number.POSITIVE_INFINITY, true);

  const many = recorder();
  const replay = new SessionReplay({ ...base, onExchange: many.onExchange, onFirstFrame: many.onFirstFrame }, many.onRecord);
  for (const b of batches) {
    replay.apply(b);
    b.bytes.fill(0xee);
  }
  expect(readerTotals.mysqlConnections).toBe(oneTotals.mysqlConnections);
  expect({ messages: replay.totals.messages, issues: replay.totals.issues + readerTotals.issues, anomalies: replay.totals.anomalies + readerTotals.anomalies })
    .toEqual({ messages: oneTotals.messages, issues: oneTotals.issues, anomalies: oneTotals.anomalies });
  return { one: one.out, many: many.out };
}

async function framesOfFile(path: string): Promise<Frame[]> {
  const frames: Frame[] = [];
  // Each frame's bytes copied: the reader's chunks are not kept.
  await openCaptureStream({ kind: 'file', path }, { onFrame: (f) => frames.push({ ...f, data: f.data.slice() }), onIssue: () => {} });
  return frames;
}

/** Two conversations' frames, alternating, numbered and timed in that order. */
function interleave(a: Frame[], b: Frame[]): Frame[] {
  const out: Frame[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push(a[i]!);
    if (i < b.length) out.push(b[i]!);
  }
  return out.map((f, i) => ({ ...f, no: i + 1, tsNsec: (i + 1) * 1_000_000 }));
}

describe('SessionReplay: the sessions of the reader\'s events give what one thread gives', () => {
  for (const { file, serverPorts } of fixtures) {
    it(file, async () => {
      const { one, many } = bothWays(await framesOfFile(FIX + file), { ports: serverPorts, tree: true, hex: true });
      expect(one.length).toBeGreaterThan(0);
      expect(many).toEqual(one);
    });
  }

  // SYNTHETIC conversations (test/builders/mysql.ts) for what the fixtures do not have.
  const conversation = (answered: boolean | 'in part'): Conversation => {
    const cv = new Conversation();
    cv.server(handshakeV10({ threadId: 9 }), { seq: 0 });
    cv.client(handshakeResponse41({ user: 'app', schema: 'shop' }), { seq: 1 });
    cv.server(ok({}));
    cv.client(com.query('SELECT name FROM customers WHERE id = 1'));
    if (answered === true) cv.server([columnCount(1), columnDef({ name: 'name' }), eof(), textRow(['Anna']), eof()]);
    if (answered === 'in part') cv.server([columnCount(1), columnDef({ name: 'name' })]);
    return cv;
  };

  it('a greeting from the side guessed as client: the session swaps the roles, later directions follow', () => {
    const frames = framesOf(segmentsOf(conversation(true).chunks, { handshake: false }), {
      client: { ip: '10.1.1.1', port: 2000 }, server: { ip: '10.1.1.2', port: 45000 },
    });
    const { one, many } = bothWays(frames, { tree: true, hex: true });
    expect(one.some((l) => l.includes('"roleBasis":"greeting"') || l.includes('greeting'))).toBe(true);
    expect(many).toEqual(one);
  });

  it('closed without a packet (end of capture, connection limit): the same records and exchanges', () => {
    // A's query is answered in part; B goes on after it, so the packet A's session holds has moved on by the end.
    const a = framesOf(segmentsOf(conversation('in part').chunks), { client: { ip: '10.1.1.1', port: 41000 }, server: { ip: '10.1.1.2', port: 3306 } });
    const b = framesOf(segmentsOf([...conversation(true).chunks, ...conversation(true).chunks.slice(3)]), {
      client: { ip: '10.1.1.3', port: 42000 }, server: { ip: '10.1.1.2', port: 3306 },
    });
    const frames = interleave(a, b);
    const whole = bothWays(frames, { ports: [3306], tree: true, hex: true });
    // A's response is cut short by the end of the capture: the incomplete result set carries that moment's frame and time.
    expect(whole.one.some((l) => l.includes('"tcp.stream":0,') && l.includes('"mysql.kind":"resultset"') && l.includes('incomplete'))).toBe(true);
    expect(whole.many).toEqual(whole.one);
    // One connection at a time: each frame of one evicts the other (closed 'limit', without a packet).
    const evicting = bothWays(frames, { ports: [3306], tree: true, hex: true, limits: { maxConnections: 1 } });
    expect(evicting.one.filter((l) => l.includes('"status":"no_response"')).length).toBeGreaterThan(1);
    expect(evicting.many).toEqual(evicting.one);
  });
});
