/**
 * The `mysql.*` / `mariadb.*` fields, with Wireshark's names wherever Wireshark has the field
 * (checked against `tshark -G fields` 4.0.17). Our own fields use the same prefixes.
 */
import { defineField as f, names, type FieldDef } from '../model/field.js';
import { CAPABILITY_BITS, MARIADB_CAPABILITY_BITS } from './constants/capabilities.js';
import { COLUMN_TYPE_NAMES, FIELD_FLAG_BITS } from './constants/column-types.js';
import { COLLATION_NAMES } from './constants/collations.js';
import { COMMAND_NAMES } from './constants/commands.js';
import { STATUS_BITS } from './constants/status.js';

function flagFields(prefix: string, bits: ReadonlyArray<readonly [number, string, string]>): FieldDef[] {
  return bits.map(([mask, suffix, label]) =>
    f({ name: `${prefix}.${suffix}`, label, type: 'bool', mask, description: `${label} flag` }),
  );
}

export const F = {
  // framing
  packetLength: f({ name: 'mysql.packet_length', label: 'Packet Length', type: 'uint', description: 'Payload length from the 3-byte packet header' }),
  packetNumber: f({ name: 'mysql.packet_number', label: 'Packet Number', type: 'uint', description: 'Sequence id from the packet header' }),
  responseCode: f({
    name: 'mysql.response_code', label: 'Response Code', type: 'uint', base: 'hex',
    description: 'First byte of a response', valueNames: names({ 0x00: 'OK Packet', 0xff: 'ERR Packet', 0xfe: 'EOF Packet', 0xfb: 'LOCAL INFILE Packet' }),
  }),
  payload: f({ name: 'mysql.payload', label: 'Payload', type: 'bytes', description: 'Bytes not decoded further' }),

  // Server Greeting (HandshakeV10)
  serverGreeting: f({ name: 'mysql.server_greeting', label: 'Server Greeting', type: 'none', description: 'Initial handshake packet' }),
  protocol: f({ name: 'mysql.protocol', label: 'Protocol', type: 'uint', description: 'Protocol version (10)' }),
  version: f({ name: 'mysql.version', label: 'Version', type: 'string', description: 'Server version string' }),
  threadId: f({ name: 'mysql.thread_id', label: 'Thread ID', type: 'uint', description: 'Connection id (greeting) or thread to kill (COM_PROCESS_KILL)' }),
  salt: f({ name: 'mysql.salt', label: 'Salt', type: 'bytes', description: 'auth-plugin-data part 1' }),
  salt2: f({ name: 'mysql.salt2', label: 'Salt', type: 'bytes', description: 'auth-plugin-data part 2' }),
  capsServer: f({ name: 'mysql.caps.server', label: 'Server Capabilities', type: 'uint', base: 'hex4', description: 'Lower 16 capability bits of the server' }),
  extcapsServer: f({ name: 'mysql.extcaps.server', label: 'Extended Server Capabilities', type: 'uint', base: 'hex4', description: 'Upper 16 capability bits of the server' }),
  serverLanguage: f({ name: 'mysql.server_language', label: 'Server Language', type: 'uint', description: 'Server default collation id', valueNames: COLLATION_NAMES }),
  serverStatus: f({ name: 'mysql.server_status', label: 'Server Status', type: 'uint', base: 'hex4', description: 'SERVER_STATUS_* flags' }),
  authPluginLength: f({ name: 'mysql.auth_plugin.length', label: 'Authentication Plugin Length', type: 'uint', description: 'Length of auth-plugin-data' }),
  unused: f({ name: 'mysql.unused', label: 'Unused', type: 'bytes', description: 'Reserved filler' }),
  authPlugin: f({ name: 'mysql.auth_plugin', label: 'Authentication Plugin', type: 'string', description: 'Server default authentication plugin' }),
  mariadbExtcapsServer: f({ name: 'mariadb.extcaps.server', label: 'MariaDB Extended Server Capabilities', type: 'uint', base: 'hex8', description: 'MariaDB capability bits 32..63 of the server' }),

  // Login Request (HandshakeResponse41/320) and SSLRequest
  loginRequest: f({ name: 'mysql.login_request', label: 'Login Request', type: 'none', description: 'HandshakeResponse' }),
  sslRequest: f({ name: 'mysql.ssl_request', label: 'SSL Request', type: 'none', description: 'SSLRequest: the rest of the connection is TLS' }),
  capsClient: f({ name: 'mysql.caps.client', label: 'Client Capabilities', type: 'uint', base: 'hex4', description: 'Lower 16 capability bits of the client' }),
  extcapsClient: f({ name: 'mysql.extcaps.client', label: 'Extended Client Capabilities', type: 'uint', base: 'hex4', description: 'Upper 16 capability bits of the client' }),
  mariadbExtcapsClient: f({ name: 'mariadb.extcaps.client', label: 'MariaDB Extended Client Capabilities', type: 'uint', base: 'hex8', description: 'MariaDB capability bits 32..63 of the client' }),
  maxPacket: f({ name: 'mysql.max_packet', label: 'MAX Packet', type: 'uint', description: 'Largest packet the client accepts' }),
  charset: f({ name: 'mysql.charset', label: 'Charset', type: 'uint', description: 'Client collation id', valueNames: COLLATION_NAMES }),
  user: f({ name: 'mysql.user', label: 'Username', type: 'string', description: 'User name (login, COM_CHANGE_USER)' }),
  passwd: f({ name: 'mysql.passwd', label: 'Password', type: 'bytes', description: 'Auth response (scrambled password)' }),
  schema: f({ name: 'mysql.schema', label: 'Schema', type: 'string', description: 'Schema (login, COM_INIT_DB, COM_CHANGE_USER)' }),
  clientAuthPlugin: f({ name: 'mysql.client_auth_plugin', label: 'Client Auth Plugin', type: 'string', description: 'Authentication plugin the client used' }),
  connattrs: f({ name: 'mysql.connattrs', label: 'Connection Attributes', type: 'none', description: 'Connection attributes' }),
  connattrsLength: f({ name: 'mysql.connattrs.length', label: 'Connection Attributes length', type: 'uint', description: 'Total length of the attributes' }),
  connattrsAttr: f({ name: 'mysql.connattrs.attr', label: 'Connection Attribute', type: 'none', description: 'One attribute' }),
  connattrsName: f({ name: 'mysql.connattrs.name', label: 'Connection Attribute Name', type: 'string', description: 'Attribute name' }),
  connattrsValue: f({ name: 'mysql.connattrs.value', label: 'Connection Attribute Value', type: 'string', description: 'Attribute value' }),
  zstdLevel: f({ name: 'mysql.compression.zstd_level', label: 'ZSTD Compression Level', type: 'uint', description: 'zstd level asked by the client' }),

  // Authentication exchange
  authSwitchStatus: f({ name: 'mysql.auth_switch_request.status', label: 'Status', type: 'uint', base: 'hex', description: '0xfe' }),
  authSwitchName: f({ name: 'mysql.auth_switch_request.name', label: 'Auth Method Name', type: 'string', description: 'Plugin the server switches to' }),
  authSwitchData: f({ name: 'mysql.auth_switch_request.data', label: 'Auth Method Data', type: 'bytes', description: 'Plugin data (salt)' }),
  authSwitchResponseData: f({ name: 'mysql.auth_switch_response.data', label: 'Auth Method Data', type: 'bytes', description: 'Client answer to an auth switch or more-data request' }),
  authMoreData: f({ name: 'mysql.auth_more_data', label: 'Auth More Data', type: 'bytes', description: 'AuthMoreData payload' }),
  serverPublicKey: f({ name: 'mysql.hf_mysql_pubkey', label: 'Public key', type: 'string', description: 'Server RSA public key (PEM) for caching_sha2/sha256_password' }),
  authDataKind: f({ name: 'mysql.auth_data.kind', label: 'Authentication data', type: 'string', description: 'What client bytes during authentication are (myshark)' }),
  loginOutcome: f({ name: 'mysql.login.outcome', label: 'Login outcome', type: 'string', description: 'ok or failed, on the message that ends a login or COM_CHANGE_USER (myshark)' }),
  sha2AuthState: f({
    name: 'mysql.sha2_auth.state', label: 'caching_sha2_password state', type: 'uint',
    description: 'caching_sha2_password status byte in AuthMoreData',
    valueNames: names({ 1: 'request_public_key', 2: 'request_public_key', 3: 'fast_auth_success', 4: 'perform_full_authentication' }),
  }),

  // Commands
  request: f({ name: 'mysql.request', label: 'Request Command', type: 'none', description: 'A client command' }),
  command: f({ name: 'mysql.command', label: 'Command', type: 'uint', description: 'Command code', valueNames: COMMAND_NAMES }),
  query: f({ name: 'mysql.query', label: 'Statement', type: 'string', description: 'SQL text (COM_QUERY, COM_STMT_PREPARE)' }),
  queryAttrs: f({ name: 'mysql.query_attrs', label: 'Query Attributes', type: 'none', description: 'Query attributes of a COM_QUERY (CLIENT_QUERY_ATTRIBUTES)' }),
  tableName: f({ name: 'mysql.table_name', label: 'Table Name', type: 'string', description: 'COM_FIELD_LIST table' }),
  fieldWildcard: f({ name: 'mysql.field_wildcard', label: 'Field Wildcard', type: 'string', description: 'COM_FIELD_LIST column wildcard' }),
  option: f({ name: 'mysql.option', label: 'Option', type: 'uint', description: 'COM_SET_OPTION option', valueNames: names({ 0: 'MYSQL_OPTION_MULTI_STATEMENTS_ON', 1: 'MYSQL_OPTION_MULTI_STATEMENTS_OFF' }) }),
  refresh: f({ name: 'mysql.refresh', label: 'Refresh Option', type: 'uint', base: 'hex', description: 'COM_REFRESH sub-command bits' }),
  shutdown: f({ name: 'mysql.shutdown', label: 'Shutdown Level', type: 'uint', description: 'COM_SHUTDOWN level' }),
  stmtId: f({ name: 'mysql.stmt_id', label: 'Statement ID', type: 'uint', description: 'Prepared statement id' }),
  execFlags: f({ name: 'mysql.exec_flags', label: 'Flags', type: 'uint', description: 'COM_STMT_EXECUTE cursor flags', valueNames: names({ 0: 'Defaults', 1: 'Read-only cursor', 2: 'Cursor for update', 4: 'Scrollable cursor', 8: 'Parameter Count Available' }) }),
  execIter: f({ name: 'mysql.exec_iter', label: 'Iterations (unused)', type: 'uint', description: 'COM_STMT_EXECUTE iteration count (always 1)' }),
  param: f({ name: 'mysql.param', label: 'Parameter', type: 'uint', description: 'COM_STMT_SEND_LONG_DATA parameter index' }),
  numRows: f({ name: 'mysql.num_rows', label: 'Rows to fetch', type: 'uint', description: 'COM_STMT_FETCH row count' }),
  longData: f({ name: 'mysql.long_data', label: 'Data', type: 'bytes', description: 'COM_STMT_SEND_LONG_DATA chunk' }),
  binlogPosition: f({ name: 'mysql.binlog.position', label: 'Binlog Position', type: 'uint', description: 'Binlog position' }),
  binlogFlags: f({ name: 'mysql.binlog.flags', label: 'Binlog Flags', type: 'uint', base: 'hex4', description: 'COM_BINLOG_DUMP flags' }),
  binlogServerId: f({ name: 'mysql.binlog.server_id', label: 'Binlog server id', type: 'uint', description: 'Replica server id' }),
  binlogFileName: f({ name: 'mysql.binlog.file_name', label: 'Binlog file name', type: 'string', description: 'Binlog file name' }),
  binlogGtidData: f({ name: 'mysql.binlog.gtid_data', label: 'GTID Data', type: 'bytes', description: 'COM_BINLOG_DUMP_GTID GTID set' }),
  slaveHostname: f({ name: 'mysql.binlog.slave_hostname', label: 'Slave hostname', type: 'string', description: 'COM_REGISTER_SLAVE host' }),
  slaveUser: f({ name: 'mysql.binlog.slave_user', label: 'Slave user', type: 'string', description: 'COM_REGISTER_SLAVE user' }),
  slavePassword: f({ name: 'mysql.binlog.slave_password', label: 'Slave password', type: 'string', description: 'COM_REGISTER_SLAVE password' }),
  slavePort: f({ name: 'mysql.binlog.slave_mysql_port', label: 'Slave MySQL port', type: 'uint', description: 'COM_REGISTER_SLAVE port' }),
  replicationRank: f({ name: 'mysql.binlog.replication_rank', label: 'Replication rank', type: 'uint', description: 'COM_REGISTER_SLAVE rank (ignored)' }),
  masterId: f({ name: 'mysql.binlog.master_id', label: 'Master id', type: 'uint', description: 'COM_REGISTER_SLAVE master id' }),
  cloneData: f({ name: 'mysql.clone.data', label: 'Clone data', type: 'bytes', description: 'COM_CLONE payload' }),

  // Responses
  affectedRows: f({ name: 'mysql.affected_rows', label: 'Affected Rows', type: 'uint', description: 'Rows changed by the statement' }),
  insertId: f({ name: 'mysql.insert_id', label: 'Last INSERT ID', type: 'uint', description: 'AUTO_INCREMENT value generated' }),
  warnings: f({ name: 'mysql.warnings', label: 'Warnings', type: 'uint', description: 'Warning count' }),
  message: f({ name: 'mysql.message', label: 'Message', type: 'string', description: 'Human readable info (OK, COM_STATISTICS)' }),
  errorCode: f({ name: 'mysql.error_code', label: 'Error Code', type: 'uint', description: 'Server error number' }),
  sqlstateMarker: f({ name: 'mysql.sqlstate_marker', label: 'SQL state marker', type: 'string', description: '#' }),
  sqlstate: f({ name: 'mysql.sqlstate', label: 'SQL state', type: 'string', description: 'SQLSTATE' }),
  errorMessage: f({ name: 'mysql.error.message', label: 'Error message', type: 'string', description: 'Error text' }),
  progressStage: f({ name: 'mariadb.progress.stage', label: 'Stage', type: 'uint', description: 'Progress report: current stage' }),
  progressMaxStage: f({ name: 'mariadb.progress.max_stage', label: 'Max stage', type: 'uint', description: 'Progress report: number of stages' }),
  progress: f({ name: 'mariadb.progress.progress', label: 'Progress', type: 'uint', description: 'Progress report: thousandths of a percent of the stage' }),
  progressInfo: f({ name: 'mariadb.progress.info', label: 'Progress info', type: 'string', description: 'Progress report: what the server is doing' }),
  eof: f({ name: 'mysql.eof', label: 'EOF marker', type: 'uint', description: '0xfe end-of-data marker' }),
  numFields: f({ name: 'mysql.num_fields', label: 'Number of fields', type: 'uint', description: 'Column count of a result set (or of a prepared statement)' }),
  numParams: f({ name: 'mysql.num_params', label: 'Number of parameter', type: 'uint', description: 'Parameter count of a prepared statement' }),
  metadataFollows: f({ name: 'mysql.metadata_follows', label: 'send metadata', type: 'uint', description: 'Metadata follows (optional metadata)' }),
  field: f({ name: 'mysql.field', label: 'Field', type: 'none', description: 'One column definition' }),
  fieldCatalog: f({ name: 'mysql.field.catalog', label: 'Catalog', type: 'string', description: 'Catalog (always def)' }),
  fieldDb: f({ name: 'mysql.field.db', label: 'Database', type: 'string', description: 'Schema of the column' }),
  fieldTable: f({ name: 'mysql.field.table', label: 'Table', type: 'string', description: 'Table alias' }),
  fieldOrgTable: f({ name: 'mysql.field.org_table', label: 'Original table', type: 'string', description: 'Physical table' }),
  fieldName: f({ name: 'mysql.field.name', label: 'Name', type: 'string', description: 'Column alias' }),
  fieldOrgName: f({ name: 'mysql.field.org_name', label: 'Original name', type: 'string', description: 'Physical column' }),
  fieldCharsetnr: f({ name: 'mysql.field.charsetnr', label: 'Charset number', type: 'uint', description: 'Collation id of the column', valueNames: COLLATION_NAMES }),
  fieldLength: f({ name: 'mysql.field.length', label: 'Length', type: 'uint', description: 'Column display length' }),
  fieldType: f({ name: 'mysql.field.type', label: 'Type', type: 'uint', description: 'Column type', valueNames: COLUMN_TYPE_NAMES }),
  fieldFlags: f({ name: 'mysql.field.flags', label: 'Flags', type: 'uint', base: 'hex4', description: 'Column flags' }),
  fieldDecimals: f({ name: 'mysql.field.decimals', label: 'Decimals', type: 'uint', description: 'Decimal digits' }),
  fieldDefault: f({ name: 'mysql.field.default', label: 'Default', type: 'string', description: 'Default value (COM_FIELD_LIST)' }),
  extmeta: f({ name: 'mysql.extmeta', label: 'Extended metadata', type: 'none', description: 'MariaDB extended column metadata' }),
  extmetaLength: f({ name: 'mysql.extmeta.length', label: 'Extended metadata length', type: 'uint', description: 'Length of the extended metadata' }),
  extmetaType: f({ name: 'mysql.extmeta.type', label: 'Extended metadata type', type: 'string', description: 'Data type name (json, uuid, inet6, …)' }),
  extmetaFormat: f({ name: 'mysql.extmeta.format', label: 'Extended metadata format', type: 'string', description: 'Format name' }),
  row: f({ name: 'mysql.row', label: 'Row', type: 'none', description: 'One text row' }),
  rowText: f({ name: 'mysql.row.text', label: 'text', type: 'string', description: 'A text row value (absent for NULL)' }),
  rowNull: f({ name: 'mysql.row.null', label: 'NULL', type: 'bool', description: 'A text row value that is SQL NULL' }),
  rows: f({ name: 'mysql.rows', label: 'Rows', type: 'uint', description: 'Rows in the result set (myshark; derived)' }),
  rowsNotShown: f({ name: 'mysql.rows.not_shown', label: 'Rows counted but not shown (limits.maxRowsKept)', type: 'uint', description: 'Rows of the result set beyond the ones kept for display (myshark; derived)' }),
  loadDataFilename: f({ name: 'mysql.load_data.filename', label: 'File name', type: 'string', description: 'LOCAL INFILE file requested by the server' }),
  loadDataPayload: f({ name: 'mysql.load_data.payload', label: 'Payload', type: 'bytes', description: 'LOCAL INFILE file content sent by the client' }),
  stmtWarnings: f({ name: 'mysql.stmt_warnings', label: 'Warnings', type: 'uint', description: 'COM_STMT_PREPARE_OK warning count' }),

  // TLS after SSLRequest (record layer only; Wireshark's tls.* names)
  tlsRecord: f({ name: 'tls.record', label: 'TLS Record Layer', type: 'none', description: 'One TLS record' }),
  tlsContentType: f({
    name: 'tls.record.content_type', label: 'Content Type', type: 'uint', description: 'TLS record content type',
    valueNames: names({ 20: 'Change Cipher Spec', 21: 'Alert', 22: 'Handshake', 23: 'Application Data', 24: 'Heartbeat' }),
  }),
  tlsVersion: f({ name: 'tls.record.version', label: 'Version', type: 'uint', base: 'hex4', description: 'TLS record version',
    valueNames: names({ 0x0300: 'SSL 3.0', 0x0301: 'TLS 1.0', 0x0302: 'TLS 1.1', 0x0303: 'TLS 1.2', 0x0304: 'TLS 1.3' }) }),
  tlsLength: f({ name: 'tls.record.length', label: 'Length', type: 'uint', description: 'TLS record length' }),

  // Decoder findings (myshark)
  anomaly: f({ name: 'mysql.anomaly', label: 'Anomaly', type: 'string', description: 'A decoder finding on this message (myshark)' }),
};

