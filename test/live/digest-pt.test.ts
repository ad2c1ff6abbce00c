/**
 * Live: myshark's digest classes and counts against pt-query-digest (Debian `percona-toolkit`) on the same traffic.
 * A throwaway MariaDB on a free port of loopback, tcpdump recording it (`tcpdump -i lo -U -s 0 -w FILE tcp port P`),
 * an everyday SQL workload over several mysql2 connections (text protocol), then
 *
 *   tcpdump -r FILE -x -n -q -tttt | pt-query-digest --type tcpdump --watch-server 127.0.0.1:P --output json --limit 100%
 *
 * (pt-query-digest reads tcpdump's hex text, not pcap) and `Digest` over the same file's COM_QUERY exchanges: the set
 * of fingerprints and the count of each must be equal after normalising whitespace and case on both sides.
 *
 * Documented differences between our fingerprint (src/analysis/fingerprint.ts) and pt-query-digest's, which the
 * comparison normalises or which the workload avoids:
 *   - VALUES lists: pt gives `values(?+)`, we keep the first row `values (?, ?)`; normalised to `values(?+)`.
 *   - Arithmetic signs: pt's number pattern `[0-9+-][0-9a-f.xb+-]*` also eats a lone `+` / `-` operator, so
 *     `qty = qty + 1` becomes `qty = qty ? ?` there and `qty = qty + ?` here; normalised to pt's form.
 *   - Numbers inside identifiers: pt turns `t1` / `utf8mb4` into `t?` / `utf?m?`, we leave names alone (the
 *     workload has no such identifiers).
 *   - CALL: pt keeps only `call name`, we `call name(?)` (not in the workload).
 *   - pt also drops `ASC` after ORDER BY, collapses repeated UNION SELECTs and abstracts `USE db` (not in the workload).
 *   - pt reports logins ('administrator command: Connect'), COM_QUIT and COM_STMT_CLOSE ('deallocate prepare ?'),
 *     which have no response and so no exchange in myshark; only SQL classes (COM_QUERY) are compared.
 *
 * Skipped, with the reason in the suite name, when mariadbd, the mariadb client, tcpdump (or permission to capture
 * on lo) or pt-query-digest is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { startMariaDb, type MariaDb } from '../support/mariadb.js';
import { liveUnavailableReason, removeCapture, startCapture, type Capture } from '../support/live.js';
import type { Exchange } from '../../src/model/exchange.js';
import { digestCounts, ptCounts, sortedCounts } from '../support/pt-query-digest.js';

function ptUnavailableReason(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/local/bin']);
  if (!dirs.some((d) => d && existsSync(`${d}/pt-query-digest`))) return 'pt-query-digest not found (apt-get install percona-toolkit)';
  return undefined;
}

const reason = ptUnavailableReason() ?? (await liveUnavailableReason());
if (reason) console.warn(`digest vs pt-query-digest skipped: ${reason}`);

/** Whitespace collapsed, lower case, and the documented VALUES and sign differences made equal. */
function normalise(fp: string): string {
  return fp
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase()
    .replace(/ [+-] \?/g, ' ? ?')
    .replace(/\bvalues ?\((?:\s*\?\s*,?)+\)(?:\s*,\s*\((?:\s*\?\s*,?)+\))*|\bvalues\(\?\+\)/g, 'values(?+)');
}

/** The everyday workload: a fixed, known number of each statement over `workers` connections. */
const WORKERS = 4;
const ROUNDS = 5;

