/**
 * Building an Exchange (model/exchange.ts) from the records of one request and its response messages.
 * Pure helpers; the session decides which records belong together.
 */
import type { ConnInfo } from '../../flow/types.js';
import type { Exchange } from '../../model/exchange.js';
import type { MySqlRecord } from '../../model/record.js';

/** An exchange with no response yet (status 'no_response' until a response message arrives). */
export function newExchange(conn: ConnInfo, request: MySqlRecord): Exchange {
  return {
    conn, request, responses: 0, firstResponseTs: undefined, firstResponseFrame: undefined, endTs: undefined,
    endFrame: undefined, status: 'no_response', error: undefined, rows: 0, affectedRows: 0,
    bytesIn: request.bytes, bytesOut: 0, serverStatus: 0,
  };
}

/** One more response message: times, rows, affected rows, bytes, errors. */
export function addResponse(x: Exchange, r: MySqlRecord): void {
  if (x.responses === 0) x.status = 'ok';
  x.responses++;
  x.firstResponseTs ??= r.lastTs;
  x.firstResponseFrame ??= r.frameNo;
  x.endTs = r.lastTs;
  x.endFrame = r.lastFrameNo;
  x.bytesOut += r.bytes;
  const e = r.event;
  if (e.kind === 'err') {
    x.status = 'error';
    x.error = e;
  } else if (e.kind === 'resultset') {
    x.rows += e.rowCount;
    x.serverStatus = e.status;
    if (e.error) {
      x.status = 'error';
      x.error = e.error;
    }
  } else if (e.kind === 'ok') {
    x.affectedRows = typeof e.affectedRows === 'bigint' || typeof x.affectedRows === 'bigint'
      ? BigInt(x.affectedRows) + BigInt(e.affectedRows)
      : x.affectedRows + e.affectedRows;
    x.serverStatus = e.status;
  }
}

/**
 * The response was (at least partly) in bytes the capture lost: its end, and so its latency, are unknown. What
 * arrived before the hole (time to first byte, rows so far) stays.
 */
export function markLost(x: Exchange): void {
  x.status = 'lost';
  x.endTs = undefined;
  x.endFrame = undefined;
  x.error = undefined;
}
