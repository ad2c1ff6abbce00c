/**
 * Everything a run emits, rendered the moment it is emitted (records: JSON, summary line, hex, last frame, issues;
 * exchanges: the query log line), for tests that overwrite input bytes once they are used: a record that still
 * pointed into them later would render differently from one rendered by an ordinary run.
 */
import { QueryJsonWriter } from '../../src/analysis/queries.js';
import type { Timestamp } from '../../src/core/time.js';
import type { Exchange } from '../../src/model/exchange.js';
import type { MySqlRecord } from '../../src/model/record.js';
import { renderHex } from '../../src/output/hex.js';
import { recordToJson } from '../../src/output/json.js';
import { summarize, TimeBase } from '../../src/output/summary.js';

/** What a run emits, rendered at once (later the bytes behind a record may be gone). */
export function recorder(): { out: string[]; onRecord(r: MySqlRecord): void; onExchange(x: Exchange): void; onFirstFrame(ts: Timestamp): void } {
  const out: string[] = [];
  const time = new TimeBase();
  const json = new QueryJsonWriter();
  return {
    out,
    onRecord: (r) => out.push(`${r.id} ${JSON.stringify(recordToJson(r, time))}\n${summarize(r, time.of(r))}\n${renderHex(r)}\n`
      + `last frame ${r.lastFrameNo} at ${r.lastTs.sec}.${r.lastTs.nsec}; issues ${JSON.stringify(r.issues)}`),
    onExchange: (x) => out.push(json.line(x)),
    onFirstFrame: (ts) => time.set(ts),
  };
}

