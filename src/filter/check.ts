/**
 * Type check of a parsed filter against the field registry, producing the typed form that `compile.ts`
 * evaluates: field names resolved, literals converted to the type of the field they meet (value names looked
 * up, addresses and CIDR blocks parsed, byte strings decoded), regular expressions compiled.
 */
import '../mysql/fields.js';
import '../model/frame-fields.js';
import { allFields, fieldByName, type FieldDef, type FieldType } from '../model/field.js';
import type { CmpOp, FunctionName, Literal, Operand, Quant, SliceRange, Test, Value } from './ast.js';
import { isLiteral } from './ast.js';
import { FilterSyntaxError } from './errors.js';
import { printLiteral, printValue, quoteString } from './print.js';
import { closest, orList } from './suggest.js';
import {
  narrow, parseBoolWord, parseByteString, parseFloatLiteral, parseInteger, parseIpLiteral, utf8Bytes, type IpConst,
} from './values.js';

/** Comparison classes: values of one class compare with each other. */
export type Cls = 'num' | 'bool' | 'str' | 'bytes' | 'ip4' | 'ip6' | 'none';
export type Const = number | bigint | string | boolean | Uint8Array | IpConst;

export type TValue =
  | { kind: 'field'; name: string; type: FieldType }
  | { kind: 'slice'; of: TValue; ranges: SliceRange[]; type: FieldType }
  | { kind: 'call'; fn: FunctionName; arg: TValue; type: FieldType }
  | { kind: 'bitand'; of: TValue; mask: bigint; type: FieldType };

export type Pred = 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge' | 'contains' | 'matches';

export type TRhs = { kind: 'const'; values: Const[] } | { kind: 'value'; value: TValue } | { kind: 'regex'; regex: RegExp };

export type TTest =
  | { kind: 'exists'; value: TValue }
  | { kind: 'cmp'; pred: Pred; quant: Quant; cls: Cls; lhs: TValue; rhs: TRhs }
  | { kind: 'in'; cls: Cls; lhs: TValue; elems: Array<{ lo: Const[]; hi?: Const }> }
  | { kind: 'not'; expr: TTest }
  | { kind: 'and' | 'or' | 'xor'; left: TTest; right: TTest };

export function classOf(t: FieldType): Cls {
  switch (t) {
    case 'uint':
    case 'int':
    case 'float':
    case 'time':
    case 'abstime':
      return 'num';
    case 'bool':
      return 'bool';
    case 'string':
      return 'str';
    case 'bytes':
      return 'bytes';
    case 'ipv4':
      return 'ip4';
    case 'ipv6':
      return 'ip6';
    case 'none':
      return 'none';
  }
}

const TYPE_DESC: Record<FieldType, string> = {
  uint: 'an unsigned integer',
  int: 'a signed integer',
  float: 'a floating-point number',
  time: 'a time offset in seconds',
  abstime: 'an absolute time',
  bool: 'a boolean',
  string: 'a string',
  bytes: 'a byte sequence',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  none: 'a protocol or label without a value',
};

export function typeDescription(t: FieldType): string {
  return TYPE_DESC[t];
}

const PRED: Record<CmpOp, Pred> = {
  '==': 'eq', '===': 'eq', '!=': 'ne', '!==': 'ne', '<': 'lt', '>': 'gt', '<=': 'le', '>=': 'ge', contains: 'contains', matches: 'matches',
};
/** Wireshark 4: == any_eq, != all_ne, === all_eq, !== any_ne; the rest match any occurrence. */
const DEFAULT_QUANT: Record<CmpOp, Quant> = {
  '==': 'any', '!=': 'all', '===': 'all', '!==': 'any', '<': 'any', '>': 'any', '<=': 'any', '>=': 'any', contains: 'any', matches: 'any',
};

const err = (message: string, pos: number): FilterSyntaxError => new FilterSyntaxError(message, pos);

/** Looks like an unquoted literal rather than a field name (number, address, byte string, boolean). */
function looksLiteral(text: string): boolean {
  return (
    parseInteger(text) !== undefined ||
    parseFloatLiteral(text) !== undefined ||
    parseIpLiteral(text, 4) !== undefined ||
    parseIpLiteral(text, 6) !== undefined ||
    (parseByteString(text) !== undefined && text.length > 2) ||
    /^(true|false)$/i.test(text)
  );
}

function suggestFields(name: string): string[] {
  const names = allFields().map((f) => f.name);
  const near = closest(name, names);
  if (near.length) return near;
  const last = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  return names.filter((n) => n.slice(n.lastIndexOf('.') + 1).toLowerCase() === last).slice(0, 3);
}

