/**
 * `compileFilter(text)`: lex, parse, type-check and build an evaluator for a Wireshark display filter.
 * Multi-valued fields follow Wireshark 4: `==` any equal, `!=` all not equal, `===` all equal, `!==` (and the
 * deprecated `~=`) any not equal; other comparisons match when any occurrence does, or every one with `all`.
 */
import type { FieldValue } from '../model/field.js';
import type { SliceRange, Test } from './ast.js';
import { checkFilter, type Cls, type Const, type Pred, type TTest, type TValue } from './check.js';
import { FilterSyntaxError, makeFilterError, type FilterError } from './errors.js';
import { parseFilter } from './parser.js';
import { printFilter } from './print.js';
import {
  bytesIndexOf, compareBytes, compareNumeric, hexColon, isIpConst, toIpAddr, toNumeric, utf8Bytes, utf8String,
} from './values.js';

/** All values of a field in one message, in order; empty when the field is absent. */
export type FieldAccess = (name: string) => readonly FieldValue[];

export interface CompiledFilter {
  /** The text as given. */
  readonly text: string;
  /** The canonical form (printFilter of the AST). */
  readonly canonical: string;
  /** Every field name the filter reads (lets a caller skip building what it does not need). */
  readonly fields: readonly string[];
  test(fields: FieldAccess): boolean;
}

export type CompileResult = { ok: true; filter: CompiledFilter; ast: Test } | { ok: false; error: FilterError };

export function compileFilter(text: string): CompileResult {
  try {
    const ast = parseFilter(text);
    const typed = checkFilter(ast);
    const fields = new Set<string>();
    collectFields(typed, fields);
    const filter: CompiledFilter = {
      text,
      canonical: printFilter(ast),
      fields: [...fields],
      test: (fa) => evalTest(typed, fa),
    };
    return { ok: true, filter, ast };
  } catch (e) {
    if (e instanceof FilterSyntaxError) return { ok: false, error: makeFilterError(text, e.message, e.position) };
    throw e;
  }
}

function collectFields(t: TTest, out: Set<string>): void {
  const v = (x: TValue): void => {
    if (x.kind === 'field') out.add(x.name);
    else if (x.kind === 'call') v(x.arg);
    else v(x.of);
  };
  switch (t.kind) {
    case 'and':
    case 'or':
    case 'xor':
      collectFields(t.left, out);
      collectFields(t.right, out);
      return;
    case 'not':
      collectFields(t.expr, out);
      return;
    case 'exists':
      v(t.value);
      return;
    case 'in':
      v(t.lhs);
      return;
    case 'cmp':
      v(t.lhs);
      if (t.rhs.kind === 'value') v(t.rhs.value);
  }
}

export function evalTest(t: TTest, fa: FieldAccess): boolean {
  switch (t.kind) {
    case 'and':
      return evalTest(t.left, fa) && evalTest(t.right, fa);
    case 'or':
      return evalTest(t.left, fa) || evalTest(t.right, fa);
    case 'xor':
      return evalTest(t.left, fa) !== evalTest(t.right, fa);
    case 'not':
      return !evalTest(t.expr, fa);
    case 'exists': {
      const vs = values(t.value, fa);
      if (t.value.kind === 'bitand') return vs.some((x) => x !== 0 && x !== 0n);
      return vs.length > 0;
    }
    case 'in': {
      const ls = values(t.lhs, fa);
      for (const raw of ls) {
        const l = normalize(raw, t.cls);
        if (l === undefined) continue;
        for (const e of t.elems) {
          if (e.hi === undefined) {
            if (e.lo.some((c) => compare(l, c, t.cls) === 0)) return true;
          } else if (compare(l, e.lo[0]!, t.cls) >= 0 && compare(l, e.hi, t.cls) <= 0) return true;
        }
      }
      return false;
    }
    case 'cmp': {
      const ls = values(t.lhs, fa).map((x) => normalize(x, t.cls));
      let rs: ReadonlyArray<Const | RegExp | undefined>;
      if (t.rhs.kind === 'const') rs = t.rhs.values;
      else if (t.rhs.kind === 'regex') rs = [t.rhs.regex];
      else {
        const cls = t.cls;
        rs = values(t.rhs.value, fa).map((x) => normalize(x, cls));
      }
      return quantify(ls, rs, t.quant, t.pred, t.cls);
    }
  }
}

type Norm = Const | undefined;

function quantify(ls: readonly Norm[], rs: ReadonlyArray<Const | RegExp | undefined>, quant: 'any' | 'all', pred: Pred, cls: Cls): boolean {
  if (quant === 'any') {
    for (const l of ls) for (const r of rs) if (holds(l, r, pred, cls)) return true;
    return false;
  }
  if (ls.length === 0 || rs.length === 0) return false;
  for (const l of ls) for (const r of rs) if (!holds(l, r, pred, cls)) return false;
  return true;
}