export const CAPS_FLAG_FIELDS = flagFields('mysql.caps', CAPABILITY_BITS);
export const MARIADB_CAPS_FLAG_FIELDS = flagFields('mariadb.caps', MARIADB_CAPABILITY_BITS);
export const STATUS_FLAG_FIELDS = flagFields('mysql.stat', STATUS_BITS);
export const FIELD_FLAG_FIELDS = flagFields('mysql.field.flags', FIELD_FLAG_BITS);

/**
 * Binary protocol values, COM_STMT_EXECUTE parameters, binary rows and MariaDB's COM_STMT_BULK_EXECUTE
 * (messages/binary.ts, messages/prepared.ts). Wireshark's names (4.0.17) where it has the field; the rest are ours.
 */
export const FB = {
  // COM_STMT_EXECUTE (Wireshark)
  newParamsBound: f({
    name: 'mysql.new_parameter_bound_flag', label: 'New parameter bound flag', type: 'uint',
    description: 'COM_STMT_EXECUTE: 1 when the parameter types follow, 0 when the previous ones are reused',
    valueNames: names({ 0: 'Subsequent call', 1: 'First call or rebound' }),
  }),
  execParam: f({ name: 'mysql.exec_param', label: 'Parameter', type: 'none', description: 'One COM_STMT_EXECUTE parameter value' }),
  execUnsigned: f({ name: 'mysql.exec.unsigned', label: 'Unsigned', type: 'uint', base: 'hex', description: 'Parameter type flag byte (0x80 = unsigned)' }),
  streamedParam: f({ name: 'mysql.streamed_param', label: 'This parameter was streamed, its value can be found in Send BLOB packets', type: 'none', description: 'Parameter sent before by COM_STMT_SEND_LONG_DATA' }),
  rowNullBuffer: f({ name: 'mysql.row.nullbuffer', label: 'Row null buffer', type: 'bytes', description: 'NULL bitmap of a binary row (2-bit offset)' }),
  // Binary values (Wireshark)
  tiny: f({ name: 'mysql.exec.field.tiny', label: 'Value (INT8)', type: 'int', description: 'TINYINT value' }),
  utiny: f({ name: 'mysql.exec.field.unsigned_tiny', label: 'Value (UINT8)', type: 'uint', description: 'TINYINT UNSIGNED value' }),
  short: f({ name: 'mysql.exec.field.short', label: 'Value (INT16)', type: 'int', description: 'SMALLINT (or YEAR) value' }),
  ushort: f({ name: 'mysql.exec.field.unsigned_short', label: 'Value (UINT16)', type: 'uint', description: 'SMALLINT UNSIGNED (or YEAR) value' }),
  long: f({ name: 'mysql.exec.field.long', label: 'Value (INT32)', type: 'int', description: 'INT / MEDIUMINT value' }),
  ulong: f({ name: 'mysql.exec.field.unsigned_long', label: 'Value (UINT32)', type: 'uint', description: 'INT / MEDIUMINT UNSIGNED value' }),
  longlong: f({ name: 'mysql.exec.field.longlong', label: 'Value (INT64)', type: 'int', description: 'BIGINT value' }),
  ulonglong: f({ name: 'mysql.exec.field.unsigned_longlong', label: 'Value (UINT64)', type: 'uint', description: 'BIGINT UNSIGNED value' }),
  float: f({ name: 'mysql.exec.field.float', label: 'Value (Float)', type: 'float', description: 'FLOAT value' }),
  double: f({ name: 'mysql.exec.field.double', label: 'Value (Double)', type: 'float', description: 'DOUBLE value' }),
  string: f({ name: 'mysql.exec.field.string', label: 'Value (String)', type: 'string', description: 'String, DECIMAL, ENUM, SET or JSON value (string<lenenc>)' }),
  null: f({ name: 'mysql.exec.field.null', label: 'Value: -NULL-', type: 'none', description: 'SQL NULL (MYSQL_TYPE_NULL or a bit in the NULL bitmap)' }),
  dtLength: f({ name: 'mysql.exec.field.datetime.length', label: 'Length', type: 'int', description: 'DATE/DATETIME/TIMESTAMP length byte (0, 4, 7, 11)' }),
  year: f({ name: 'mysql.exec.field.year', label: 'Year', type: 'int', description: 'Year' }),
  month: f({ name: 'mysql.exec.field.month', label: 'Month', type: 'int', description: 'Month' }),
  day: f({ name: 'mysql.exec.field.day', label: 'Day', type: 'int', description: 'Day' }),
  hour: f({ name: 'mysql.exec.field.hour', label: 'Hour', type: 'int', description: 'Hour' }),
  minute: f({ name: 'mysql.exec.field.minute', label: 'Minute', type: 'int', description: 'Minute' }),
  second: f({ name: 'mysql.exec.field.second', label: 'Second', type: 'int', description: 'Second' }),
  // Wireshark labels it "Billionth of a second", but the wire value is microseconds.
  micro: f({ name: 'mysql.exec.field.secondb', label: 'Microseconds', type: 'int', description: 'Microseconds (Wireshark: "Billionth of a second")' }),
  timeLength: f({ name: 'mysql.exec.field.time.length', label: 'Length', type: 'int', description: 'TIME length byte (0, 8, 12)' }),
  timeSign: f({ name: 'mysql.exec.field.time.sign', label: 'Flags', type: 'uint', description: 'TIME is_negative byte (1 = negative)' }),
  timeDays: f({ name: 'mysql.exec.field.time.days', label: 'Days', type: 'int', description: 'TIME days' }),
  // Ours
  bytes: f({ name: 'mysql.exec.field.bytes', label: 'Value (Bytes)', type: 'bytes', description: 'BLOB, BINARY, GEOMETRY or BIT value (myshark)' }),
  datetime: f({ name: 'mysql.exec.field.datetime', label: 'Value (Datetime)', type: 'string', description: 'DATE/DATETIME/TIMESTAMP value as text (myshark)' }),
  time: f({ name: 'mysql.exec.field.time', label: 'Value (Time)', type: 'string', description: 'TIME value as text (myshark)' }),
  execNullBitmap: f({ name: 'mysql.exec.null_bitmap', label: 'NULL bitmap', type: 'bytes', description: 'COM_STMT_EXECUTE NULL bitmap, one bit per parameter (myshark)' }),
  execParamType: f({ name: 'mysql.exec.param_type', label: 'Parameter type', type: 'none', description: 'One parameter type entry: type byte + flag byte (myshark)' }),
  execParamName: f({ name: 'mysql.query_attr_name', label: 'Attribute Name', type: 'string', description: 'Parameter name (query attribute) under CLIENT_QUERY_ATTRIBUTES' }),
  execFlagReadOnly: f({ name: 'mysql.exec_flags.read_only', label: 'Read-only cursor', type: 'bool', mask: 0x01, description: 'CURSOR_TYPE_READ_ONLY' }),
  execFlagForUpdate: f({ name: 'mysql.exec_flags.for_update', label: 'Cursor for update', type: 'bool', mask: 0x02, description: 'CURSOR_TYPE_FOR_UPDATE' }),
  execFlagScrollable: f({ name: 'mysql.exec_flags.scrollable', label: 'Scrollable cursor', type: 'bool', mask: 0x04, description: 'CURSOR_TYPE_SCROLLABLE' }),
  execFlagParamCount: f({ name: 'mysql.exec_flags.parameter_count_available', label: 'Parameter count available', type: 'bool', mask: 0x08, description: 'PARAMETER_COUNT_AVAILABLE' }),
  execInferred: f({ name: 'mysql.exec.inferred', label: 'Parameter layout inferred', type: 'string', description: 'The statement was prepared before the capture: the parameter count was inferred from the bytes (myshark)' }),
  execUndecoded: f({ name: 'mysql.exec.undecoded', label: 'Parameters not decoded', type: 'string', description: 'Why the parameter values are shown raw (myshark)' }),
  sqlRendered: f({ name: 'mysql.exec.sql_rendered', label: 'SQL with values (rendered by myshark, not sent)', type: 'string', description: 'The prepared SQL with this execute\'s values substituted for ?, for display only (myshark)' }),
  rowColumn: f({ name: 'mysql.row.column', label: 'Column', type: 'none', description: 'One binary row value, labelled with its column (myshark)' }),
  // MariaDB COM_STMT_BULK_EXECUTE (ours)
  bulkFlags: f({ name: 'mariadb.bulk.flags', label: 'Bulk flags', type: 'uint', base: 'hex4', description: 'COM_STMT_BULK_EXECUTE flags' }),
  bulkFlagUnitResults: f({ name: 'mariadb.bulk.flags.send_unit_results', label: 'SEND_UNIT_RESULTS', type: 'bool', mask: 64, description: 'Return affected rows and insert ids per row as a result set' }),
  bulkFlagSendTypes: f({ name: 'mariadb.bulk.flags.send_types', label: 'SEND_TYPES_TO_SERVER', type: 'bool', mask: 128, description: 'Parameter types follow' }),
  bulkRow: f({ name: 'mariadb.bulk.row', label: 'Parameter set', type: 'none', description: 'One row of COM_STMT_BULK_EXECUTE values' }),
  bulkIndicator: f({
    name: 'mariadb.bulk.indicator', label: 'Indicator', type: 'uint', description: 'Parameter indicator',
    valueNames: names({ 0: 'NONE', 1: 'NULL', 2: 'DEFAULT', 3: 'IGNORE', 4: 'IGNORE_ROW' }),
  }),
};

