/** Column types (enum_field_types), named as Wireshark shows them (FIELD_TYPE_*). */
export const MYSQL_TYPE = {
  DECIMAL: 0, TINY: 1, SHORT: 2, LONG: 3, FLOAT: 4, DOUBLE: 5, NULL: 6, TIMESTAMP: 7, LONGLONG: 8, INT24: 9,
  DATE: 10, TIME: 11, DATETIME: 12, YEAR: 13, NEWDATE: 14, VARCHAR: 15, BIT: 16, TIMESTAMP2: 17, DATETIME2: 18,
  TIME2: 19, TYPED_ARRAY: 20, VECTOR: 242, INVALID: 243, BOOL: 244, JSON: 245, NEWDECIMAL: 246, ENUM: 247, SET: 248,
  TINY_BLOB: 249, MEDIUM_BLOB: 250, LONG_BLOB: 251, BLOB: 252, VAR_STRING: 253, STRING: 254, GEOMETRY: 255,
} as const;

export const COLUMN_TYPE_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(MYSQL_TYPE).map(([k, v]) => [v, `FIELD_TYPE_${k}`] as const),
);

/** Column definition flags (Wireshark mysql.field.flags.*). */
export const FIELD_FLAG_BITS: ReadonlyArray<readonly [number, string, string]> = [
  [0x0001, 'not_null', 'Not null'],
  [0x0002, 'primary_key', 'Primary key'],
  [0x0004, 'unique_key', 'Unique key'],
  [0x0008, 'multiple_key', 'Multiple key'],
  [0x0010, 'blob', 'Blob'],
  [0x0020, 'unsigned', 'Unsigned'],
  [0x0040, 'zero_fill', 'Zero fill'],
  [0x0080, 'binary', 'Binary'],
  [0x0100, 'enum', 'Enum'],
  [0x0200, 'auto_increment', 'Auto increment'],
  [0x0400, 'timestamp', 'Timestamp'],
  [0x0800, 'set', 'Set'],
];
