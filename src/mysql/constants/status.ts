/** Server status flags (SERVER_STATUS_* in the MySQL docs). */
export const SERVER = {
  STATUS_IN_TRANS: 0x0001,
  STATUS_AUTOCOMMIT: 0x0002,
  MORE_RESULTS_EXISTS: 0x0008,
  QUERY_NO_GOOD_INDEX_USED: 0x0010,
  QUERY_NO_INDEX_USED: 0x0020,
  STATUS_CURSOR_EXISTS: 0x0040,
  STATUS_LAST_ROW_SENT: 0x0080,
  STATUS_DB_DROPPED: 0x0100,
  STATUS_NO_BACKSLASH_ESCAPES: 0x0200,
  STATUS_METADATA_CHANGED: 0x0400,
  QUERY_WAS_SLOW: 0x0800,
  PS_OUT_PARAMS: 0x1000,
  STATUS_IN_TRANS_READONLY: 0x2000,
  SESSION_STATE_CHANGED: 0x4000,
} as const;

/** Bit → [Wireshark mysql.stat.* suffix, label]. */
export const STATUS_BITS: ReadonlyArray<readonly [number, string, string]> = [
  [SERVER.STATUS_IN_TRANS, 'it', 'In transaction'],
  [SERVER.STATUS_AUTOCOMMIT, 'ac', 'AUTO_COMMIT'],
  [0x0004, 'mu', 'Multi query / Unused'],
  [SERVER.MORE_RESULTS_EXISTS, 'mr', 'More results'],
  [SERVER.QUERY_NO_GOOD_INDEX_USED, 'bi', 'Bad index used'],
  [SERVER.QUERY_NO_INDEX_USED, 'ni', 'No index used'],
  [SERVER.STATUS_CURSOR_EXISTS, 'cr', 'Cursor exists'],
  [SERVER.STATUS_LAST_ROW_SENT, 'lr', 'Last row sent'],
  [SERVER.STATUS_DB_DROPPED, 'dr', 'Database dropped'],
  [SERVER.STATUS_NO_BACKSLASH_ESCAPES, 'bs', 'No backslash escapes'],
  [SERVER.STATUS_METADATA_CHANGED, 'mc', 'Metadata changed'],
  [SERVER.QUERY_WAS_SLOW, 'query_was_slow', 'Query was slow'],
  [SERVER.PS_OUT_PARAMS, 'ps_out_params', 'PS Out Params'],
  [SERVER.STATUS_IN_TRANS_READONLY, 'trans_readonly', 'In Trans Readonly'],
  [SERVER.SESSION_STATE_CHANGED, 'session_state_changed', 'Session state changed'],
];