/**
 * Session state information in OK packets (CLIENT_SESSION_TRACK), decoded by messages/session-track.ts.
 * Wireshark's mysql.session_track.* names; the transaction_state.* position fields are myshark's own.
 */
export const SESSION_TRACK_TYPE_NAMES = names({
  0: 'SESSION_TRACK_SYSTEM_VARIABLES',
  1: 'SESSION_TRACK_SCHEMA',
  2: 'SESSION_TRACK_STATE_CHANGE',
  3: 'SESSION_TRACK_GTIDS',
  4: 'SESSION_TRACK_TRANSACTION_CHARACTERISTICS',
  5: 'SESSION_TRACK_TRANSACTION_STATE',
});

export const ST = {
  dataLength: f({ name: 'mysql.session_track.data.length', label: 'Session tracking data length', type: 'uint', description: 'Length of the session state information (all entries)' }),
  entry: f({ name: 'mysql.session_track', label: 'Session Track', type: 'none', description: 'One session state change entry' }),
  type: f({ name: 'mysql.session_track.type', label: 'Session tracking type', type: 'uint', description: 'Tracker type', valueNames: SESSION_TRACK_TYPE_NAMES }),
  length: f({ name: 'mysql.session_track.length', label: 'Session tracking length', type: 'uint', description: 'Length of this entry\'s data' }),
  data: f({ name: 'mysql.session_track.data', label: 'Session tracking data', type: 'bytes', description: 'Data of a tracker type not decoded further' }),
  sysvarLength: f({ name: 'mysql.session_track.sysvar.length', label: 'System variable change Length', type: 'uint', description: 'Length of a system variable name or value' }),
  sysvarName: f({ name: 'mysql.session_track.sysvar.name', label: 'System variable change Name', type: 'string', description: 'Tracked system variable' }),
  sysvarValue: f({ name: 'mysql.session_track.sysvar.value', label: 'System variable change Value', type: 'string', description: 'Its new value' }),
  schemaLength: f({ name: 'mysql.session_track.schema.length', label: 'Schema change length', type: 'uint', description: 'Length of the schema name' }),
  schema: f({ name: 'mysql.session_track.schema', label: 'Schema change', type: 'string', description: 'New current schema' }),
  stateChange: f({ name: 'mysql.session_track.state_change', label: 'State change', type: 'string', description: '1 when the session state changed' }),
  gtidsEncoding: f({ name: 'mysql.session_track.gtids.encoding', label: 'GTIDs encoding', type: 'uint', description: 'GTID encoding specification (0: text)' }),
  gtidsLength: f({ name: 'mysql.session_track.gtids.length', label: 'GTIDs length', type: 'uint', description: 'Length of the GTID set' }),
  gtids: f({ name: 'mysql.session_track.gtids', label: 'GTIDs', type: 'string', description: 'GTID set' }),
  trxCharacteristicsLength: f({ name: 'mysql.session_track.transaction_characteristics.length', label: 'Transaction characteristics length', type: 'uint', description: 'Length of the characteristics' }),
  trxCharacteristics: f({ name: 'mysql.session_track.transaction_characteristics', label: 'Transaction characteristics', type: 'string', description: 'SQL that starts a transaction with the same characteristics' }),
  trxStateLength: f({ name: 'mysql.session_track.transaction_state.length', label: 'Transaction state length', type: 'uint', description: 'Length of the transaction state (8)' }),
  trxState: f({ name: 'mysql.session_track.transaction_state', label: 'Transaction state', type: 'string', description: 'Transaction state, one character per position' }),
  trxStateType: f({ name: 'mysql.session_track.transaction_state.trx_type', label: 'Transaction', type: 'string', description: 'Position 1: T explicit, I implicit, _ none (myshark)' }),
  trxStateReadUnsafe: f({ name: 'mysql.session_track.transaction_state.read_unsafe', label: 'Non-transactional tables read (r)', type: 'bool', description: 'Position 2 (myshark)' }),
  trxStateReadTrx: f({ name: 'mysql.session_track.transaction_state.read_trx', label: 'Transactional tables read (R)', type: 'bool', description: 'Position 3 (myshark)' }),
  trxStateWriteUnsafe: f({ name: 'mysql.session_track.transaction_state.write_unsafe', label: 'Non-transactional tables written (w)', type: 'bool', description: 'Position 4 (myshark)' }),
  trxStateWriteTrx: f({ name: 'mysql.session_track.transaction_state.write_trx', label: 'Transactional tables written (W)', type: 'bool', description: 'Position 5 (myshark)' }),
  trxStateStmtUnsafe: f({ name: 'mysql.session_track.transaction_state.stmt_unsafe', label: 'Unsafe statements (s)', type: 'bool', description: 'Position 6 (myshark)' }),
  trxStateResultSet: f({ name: 'mysql.session_track.transaction_state.resultset', label: 'Result set sent (S)', type: 'bool', description: 'Position 7 (myshark)' }),
  trxStateLockedTables: f({ name: 'mysql.session_track.transaction_state.locked_tables', label: 'LOCK TABLES (L)', type: 'bool', description: 'Position 8 (myshark)' }),
};

