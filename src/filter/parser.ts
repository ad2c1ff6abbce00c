/**
 * Recursive-descent parser for Wireshark display filters. Precedence, lowest first:
 * `or ||` < `xor ^^` < `and &&` < `not !` < comparisons. and/or/xor are left-associative.
 *
 *   test    := quant? value ( cmpop operand | 'in' set | 'not' 'in' set )?  |  '(' expr ')'
 *   value   := word ( '(' value ')' )? slice* ( '&' literal )?
 *   operand := value | literal
 *   set     := '{' elem ( ','? elem )* '}'      elem := literal ( '..' literal )?
 */
import type { CmpOp, FunctionName, Literal, Operand, Quant, SetElem, SliceRange, Test, Value } from './ast.js';
import { FUNCTIONS } from './ast.js';
import { FilterSyntaxError } from './errors.js';
import { tokenize, type Token } from './lexer.js';
import { closest } from './suggest.js';

export function parseFilter(text: string): Test {
  return new Parser(tokenize(text)).parseAll();
}

function describe(t: Token): string {
  return t.kind === 'eof' ? 'the end of the filter' : `"${t.text}"`;
}

class Parser {
  private i = 0;
  /** Positions of the currently open parentheses (for unbalanced-parenthesis errors). */
  private open: number[] = [];

  constructor(private readonly toks: Token[]) {}

