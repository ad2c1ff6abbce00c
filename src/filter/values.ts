/** Literal parsing (integers, floats, addresses, byte strings) and run-time value normalisation. */
import type { FieldValue } from '../model/field.js';

/** Decimal, 0x hex, 0b binary or leading-0 octal, optionally negative; undefined if not an integer literal. */
export function parseInteger(text: string): bigint | undefined {
  const m = /^(-?)(0[xX][0-9A-Fa-f]+|0[bB][01]+|0[0-7]+|[1-9][0-9]*|0)$/.exec(text);
  if (!m) return undefined;
  const body = m[2]!;
  let v: bigint;
  if (/^0[xX]/.test(body) || /^0[bB]/.test(body)) v = BigInt(body.toLowerCase());
  else if (body.length > 1 && body.startsWith('0')) v = BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body);
  return m[1] ? -v : v;
}

export function parseFloatLiteral(text: string): number | undefined {
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const v = Number(text);
  return Number.isFinite(v) ? v : undefined;
}

/** number when safe, else bigint. */
export function narrow(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

export interface IpConst {
  ip: 4 | 6;
  addr: bigint;
  bits: number;
}

export function isIpConst(v: unknown): v is IpConst {
  return typeof v === 'object' && v !== null && 'ip' in v && 'addr' in v;
}

export function parseIPv4(text: string): bigint | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  let v = 0n;
  for (let k = 1; k <= 4; k++) {
    const o = Number(m[k]);
    if (o > 255) return undefined;
    v = (v << 8n) | BigInt(o);
  }
  return v;
}

export function parseIPv6(text: string): bigint | undefined {
  let s = text;
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || !s.includes(':')) return undefined;
  // Embedded IPv4 at the end (::ffff:1.2.3.4) becomes two hex groups.
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIPv4(last);
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): bigint[] | undefined => {
    if (h === '') return [];
    const groups = h.split(':');
    const out: bigint[] = [];
    for (const g of groups) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
      out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  let groups: bigint[];
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return undefined;
    groups = [...head, ...Array<bigint>(fill).fill(0n), ...rest];
  } else {
    groups = head;
    if (groups.length !== 8) return undefined;
  }
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** `10.0.0.0/8`, `::1`, `fe80::/10` → IpConst of the given family, else undefined. */
export function parseIpLiteral(text: string, family: 4 | 6): IpConst | undefined {
  const slash = text.indexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  const width = family === 4 ? 32 : 128;
  let bits = width;
  if (slash >= 0) {
    const b = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(b) || Number(b) > width) return undefined;
    bits = Number(b);
  }
  const addr = family === 4 ? parseIPv4(addrText) : parseIPv6(addrText);
  if (addr === undefined) return undefined;
  return { ip: family, addr, bits };
}

/** Byte strings: `aa:bb:cc`, `aa-bb`, `aa.bb`, a single `aa`; one separator kind throughout. */
export function parseByteString(text: string): Uint8Array | undefined {
  if (!/^[0-9A-Fa-f]{1,2}([:.-][0-9A-Fa-f]{1,2})*$/.test(text)) return undefined;
  const seps = new Set(text.replace(/[0-9A-Fa-f]/g, ''));
  if (seps.size > 1) return undefined;
  return Uint8Array.from(text.split(/[:.-]/).map((h) => parseInt(h, 16)));
}

export function parseBoolWord(text: string): boolean | undefined {
  const l = text.toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  const n = parseInteger(text);
  return n === undefined ? undefined : n !== 0n;
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8');

export function utf8Bytes(s: string): Uint8Array {
  return enc.encode(s);
}

export function utf8String(b: Uint8Array): string {
  return dec.decode(b);
}

// ---- run-time normalisation ----

export function toNumeric(v: FieldValue): number | bigint | undefined {
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return v;
    case 'boolean':
      return v ? 1 : 0;
    case 'string': {
      const i = parseInteger(v);
      if (i !== undefined) return narrow(i);
      return parseFloatLiteral(v);
    }
    default:
      return undefined;
  }
}

export function compareNumeric(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const ai = typeof a === 'bigint' ? a : Number.isInteger(a) ? BigInt(a) : undefined;
    const bi = typeof b === 'bigint' ? b : Number.isInteger(b) ? BigInt(b) : undefined;
    if (ai !== undefined && bi !== undefined) return ai < bi ? -1 : ai > bi ? 1 : 0;
    const an = Number(a);
    const bn = Number(b);
    return an < bn ? -1 : an > bn ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length === 0 ? 0 : a.length < b.length ? -1 : 1;
}

export function bytesIndexOf(hay: Uint8Array, needle: Uint8Array): number {
  if (needle.length === 0) return 0;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const ipCache = new Map<string, bigint | undefined>();

/** A run-time address value (string as the decoders give it, or a number) as a bigint. */
export function toIpAddr(v: FieldValue, family: 4 | 6): bigint | undefined {
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'bigint') return v;
  if (typeof v !== 'string') return undefined;
  const key = `${family}${v}`;
  if (ipCache.has(key)) return ipCache.get(key);
  const a = family === 4 ? parseIPv4(v) : parseIPv6(v);
  if (ipCache.size > 10_000) ipCache.clear();
  ipCache.set(key, a);
  return a;
}

export function hexColon(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}
