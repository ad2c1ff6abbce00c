/**
 * Exchanges (a request with its complete response) on real captures: counts, errors, rows, affected rows, bytes,
 * several result sets for one CALL, a request the server never answered (killed connection).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/index.js';
import type { Exchange } from '../../../src/model/exchange.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures');

async function exchanges(file: string): Promise<Exchange[]> {
  const out: Exchange[] = [];
  await analyze({ kind: 'file', path: join(FIXTURES, file) }, { onExchange: (x) => out.push(x) }, () => {});
  return out;
}

const sql = (x: Exchange) => (x.request.event.kind === 'command' ? x.request.event.query : undefined);

describe('exchanges', () => {
  it('cli-session: every command with its response', async () => {
    const xs = await exchanges('cli-session.pcap');
    const err = xs.find((x) => sql(x) === 'SELECT * FROM no_such_table')!;
    expect(err).toMatchObject({ status: 'error', responses: 1 });
    expect(err.error?.code).toBe(1146);
    const call = xs.find((x) => sql(x) === 'CALL two_sets(2)')!;
    expect(call.responses).toBe(3); // two result sets, then the OK of the CALL
    expect(call.rows).toBe(7);
    const insert = xs.find((x) => sql(x)?.startsWith('INSERT INTO notes'))!;
    expect(insert.affectedRows).toBe(4);
    for (const x of xs) {
      expect(x.bytesIn).toBeGreaterThan(4);
      if (x.status !== 'no_response') {
        expect(x.bytesOut).toBeGreaterThan(4);
        expect(x.endFrame).toBeGreaterThanOrEqual(x.request.frameNo);
      }
    }
    // COM_QUIT has no response and is not an exchange.
    expect(xs.some((x) => x.request.event.kind === 'command' && x.request.event.command === 1)).toBe(false);
  });

  it('commands: the query of the killed connection never got an answer', async () => {
    const xs = await exchanges('commands.pcap');
    const sleep = xs.find((x) => sql(x) === 'SELECT SLEEP(30) AS slept')!;
    expect(sleep).toMatchObject({ status: 'no_response', responses: 0, endTs: undefined });
  });

  it('multi-connections: the SLEEP(0.027) statements take at least 27 ms', async () => {
    const xs = await exchanges('multi-connections.pcap');
    const sleeps = xs.filter((x) => /SLEEP\(0\.027\)/.test(sql(x) ?? ''));
    expect(sleeps.length).toBeGreaterThan(0);
    for (const x of sleeps) {
      const ms = (x.endTs!.sec - x.request.lastTs.sec) * 1000 + (x.endTs!.nsec - x.request.lastTs.nsec) / 1e6;
      expect(ms).toBeGreaterThanOrEqual(27);
    }
  });
});
