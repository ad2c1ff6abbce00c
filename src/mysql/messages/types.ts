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
export interface AuthSwitchResponse { kind: 'auth_switch_response'; length: number }
/** 0x01 from the server during authentication; caching_sha2's status byte 3 = fast auth success, 4 = full auth. */
export interface AuthMoreData { kind: 'auth_more_data'; status: number | undefined; length: number }
/** Client bytes during authentication that are neither a switch response nor known (e.g. a cleartext password, RSA data). */
export interface AuthData { kind: 'auth_data'; length: number }

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
}

export interface Ok {
  kind: 'ok';
  /** 0x00 normally, 0xFE when it ends a result set under CLIENT_DEPRECATE_EOF. */
  header: number;
  affectedRows: U64;
  lastInsertId: U64;
  status: number;
  warnings: number;
  info: string;
}

export interface Err {
  kind: 'err';
  code: number;
  sqlstate: string | undefined;
  message: string;
}

export interface Eof { kind: 'eof'; warnings: number; status: number }

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
export interface TlsData { kind: 'tls'; length: number; contentType: number | undefined }

/** A packet we could not place: shown with its bytes and the reason. */
export interface Unknown { kind: 'unknown'; reason: string; firstByte: number | undefined }

export type MySqlEvent =
  | Greeting
  | HandshakeResponse
  | SslRequest
  | AuthSwitchRequest
  | AuthSwitchResponse
  | AuthMoreData
  | AuthData
  | Command
  | Ok
  | Err
  | Eof
  | ResultSet
  | FieldList
  | StmtPrepareOk
  | TextResponse
  | LocalInfileRequest
  | LocalInfileData
  | TlsData
  | Unknown;
