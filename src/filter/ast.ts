/**
 * The display-filter AST. Every node carries `pos`, the 0-based offset in the filter text where it starts
 * (for error carets); `withoutPositions` strips them for structural comparison.
 */

/** Canonical comparison operators (word forms and aliases are folded at parse time). */
export type CmpOp = '==' | '!=' | '===' | '!==' | '<' | '>' | '<=' | '>=' | 'contains' | 'matches';
export type Quant = 'any' | 'all';

export type Literal =
  /** A double-quoted (or raw r"…") string, escapes resolved; `bytes` when escapes make it invalid UTF-8 ("\xff"). */
  | { kind: 'string'; value: string; pos: number; bytes?: Uint8Array }
  /** A C-style character constant such as 'a' or '\n' (an integer). */
  | { kind: 'char'; value: number; pos: number }
  /** An unquoted literal: number, address, byte string, boolean, value name; typed by the field it meets. */
  | { kind: 'word'; text: string; pos: number };

/** `[i:j]` start+length, `[i-j]` start..end inclusive, `[i]` one, `[i:]` to the end (`[:j]` is `[0:j]`). */
export type SliceRange =
  | { form: 'len'; start: number; length: number }
  | { form: 'end'; start: number; end: number }
  | { form: 'one'; start: number }
  | { form: 'rest'; start: number };

export type FunctionName = 'len' | 'count' | 'lower' | 'upper' | 'string';
export const FUNCTIONS: readonly FunctionName[] = ['len', 'count', 'lower', 'upper', 'string'];

export type Value =
  | { kind: 'field'; name: string; pos: number }
  | { kind: 'slice'; of: Value; ranges: SliceRange[]; pos: number }
  | { kind: 'call'; fn: FunctionName; arg: Value; pos: number }
  /** `field & mask` (Wireshark's bitwise_and). */
  | { kind: 'bitand'; of: Value; mask: Literal; pos: number };

/** The right side of a comparison: a value, or a literal; a bare word may turn out to name a field (resolved by the checker). */
export type Operand = Value | Literal;

export interface SetElem {
  lo: Literal;
  hi?: Literal;
}

export type Test =
  | { kind: 'exists'; value: Value; pos: number }
  | { kind: 'cmp'; op: CmpOp; quant?: Quant; lhs: Value; rhs: Operand; pos: number }
  | { kind: 'in'; lhs: Value; set: SetElem[]; pos: number }
  | { kind: 'not'; expr: Test; pos: number }
  | { kind: 'and' | 'or' | 'xor'; left: Test; right: Test; pos: number };

export function isLiteral(o: Operand): o is Literal {
  return o.kind === 'string' || o.kind === 'char' || o.kind === 'word';
}

/** A deep copy without `pos` properties (for comparing ASTs). */
export function withoutPositions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutPositions);
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) if (k !== 'pos' && v !== undefined) out[k] = withoutPositions(v);
    return out;
  }
  return node;
}
