/**
 * Decoded MySQL messages: the typed summary of each message, always built (cheap). The full field tree with
 * byte offsets is built alongside only when asked. 64-bit protocol integers are `number` when safe, else `bigint`.
 */
export type U64 = number | bigint;

export interface ColumnDefinition {
  catalog: string;
  schema: string;
  table: string;
  orgTable: string;
  name: string;
  orgName: string;
  charset: number;
  columnLength: number;
  type: number;
  flags: number;
  decimals: number;
  /** MariaDB extended metadata: data type name (json, uuid, inet6, …) and format. */
  extendedType?: string;
  extendedFormat?: string;
}

export interface Greeting {
  kind: 'greeting';
  protocol: number;
  version: string;
  threadId: number;
  /** Lower 32 bits of capabilities (lower 16 + upper 16). */
  capabilities: number;
  /** MariaDB extended capabilities (only when the server cleared CLIENT_MYSQL), else 0. */
  mariadbCapabilities: number;
  collation: number;
  status: number;
  authPlugin: string;
  /** True when the version starts with `5.5.5-` or the capabilities say MariaDB. */
  mariadb: boolean;
}

export interface HandshakeResponse {
  kind: 'handshake_response';
  /** 41 for HandshakeResponse41, 320 for the old HandshakeResponse320. */
  format: 41 | 320;
  capabilities: number;
  mariadbCapabilities: number;
  maxPacket: number;
  collation: number;
  user: string;
  schema: string | undefined;
  authPlugin: string | undefined;
  attributes: Array<[string, string]>;
  zstdLevel: number | undefined;
}

export interface SslRequest {
  kind: 'ssl_request';
  capabilities: number;
  maxPacket: number;
  collation: number;
}

export interface AuthSwitchRequest { kind: 'auth_switch_request'; plugin: string }
export interface AuthSwitchResponse { kind: 'auth_switch_response'; length: number; what?: AuthDataKind }
/**
 * 0x01 from the server during authentication: caching_sha2's status byte (3 = fast auth success, 4 = perform full
 * authentication), or the server's RSA public key (PEM) for caching_sha2/sha256_password, or plugin data.
 */
export interface AuthMoreData { kind: 'auth_more_data'; status: number | undefined; length: number; publicKey: boolean }
/** 0x02 from the server during authentication: multi-factor authentication asks for the next factor. */
export interface AuthNextFactor { kind: 'auth_next_factor'; plugin: string }
/** What client bytes during authentication are, as far as the exchange tells. */
export type AuthDataKind = 'public key request' | 'RSA-encrypted password' | 'cleartext password' | 'auth response';
/** Client bytes during authentication other than the login request itself. */
export interface AuthData { kind: 'auth_data'; length: number; what?: AuthDataKind }

export interface Command {
  kind: 'command';
  command: number;
  /** COM_QUERY / COM_STMT_PREPARE text. */
  query?: string;
  /** COM_INIT_DB, COM_CHANGE_USER schema. */
  schema?: string;
  user?: string;
  table?: string;
  threadId?: number;
  stmtId?: number;
  option?: number;
  binlogFile?: string;
  binlogPos?: U64;
  serverId?: number;
  /** COM_STMT_SEND_LONG_DATA: parameter index and chunk length. */
  param?: number;
  dataLength?: number;
  /** COM_STMT_EXECUTE decoded against the statement registry (query = the prepared SQL when known). */
  execute?: StmtExecute;
  /** COM_STMT_BULK_EXECUTE (MariaDB). */
  bulk?: StmtBulkExecute;
  /** The statement executed was prepared before the capture began: its SQL is unknown. */
  stmtUnknown?: boolean;
  /** COM_QUERY query attributes (CLIENT_QUERY_ATTRIBUTES). */
  attributes?: QueryAttribute[];
}

/** One query attribute of a COM_QUERY: name, binary-protocol type and value (null: SQL NULL). */
export interface QueryAttribute { name: string; type: number; unsigned: boolean; value: BinaryValue | null }

export interface Ok {
  kind: 'ok';
  /** 0x00 normally, 0xFE when it ends a result set under CLIENT_DEPRECATE_EOF. */
  header: number;
  affectedRows: U64;
  lastInsertId: U64;
  status: number;
  warnings: number;
  info: string;
  /** CLIENT_SESSION_TRACK changes carried by this OK (SERVER_SESSION_STATE_CHANGED). */
  sessionState?: SessionStateChange[];
}

export interface Err {
  kind: 'err';
  code: number;
  sqlstate: string | undefined;
  message: string;
}

export interface Eof { kind: 'eof'; warnings: number; status: number }