function unknownField(name: string, pos: number): FilterSyntaxError {
  if (looksLiteral(name)) return err(`${name} is neither a field nor a protocol name.`, pos);
  const s = suggestFields(name);
  return err(`Unknown field "${name}"${s.length ? `; did you mean ${orList(s)}?` : '; run "myshark fields" for the list.'}`, pos);
}

const PROTO_PREFIX = /^(frame|eth|ip|ipv6|tcp|mysql|mariadb|tls)\.[A-Za-z0-9_.-]+$/;

function fieldDef(name: string, pos: number): FieldDef {
  const def = fieldByName(name);
  if (!def) throw unknownField(name, pos);
  return def;
}

export function checkFilter(t: Test): TTest {
  switch (t.kind) {
    case 'and':
    case 'or':
    case 'xor':
      return { kind: t.kind, left: checkFilter(t.left), right: checkFilter(t.right) };
    case 'not':
      return { kind: 'not', expr: checkFilter(t.expr) };
    case 'exists':
      return { kind: 'exists', value: checkValue(t.value) };
    case 'in':
      return checkIn(t);
    case 'cmp':
      return checkCmp(t);
  }
}

function checkValue(v: Value): TValue {
  switch (v.kind) {
    case 'field':
      return { kind: 'field', name: v.name, type: fieldDef(v.name, v.pos).type };
    case 'slice': {
      const of = checkValue(v.of);
      if (of.type !== 'string' && of.type !== 'bytes') {
        throw err(`${printValue(v.of)} is ${TYPE_DESC[of.type]} and cannot be sliced; slices work on strings and byte sequences.`, v.pos);
      }
      return { kind: 'slice', of, ranges: v.ranges, type: 'bytes' };
    }
    case 'call': {
      const arg = checkValue(v.arg);
      const argText = printValue(v.arg);
      switch (v.fn) {
        case 'len':
          if (arg.type !== 'string' && arg.type !== 'bytes') throw err(`len() needs a string or byte-sequence field, but ${argText} is ${TYPE_DESC[arg.type]}.`, v.arg.pos);
          return { kind: 'call', fn: v.fn, arg, type: 'uint' };
        case 'count':
          if (arg.kind !== 'field') throw err(`count() takes a field name, not ${argText}.`, v.arg.pos);
          return { kind: 'call', fn: v.fn, arg, type: 'uint' };
        case 'lower':
        case 'upper':
          if (arg.type !== 'string' && arg.type !== 'bytes') throw err(`${v.fn}() needs a string field, but ${argText} is ${TYPE_DESC[arg.type]}.`, v.arg.pos);
          return { kind: 'call', fn: v.fn, arg, type: 'string' };
        case 'string':
          if (arg.type === 'string' || arg.type === 'none') throw err(`string() converts a non-string field, but ${argText} is ${TYPE_DESC[arg.type]}.`, v.arg.pos);
          return { kind: 'call', fn: v.fn, arg, type: 'string' };
      }
      break;
    }
    case 'bitand': {
      const of = checkValue(v.of);
      if (of.type !== 'uint' && of.type !== 'int') throw err(`"&" needs an integer field, but ${printValue(v.of)} is ${TYPE_DESC[of.type]}.`, v.pos);
      const m = v.mask.kind === 'char' ? BigInt(v.mask.value) : v.mask.kind === 'word' ? parseInteger(v.mask.text) : undefined;
      if (m === undefined) throw err(`The bit mask after "&" must be an integer such as 0x0002, not ${printLiteral(v.mask)}.`, v.mask.pos);
      return { kind: 'bitand', of, mask: m, type: of.type };
    }
  }
  throw err('Internal error: unknown value.', 0);
}

/** Resolves a right-hand operand: a bare word naming a registered field becomes a field value. */
function rhsValue(o: Operand): Value | undefined {
  if (!isLiteral(o)) return o;
  if (o.kind === 'word' && fieldByName(o.text)) return { kind: 'field', name: o.text, pos: o.pos };
  return undefined;
}

function compatible(a: Cls, b: Cls): Cls | undefined {
  if (a === b) return a;
  if ((a === 'str' && b === 'bytes') || (a === 'bytes' && b === 'str')) return 'bytes';
  return undefined;
}

