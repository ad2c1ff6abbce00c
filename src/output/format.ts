/**
 * Small formatting helpers shared by the reporters: endpoints, escaping, field values as the -V tree and the
 * -x field map print them. Pure functions, no I/O.
 */
import type { FieldDef, FieldNode, FieldValue } from '../model/field.js';
import type { MySqlRecord } from '../model/record.js';
import type { Endpoint } from '../flow/types.js';

/** `10.0.0.1:3306`, or `[::1]:3306` for IPv6. */
export function formatEndpoint(ep: Endpoint, ipVersion: 4 | 6): string {
  return ipVersion === 6 ? `[${ep.ip}]:${ep.port}` : `${ep.ip}:${ep.port}`;
}

/** Sender and receiver of a record, following its direction (c2s: the client sent it). */
export function recordEndpoints(r: MySqlRecord): { src: string; dst: string } {
  const { client, server, ipVersion } = r.conn;
  const c = formatEndpoint(client, ipVersion);
  const s = formatEndpoint(server, ipVersion);
  return r.dir === 'c2s' ? { src: c, dst: s } : { src: s, dst: c };
}

/** `src → dst` following the record's direction. */
export function arrow(r: MySqlRecord): string {
  const { src, dst } = recordEndpoints(r);
  return `${src} → ${dst}`;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Control characters as `\n`, `\r`, `\t` or `\xNN` so that a value stays on one line. */
export function escapeControl(s: string): string {
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(s)) return s;
  return s.replace(CONTROL, (c) => {
    switch (c) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    }
  });
}

/** One line, control characters escaped, at most `max` characters (then `…`). */
export function oneLine(s: string, max = 200): string {
  // Cut before escaping (cheap on megabyte-long statements), then cut again: escapes may lengthen it.
  const cut = s.length > max * 4 ? s.slice(0, max * 4) : s;
  const e = escapeControl(cut);
  if (e.length > max) return `${e.slice(0, max)}…`;
  return cut.length < s.length ? `${e}…` : e;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex without separators. */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

function hexDigits(def: FieldDef, node: FieldNode | undefined): number {
  switch (def.base) {
    case 'hex4':
      return 4;
    case 'hex8':
      return 8;
    default:
      // 'hex': two digits per byte of the field when its length is known.
      return node && node.length > 0 && node.length <= 8 ? node.length * 2 : 2;
  }
}

/** A number in the field's base: `0x0002` for hex bases, decimal otherwise. */
export function formatNumber(def: FieldDef, value: number | bigint, node?: FieldNode): string {
  if (def.base !== undefined && def.base !== 'dec') {
    const neg = value < 0;
    const abs = neg ? -value : value;
    return `${neg ? '-' : ''}0x${abs.toString(16).padStart(hexDigits(def, node), '0')}`;
  }
  return value.toString();
}

/**
 * A field value as the -V tree prints it: value names as `Query (3)`, hex bases as `0xf7ff`, flags as
 * `Set`/`Not set`, strings with control characters escaped, bytes as lowercase hex, bigint as decimal,
 * null as `NULL`.
 */
export function formatValue(def: FieldDef, value: FieldValue, node?: FieldNode): string {
  if (value === null) return 'NULL';
  switch (typeof value) {
    case 'boolean':
      return def.mask !== undefined ? (value ? 'Set' : 'Not set') : value ? 'True' : 'False';
    case 'string':
      return escapeControl(value);
    case 'bigint':
      return formatNumber(def, value, node);
    case 'number': {
      if (def.type === 'time') return `${value.toFixed(9)} seconds`;
      if (def.type === 'abstime') return formatAbsTime(value);
      if (def.type === 'float') return String(value);
      const num = formatNumber(def, value, node);
      const name = def.valueNames?.get(value);
      return name !== undefined ? `${name} (${num})` : num;
    }
    default:
      return toHex(value);
  }
}

function formatAbsTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return Number.isNaN(d.getTime()) ? String(epochSeconds) : d.toISOString();
}

/**
 * Wireshark's bit picture of a flag inside its parent: `.... .... .... ...1` (bits = 8 × parent length;
 * the bits of the mask show the parent's value, the others are dots).
 */
export function bitPicture(mask: number, parentValue: number, bits: number): string {
  let s = '';
  for (let i = bits - 1; i >= 0; i--) {
    const bit = 2 ** i;
    const inMask = Math.floor(mask / bit) % 2 === 1;
    s += inMask ? String(Math.floor(parentValue / bit) % 2) : '.';
    if (i > 0 && i % 4 === 0) s += ' ';
  }
  return s;
}

/** Names of fields that reporters print from PacketRef themselves; tree nodes with these names are not repeated. */
export const PACKET_HEADER_FIELDS: ReadonlySet<string> = new Set(['mysql.packet_length', 'mysql.packet_number']);
