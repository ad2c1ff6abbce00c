/** Command bytes (first payload byte of a request, "Text Protocol" / "Prepared Statements" / "Replication" pages). */
export const COM = {
  SLEEP: 0x00,
  QUIT: 0x01,
  INIT_DB: 0x02,
  QUERY: 0x03,
  FIELD_LIST: 0x04,
  CREATE_DB: 0x05,
  DROP_DB: 0x06,
  REFRESH: 0x07,
  SHUTDOWN: 0x08,
  STATISTICS: 0x09,
  PROCESS_INFO: 0x0a,
  CONNECT: 0x0b,
  PROCESS_KILL: 0x0c,
  DEBUG: 0x0d,
  PING: 0x0e,
  TIME: 0x0f,
  DELAYED_INSERT: 0x10,
  CHANGE_USER: 0x11,
  BINLOG_DUMP: 0x12,
  TABLE_DUMP: 0x13,
  CONNECT_OUT: 0x14,
  REGISTER_SLAVE: 0x15,
  STMT_PREPARE: 0x16,
  STMT_EXECUTE: 0x17,
  STMT_SEND_LONG_DATA: 0x18,
  STMT_CLOSE: 0x19,
  STMT_RESET: 0x1a,
  SET_OPTION: 0x1b,
  STMT_FETCH: 0x1c,
  DAEMON: 0x1d,
  BINLOG_DUMP_GTID: 0x1e,
  RESET_CONNECTION: 0x1f,
  CLONE: 0x20,
  SUBSCRIBE_GROUP_REPLICATION_STREAM: 0x21,
  STMT_BULK_EXECUTE: 0xfa, // MariaDB
} as const;

/** Display names, as Wireshark's mysql.command value strings. */
export const COMMAND_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'Sleep'], [0x01, 'Quit'], [0x02, 'Use Database'], [0x03, 'Query'], [0x04, 'Show Fields'],
  [0x05, 'Create Database'], [0x06, 'Drop Database'], [0x07, 'Refresh'], [0x08, 'Shutdown'], [0x09, 'Statistics'],
  [0x0a, 'Process List'], [0x0b, 'Connect'], [0x0c, 'Kill Server Thread'], [0x0d, 'Dump Debuginfo'], [0x0e, 'Ping'],
  [0x0f, 'Time'], [0x10, 'Insert Delayed'], [0x11, 'Change User'], [0x12, 'Send Binlog'], [0x13, 'Send Table'],
  [0x14, 'Slave Connect'], [0x15, 'Register Slave'], [0x16, 'Prepare Statement'], [0x17, 'Execute Statement'],
  [0x18, 'Send BLOB'], [0x19, 'Close Statement'], [0x1a, 'Reset Statement'], [0x1b, 'Set Option'], [0x1c, 'Fetch Data'],
  [0x1d, 'Daemon'], [0x1e, 'Send Binlog GTID'], [0x1f, 'Reset Connection'], [0x20, 'Native cloning'],
  [0x21, 'Subscribe Group Replication Stream'], [0xfa, 'Execute Bulk Statement'],
]);

/** The MySQL documentation's names (`COM_QUERY`), used in JSON/analysis output. */
export const COMMAND_IDS: ReadonlyMap<number, string> = new Map(
  Object.entries(COM).map(([k, v]) => [v, `COM_${k}`] as const),
);

function hex2(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

export function commandName(code: number): string {
  return COMMAND_NAMES.get(code) ?? `Unknown (${hex2(code)})`;
}

export function commandId(code: number): string {
  return COMMAND_IDS.get(code) ?? `COM_UNKNOWN_${hex2(code)}`;
}

/** Commands after which the server sends nothing (COM_QUIT closes, STMT_CLOSE/SEND_LONG_DATA are silent). */
export function commandHasResponse(code: number): boolean {
  return code !== COM.QUIT && code !== COM.STMT_CLOSE && code !== COM.STMT_SEND_LONG_DATA;
}