/**
 * MariaDB progress report (MARIADB_CLIENT_PROGRESS): an ERR_Packet with error code 0xFFFF sent while a long
 * statement runs (ALTER TABLE, LOAD DATA…); the real response follows. `progress` is in thousandths of a percent.
 */
export interface Progress { kind: 'progress'; stage: number; maxStage: number; progress: number; info: string }

/** A whole text result set: column count, column definitions, rows and its end marker (EOF or OK). */
export interface ResultSet {
  kind: 'resultset';
  columnCount: number;
  columns: ColumnDefinition[];
  /** Rows counted (all of them). */
  rowCount: number;
  /** The first `limits.maxRowsKept` rows; null is SQL NULL. */
  rows: Array<Array<string | null>>;
  /** How the set ended: EOF, OK (CLIENT_DEPRECATE_EOF), ERR (error mid-set), or not at all (capture ended/gap). */
  end: 'eof' | 'ok' | 'err' | 'incomplete';
  status: number;
  warnings: number;
  /** SERVER_MORE_RESULTS_EXISTS in the end marker: another result follows. */
  moreResults: boolean;
  /** The error that ended the set, when end is 'err'. */
  error?: Err;
  /** Binary protocol rows (prepared statements): counted; their values are not decoded yet (rows stays empty). */
  binary?: boolean;
}

/** Response to COM_FIELD_LIST: column definitions then EOF. */
export interface FieldList { kind: 'field_list'; columns: ColumnDefinition[]; end: 'eof' | 'ok' | 'incomplete' }

/** Response to COM_STMT_PREPARE. Parameter/column definitions follow inside the same message. */
export interface StmtPrepareOk {
  kind: 'stmt_prepare_ok';
  stmtId: number;
  numColumns: number;
  numParams: number;
  warnings: number;
  params: ColumnDefinition[];
  columns: ColumnDefinition[];
}

/** A plain-text response such as COM_STATISTICS'. */
export interface TextResponse { kind: 'text'; text: string }

/** 0xFB LOCAL INFILE request. */
export interface LocalInfileRequest { kind: 'local_infile'; filename: string }

/** A packet of the file the client sends after a LOCAL INFILE request; an empty one ends the file. */
export interface LocalInfileData { kind: 'local_infile_data'; length: number; end: boolean }

/** TLS bytes after an SSLRequest (not decrypted). */
export interface TlsData {
  kind: 'tls';
  length: number;
  contentType: number | undefined;
  /** Clear-text handshake messages completed by this record (hellos: version, cipher suites, SNI, ALPN). */
  handshakes?: TlsHandshakeInfo[];
}

/** A packet we could not place: shown with its bytes and the reason. */
export interface Unknown { kind: 'unknown'; reason: string; firstByte: number | undefined }

export type MySqlEvent =
  | Greeting
  | HandshakeResponse
  | SslRequest
  | AuthSwitchRequest
  | AuthSwitchResponse
  | AuthMoreData
  | AuthNextFactor
  | AuthData
  | Command
  | Ok
  | Err
  | Eof
  | Progress
  | BinlogEvent
  | BinlogSemiSyncAck
  | ResultSet
  | FieldList
  | StmtPrepareOk
  | TextResponse
  | LocalInfileRequest
  | LocalInfileData
  | TlsData
  | Unknown;

// ---------------------------------------------------------------- binary protocol (prepared statements)

/** Date/time parts of a binary DATE/DATETIME/TIMESTAMP (all 0 for the zero date sent as length 0). */
export interface BinaryDateTime { year: number; month: number; day: number; hour: number; minute: number; second: number; micro: number }
/** Parts of a binary TIME: `days` as sent (hours = days * 24 + hour); the text folds days into hours. */
export interface BinaryTime { negative: boolean; days: number; hour: number; minute: number; second: number; micro: number }

/**
 * One value in the binary protocol ("Binary Protocol Value"), with its wire type and a display string.
 * `int` values are `number` when safe, else `bigint` (BIGINT beyond 2^53). Byte values are copies (they outlive
 * the packet buffer). SQL NULL from a NULL bitmap is not a BinaryValue: rows and parameters use `null` for it.
 */
export type BinaryValue =
  | { kind: 'int'; type: number; unsigned: boolean; value: number | bigint; text: string }
  | { kind: 'float'; type: number; value: number; text: string }
  | { kind: 'decimal'; type: number; value: string; text: string }
  | { kind: 'datetime'; type: number; value: BinaryDateTime; text: string }
  | { kind: 'time'; type: number; value: BinaryTime; text: string }
  | { kind: 'string'; type: number; value: string; text: string }
  | { kind: 'bytes'; type: number; value: Uint8Array; text: string }
  | { kind: 'null'; type: number; value: null; text: string };