  private peek(offset = 0): Token {
    return this.toks[Math.min(this.i + offset, this.toks.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }

  parseAll(): Test {
    if (this.peek().kind === 'eof') throw new FilterSyntaxError('The filter is empty.', 0);
    const t = this.parseOr();
    const end = this.peek();
    if (end.kind !== 'eof') {
      if (end.kind === 'rparen') throw new FilterSyntaxError('")" without a matching "(".', end.pos);
      throw new FilterSyntaxError(`${describe(end)} was unexpected here; expected "and", "or" or the end of the filter.`, end.pos);
    }
    return t;
  }

  private parseOr(): Test {
    let left = this.parseXor();
    while (this.peek().kind === 'or') {
      const op = this.next();
      left = { kind: 'or', left, right: this.parseXor(), pos: op.pos };
    }
    return left;
  }

  private parseXor(): Test {
    let left = this.parseAnd();
    while (this.peek().kind === 'xor') {
      const op = this.next();
      left = { kind: 'xor', left, right: this.parseAnd(), pos: op.pos };
    }
    return left;
  }

  private parseAnd(): Test {
    let left = this.parseNot();
    while (this.peek().kind === 'and') {
      const op = this.next();
      left = { kind: 'and', left, right: this.parseNot(), pos: op.pos };
    }
    return left;
  }

  private parseNot(): Test {
    const t = this.peek();
    if (t.kind === 'not') {
      this.next();
      return { kind: 'not', expr: this.parseNot(), pos: t.pos };
    }
    return this.parseTest();
  }

  private parseTest(): Test {
    const t = this.peek();
    if (t.kind === 'lparen') {
      this.next();
      this.open.push(t.pos);
      const inner = this.parseOr();
      const close = this.peek();
      if (close.kind !== 'rparen') {
        if (close.kind === 'eof') throw new FilterSyntaxError('This "(" is never closed.', this.open[this.open.length - 1]!);
        throw new FilterSyntaxError(`${describe(close)} was unexpected here; expected ")".`, close.pos);
      }
      this.next();
      this.open.pop();
      return inner;
    }
    let quant: Quant | undefined;
    if (t.kind === 'word' && (t.text === 'any' || t.text === 'all') && !t.call && this.startsValue(this.peek(1))) {
      quant = t.text;
      this.next();
    }
    const lhs = this.parseValue();
    const op = this.peek();
    if (op.kind === 'cmp') {
      this.next();
      const rhs = this.parseOperand();
      return { kind: 'cmp', op: op.op as CmpOp, ...(quant ? { quant } : {}), lhs, rhs, pos: op.pos };
    }
    if (op.kind === 'word' && op.text === 'in') {
      this.next();
      if (quant) throw new FilterSyntaxError(`"${quant}" cannot be used with "in".`, t.pos);
      return { kind: 'in', lhs, set: this.parseSet(), pos: op.pos };
    }
    if (op.kind === 'not' && op.text === 'not' && this.peek(1).kind === 'word' && this.peek(1).text === 'in') {
      this.next();
      const inTok = this.next();
      if (quant) throw new FilterSyntaxError(`"${quant}" cannot be used with "in".`, t.pos);
      return { kind: 'not', expr: { kind: 'in', lhs, set: this.parseSet(), pos: inTok.pos }, pos: op.pos };
    }
    if (quant) throw new FilterSyntaxError(`"${quant}" must be followed by a comparison such as "${quant} tcp.port > 1024".`, t.pos);
    if (op.kind === 'word' || op.kind === 'string' || op.kind === 'char' || op.kind === 'lparen') {
      throw new FilterSyntaxError(`${describe(op)} was unexpected here; expected an operator such as "==", "and" or "or".`, op.pos);
    }
    return { kind: 'exists', value: lhs, pos: lhs.pos };
  }

  private startsValue(t: Token): boolean {
    return t.kind === 'word';
  }

  /** A field, function call, slice or bitwise-and. */
  private parseValue(): Value {
    const t = this.peek();
    if (t.kind !== 'word') {
      if (t.kind === 'eof') throw new FilterSyntaxError('The filter ends where a field name was expected.', t.pos);
      if (t.kind === 'rparen') throw new FilterSyntaxError(this.open.length ? 'Empty parentheses: a field or test was expected.' : '")" without a matching "(".', t.pos);
      if (t.kind === 'string' || t.kind === 'char') {
        throw new FilterSyntaxError(`The left side of a test must be a field or function, not the value ${t.text}.`, t.pos);
      }
      throw new FilterSyntaxError(`${describe(t)} was unexpected here; expected a field name.`, t.pos);
    }
    this.next();
    let v: Value;
    if (t.call) {
      const fn = t.text as FunctionName;
      if (!FUNCTIONS.includes(fn)) {
        const s = closest(t.text, FUNCTIONS);
        throw new FilterSyntaxError(`Unknown function "${t.text}"${s.length ? `; did you mean ${s.map((x) => `${x}()`).join(' or ')}?` : '; the functions are len(), count(), lower(), upper() and string().'}`, t.pos);
      }
      const lp = this.next(); // (
      this.open.push(lp.pos);
      const arg = this.parseValue();
      const close = this.peek();
      if (close.kind !== 'rparen') {
        if (close.kind === 'eof') throw new FilterSyntaxError('This "(" is never closed.', lp.pos);
        throw new FilterSyntaxError(`${describe(close)} was unexpected here; ${fn}() takes one field.`, close.pos);
      }
      this.next();
      this.open.pop();
      v = { kind: 'call', fn, arg, pos: t.pos };
    } else {
      v = { kind: 'field', name: t.text, pos: t.pos };
    }
    while (this.peek().kind === 'slice') {
      const s = this.next();
      v = { kind: 'slice', of: v, ranges: parseSlice(s.text, s.pos), pos: s.pos };
    }
    if (this.peek().kind === 'amp') {
      const amp = this.next();
      const mask = this.peek();
      if (mask.kind !== 'word' && mask.kind !== 'char') throw new FilterSyntaxError(`"${amp.text}" must be followed by a number (the bit mask).`, mask.pos);
      this.next();
      v = { kind: 'bitand', of: v, mask: this.literalOf(mask), pos: amp.pos };
    }
    return v;
  }

  private literalOf(t: Token): Literal {
    if (t.kind === 'string') return { kind: 'string', value: t.value as string, pos: t.pos, ...(t.bytes ? { bytes: t.bytes } : {}) };
    if (t.kind === 'char') return { kind: 'char', value: t.value as number, pos: t.pos };
    return { kind: 'word', text: t.text, pos: t.pos };
  }

  private parseOperand(): Operand {
    const t = this.peek();
    if (t.kind === 'string' || t.kind === 'char') {
      this.next();
      return this.literalOf(t);
    }
    if (t.kind === 'word') {
      // A word followed by a slice, call or & is a value; a bare word is resolved by the checker (field or literal).
      const n = this.peek(1);
      if (t.call || n.kind === 'slice' || n.kind === 'amp') return this.parseValue();
      this.next();
      return this.literalOf(t);
    }
    if (t.kind === 'eof') throw new FilterSyntaxError('The filter ends where a value was expected.', t.pos);
    if (t.kind === 'lbrace') throw new FilterSyntaxError('A set "{…}" must follow "in", as in "tcp.port in {3306 3307}".', t.pos);
    throw new FilterSyntaxError(`${describe(t)} was unexpected here; expected a value.`, t.pos);
  }

  private parseSet(): SetElem[] {
    const open = this.peek();
    if (open.kind !== 'lbrace') throw new FilterSyntaxError(`"in" must be followed by a set in braces, as in "tcp.port in {3306 3307}".`, open.pos);
    this.next();
    // Flatten tokens into literal pieces and range markers (`..` may be glued to words: 3306..3310).
    type Piece = { range: true; pos: number } | { range: false; lit: Literal };
    const pieces: Piece[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === 'rbrace') break;
      if (t.kind === 'comma') {
        pieces.push({ range: false, lit: { kind: 'word', text: ',', pos: t.pos } });
        continue;
      }
      if (t.kind === 'string' || t.kind === 'char') {
        pieces.push({ range: false, lit: this.literalOf(t) });
        continue;
      }
      if (t.kind === 'word') {
        let off = 0;
        const parts = t.text.split('..');
        parts.forEach((p, k) => {
          if (k > 0) {
            pieces.push({ range: true, pos: t.pos + off });
            off += 2;
          }
          if (p) pieces.push({ range: false, lit: { kind: 'word', text: p, pos: t.pos + off } });
          off += p.length;
        });
        continue;
      }
      if (t.kind === 'eof') throw new FilterSyntaxError('This "{" is never closed.', open.pos);
      throw new FilterSyntaxError(`${describe(t)} cannot be part of a set.`, t.pos);
    }
    const out: SetElem[] = [];
    let k = 0;
    const isComma = (p: Piece | undefined): boolean => !!p && !p.range && p.lit.kind === 'word' && p.lit.text === ',';
    while (k < pieces.length) {
      const p = pieces[k]!;
      if (isComma(p)) {
        if (k === 0 || isComma(pieces[k - 1])) throw new FilterSyntaxError('A value is missing before this ",".', (p as { lit: Literal }).lit.pos);
        k++;
        continue;
      }
      if (p.range) throw new FilterSyntaxError('".." must stand between two values, as in "3306..3310".', p.pos);
      const after = pieces[k + 1];
      if (after?.range) {
        const hi = pieces[k + 2];
        if (!hi || hi.range || isComma(hi)) throw new FilterSyntaxError('The range has no upper bound after "..".', after.pos);
        out.push({ lo: p.lit, hi: hi.lit });
        k += 3;
      } else {
        out.push({ lo: p.lit });
        k++;
      }
    }
    if (out.length === 0) throw new FilterSyntaxError('The set is empty.', open.pos);
    const last = pieces[pieces.length - 1];
    if (isComma(last)) throw new FilterSyntaxError('A value is missing after this ",".', (last as { lit: Literal }).lit.pos);
    return out;
  }
}

/** Parses the raw text of a slice token, e.g. `[0:6]`, `[-4:]`, `[1,3-5,9:]`. */
export function parseSlice(raw: string, pos: number): SliceRange[] {
  const body = raw.slice(1, -1);
  if (body.trim() === '') throw new FilterSyntaxError('The slice is empty; write for example [0:6].', pos);
  const out: SliceRange[] = [];
  let off = 1;
  for (const part of body.split(',')) {
    const p = part.trim();
    const at = pos + off + (part.length - part.trimStart().length);
    off += part.length + 1;
    const int = '(-?\\d+)';
    let m: RegExpExecArray | null;
    const num = (s: string): number => Number.parseInt(s, 10);
    if ((m = new RegExp(`^${int}?:${int}$`).exec(p))) {
      const length = num(m[2]!);
      if (length <= 0) throw new FilterSyntaxError('A slice length must be positive.', at);
      out.push({ form: 'len', start: m[1] === undefined ? 0 : num(m[1]), length });
    } else if ((m = new RegExp(`^${int}:$`).exec(p))) {
      out.push({ form: 'rest', start: num(m[1]!) });
    } else if ((m = new RegExp(`^${int}-${int}$`).exec(p))) {
      out.push({ form: 'end', start: num(m[1]!), end: num(m[2]!) });
    } else if ((m = new RegExp(`^${int}$`).exec(p))) {
      out.push({ form: 'one', start: num(m[1]!) });
    } else {
      throw new FilterSyntaxError(`"${p}" is not a valid slice; use [i:length], [i-j], [i], [:length] or [i:].`, at);
    }
  }
  return out;
}
