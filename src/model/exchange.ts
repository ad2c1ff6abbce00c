import type { Timestamp } from '../core/time.js';
import type { ConnInfo } from '../flow/types.js';
import type { Err } from '../mysql/messages/types.js';
import type { MySqlRecord } from './record.js';

/**
 * A request paired with its complete response (all of it: several result sets, LOCAL INFILE content, errors), or
 * with none (the connection ended or the capture stopped first). Emitted once the response is complete.
 */
export interface Exchange {
  conn: ConnInfo;
  request: MySqlRecord;
  /** Response messages (a CALL gives several result sets). */
  responses: number;
  /** When the first response message ended (time to first byte is measured to it). */
  firstResponseTs: Timestamp | undefined;
  firstResponseFrame: number | undefined;
  /** When the last response message ended. */
  endTs: Timestamp | undefined;
  endFrame: number | undefined;
  /** `lost`: the response was (at least partly) in bytes the capture missed (a lost segment, or the capture stopped in the middle of it): its end is unknown. */
  status: 'ok' | 'error' | 'no_response' | 'lost';
  error: Err | undefined;
  /** Rows of the result sets; affected rows of the OK packets. */
  rows: number;
  affectedRows: number | bigint;
  /** MySQL bytes (headers + payloads) of the request and of its response. */
  bytesIn: number;
  bytesOut: number;
  /** Server status flags of the last OK / EOF (SERVER_QUERY_NO_INDEX_USED, QUERY_WAS_SLOW …). */
  serverStatus: number;
}
