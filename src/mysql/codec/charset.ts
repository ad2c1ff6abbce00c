/**
 * Text decoding by collation id ("Character Set" in the protocol docs: column definitions, the greeting, the
 * handshake response and `character_set_results` from session tracking name a collation, whose character set
 * says how string bytes are encoded).
 *
 *   textDecoderForCollation(id, server) → TextDecodeFn | 'binary'     cached per (server, id)
 *   decoderForCharset(name)             → TextDecodeFn | 'binary'     by character set name (utf8mb4, latin1, …)
 *   charsetByName(name, server)         → { charset, collation, decoder } | undefined
 *                                         for `character_set_results` / `collation_connection` values
 *   collationInfo(id, server)           → { charset, name } | undefined
 *
 * A TextDecodeFn is a plain `(bytes) => string` (assignable to PayloadReader.decodeText) carrying `charset`, the
 * WHATWG `encoding` used and `fallback: true` when the character set has no decoder here (then the bytes are read
 * as latin1/windows-1252 — a display approximation, say so) or the collation id is unknown (then UTF-8).
 * 'binary' (collation 63) means: show the bytes as hex, they are not text.
 *
 * How the session calls it:
 *   - after the handshake: `r.decodeText = asText(textDecoderForCollation(greeting.collation or the client's, flavor))`
 *     where flavor = greeting.mariadb ? 'mariadb' : 'mysql';
 *   - per text-row column: `const d = textDecoderForCollation(col.charset, flavor); d === 'binary' ? hex : d(bytes)`;
 *   - on a tracked `character_set_results` (session-track.ts applySessionChanges): `charsetByName(value, flavor)?.decoder`
 *     (undefined for '' / NULL: the server sends column values unconverted, use each column's own collation).
 *
 * Decoders keep a BOM (`ignoreBOM: true`): a U+FEFF at the start of a value is data.
 *
 * Tables: MariaDB's collations are generated (constants/collations.generated.ts, scripts/generate/collations.sh).
 * MySQL's are generated too (constants/collations-mysql.generated.ts, scripts/generate/mysql-collations.mjs, from
 * the mysql2 driver's copy of MySQL's table: no MySQL server is available here to query).
 */
import { COLLATIONS } from '../constants/collations.generated.js';
import { MYSQL_COLLATIONS } from '../constants/collations-mysql.generated.js';

export type ServerFlavor = 'mariadb' | 'mysql';

export interface TextDecodeFn {
  (bytes: Uint8Array): string;
  /** MySQL character set name (utf8mb4, latin1, …; 'unknown' for an unknown collation id). */
  readonly charset: string;
  /** The decoder actually used (WHATWG label, or 'utf-32be'/'ascii' for the hand-written ones). */
  readonly encoding: string;
  /** True when this is an approximation (no decoder for the character set, or unknown collation). */
  readonly fallback: boolean;
}


/** Default collation of each character set (SHOW CHARACTER SET; the same in both servers except utf8mb4 in MySQL 8). */
const DEFAULT_COLLATION: Readonly<Record<string, number>> = {
  armscii8: 32, ascii: 11, big5: 1, binary: 63, cp1250: 26, cp1251: 51, cp1256: 57, cp1257: 59, cp850: 4, cp852: 40,
  cp866: 36, cp932: 95, dec8: 3, eucjpms: 97, euckr: 19, gb18030: 248, gb2312: 24, gbk: 28, geostd8: 92, greek: 25,
  hebrew: 16, hp8: 6, keybcs2: 37, koi8r: 7, koi8u: 22, latin1: 8, latin2: 9, latin5: 30, latin7: 41, macce: 38,
  macroman: 39, sjis: 13, swe7: 10, tis620: 18, ucs2: 35, ujis: 12, utf16: 54, utf16le: 56, utf32: 60, utf8mb3: 33,
  utf8mb4: 45,
};

/** MySQL character set → WHATWG encoding label (checked against this Node's ICU at load). */
const WHATWG_LABEL: Readonly<Record<string, string>> = {
  utf8mb4: 'utf-8', utf8mb3: 'utf-8', utf8: 'utf-8',
  latin1: 'windows-1252', // MySQL's latin1 is cp1252 (with 0x81 0x8d 0x8f 0x90 0x9d as C1 controls, as WHATWG does)
  latin2: 'iso-8859-2', latin5: 'windows-1254', latin7: 'iso-8859-13',
  cp1250: 'windows-1250', cp1251: 'windows-1251', cp1256: 'windows-1256', cp1257: 'windows-1257',
  cp866: 'ibm866', koi8r: 'koi8-r', koi8u: 'koi8-u', greek: 'iso-8859-7', hebrew: 'iso-8859-8', tis620: 'windows-874',
  macroman: 'macintosh',
  big5: 'big5', gbk: 'gbk', gb2312: 'gbk', gb18030: 'gb18030',
  sjis: 'shift_jis', cp932: 'shift_jis', ujis: 'euc-jp', eucjpms: 'euc-jp', euckr: 'euc-kr',
  ucs2: 'utf-16be', utf16: 'utf-16be', utf16le: 'utf-16le',
};