/** A parameter type as sent in COM_STMT_EXECUTE / COM_STMT_BULK_EXECUTE: type byte + flag byte (0x80 unsigned). */
export interface ParamType { type: number; unsigned: boolean }

/**
 * A prepared statement as the per-connection registry (session/statements.ts) knows it.
 * `partial` statements were prepared before the capture began: only what later commands revealed is known
 * (types remembered from an EXECUTE, long data); `sql` is '' and params/columns are empty.
 */
export interface PreparedStatement {
  id: number;
  sql: string;
  params: ColumnDefinition[];
  columns: ColumnDefinition[];
  /** num_params from COM_STMT_PREPARE_OK when its definitions were not sent (optional metadata); else params.length. */
  numParams?: number;
  /** Types bound by the last EXECUTE/BULK_EXECUTE that sent them (reused when new_params_bound is 0). */
  paramTypes?: ParamType[];
  /** COM_STMT_SEND_LONG_DATA received since the last execute/reset: parameter index → bytes so far. */
  longData: Map<number, number>;
  partial?: boolean;
}

/** One COM_STMT_EXECUTE parameter. */
export interface StmtParam {
  index: number;
  type: number;
  unsigned: boolean;
  /** Name under CLIENT_QUERY_ATTRIBUTES (empty for positional parameters). */
  name?: string;
  /** null: SQL NULL (bitmap); 'streamed': sent before by COM_STMT_SEND_LONG_DATA, not in this packet. */
  value: BinaryValue | null | 'streamed';
  /** Bytes received by COM_STMT_SEND_LONG_DATA, when streamed and known. */
  streamedBytes?: number;
}

/** COM_STMT_EXECUTE decoded against the statement registry (messages/prepared.ts). */
export interface StmtExecute {
  stmtId: number;
  /** Raw flags byte: cursor type in bits 0..2, PARAMETER_COUNT_AVAILABLE 0x08. */
  flags: number;
  cursor: 'none' | 'read_only' | 'for_update' | 'scrollable' | 'unknown';
  parameterCountAvailable: boolean;
  iterations: number;
  /** Parameters in this execute (explicit under CLIENT_QUERY_ATTRIBUTES, else from PREPARE or inferred). */
  paramCount: number | undefined;
  /** new_params_bound_flag; undefined when there are no parameters. */
  newParamsBound: boolean | undefined;
  /** Types sent in this packet (the session remembers them for later executes). */
  sentTypes?: ParamType[];
  /** Decoded parameters (empty when `undecoded` is set). */
  params: StmtParam[];
  /** True when the statement was unknown (prepared before the capture) and the count was inferred from the bytes. */
  inferred?: boolean;
  /** Inferred: other parameter counts that would also fit the bytes (the chosen one is `paramCount`). */
  otherLayouts?: number[];
  /** Why the parameter values could not be decoded; `raw` holds them (a copy). */
  undecoded?: string;
  raw?: Uint8Array;
  /** Bytes after the last parameter value (should be 0). */
  trailingBytes?: number;
}

/** A COM_STMT_BULK_EXECUTE value: a BinaryValue, or what its indicator says instead. */
export type BulkValue = BinaryValue | null | 'default' | 'ignore' | 'ignore_row';

/** MariaDB COM_STMT_BULK_EXECUTE. */
export interface StmtBulkExecute {
  stmtId: number;
  flags: number;
  sendTypes: boolean;
  unitResults: boolean;
  paramCount: number | undefined;
  /** Types sent in this packet, when SEND_TYPES_TO_SERVER. */
  sentTypes?: ParamType[];
  /** Parameter sets, in order (each one row of values). */
  rows: BulkValue[][];
  inferred?: boolean;
  undecoded?: string;
  raw?: Uint8Array;
}

/**
 * One entry of the session state information in an OK packet (CLIENT_SESSION_TRACK + SERVER_SESSION_STATE_CHANGED;
 * decoded by messages/session-track.ts). `type` is the raw tracker type byte (open enum, principle 10).
 * A SESSION_TRACK_SYSTEM_VARIABLES entry that carries several name/value pairs gives one change per pair.
 */