function holds(l: Norm, r: Const | RegExp | undefined, pred: Pred, cls: Cls): boolean {
  if (l === undefined || r === undefined) return pred === 'ne';
  if (r instanceof RegExp) {
    const s = typeof l === 'string' ? l : l instanceof Uint8Array ? utf8String(l) : String(l);
    return r.test(s);
  }
  if (pred === 'contains') {
    if (typeof l === 'string' && typeof r === 'string') return l.includes(r);
    if (l instanceof Uint8Array && r instanceof Uint8Array) return bytesIndexOf(l, r) >= 0;
    return false;
  }
  const c = compare(l, r, cls);
  switch (pred) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'lt':
      return c < 0;
    case 'gt':
      return c > 0;
    case 'le':
      return c <= 0;
    case 'ge':
      return c >= 0;
    default:
      return false;
  }
}

/** A run-time field value in the form constants of class `cls` have; undefined if it cannot be compared. */
function normalize(v: FieldValue, cls: Cls): Norm {
  if (v === null) return undefined;
  switch (cls) {
    case 'num':
      return toNumeric(v);
    case 'bool':
      return typeof v === 'boolean' ? v : typeof v === 'number' || typeof v === 'bigint' ? v != 0 : undefined;
    case 'str':
      return typeof v === 'string' ? v : v instanceof Uint8Array ? utf8String(v) : undefined;
    case 'bytes':
      return v instanceof Uint8Array ? v : typeof v === 'string' ? utf8Bytes(v) : undefined;
    case 'ip4':
      return toIpAddr(v, 4);
    case 'ip6':
      return toIpAddr(v, 6);
    case 'none':
      return undefined;
  }
}

/** -1 / 0 / 1, NaN when the two cannot be ordered. */
function compare(a: Const, b: Const, cls: Cls): number {
  switch (cls) {
    case 'num':
      return typeof a === 'number' || typeof a === 'bigint' ? (typeof b === 'number' || typeof b === 'bigint' ? compareNumeric(a, b) : NaN) : NaN;
    case 'bool':
      return Number(a) - Number(b);
    case 'str':
      return typeof a === 'string' && typeof b === 'string' ? (a < b ? -1 : a > b ? 1 : 0) : NaN;
    case 'bytes':
      return a instanceof Uint8Array && b instanceof Uint8Array ? compareBytes(a, b) : NaN;
    case 'ip4':
    case 'ip6': {
      if (typeof a !== 'bigint') return NaN;
      let x = a;
      let y: bigint;
      if (isIpConst(b)) {
        const shift = BigInt((cls === 'ip4' ? 32 : 128) - b.bits);
        x = a >> shift;
        y = b.addr >> shift;
      } else if (typeof b === 'bigint') y = b;
      else return NaN;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'none':
      return NaN;
  }
}

/** All values of a typed value expression in one message. */
function values(v: TValue, fa: FieldAccess): FieldValue[] {
  switch (v.kind) {
    case 'field':
      return fa(v.name) as FieldValue[];
    case 'slice': {
      const out: FieldValue[] = [];
      for (const x of values(v.of, fa)) {
        const b = typeof x === 'string' ? utf8Bytes(x) : x instanceof Uint8Array ? x : undefined;
        const s = b && sliceBytes(b, v.ranges);
        if (s) out.push(s);
      }
      return out;
    }
    case 'bitand': {
      const out: FieldValue[] = [];
      for (const x of values(v.of, fa)) {
        const n = toNumeric(x);
        if (n === undefined || (typeof n === 'number' && !Number.isInteger(n))) continue;
        const r = BigInt(n) & v.mask;
        out.push(typeof n === 'number' ? Number(r) : r);
      }
      return out;
    }
    case 'call': {
      if (v.fn === 'count') {
        const n = values(v.arg, fa).length;
        return n > 0 ? [n] : [];
      }
      const args = values(v.arg, fa);
      switch (v.fn) {
        case 'len':
          return args.flatMap((x) => (typeof x === 'string' ? [utf8Bytes(x).length] : x instanceof Uint8Array ? [x.length] : []));
        case 'lower':
        case 'upper':
          return args.flatMap((x) => {
            const s = typeof x === 'string' ? x : x instanceof Uint8Array ? utf8String(x) : undefined;
            return s === undefined ? [] : [v.fn === 'lower' ? s.toLowerCase() : s.toUpperCase()];
          });
        case 'string':
          return args.flatMap((x) => {
            if (x === null) return [];
            if (x instanceof Uint8Array) return [hexColon(x)];
            if (typeof x === 'boolean') return [x ? 'True' : 'False'];
            return [String(x)];
          });
      }
    }
  }
  return [];
}

/** Applies Wireshark slice ranges (concatenated); undefined when any range falls outside the value. */
export function sliceBytes(b: Uint8Array, ranges: readonly SliceRange[]): Uint8Array | undefined {
  const n = b.length;
  const parts: Uint8Array[] = [];
  for (const r of ranges) {
    const s = r.start < 0 ? n + r.start : r.start;
    if (s < 0 || s >= n) return undefined;
    let e: number;
    switch (r.form) {
      case 'len':
        e = s + r.length;
        break;
      case 'one':
        e = s + 1;
        break;
      case 'rest':
        e = n;
        break;
      case 'end': {
        const last = r.end < 0 ? n + r.end : r.end;
        if (last < s) return undefined;
        e = last + 1;
        break;
      }
    }
    if (e > n) return undefined;
    parts.push(b.subarray(s, e));
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
