/**
 * AST → canonical filter text: C-like operators (`==`, `!=`, `===`, `!==`, `contains`, `matches`), word logic
 * operators (`and`, `or`, `xor`, `not`), parentheses only where precedence needs them, sets with commas.
 * `parseFilter(printFilter(ast))` gives back the same AST (positions aside).
 */
import type { Literal, Operand, SetElem, SliceRange, Test, Value } from './ast.js';

const PREC: Record<'or' | 'xor' | 'and', number> = { or: 1, xor: 2, and: 3 };

export function printFilter(t: Test): string {
  return printTest(t, 0);
}

function printTest(t: Test, parentPrec: number): string {
  switch (t.kind) {
    case 'or':
    case 'xor':
    case 'and': {
      const p = PREC[t.kind];
      // Left-associative: the right child needs parentheses at equal precedence.
      const s = `${printTest(t.left, p)} ${t.kind} ${printTest(t.right, p + 1)}`;
      return p < parentPrec ? `(${s})` : s;
    }
    case 'not': {
      // `not` binds tighter than and/or/xor; its operand is a test or another `not`.
      return `not ${printTest(t.expr, 4)}`;
    }
    case 'exists':
      return printValue(t.value);
    case 'cmp':
      return `${t.quant ? `${t.quant} ` : ''}${printValue(t.lhs)} ${t.op} ${printOperand(t.rhs)}`;
    case 'in':
      return `${printValue(t.lhs)} in {${t.set.map(printElem).join(', ')}}`;
  }
}

function printElem(e: SetElem): string {
  return e.hi ? `${printLiteral(e.lo)} .. ${printLiteral(e.hi)}` : printLiteral(e.lo);
}

export function printValue(v: Value): string {
  switch (v.kind) {
    case 'field':
      return v.name;
    case 'call':
      return `${v.fn}(${printValue(v.arg)})`;
    case 'slice':
      return `${printValue(v.of)}[${v.ranges.map(printRange).join(',')}]`;
    case 'bitand':
      return `${printValue(v.of)} & ${printLiteral(v.mask)}`;
  }
}

function printRange(r: SliceRange): string {
  switch (r.form) {
    case 'len':
      return `${r.start}:${r.length}`;
    case 'end':
      return `${r.start}-${r.end}`;
    case 'one':
      return `${r.start}`;
    case 'rest':
      return `${r.start}:`;
  }
}

function printOperand(o: Operand): string {
  return o.kind === 'string' || o.kind === 'char' || o.kind === 'word' ? printLiteral(o) : printValue(o);
}

export function printLiteral(l: Literal): string {
  switch (l.kind) {
    case 'word':
      return l.text;
    case 'string':
      return l.bytes ? quoteBytes(l.bytes) : quoteString(l.value);
    case 'char':
      return printChar(l.value);
  }
}

const NAMED: Record<number, string> = { 0x07: '\\a', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v' };

/** A double-quoted string literal for `s`: `"` and `\` escaped, control characters as \n or \xNN. */
export function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (NAMED[c]) out += NAMED[c];
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A string literal spelling out exact bytes (for strings that are not valid UTF-8). */
function quoteBytes(b: Uint8Array): string {
  let out = '"';
  for (const c of b) {
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}

function printChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x5c) return "'\\\\'";
  if (NAMED[c]) return `'${NAMED[c]}'`;
  if (c >= 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  if (c <= 0xff) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  return c <= 0xffff ? `'\\u${c.toString(16).padStart(4, '0')}'` : `'\\U${c.toString(16).padStart(8, '0')}'`;
}