export type SessionStateChange =
  | { kind: 'system_variable'; type: 0; name: string; value: string }
  | { kind: 'schema'; type: 1; schema: string }
  /** SESSION_TRACK_STATE_CHANGE: '1' when the session state changed ('0' is not sent by current servers). */
  | { kind: 'state_change'; type: 2; changed: boolean; raw: string }
  /** SESSION_TRACK_GTIDS: encoding 0 is a GTID set as text. */
  | { kind: 'gtids'; type: 3; encoding: number; gtids: string }
  /** SESSION_TRACK_TRANSACTION_CHARACTERISTICS: SQL that would start a transaction like the current one (may be ''). */
  | { kind: 'transaction_characteristics'; type: 4; characteristics: string }
  | ({ kind: 'transaction_state'; type: 5 } & TransactionStateInfo)
  /** Any other tracker type: its bytes (copied), kept raw. */
  | { kind: 'unknown'; type: number; data: Uint8Array };

/** SESSION_TRACK_TRANSACTION_STATE: 8 characters, one per position (`T_R__S__` …), explained. */
export interface TransactionStateInfo {
  /** The 8 characters as sent. */
  state: string;
  /** Position 1: T explicit (START TRANSACTION), I implicit (autocommit off), _ none. */
  transaction: 'explicit' | 'implicit' | 'none' | 'unknown';
  /** Position 2 'r': non-transactional tables read. */
  readUnsafe: boolean;
  /** Position 3 'R': transactional tables read. */
  readTrx: boolean;
  /** Position 4 'w': non-transactional tables written. */
  writeUnsafe: boolean;
  /** Position 5 'W': transactional tables written. */
  writeTrx: boolean;
  /** Position 6 's': unsafe statements (e.g. UUID()) used. */
  stmtUnsafe: boolean;
  /** Position 7 'S': a result set was sent. */
  resultSet: boolean;
  /** Position 8 'L': tables locked with LOCK TABLES. */
  lockedTables: boolean;
  /** One readable phrase: `explicit transaction; transactional tables written; result set sent`. */
  description: string;
}

/** A problem found while decoding TLS handshake bytes: becomes an Issue (layer 'mysql') at the caller. */
export interface TlsProblem {
  kind: 'truncated' | 'malformed' | 'over-limit';
  code: string;
  message: string;
  /** Offset inside the bytes given to the parser (plus its `base`). */
  offset: number;
}

/**
 * What the clear-text hello messages of a TLS handshake say (RFC 8446 §4.1.2/§4.1.3, RFC 5246 §7.4.1.2/§7.4.1.3);
 * decoded by codec/tls-hello.ts. Other handshake types give only `type` and `length`. Byte fields are copies.
 */
export interface TlsHandshakeInfo {
  /** Handshake type (1 ClientHello, 2 ServerHello, 11 Certificate, …). */
  type: number;
  /** Body length from the handshake header (uint24). */
  length: number;
  /** The whole body was present (false: decoded as far as the bytes went; see `problem`). */
  complete: boolean;
  /** legacy_version / client_version (0x0303 in TLS 1.3 hellos). */
  legacyVersion?: number;
  /**
   * The real version: ServerHello — the supported_versions selection, else legacyVersion;
   * ClientHello — the highest offered supported_version (GREASE ignored), else legacyVersion.
   */
  version?: number;
  /** ClientHello: the supported_versions extension as offered (in order, GREASE included). */
  supportedVersions?: number[];
  random?: Uint8Array;
  sessionId?: Uint8Array;
  /** ClientHello: cipher suites offered, in order. */
  cipherSuites?: number[];
  /** ServerHello: the cipher suite chosen. */
  cipherSuite?: number;
  /** ClientHello: compression methods offered; ServerHello: one element, the method chosen. */
  compressionMethods?: number[];
  /** Extension types in the order sent. */
  extensions?: number[];
  /** server_name (SNI) host name. */
  serverName?: string;
  /** ALPN protocol names (ClientHello: offered; ServerHello/EncryptedExtensions: selected). */
  alpn?: string[];
  /** A ServerHello whose random is the HelloRetryRequest constant (RFC 8446 §4.1.3). */
  helloRetryRequest?: boolean;
  problem?: TlsProblem;
}

// ---------------------------------------------------------------------------------------------------------------
// Replication: binlog events (src/mysql/messages/binlog.ts). Not yet members of MySqlEvent: the session adds them.
// ---------------------------------------------------------------------------------------------------------------

/** The 19-byte header of every binlog event (v4). */
export interface BinlogEventHeader {
  /** Seconds since the epoch (0 in artificial events). */
  timestamp: number;
  typeCode: number;
  /** `QUERY_EVENT`, `WRITE_ROWS_EVENT_V1`, … or `Unknown (0x..)`. */
  typeName: string;
  serverId: number;
  /** Header + body + checksum. */
  eventSize: number;
  /** Position of the next event in the binlog (0 in artificial events). */
  logPos: number;
  flags: number;
}