/** TLS versions as Wireshark names them. */
export const TLS_VERSION_NAMES = names({ 0x0300: 'SSL 3.0', 0x0301: 'TLS 1.0', 0x0302: 'TLS 1.1', 0x0303: 'TLS 1.2', 0x0304: 'TLS 1.3' });

export const TLS_HANDSHAKE_TYPE_NAMES = names({
  0: 'Hello Request', 1: 'Client Hello', 2: 'Server Hello', 4: 'New Session Ticket', 5: 'End of Early Data',
  8: 'Encrypted Extensions', 11: 'Certificate', 12: 'Server Key Exchange', 13: 'Certificate Request',
  14: 'Server Hello Done', 15: 'Certificate Verify', 16: 'Client Key Exchange', 20: 'Finished', 24: 'Key Update', 254: 'Message Hash',
});

/** IANA TLS ExtensionType names (the common ones). */
export const TLS_EXTENSION_NAMES = names({
  0: 'server_name', 1: 'max_fragment_length', 5: 'status_request', 10: 'supported_groups', 11: 'ec_point_formats',
  13: 'signature_algorithms', 16: 'application_layer_protocol_negotiation', 18: 'signed_certificate_timestamp',
  21: 'padding', 22: 'encrypt_then_mac', 23: 'extended_master_secret', 27: 'compress_certificate', 28: 'record_size_limit',
  35: 'session_ticket', 41: 'pre_shared_key', 42: 'early_data', 43: 'supported_versions', 44: 'cookie',
  45: 'psk_key_exchange_modes', 47: 'certificate_authorities', 49: 'post_handshake_auth', 50: 'signature_algorithms_cert',
  51: 'key_share', 57: 'quic_transport_parameters', 17513: 'application_settings', 65037: 'encrypted_client_hello',
  65281: 'renegotiation_info',
});