function makeFn(f: (b: Uint8Array) => string, charset: string, encoding: string, fallback: boolean): TextDecodeFn {
  const cache = new ShortTextCache(f);
  return Object.assign((b: Uint8Array) => (b.length <= SHORT_TEXT ? cache.get(b) : f(b)), { charset, encoding, fallback }) as TextDecodeFn;
}

/** Longest byte string ShortTextCache keeps. */
const SHORT_TEXT = 24;
const SHORT_SLOTS = 256;

/**
 * The strings of the last short byte strings decoded, by their bytes (direct-mapped). Column definitions repeat the
 * same names with every result set (`def`, the schema, the table, the column): looking them up costs a fraction of a
 * decoder call, and a hit returns the very string that decoding the same bytes gave before.
 */
class ShortTextCache {
  private readonly bytes = new Uint8Array(SHORT_SLOTS * SHORT_TEXT);
  private readonly lengths = new Int16Array(SHORT_SLOTS).fill(-1);
  private readonly texts: string[] = new Array<string>(SHORT_SLOTS).fill('');

  constructor(private readonly decode: (b: Uint8Array) => string) {}

  get(b: Uint8Array): string {
    const n = b.length;
    let h = n;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    const slot = (h ^ (h >>> 16)) & (SHORT_SLOTS - 1);
    const base = slot * SHORT_TEXT;
    if (this.lengths[slot] === n) {
      let i = 0;
      while (i < n && this.bytes[base + i] === b[i]) i++;
      if (i === n) return this.texts[slot]!;
    }
    const s = this.decode(b);
    this.bytes.set(b, base);
    this.lengths[slot] = n;
    this.texts[slot] = s;
    return s;
  }
}

function whatwg(label: string): InstanceType<typeof TextDecoder> | undefined {
  try {
    return new TextDecoder(label, { fatal: false, ignoreBOM: true });
  } catch {
    return undefined;
  }
}

const utf8 = whatwg('utf-8')!;

/**
 * windows-1252 (MySQL's latin1). Node 20's TextDecoder('windows-1252') decodes as ISO-8859-1 (0x80 → U+0080, not
 * '€'), so bytes 0x80–0x9f are mapped here unless the native decoder is right (checked at load).
 */
const CP1252_80_9F = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];
const nativeCp1252 = whatwg('windows-1252')!;
const nativeCp1252Ok = nativeCp1252.decode(Uint8Array.of(0x80)) === '\u20ac';
const cp1252 = {
  decode(b: Uint8Array): string {
    const s = nativeCp1252.decode(b);
    return nativeCp1252Ok ? s : s.replace(/[\u0080-\u009f]/g, (c) => String.fromCharCode(CP1252_80_9F[c.charCodeAt(0) - 0x80]!));
  },
};

/** ISO-8859-1: one code point per byte, byte value = code point (for bytes shown as text). */
function decodeIso88591(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** ASCII: bytes above 0x7f are not characters (U+FFFD). */
function decodeAscii(b: Uint8Array): string {
  let high = false;
  for (let i = 0; i < b.length; i++) if (b[i]! > 0x7f) { high = true; break; }
  if (!high) return cp1252.decode(b);
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i]! > 0x7f ? '\ufffd' : String.fromCharCode(b[i]!);
  return s;
}

/** UTF-32 big-endian, as MySQL stores it; invalid code points and a trailing partial unit become U+FFFD. */
function decodeUtf32(b: Uint8Array): string {
  const parts: string[] = [];
  let cps: number[] = [];
  const full = b.length - (b.length % 4);
  for (let i = 0; i < full; i += 4) {
    const cp = ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
    cps.push(cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0xfffd : cp);
    if (cps.length === 4096) {
      parts.push(String.fromCodePoint(...cps));
      cps = [];
    }
  }
  if (full < b.length) cps.push(0xfffd);
  parts.push(String.fromCodePoint(...cps));
  return parts.join('');
}

