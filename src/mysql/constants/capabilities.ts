/**
 * Capability flags (MySQL "Capabilities Flags" page; MariaDB "Client/Server Protocol / Connection").
 * Decoding uses the negotiated set: server ∩ client (see session/negotiate.ts).
 */
export const CLIENT = {
  LONG_PASSWORD: 1 << 0, // MariaDB calls this CLIENT_MYSQL: a MariaDB 10.2+ server clears it to announce extended caps
  FOUND_ROWS: 1 << 1,
  LONG_FLAG: 1 << 2,
  CONNECT_WITH_DB: 1 << 3,
  NO_SCHEMA: 1 << 4,
  COMPRESS: 1 << 5,
  ODBC: 1 << 6,
  LOCAL_FILES: 1 << 7,
  IGNORE_SPACE: 1 << 8,
  PROTOCOL_41: 1 << 9,
  INTERACTIVE: 1 << 10,
  SSL: 1 << 11,
  IGNORE_SIGPIPE: 1 << 12,
  TRANSACTIONS: 1 << 13,
  RESERVED: 1 << 14,
  SECURE_CONNECTION: 1 << 15,
  MULTI_STATEMENTS: 1 << 16,
  MULTI_RESULTS: 1 << 17,
  PS_MULTI_RESULTS: 1 << 18,
  PLUGIN_AUTH: 1 << 19,
  CONNECT_ATTRS: 1 << 20,
  PLUGIN_AUTH_LENENC_CLIENT_DATA: 1 << 21,
  CAN_HANDLE_EXPIRED_PASSWORDS: 1 << 22,
  SESSION_TRACK: 1 << 23,
  DEPRECATE_EOF: 1 << 24,
  OPTIONAL_RESULTSET_METADATA: 1 << 25,
  ZSTD_COMPRESSION_ALGORITHM: 1 << 26,
  QUERY_ATTRIBUTES: 1 << 27,
  MULTI_FACTOR_AUTHENTICATION: 1 << 28,
  CAPABILITY_EXTENSION: 1 << 29,
  SSL_VERIFY_SERVER_CERT: 1 << 30,
  REMEMBER_OPTIONS: 2 ** 31,
} as const;

/** Bit → [Wireshark-style short field suffix, label]. */
export const CAPABILITY_BITS: ReadonlyArray<readonly [number, string, string]> = [
  [CLIENT.LONG_PASSWORD, 'lp', 'Long Password'],
  [CLIENT.FOUND_ROWS, 'fr', 'Found Rows'],
  [CLIENT.LONG_FLAG, 'lf', 'Long Column Flags'],
  [CLIENT.CONNECT_WITH_DB, 'cd', 'Connect With Database'],
  [CLIENT.NO_SCHEMA, 'ns', "Don't Allow database.table.column"],
  [CLIENT.COMPRESS, 'cp', 'Can use compression protocol'],
  [CLIENT.ODBC, 'ob', 'ODBC Client'],
  [CLIENT.LOCAL_FILES, 'li', 'Can Use LOAD DATA LOCAL'],
  [CLIENT.IGNORE_SPACE, 'is', 'Ignore Spaces before \'(\''],
  [CLIENT.PROTOCOL_41, 'cu', 'Speaks 4.1 protocol (new flag)'],
  [CLIENT.INTERACTIVE, 'ia', 'Interactive Client'],
  [CLIENT.SSL, 'sl', 'Switch to SSL after handshake'],
  [CLIENT.IGNORE_SIGPIPE, 'ii', 'Ignore sigpipes'],
  [CLIENT.TRANSACTIONS, 'ta', 'Knows about transactions'],
  [CLIENT.RESERVED, 'rs', 'Speaks 4.1 protocol (old flag)'],
  [CLIENT.SECURE_CONNECTION, 'sc', 'Can do 4.1 authentication'],
  [CLIENT.MULTI_STATEMENTS, 'ms', 'Multiple statements'],
  [CLIENT.MULTI_RESULTS, 'mr', 'Multiple results'],
  [CLIENT.PS_MULTI_RESULTS, 'pm', 'PS Multiple results'],
  [CLIENT.PLUGIN_AUTH, 'pa', 'Plugin Auth'],
  [CLIENT.CONNECT_ATTRS, 'ca', 'Connect attrs'],
  [CLIENT.PLUGIN_AUTH_LENENC_CLIENT_DATA, 'al', 'Plugin Auth LENENC Client Data'],
  [CLIENT.CAN_HANDLE_EXPIRED_PASSWORDS, 'ep', 'Client can handle expired passwords'],
  [CLIENT.SESSION_TRACK, 'session_track', 'Session variable tracking'],
  [CLIENT.DEPRECATE_EOF, 'deprecate_eof', 'Deprecate EOF'],
  [CLIENT.OPTIONAL_RESULTSET_METADATA, 'optional_metadata', 'Client can handle optional resultset metadata'],
  [CLIENT.ZSTD_COMPRESSION_ALGORITHM, 'compress_zsd', 'ZSTD compression algorithm'],
  [CLIENT.QUERY_ATTRIBUTES, 'query_attrs', 'Query Attributes'],
  [CLIENT.MULTI_FACTOR_AUTHENTICATION, 'mf_auth', 'Multifactor Authentication'],
  [CLIENT.CAPABILITY_EXTENSION, 'cap_ext', 'Capability Extension'],
  [CLIENT.SSL_VERIFY_SERVER_CERT, 'vc', "Verify server certificate"],
  [CLIENT.REMEMBER_OPTIONS, 'ro', 'Remember options'],
];

/** MariaDB extended capabilities (the 4 bytes after the reserved filler, bits 32..63). */
export const MARIADB_CLIENT = {
  PROGRESS: 1 << 0,
  COM_MULTI: 1 << 1,
  STMT_BULK_OPERATIONS: 1 << 2,
  EXTENDED_METADATA: 1 << 3,
  CACHE_METADATA: 1 << 4,
  BULK_UNIT_RESULTS: 1 << 5,
} as const;

export const MARIADB_CAPABILITY_BITS: ReadonlyArray<readonly [number, string, string]> = [
  [MARIADB_CLIENT.PROGRESS, 'pr', 'Progress indication'],
  [MARIADB_CLIENT.COM_MULTI, 'cm', 'COM_MULTI'],
  [MARIADB_CLIENT.STMT_BULK_OPERATIONS, 'bo', 'Bulk operations'],
  [MARIADB_CLIENT.EXTENDED_METADATA, 'em', 'Extended metadata'],
  [MARIADB_CLIENT.CACHE_METADATA, 'me', 'Cache metadata'],
  [MARIADB_CLIENT.BULK_UNIT_RESULTS, 'bu', 'Bulk unit results'],
];

export function hasCap(caps: number, flag: number): boolean {
  // Bit 31 makes `&` negative; compare with !== 0.
  return (caps & flag) !== 0;
}