/** IANA cipher suite names for the ~50 suites seen in practice (TLS 1.3, ECDHE/DHE/RSA with AES-GCM/CBC, ChaCha20, SCSVs). */
export const TLS_CIPHER_SUITE_NAMES = names({
  0x0004: 'TLS_RSA_WITH_RC4_128_MD5', 0x0005: 'TLS_RSA_WITH_RC4_128_SHA', 0x000a: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
  0x002f: 'TLS_RSA_WITH_AES_128_CBC_SHA', 0x0032: 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA', 0x0033: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA',
  0x0035: 'TLS_RSA_WITH_AES_256_CBC_SHA', 0x0038: 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA', 0x0039: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA',
  0x003c: 'TLS_RSA_WITH_AES_128_CBC_SHA256', 0x003d: 'TLS_RSA_WITH_AES_256_CBC_SHA256', 0x0040: 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA256',
  0x0067: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', 0x006a: 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA256', 0x006b: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256',
  0x009c: 'TLS_RSA_WITH_AES_128_GCM_SHA256', 0x009d: 'TLS_RSA_WITH_AES_256_GCM_SHA384',
  0x009e: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 0x009f: 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
  0x00a2: 'TLS_DHE_DSS_WITH_AES_128_GCM_SHA256', 0x00a3: 'TLS_DHE_DSS_WITH_AES_256_GCM_SHA384',
  0x00ff: 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV', 0x5600: 'TLS_FALLBACK_SCSV',
  0x1301: 'TLS_AES_128_GCM_SHA256', 0x1302: 'TLS_AES_256_GCM_SHA384', 0x1303: 'TLS_CHACHA20_POLY1305_SHA256',
  0x1304: 'TLS_AES_128_CCM_SHA256', 0x1305: 'TLS_AES_128_CCM_8_SHA256',
  0xc009: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 0xc00a: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  0xc012: 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 0xc013: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 0xc014: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  0xc023: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 0xc024: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384',
  0xc027: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 0xc028: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384',
  0xc02b: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 0xc02c: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  0xc02f: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 0xc030: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  0xc09c: 'TLS_RSA_WITH_AES_128_CCM', 0xc09d: 'TLS_RSA_WITH_AES_256_CCM',
  0xc09e: 'TLS_DHE_RSA_WITH_AES_128_CCM', 0xc09f: 'TLS_DHE_RSA_WITH_AES_256_CCM',
  0xc0ac: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM', 0xc0ad: 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM',
  0xcca8: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 0xcca9: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  0xccaa: 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
});