async function workload(db: MariaDb): Promise<void> {
  const base = { host: db.host, port: db.port, user: db.user, password: db.password, database: 'shop' };
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      const c = await mysql.createConnection(base);
      try {
        for (let i = 0; i < ROUNDS; i++) {
          const n = w * ROUNDS + i;
          await c.query(`SELECT id, name FROM customers WHERE id = ${(n % 3) + 1}`);
          await c.query(`SELECT id, name, city FROM customers WHERE name = 'nobody-${n}' OR city = 'Zürich'`);
          await c.query(`SELECT COUNT(*) AS n FROM orders WHERE qty > ${n} AND price < ${n}.5`);
          await c.query(`SELECT id FROM customers WHERE id IN (${Array.from({ length: 1 + (n % 4) }, (_, k) => k + 1).join(', ')}) ORDER BY id LIMIT ${n + 1}`);
          await c.query(`INSERT INTO orders (customer_id, item, qty, price, note) VALUES (1, 'pt-${n}', ${n}, ${n}.25, NULL)`);
          await c.query(`UPDATE orders SET qty = qty + 1, note = 'seen ${n}' WHERE item = 'pt-${n}'`);
          await c.query(`SELECT   item,\n  qty\nFROM orders\nWHERE item LIKE 'pt-%' /* round ${i} */ ORDER BY id DESC`);
          await c.query(`DELETE FROM orders WHERE item = 'pt-${n}'`);
          if (i % 2 === 0) {
            await c.query('SELECT no_such_column FROM customers WHERE id = 1').catch((e: { errno?: number }) => {
              if (e.errno !== 1054) throw e;
            });
          }
        }
        await c.query('SELECT @@version AS v');
      } finally {
        await c.end();
      }
    }),
  );
}


describe.skipIf(reason !== undefined)(`live: digest vs pt-query-digest${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let db: MariaDb | undefined;
  let cap: Capture | undefined;

  beforeAll(async () => {
    db = await startMariaDb();
    if ([3306, 3399, 3411, 3420].includes(db.port)) throw new Error(`the throwaway server got a reserved port ${db.port}`);
    cap = await startCapture({ ports: [db.port] });
    try {
      await workload(db);
    } finally {
      await cap.stop();
    }
  });

  afterAll(async () => {
    await db?.stop();
    if (cap && !process.env.MYSHARK_KEEP_CAPTURE) removeCapture(cap);
    else if (cap) console.warn(`capture kept: ${cap.file}`);
  });

  it('the same fingerprints with the same counts', async () => {
    const { analyze } = await import('../../src/index.js');
    const { Digest } = await import('../../src/analysis/digest.js');
    const { COM } = await import('../../src/mysql/constants/commands.js');

    // pt-query-digest over tcpdump's text rendering of the capture
    const pt = spawnSync(
      'bash',
      ['-c', `tcpdump -r "$1" -x -n -q -tttt 2>/dev/null | pt-query-digest --type tcpdump --watch-server "127.0.0.1:$2" --output json --limit 100% --no-version-check`, 'pt', cap!.file, String(db!.port)],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // pt-query-digest saves the sessions it could not parse (it fails on the handshakes) in /tmp: remove them.
    for (const m of pt.stderr.matchAll(/will save them in (\/tmp\/pt-query-digest-errors\.\w+)/g)) rmSync(m[1]!, { force: true });
    expect(pt.status, pt.stderr).toBe(0);
    const theirs = ptCounts(pt.stdout, normalise);

    const digest = new Digest();
    await analyze({ kind: 'file', path: cap!.file }, {
      ports: [db!.port],
      onExchange: (x: Exchange) => {
        if (x.request.event.kind === 'command' && x.request.event.command === COM.QUERY) digest.add(x);
      },
    }, () => {});
    const ours = digestCounts(digest, normalise);
    expect(sortedCounts(ours)).toEqual(sortedCounts(theirs));
    // the workload's own numbers
    const n = WORKERS * ROUNDS;
    expect(ours.get('select id, name from customers where id = ?')).toBe(n);
    expect(ours.get('select id from customers where id in(?+) order by id limit ?')).toBe(n);
    expect(ours.get('insert into orders (customer_id, item, qty, price, note) values(?+)')).toBe(n);
    expect(ours.get('select no_such_column from customers where id = ?')).toBe(WORKERS * Math.ceil(ROUNDS / 2));
    expect(ours.get('select @@version as v')).toBe(WORKERS);
    expect(ours.size).toBe(10);
  });
});