const byCharset = new Map<string, TextDecodeFn | 'binary'>();

/** The decoder for a MySQL character set name (case-insensitive; `utf8` is utf8mb3). */
export function decoderForCharset(charset: string): TextDecodeFn | 'binary' {
  const cs = charset.toLowerCase() === 'utf8' ? 'utf8mb3' : charset.toLowerCase();
  const hit = byCharset.get(cs);
  if (hit) return hit;
  let d: TextDecodeFn | 'binary';
  if (cs === 'binary') d = 'binary';
  else if (cs === 'ascii') d = makeFn(decodeAscii, cs, 'ascii', false);
  else if (cs === 'utf32') d = makeFn(decodeUtf32, cs, 'utf-32be', false);
  else {
    const label = WHATWG_LABEL[cs];
    const td = label === 'windows-1252' ? { decode: cp1252.decode, encoding: 'windows-1252' } : label ? whatwg(label) : undefined;
    d = td ? makeFn((b) => td.decode(b), cs, td.encoding, false) : makeFn((b) => cp1252.decode(b), cs, 'windows-1252', true);
  }
  byCharset.set(cs, d);
  return d;
}

const unknownCollation = makeFn((b) => utf8.decode(b), 'unknown', 'utf-8', true);

/** Collation id → [character set, collation name] for the server flavor. */
export function collationInfo(id: number, server: ServerFlavor = 'mariadb'): { charset: string; name: string } | undefined {
  const e = (server === 'mysql' ? MYSQL_COLLATIONS.get(id) : undefined) ?? COLLATIONS.get(id) ?? (server === 'mariadb' ? MYSQL_COLLATIONS.get(id) : undefined);
  return e ? { charset: e[0], name: e[1] } : undefined;
}

const cache = { mariadb: new Map<number, TextDecodeFn | 'binary'>(), mysql: new Map<number, TextDecodeFn | 'binary'>() };

/** The decoder for a collation id (cached). Unknown ids decode as UTF-8 with `fallback: true`. */
export function textDecoderForCollation(id: number, server: ServerFlavor = 'mariadb'): TextDecodeFn | 'binary' {
  const c = cache[server];
  const hit = c.get(id);
  if (hit) return hit;
  const info = collationInfo(id, server);
  const d = info ? decoderForCharset(info.charset) : unknownCollation;
  if (c.size < 4096) c.set(id, d); // ids come from the wire: bound the cache
  return d;
}

const binaryAsText = makeFn(decodeIso88591, 'binary', 'iso-8859-1', true);

/** For PayloadReader.decodeText, which has no 'binary': binary strings read as ISO-8859-1 (code point = byte). */
export function asText(d: TextDecodeFn | 'binary'): TextDecodeFn {
  return d === 'binary' ? binaryAsText : d;
}

/**
 * A character set or collation name as the server reports it (`character_set_results`, `collation_connection`,
 * SET NAMES): its character set, a representative collation id (the default one for a character set name) and
 * the decoder. Undefined for '', 'NULL' (no conversion) and names not known here.
 */
export function charsetByName(name: string, server: ServerFlavor = 'mariadb'):
  { charset: string; collation: number; decoder: TextDecodeFn | 'binary' } | undefined {
  const n = name.trim().toLowerCase();
  if (n === '' || n === 'null') return undefined;
  const cs = n === 'utf8' ? 'utf8mb3' : n;
  const def = cs === 'utf8mb4' && server === 'mysql' ? 255 : DEFAULT_COLLATION[cs];
  if (def !== undefined) return { charset: cs, collation: def, decoder: decoderForCharset(cs) };
  const id = collationIdByName(n.startsWith('utf8_') ? `utf8mb3_${n.slice(5)}` : n, server);
  if (id === undefined) return undefined;
  const info = collationInfo(id, server)!;
  return { charset: info.charset, collation: id, decoder: decoderForCharset(info.charset) };
}

let byName: { mariadb: Map<string, number>; mysql: Map<string, number> } | undefined;

function collationIdByName(name: string, server: ServerFlavor): number | undefined {
  if (!byName) {
    const m = new Map<string, number>();
    for (const [id, [, n]] of COLLATIONS) m.set(n, id);
    const y = new Map(m);
    for (const [id, [, n]] of MYSQL_COLLATIONS) {
      y.set(n, id);
      if (!m.has(n)) m.set(n, id);
    }
    byName = { mariadb: m, mysql: y };
  }
  return byName[server].get(name);
}