/** TLS handshake hello fields (codec/tls-hello.ts), Wireshark's tls.handshake.* names; `tls.handshake.extension` is ours. */
export const TLS = {
  handshake: f({ name: 'tls.handshake', label: 'Handshake Protocol', type: 'none', description: 'Handshake protocol message' }),
  type: f({ name: 'tls.handshake.type', label: 'Handshake Type', type: 'uint', description: 'Handshake message type', valueNames: TLS_HANDSHAKE_TYPE_NAMES }),
  length: f({ name: 'tls.handshake.length', label: 'Length', type: 'uint', description: 'Handshake body length' }),
  version: f({ name: 'tls.handshake.version', label: 'Version', type: 'uint', base: 'hex4', description: 'legacy_version of the hello', valueNames: TLS_VERSION_NAMES }),
  random: f({ name: 'tls.handshake.random', label: 'Random', type: 'bytes', description: '32 random bytes' }),
  sessionIdLength: f({ name: 'tls.handshake.session_id_length', label: 'Session ID Length', type: 'uint', description: 'Length of the session id' }),
  sessionId: f({ name: 'tls.handshake.session_id', label: 'Session ID', type: 'bytes', description: 'Session id (legacy_session_id in TLS 1.3)' }),
  cipherSuitesLength: f({ name: 'tls.handshake.cipher_suites_length', label: 'Cipher Suites Length', type: 'uint', description: 'Length of the cipher suite list' }),
  cipherSuites: f({ name: 'tls.handshake.ciphersuites', label: 'Cipher Suites', type: 'none', description: 'Cipher suites offered' }),
  cipherSuite: f({ name: 'tls.handshake.ciphersuite', label: 'Cipher Suite', type: 'uint', base: 'hex4', description: 'A cipher suite (offered or chosen)', valueNames: TLS_CIPHER_SUITE_NAMES }),
  compMethodsLength: f({ name: 'tls.handshake.comp_methods_length', label: 'Compression Methods Length', type: 'uint', description: 'Length of the compression method list' }),
  compMethod: f({ name: 'tls.handshake.comp_method', label: 'Compression Method', type: 'uint', description: 'Compression method (0: null)', valueNames: names({ 0: 'null', 1: 'DEFLATE' }) }),
  extensionsLength: f({ name: 'tls.handshake.extensions_length', label: 'Extensions Length', type: 'uint', description: 'Length of all extensions' }),
  extension: f({ name: 'tls.handshake.extension', label: 'Extension', type: 'none', description: 'One extension (myshark)' }),
  extensionType: f({ name: 'tls.handshake.extension.type', label: 'Type', type: 'uint', description: 'Extension type', valueNames: TLS_EXTENSION_NAMES }),
  extensionLen: f({ name: 'tls.handshake.extension.len', label: 'Length', type: 'uint', description: 'Extension data length' }),
  extensionData: f({ name: 'tls.handshake.extension.data', label: 'Data', type: 'bytes', description: 'Extension data not decoded further' }),
  serverNameListLen: f({ name: 'tls.handshake.extensions_server_name_list_len', label: 'Server Name list length', type: 'uint', description: 'Length of the server name list' }),
  serverNameType: f({ name: 'tls.handshake.extensions_server_name_type', label: 'Server Name Type', type: 'uint', description: 'Name type (0: host_name)', valueNames: names({ 0: 'host_name' }) }),
  serverNameLen: f({ name: 'tls.handshake.extensions_server_name_len', label: 'Server Name length', type: 'uint', description: 'Length of the name' }),
  serverName: f({ name: 'tls.handshake.extensions_server_name', label: 'Server Name', type: 'string', description: 'SNI host name' }),
  alpnLen: f({ name: 'tls.handshake.extensions_alpn_len', label: 'ALPN Extension Length', type: 'uint', description: 'Length of the protocol name list' }),
  alpnStrLen: f({ name: 'tls.handshake.extensions_alpn_str_len', label: 'ALPN string length', type: 'uint', description: 'Length of one protocol name' }),
  alpnStr: f({ name: 'tls.handshake.extensions_alpn_str', label: 'ALPN Next Protocol', type: 'string', description: 'An ALPN protocol name' }),
  supportedVersionsLen: f({ name: 'tls.handshake.extensions.supported_versions_len', label: 'Supported Versions length', type: 'uint', description: 'Length of the version list' }),
  supportedVersion: f({ name: 'tls.handshake.extensions.supported_version', label: 'Supported Version', type: 'uint', base: 'hex4', description: 'A version offered (ClientHello) or selected (ServerHello)', valueNames: TLS_VERSION_NAMES }),
};

/** Binlog event type codes (MySQL binlog_event.h Log_event_type, MariaDB 160+), named as mysqlbinlog/the docs do. */
export const BINLOG_EVENT_TYPE_NAMES: ReadonlyMap<number, string> = names({
  0: 'UNKNOWN_EVENT', 1: 'START_EVENT_V3', 2: 'QUERY_EVENT', 3: 'STOP_EVENT', 4: 'ROTATE_EVENT', 5: 'INTVAR_EVENT',
  6: 'LOAD_EVENT', 7: 'SLAVE_EVENT', 8: 'CREATE_FILE_EVENT', 9: 'APPEND_BLOCK_EVENT', 10: 'EXEC_LOAD_EVENT',
  11: 'DELETE_FILE_EVENT', 12: 'NEW_LOAD_EVENT', 13: 'RAND_EVENT', 14: 'USER_VAR_EVENT', 15: 'FORMAT_DESCRIPTION_EVENT',
  16: 'XID_EVENT', 17: 'BEGIN_LOAD_QUERY_EVENT', 18: 'EXECUTE_LOAD_QUERY_EVENT', 19: 'TABLE_MAP_EVENT',
  20: 'PRE_GA_WRITE_ROWS_EVENT', 21: 'PRE_GA_UPDATE_ROWS_EVENT', 22: 'PRE_GA_DELETE_ROWS_EVENT',
  23: 'WRITE_ROWS_EVENT_V1', 24: 'UPDATE_ROWS_EVENT_V1', 25: 'DELETE_ROWS_EVENT_V1', 26: 'INCIDENT_EVENT',
  27: 'HEARTBEAT_LOG_EVENT', 28: 'IGNORABLE_LOG_EVENT', 29: 'ROWS_QUERY_LOG_EVENT', 30: 'WRITE_ROWS_EVENT',
  31: 'UPDATE_ROWS_EVENT', 32: 'DELETE_ROWS_EVENT', 33: 'GTID_LOG_EVENT', 34: 'ANONYMOUS_GTID_LOG_EVENT',
  35: 'PREVIOUS_GTIDS_LOG_EVENT', 36: 'TRANSACTION_CONTEXT_EVENT', 37: 'VIEW_CHANGE_EVENT', 38: 'XA_PREPARE_LOG_EVENT',
  39: 'PARTIAL_UPDATE_ROWS_EVENT', 40: 'TRANSACTION_PAYLOAD_EVENT', 41: 'HEARTBEAT_LOG_EVENT_V2', 42: 'GTID_TAGGED_LOG_EVENT',
  160: 'ANNOTATE_ROWS_EVENT', 161: 'BINLOG_CHECKPOINT_EVENT', 162: 'GTID_EVENT', 163: 'GTID_LIST_EVENT',
  164: 'START_ENCRYPTION_EVENT', 165: 'QUERY_COMPRESSED_EVENT', 166: 'WRITE_ROWS_COMPRESSED_EVENT_V1',
  167: 'UPDATE_ROWS_COMPRESSED_EVENT_V1', 168: 'DELETE_ROWS_COMPRESSED_EVENT_V1', 169: 'WRITE_ROWS_COMPRESSED_EVENT',
  170: 'UPDATE_ROWS_COMPRESSED_EVENT', 171: 'DELETE_ROWS_COMPRESSED_EVENT',
});

