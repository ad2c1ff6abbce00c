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
  sha2AuthState: f({
    name: 'mysql.sha2_auth.state', label: 'caching_sha2_password state', type: 'uint',
    description: 'caching_sha2_password status byte in AuthMoreData',
    valueNames: names({ 1: 'request_public_key', 2: 'request_public_key', 3: 'fast_auth_success', 4: 'perform_full_authentication' }),
  }),

  // Commands
  request: f({ name: 'mysql.request', label: 'Request Command', type: 'none', description: 'A client command' }),
  command: f({ name: 'mysql.command', label: 'Command', type: 'uint', description: 'Command code', valueNames: COMMAND_NAMES }),
  query: f({ name: 'mysql.query', label: 'Statement', type: 'string', description: 'SQL text (COM_QUERY, COM_STMT_PREPARE)' }),
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
  row: f({ name: 'mysql.row', label: 'Row', type: 'none', description: 'One text row' }),
  rowText: f({ name: 'mysql.row.text', label: 'text', type: 'string', description: 'A text row value (absent for NULL)' }),
  rowNull: f({ name: 'mysql.row.null', label: 'NULL', type: 'bool', description: 'A text row value that is SQL NULL' }),
  rows: f({ name: 'mysql.rows', label: 'Rows', type: 'uint', description: 'Rows in the result set (myshark; derived)' }),
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