function checkCmp(t: Extract<Test, { kind: 'cmp' }>): TTest {
  const lhs = checkValue(t.lhs);
  const lhsText = printValue(t.lhs);
  let cls = classOf(lhs.type);
  if (cls === 'none') throw err(`${lhsText} has no value of its own; it can only be tested for presence, as in "${lhsText}".`, t.lhs.pos);
  const pred = PRED[t.op];
  const quant = t.quant ?? DEFAULT_QUANT[t.op];
  if ((pred === 'contains' || pred === 'matches') && cls !== 'str' && cls !== 'bytes') {
    throw err(`"${t.op}" works on strings and byte sequences, but ${lhsText} is ${TYPE_DESC[lhs.type]}.`, t.pos);
  }
  if (pred === 'matches') {
    if (t.rhs.kind !== 'string') throw err('The regular expression after "matches" must be a double-quoted string.', t.rhs.pos);
    return { kind: 'cmp', pred, quant, cls, lhs, rhs: { kind: 'regex', regex: toRegExp(t.rhs.value, t.rhs.pos) } };
  }
  const rv = rhsValue(t.rhs);
  if (rv) {
    const rhs = checkValue(rv);
    const both = compatible(cls, classOf(rhs.type));
    if (!both || classOf(rhs.type) === 'none') {
      throw err(`${lhsText} (${TYPE_DESC[lhs.type]}) cannot be compared with ${printValue(rv)} (${TYPE_DESC[rhs.type]}).`, rv.pos);
    }
    if (pred === 'contains' && cls === 'str' && both === 'bytes') cls = 'bytes';
    return { kind: 'cmp', pred, quant, cls: both, lhs, rhs: { kind: 'value', value: rhs } };
  }
  const lit = t.rhs as Literal;
  if (pred === 'contains' && cls === 'str') {
    if (lit.kind === 'string') return { kind: 'cmp', pred, quant, cls, lhs, rhs: { kind: 'const', values: [lit.value] } };
    throw err(`${lhsText} is a string field: write the value in double quotes (${quoteString(printLiteral(lit))}).`, lit.pos);
  }
  if (pred !== 'eq' && pred !== 'ne' && cls === 'bool') throw err(`${lhsText} is a boolean field; compare it with == or != only.`, t.pos);
  return { kind: 'cmp', pred, quant, cls, lhs, rhs: { kind: 'const', values: coerce(lit, lhs.type, lhsText, lhs.kind === 'field' ? lhs.name : undefined) } };
}

function checkIn(t: Extract<Test, { kind: 'in' }>): TTest {
  const lhs = checkValue(t.lhs);
  const lhsText = printValue(t.lhs);
  const cls = classOf(lhs.type);
  if (cls === 'none') throw err(`${lhsText} has no value of its own; it can only be tested for presence, as in "${lhsText}".`, t.lhs.pos);
  const fname = lhs.kind === 'field' ? lhs.name : undefined;
  const elems = t.set.map((e) => {
    const lo = coerce(e.lo, lhs.type, lhsText, fname);
    if (!e.hi) return { lo };
    if (cls === 'bool') throw err(`A range of booleans makes no sense; list the values instead.`, e.hi.pos);
    const hi = coerce(e.hi, lhs.type, lhsText, fname);
    return { lo: lo.slice(0, 1), hi: hi[0]! };
  });
  return { kind: 'in', cls, lhs, elems };
}