/**
 * Binlog event fields (src/mysql/messages/binlog.ts). Wireshark's names where it has them (event header, checksum,
 * heartbeat); ours under mysql.binlog.*.
 */
export const BINLOG_F = {
  event: f({ name: 'mysql.binlog.event', label: 'Binlog Event', type: 'none', description: 'One binlog event (myshark)' }),
  okByte: f({ name: 'mysql.binlog.ok', label: 'OK byte', type: 'uint', base: 'hex', description: '0x00 before every event of a binlog dump (myshark)' }),
  semiSyncMagic: f({ name: 'mysql.binlog.semisync.magic', label: 'Semi-sync indicator', type: 'uint', base: 'hex', description: '0xEF: the event carries a semi-sync header (myshark)' }),
  semiSyncFlag: f({ name: 'mysql.binlog.semisync.flag', label: 'Semi-sync flag', type: 'uint', base: 'hex', description: '1 = the primary waits for an ACK of this event (myshark)' }),
  semiSyncAck: f({ name: 'mysql.binlog.semisync.ack', label: 'Semi-sync ACK', type: 'none', description: 'Replica acknowledgement: 0xEF, position, file name (myshark)' }),
  timestamp: f({ name: 'mysql.binlog.event_header.timestamp', label: 'Timestamp', type: 'abstime', description: 'Event creation time' }),
  eventType: f({ name: 'mysql.binlog.event_header.event_type', label: 'Binlog Event Type', type: 'uint', description: 'Event type code', valueNames: BINLOG_EVENT_TYPE_NAMES }),
  serverId: f({ name: 'mysql.binlog.event_header.server_id', label: 'Server ID', type: 'uint', description: 'Server that wrote the event' }),
  eventSize: f({ name: 'mysql.binlog.event_header.event_size', label: 'Event Size', type: 'uint', description: 'Header + body + checksum' }),
  logPosition: f({ name: 'mysql.binlog.event_header.log_position', label: 'Binlog Position', type: 'uint', description: 'Position of the next event' }),
  eventFlags: f({ name: 'mysql.binlog.event_header.flags', label: 'Binlog Event Flags', type: 'uint', base: 'hex4', description: 'LOG_EVENT_*_F flags' }),
  checksum: f({ name: 'mysql.binlog.event_checksum', label: 'Checksum', type: 'uint', base: 'hex8', description: 'CRC32 of the event' }),
  checksumGood: f({ name: 'mysql.binlog.event_checksum.good', label: 'Checksum good', type: 'bool', description: 'The CRC32 matches the event bytes (myshark)' }),
  body: f({ name: 'mysql.binlog.event_body', label: 'Event body', type: 'bytes', description: 'Body not decoded further (myshark)' }),
  // FORMAT_DESCRIPTION_EVENT
  fdeBinlogVersion: f({ name: 'mysql.binlog.fde.binlog_version', label: 'Binlog version', type: 'uint', description: 'Binlog format version (4)' }),
  fdeServerVersion: f({ name: 'mysql.binlog.fde.server_version', label: 'Server version', type: 'string', description: 'Version of the server that wrote the binlog' }),
  fdeCreateTimestamp: f({ name: 'mysql.binlog.fde.create_timestamp', label: 'Create timestamp', type: 'abstime', description: 'Binlog creation time' }),
  fdeHeaderLength: f({ name: 'mysql.binlog.fde.header_length', label: 'Event header length', type: 'uint', description: 'Common header length (19)' }),
  fdePostHeaderLengths: f({ name: 'mysql.binlog.fde.post_header_lengths', label: 'Post-header lengths', type: 'bytes', description: 'Post-header length per event type' }),
  fdeChecksumAlg: f({ name: 'mysql.binlog.fde.checksum_alg', label: 'Checksum algorithm', type: 'uint', description: 'Checksum of the following events', valueNames: names({ 0: 'OFF', 1: 'CRC32' }) }),
  // ROTATE / BINLOG_CHECKPOINT / HEARTBEAT
  rotatePosition: f({ name: 'mysql.binlog.rotate.position', label: 'Next position', type: 'uint', description: 'Position in the next binlog' }),
  rotateFile: f({ name: 'mysql.binlog.rotate.file', label: 'Next binlog', type: 'string', description: 'Name of the next binlog' }),
  checkpointFileLength: f({ name: 'mysql.binlog.checkpoint.file_length', label: 'File name length', type: 'uint', description: 'BINLOG_CHECKPOINT file name length' }),
  checkpointFile: f({ name: 'mysql.binlog.checkpoint.file', label: 'Checkpoint binlog', type: 'string', description: 'Oldest binlog still needed for crash recovery' }),
  hbFilename: f({ name: 'mysql.binlog.hb_event.filename', label: 'Binlog Filename', type: 'string', description: 'Heartbeat: current binlog' }),
  hbPosition: f({ name: 'mysql.binlog.hb_event.log_position', label: 'Binlog Position', type: 'uint', description: 'Heartbeat: position' }),
  hbV2: f({ name: 'mysql.binlog.event_heartbeat_v2', label: 'Binlog Event: HEARTBEAT_LOG_EVENT_V2', type: 'none', description: 'HEARTBEAT_LOG_EVENT_V2 body' }),
  hbV2Entry: f({ name: 'mysql.binlog.event_heartbeat_v2_otw', label: 'Entry', type: 'none', description: 'One HEARTBEAT_V2 field' }),
  hbV2Type: f({ name: 'mysql.binlog.event_heartbeat_v2_otw_type', label: 'Type', type: 'uint', description: 'HEARTBEAT_V2 field type', valueNames: names({ 0: 'END_MARK', 1: 'LOG_FILENAME', 2: 'LOG_POSITION' }) }),
  // QUERY_EVENT
  queryThreadId: f({ name: 'mysql.binlog.query.thread_id', label: 'Thread ID', type: 'uint', description: 'Connection that ran the statement' }),
  queryExecTime: f({ name: 'mysql.binlog.query.exec_time', label: 'Execution time', type: 'uint', description: 'Seconds the statement took' }),
  querySchemaLength: f({ name: 'mysql.binlog.query.schema_length', label: 'Schema length', type: 'uint', description: 'Length of the default schema' }),
  queryErrorCode: f({ name: 'mysql.binlog.query.error_code', label: 'Error code', type: 'uint', description: 'Error the statement gave on the primary' }),
  queryStatusVarsLength: f({ name: 'mysql.binlog.query.status_vars_length', label: 'Status variables length', type: 'uint', description: 'Length of the status variables block' }),
  queryStatusVars: f({ name: 'mysql.binlog.query.status_vars', label: 'Status variables', type: 'bytes', description: 'Status variables (not decoded)' }),
  querySchema: f({ name: 'mysql.binlog.query.schema', label: 'Schema', type: 'string', description: 'Default schema of the statement' }),
  query: f({ name: 'mysql.binlog.query.query', label: 'Statement', type: 'string', description: 'SQL of a QUERY / ANNOTATE_ROWS / ROWS_QUERY event' }),
  xid: f({ name: 'mysql.binlog.xid', label: 'XID', type: 'uint', description: 'Transaction id of the commit' }),
  intvarType: f({ name: 'mysql.binlog.intvar.type', label: 'Variable', type: 'uint', description: 'INTVAR type', valueNames: names({ 1: 'LAST_INSERT_ID', 2: 'INSERT_ID' }) }),
  intvarValue: f({ name: 'mysql.binlog.intvar.value', label: 'Value', type: 'uint', description: 'INTVAR value' }),
  // GTIDs
  gtid: f({ name: 'mysql.binlog.gtid', label: 'GTID', type: 'string', description: 'GTID of the transaction (uuid:gno or domain-server-seq)' }),
  gtidFlags: f({ name: 'mysql.binlog.gtid.flags', label: 'GTID flags', type: 'uint', base: 'hex', description: 'GTID event flags' }),
  gtidUuid: f({ name: 'mysql.binlog.gtid.uuid', label: 'Source UUID', type: 'string', description: 'MySQL GTID source id' }),
  gtidGno: f({ name: 'mysql.binlog.gtid.gno', label: 'GNO', type: 'uint', description: 'MySQL GTID transaction number' }),
  gtidLtType: f({ name: 'mysql.binlog.gtid.lt_type', label: 'Logical timestamp type', type: 'uint', description: '2 = logical timestamps follow' }),
  gtidLastCommitted: f({ name: 'mysql.binlog.gtid.last_committed', label: 'Last committed', type: 'uint', description: 'Logical clock: last committed' }),
  gtidSequenceNumber: f({ name: 'mysql.binlog.gtid.sequence_number', label: 'Sequence number', type: 'uint', description: 'Logical clock: sequence number' }),
  gtidImmediateCommitTs: f({ name: 'mysql.binlog.gtid.immediate_commit_timestamp', label: 'Immediate commit timestamp', type: 'uint', description: 'Microseconds since the epoch' }),
  gtidOriginalCommitTs: f({ name: 'mysql.binlog.gtid.original_commit_timestamp', label: 'Original commit timestamp', type: 'uint', description: 'Microseconds since the epoch' }),
  gtidTransactionLength: f({ name: 'mysql.binlog.gtid.transaction_length', label: 'Transaction length', type: 'uint', description: 'Bytes of the transaction' }),
  gtidSeqNo: f({ name: 'mysql.binlog.gtid.seq_no', label: 'Sequence number', type: 'uint', description: 'MariaDB GTID sequence number' }),
  gtidDomainId: f({ name: 'mysql.binlog.gtid.domain_id', label: 'Domain ID', type: 'uint', description: 'MariaDB replication domain' }),
  gtidCommitId: f({ name: 'mysql.binlog.gtid.commit_id', label: 'Commit ID', type: 'uint', description: 'MariaDB group commit id' }),
  gtidExtra: f({ name: 'mysql.binlog.gtid.extra', label: 'Extra data', type: 'bytes', description: 'GTID event fields not decoded (XA xid, flags_extra…)' }),
  gtidListCount: f({ name: 'mysql.binlog.gtid_list.count', label: 'GTID count', type: 'uint', description: 'Number of GTIDs (low 28 bits)' }),
  gtidSet: f({ name: 'mysql.binlog.gtid_set', label: 'GTID set', type: 'string', description: 'PREVIOUS_GTIDS set' }),
  // TABLE_MAP / ROWS
  tableId: f({ name: 'mysql.binlog.table_id', label: 'Table ID', type: 'uint', description: 'Table id of a TABLE_MAP / rows event' }),
  tableFlags: f({ name: 'mysql.binlog.table_flags', label: 'Flags', type: 'uint', base: 'hex4', description: 'TABLE_MAP / rows event flags' }),
  schema: f({ name: 'mysql.binlog.schema', label: 'Schema', type: 'string', description: 'Schema of the table' }),
  table: f({ name: 'mysql.binlog.table', label: 'Table', type: 'string', description: 'Table name' }),
  columnCount: f({ name: 'mysql.binlog.column_count', label: 'Column count', type: 'uint', description: 'Columns in the table' }),
  column: f({ name: 'mysql.binlog.column', label: 'Column', type: 'none', description: 'One column of a TABLE_MAP' }),
  columnType: f({ name: 'mysql.binlog.column.type', label: 'Type', type: 'uint', description: 'Column type', valueNames: COLUMN_TYPE_NAMES }),
  columnMeta: f({ name: 'mysql.binlog.column.meta', label: 'Metadata', type: 'uint', base: 'hex4', description: 'Type metadata (little-endian)' }),
  columnName: f({ name: 'mysql.binlog.column.name', label: 'Name', type: 'string', description: 'Column name (optional metadata)' }),
  columnNullable: f({ name: 'mysql.binlog.column.nullable', label: 'Nullable', type: 'bool', description: 'NULL allowed' }),
  columnUnsigned: f({ name: 'mysql.binlog.column.unsigned', label: 'Unsigned', type: 'bool', description: 'Unsigned (optional metadata)' }),
  metadataLength: f({ name: 'mysql.binlog.metadata_length', label: 'Metadata length', type: 'uint', description: 'Length of the type metadata block' }),
  nullBitmap: f({ name: 'mysql.binlog.null_bitmap', label: 'NULL bitmap', type: 'bytes', description: 'Nullable columns / NULL values' }),
  optionalMeta: f({ name: 'mysql.binlog.optional_metadata', label: 'Optional metadata', type: 'none', description: 'One optional metadata field (type, length, value)' }),
  optionalMetaType: f({ name: 'mysql.binlog.optional_metadata.type', label: 'Type', type: 'uint', description: 'Optional metadata type', valueNames: names({
    1: 'SIGNEDNESS', 2: 'DEFAULT_CHARSET', 3: 'COLUMN_CHARSET', 4: 'COLUMN_NAME', 5: 'SET_STR_VALUE', 6: 'ENUM_STR_VALUE', 7: 'GEOMETRY_TYPE',
    8: 'SIMPLE_PRIMARY_KEY', 9: 'PRIMARY_KEY_WITH_PREFIX', 10: 'ENUM_AND_SET_DEFAULT_CHARSET', 11: 'ENUM_AND_SET_COLUMN_CHARSET', 12: 'COLUMN_VISIBILITY' }) }),
  optionalMetaValue: f({ name: 'mysql.binlog.optional_metadata.value', label: 'Value', type: 'bytes', description: 'Optional metadata value' }),
  extraDataLength: f({ name: 'mysql.binlog.rows.extra_data_length', label: 'Extra data length', type: 'uint', description: 'ROWS_EVENT v2 extra data length (includes itself)' }),
  extraData: f({ name: 'mysql.binlog.rows.extra_data', label: 'Extra data', type: 'bytes', description: 'ROWS_EVENT v2 extra data' }),
  columnsPresent: f({ name: 'mysql.binlog.rows.columns_present', label: 'Columns present', type: 'bytes', description: 'Bitmap of the columns in the (before) image' }),
  columnsPresentAfter: f({ name: 'mysql.binlog.rows.columns_present_after', label: 'Columns present (after image)', type: 'bytes', description: 'Bitmap of the columns in the after image' }),
  rowCount: f({ name: 'mysql.binlog.rows.count', label: 'Rows', type: 'uint', description: 'Rows in the event (myshark; derived)' }),
  row: f({ name: 'mysql.binlog.row', label: 'Row', type: 'none', description: 'One row image' }),
  rowBefore: f({ name: 'mysql.binlog.row.before', label: 'Before image', type: 'none', description: 'Row before the change (UPDATE, DELETE)' }),
  rowAfter: f({ name: 'mysql.binlog.row.after', label: 'After image', type: 'none', description: 'Row after the change (WRITE, UPDATE)' }),
  rowNullBitmap: f({ name: 'mysql.binlog.row.null_bitmap', label: 'NULL bitmap', type: 'bytes', description: 'NULL values of the present columns' }),
  rowValue: f({ name: 'mysql.binlog.row.value', label: 'Value', type: 'string', description: 'One column value as text' }),
  rowNull: f({ name: 'mysql.binlog.row.null', label: 'NULL', type: 'bool', description: 'A column value that is SQL NULL' }),
  rowsUndecoded: f({ name: 'mysql.binlog.rows.undecoded', label: 'Rows not decoded', type: 'string', description: 'Why the row images were not decoded (myshark)' }),
};
