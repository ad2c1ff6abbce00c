/**
 * The session state of one MySQL connection, as printable data (principle 9).
 *
 * Connection phase:  await_greeting → await_login → auth → command
 *   After an SSLRequest the wire carries TLS records (facts.tls); the phase stays where it was, for decrypted bytes.
 *   unknown: picked up mid-stream, until a request boundary is seen; ended: after a failed login or COM_QUIT.
 *
 * In the command phase each request that expects an answer is queued (pipelining); the head of the queue owns
 * the server's next packets, and `ResponseState` says what its next packet may be.
 */
import type { Exchange } from '../../model/exchange.js';
import type { MySqlRecord } from '../../model/record.js';
import type { ColumnTextDecoder } from '../messages/resultset.js';
import type { ColumnDefinition, ResultSet, StmtPrepareOk } from '../messages/types.js';

export type Phase = 'await_greeting' | 'await_login' | 'auth' | 'command' | 'unknown' | 'ended';

export type ResponseState =
  | { k: 'first' }
  | { k: 'rs_columns'; left: number }
  | { k: 'rs_columns_eof' }
  | { k: 'rs_rows' }
  | { k: 'field_list' }
  | { k: 'prep_params'; left: number }
  | { k: 'prep_params_eof' }
  | { k: 'prep_columns'; left: number }
  | { k: 'prep_columns_eof' }
  | { k: 'infile_data' }
  | { k: 'infile_result' }
  | { k: 'auth' }
  | { k: 'binlog' };

/**
 * The states that carry nothing but their kind, shared (frozen): the session moves between them for every request,
 * and a new object each time was garbage for nothing.
 */
export const RESP = Object.freeze({
  first: Object.freeze({ k: 'first' }),
  rs_columns_eof: Object.freeze({ k: 'rs_columns_eof' }),
  rs_rows: Object.freeze({ k: 'rs_rows' }),
  field_list: Object.freeze({ k: 'field_list' }),
  prep_params_eof: Object.freeze({ k: 'prep_params_eof' }),
  prep_columns_eof: Object.freeze({ k: 'prep_columns_eof' }),
  infile_data: Object.freeze({ k: 'infile_data' }),
  infile_result: Object.freeze({ k: 'infile_result' }),
  auth: Object.freeze({ k: 'auth' }),
  binlog: Object.freeze({ k: 'binlog' }),
} as const) satisfies Record<string, ResponseState>;

export interface PendingRequest {
  command: number;
  frameNo: number;
  /** For COM_QUERY: the statement, to follow `USE db`. */
  query: string | undefined;
  /** Sequence id the response starts with (the request's last id + 1). */
  responseSeq: number;
  /**
   * The TCP acknowledgement number the request was sent with: how much of the server's stream the client had
   * received. After lost server bytes ending at sequence E, a request sent with ack ≥ E was answered after them.
   */
  ack: number;
  /** Part of the response was in lost bytes: the exchange's end is unknown. */
  lost?: boolean;
  /** COM_STMT_EXECUTE / FETCH: the statement, whose columns decode binary rows. */
  stmtId?: number | undefined;
  /** The request's own record (kept for the exchange); `held` while it waits to carry mysql.response_in. */
  record?: MySqlRecord | undefined;
  held?: boolean;
  /** The response so far (for the exchange emitted when it completes). */
  exchange?: Exchange;
  schema: string | undefined;
  user: string | undefined;
  /** A text result set under construction. */
  rs?: ResultSet;
  prep?: StmtPrepareOk;
  fieldList?: ColumnDefinition[];
  /** How each column of the result set in progress turns into text (from its character set). */
  rowDecoders?: ColumnTextDecoder[];
}

export function describePhase(p: Phase): string {
  switch (p) {
    case 'await_greeting': return 'waiting for the server greeting';
    case 'await_login': return 'waiting for the login request';
    case 'auth': return 'authenticating';
    case 'command': return 'command phase';
    case 'unknown': return 'picked up mid-stream, not yet synchronised';
    case 'ended': return 'ended';
  }
}