/** Converts a literal to constants of the given type (several when a value name stands for several numbers). */
function coerce(lit: Literal, type: FieldType, lhsText: string, fieldName: string | undefined): Const[] {
  const def = fieldName ? fieldByName(fieldName) : undefined;
  const shown = printLiteral(lit);
  // A dotted name that is not a field is almost certainly a misspelt field, not a value.
  if (lit.kind === 'word' && PROTO_PREFIX.test(lit.text) && !looksLiteral(lit.text)) throw unknownField(lit.text, lit.pos);
  const desc = TYPE_DESC[type];
  switch (type) {
    case 'uint':
    case 'int': {
      if (lit.kind === 'char') return [lit.value];
      if (lit.kind === 'word') {
        const i = parseInteger(lit.text);
        if (i !== undefined) {
          if (type === 'uint' && i < 0n) throw err(`${lit.text} is negative, but ${lhsText} is unsigned.`, lit.pos);
          return [narrow(i)];
        }
        if (parseFloatLiteral(lit.text) !== undefined) throw err(`${lhsText} is ${desc}; ${lit.text} is not an integer.`, lit.pos);
      }
      const name = lit.kind === 'string' ? lit.value : lit.text;
      if (def?.valueNames) {
        const l = name.toLowerCase();
        const hits = [...def.valueNames].filter(([, v]) => v.toLowerCase() === l).map(([k]) => k);
        if (hits.length) return hits;
        const s = closest(name, new Set(def.valueNames.values()));
        throw err(`${quoteString(name)} is not a value name of ${def.name}${s.length ? `; did you mean ${orList(s.map(quoteString))}?` : '; run "myshark fields --json" for the names.'}`, lit.pos);
      }
      if (lit.kind === 'string') throw err(`${lhsText} is ${desc} and cannot be compared with the string ${shown}.`, lit.pos);
      throw err(`${shown} is not a valid value for ${lhsText} (${desc}).`, lit.pos);
    }
    case 'float':
    case 'time':
    case 'abstime': {
      if (lit.kind === 'char') return [lit.value];
      if (lit.kind === 'word') {
        const i = parseInteger(lit.text);
        if (i !== undefined) return [narrow(i)];
        const f = parseFloatLiteral(lit.text);
        if (f !== undefined) return [f];
      }
      if (type === 'abstime' && lit.kind === 'string') {
        const ms = Date.parse(lit.value.trim().replace(/^(\d{4}-\d\d-\d\d) /, '$1T'));
        if (Number.isFinite(ms)) return [ms / 1000];
        throw err(`${shown} is not a date and time such as "2024-05-01T12:00:00" or "2024-05-01T12:00:00Z".`, lit.pos);
      }
      if (lit.kind === 'string') throw err(`${lhsText} is ${desc} and cannot be compared with the string ${shown}.`, lit.pos);
      throw err(`${shown} is not a number, which ${lhsText} (${desc}) needs.`, lit.pos);
    }
    case 'bool': {
      const b = lit.kind === 'word' ? parseBoolWord(lit.text) : undefined;
      if (b !== undefined) return [b];
      throw err(`${lhsText} is a boolean field: compare it with True, False, 1 or 0, not ${shown}.`, lit.pos);
    }
    case 'string':
      if (lit.kind === 'string') return [lit.value];
      throw err(`${lhsText} is a string field: write the value in double quotes (${quoteString(lit.kind === 'word' ? lit.text : String.fromCodePoint(lit.value))}).`, lit.pos);
    case 'bytes': {
      if (lit.kind === 'string') return [lit.bytes ?? utf8Bytes(lit.value)];
      if (lit.kind === 'char') {
        if (lit.value > 0xff) throw err(`${shown} does not fit in one byte.`, lit.pos);
        return [Uint8Array.of(lit.value)];
      }
      if (/^0[xX][0-9A-Fa-f]{1,2}$/.test(lit.text)) return [Uint8Array.of(parseInt(lit.text.slice(2), 16))];
      const b = parseByteString(lit.text);
      if (b) return [b];
      throw err(`${shown} is not a byte string such as aa:bb:cc or a quoted string, which ${lhsText} (${desc}) needs.`, lit.pos);
    }
    case 'ipv4':
    case 'ipv6': {
      const fam = type === 'ipv4' ? 4 : 6;
      const text = lit.kind === 'string' ? lit.value : lit.kind === 'word' ? lit.text : '';
      const ip = parseIpLiteral(text, fam);
      if (ip) return [ip];
      const other = parseIpLiteral(text, fam === 4 ? 6 : 4);
      if (other) throw err(`${shown} is an IPv${fam === 4 ? 6 : 4} address, but ${lhsText} is ${desc}${fam === 4 ? '; use ipv6.addr, ipv6.src or ipv6.dst' : '; use ip.addr, ip.src or ip.dst'}.`, lit.pos);
      throw err(`${shown} is not a valid IPv${fam} address or CIDR block (such as ${fam === 4 ? '10.0.0.0/8' : 'fe80::/10'}).`, lit.pos);
    }
    case 'none':
      throw err(`${lhsText} has no value of its own; it can only be tested for presence.`, lit.pos);
  }
}

/**
 * Wireshark's `matches` is PCRE2 and case-insensitive by default; `(?-i)` makes it case-sensitive and `(?i)`,
 * `(?s)`, `(?m)` groups set the flags for the whole expression (JavaScript has no inline flags).
 */
export function toRegExp(pattern: string, pos: number): RegExp {
  const flags = new Set(['i']);
  const body = pattern.replace(/\(\?([ims]*)(?:-([ims]*))?\)/g, (_m, on: string, off: string | undefined) => {
    for (const f of on) flags.add(f);
    for (const f of off ?? '') flags.delete(f);
    return '';
  });
  try {
    return new RegExp(body, [...flags].join(''));
  } catch (e) {
    throw err(`Invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: (\/.*\/[a-z]*: )?/, '')}.`, pos);
  }
}