/** The CRC32 of one event. `alg: 'none'` when the stream has no checksums (or the FDE said OFF). */
export interface BinlogChecksum {
  alg: 'crc32' | 'none';
  stored?: number;
  computed?: number;
  /** False for a mismatch: the event's bytes are not what the server wrote. */
  ok?: boolean;
}

/** One column of a TABLE_MAP_EVENT, with what the optional metadata added. */
export interface BinlogColumn {
  /** Column type as sent (a STRING column may hide ENUM/SET: see realType). */
  type: number;
  /** ENUM/SET for STRING columns that are really ENUM/SET; else the type. */
  realType: number;
  /** Type metadata, 0..2 bytes, little-endian (DECIMAL: precision | scale << 8; BIT: bits | bytes << 8; STRING: byte0 | byte1 << 8). */
  meta: number;
  nullable: boolean;
  /** From SIGNEDNESS optional metadata; undefined when not sent (values are then shown signed). */
  unsigned?: boolean;
  name?: string;
  /** Collation id from DEFAULT_CHARSET / COLUMN_CHARSET optional metadata. */
  collation?: number;
  enumValues?: string[];
  setValues?: string[];
}

/** One row image: values of the present columns (`cols` = their indexes), as text; null = SQL NULL. */
export interface BinlogRowImage {
  cols: number[];
  /**
   * Text as the server would show it: numbers, `YYYY-MM-DD hh:mm:ss.ffffff`, TIMESTAMP in UTC, strings decoded with
   * the column's collation when known (utf-8 otherwise); binary values as `x'hex'`, BIT as `b'0101'`.
   */
  values: Array<string | null>;
}

export interface BinlogRow { before?: BinlogRowImage; after?: BinlogRowImage }

export type BinlogBody =
  | { type: 'format_description'; binlogVersion: number; serverVersion: string; createTimestamp: number; headerLength: number;
      postHeaderLengths: number[]; /** 0 = OFF, 1 = CRC32; undefined for servers before checksums. */ checksumAlg: number | undefined }
  | { type: 'rotate'; position: number | bigint; file: string }
  | { type: 'query'; threadId: number; execTime: number; schema: string; errorCode: number; statusVarsLength: number; query: string }
  | { type: 'xid'; xid: number | bigint }
  | { type: 'intvar'; varType: number; value: number | bigint }
  /** MySQL GTID_LOG_EVENT / ANONYMOUS_GTID_LOG_EVENT. */
  | { type: 'gtid'; anonymous: boolean; flags: number; uuid: string; gno: number | bigint; gtid: string;
      lastCommitted?: number | bigint; sequenceNumber?: number | bigint;
      immediateCommitTimestamp?: number | bigint; originalCommitTimestamp?: number | bigint; transactionLength?: number | bigint }
  | { type: 'previous_gtids'; sets: Array<{ uuid: string; intervals: Array<[number | bigint, number | bigint]> }>; gtidSet: string }
  /** MariaDB GTID_EVENT: gtid = domain-server-seq. */
  | { type: 'mariadb_gtid'; seqNo: number | bigint; domainId: number; flags: number; commitId?: number | bigint; gtid: string }
  | { type: 'gtid_list'; flags: number; gtids: string[] }
  | { type: 'binlog_checkpoint'; file: string }
  /** MariaDB ANNOTATE_ROWS_EVENT and MySQL ROWS_QUERY_LOG_EVENT: the statement that made the following rows events. */
  | { type: 'annotate_rows'; query: string }
  | { type: 'table_map'; tableId: number; flags: number; schema: string; table: string; columns: BinlogColumn[] }
  | { type: 'rows'; action: 'write' | 'update' | 'delete'; version: 1 | 2; tableId: number; flags: number;
      schema?: string; table?: string; columnCount: number; extraDataLength: number;
      /** Rows decoded (all of them), the first maxRowsKept kept. */
      rowCount: number; rows: BinlogRow[];
      /** Why the row images were not (fully) decoded: no table map, unsupported column type… */
      undecoded?: string }
  | { type: 'heartbeat'; file: string; position: number | bigint }
  | { type: 'raw'; length: number };

/** One binlog event from a COM_BINLOG_DUMP(_GTID) stream (or a binlog file). */
export interface BinlogEvent {
  kind: 'binlog_event';
  header: BinlogEventHeader;
  /** Set when the packet had the semi-sync header (0xEF, flag). */
  semiSync?: { ackRequested: boolean };
  checksum: BinlogChecksum;
  body: BinlogBody;
}

/** A replica's semi-sync ACK (client → server, 0xEF + position + file name). */
export interface BinlogSemiSyncAck { kind: 'binlog_semisync_ack'; position: number | bigint; file: string }
