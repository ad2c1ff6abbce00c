import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, withoutPositions, type Literal, type SetElem, type SliceRange, type Test, type Value } from '../../../src/filter/ast.js';
import { tokenize } from '../../../src/filter/lexer.js';
import { parseFilter } from '../../../src/filter/parser.js';
import { printFilter } from '../../../src/filter/print.js';

const shape = (text: string): unknown => withoutPositions(parseFilter(text));
const canon = (text: string): string => printFilter(parseFilter(text));

describe('lexer', () => {
  it('splits operators, words, strings and slices', () => {
    const toks = tokenize('tcp.port==3306&&!mysql.query[0:6] ~= "a\\"b" || x ^^ y');
    expect(toks.map((t) => [t.kind, t.op ?? t.value ?? t.text])).toEqual([
      ['word', 'tcp.port'], ['cmp', '=='], ['word', '3306'], ['and', '&&'], ['not', '!'], ['word', 'mysql.query'],
      ['slice', '[0:6]'], ['cmp', '!=='], ['string', 'a"b'], ['or', '||'], ['word', 'x'], ['xor', '^^'], ['word', 'y'], ['eof', ''],
    ]);
  });
  it('folds word operators onto the canonical ones', () => {
    const ops = tokenize('eq ne gt lt ge le any_eq all_ne all_eq any_ne contains matches ~').filter((t) => t.kind === 'cmp').map((t) => t.op);
    expect(ops).toEqual(['==', '!=', '>', '<', '>=', '<=', '==', '!=', '===', '!==', 'contains', 'matches', 'matches']);
  });
  it('resolves string escapes, raw strings and character constants', () => {
    const v = (s: string) => tokenize(s)[0]!.value;
    expect(v('"\\x41\\102\\n\\t\\\\\\"\\u00e9"')).toBe('AB\n\t\\"é');
    expect(v('r"\\d+\\"x"')).toBe('\\d+\\"x');
    expect(v("'a'")).toBe(97);
    expect(v("'\\n'")).toBe(10);
    expect(v("'\\x41'")).toBe(65);
  });
  it('keeps addresses, byte strings, CIDR and ranges as single words', () => {
    expect(tokenize('10.0.0.0/8 fe80::1 aa:bb:cc aa-bb 3306..3310 -5 0x1F').map((t) => t.text).slice(0, -1)).toEqual([
      '10.0.0.0/8', 'fe80::1', 'aa:bb:cc', 'aa-bb', '3306..3310', '-5', '0x1F',
    ]);
  });
  it('marks function calls', () => {
    const [t] = tokenize('len(mysql.query)');
    expect(t).toMatchObject({ kind: 'word', text: 'len', call: true });
  });
});

describe('parser', () => {
  it('gives not > and > xor > or precedence, left-associative', () => {
    expect(canon('a or b and c')).toBe('a or b and c');
    expect(shape('a or b and c')).toEqual(shape('a or (b and c)'));
    expect(shape('a and b or c')).toEqual(shape('(a and b) or c'));
    expect(shape('a or b xor c and d')).toEqual(shape('a or (b xor (c and d))'));
    expect(shape('not a and b')).toEqual(shape('(not a) and b'));
    expect(shape('a and b and c')).toEqual(shape('(a and b) and c'));
    expect(canon('a and (b and c)')).toBe('a and (b and c)');
    expect(canon('not (a or b)')).toBe('not (a or b)');
    expect(canon('!!a')).toBe('not not a');
  });
  it('prints the canonical form', () => {
    expect(canon('tcp.port eq 3306 && mysql.query ~ "x" || ip.addr ne 1.2.3.4')).toBe('tcp.port == 3306 and mysql.query matches "x" or ip.addr != 1.2.3.4');
    expect(canon('a ~= 1')).toBe('a !== 1');
    expect(canon('a any_ne 1 and b all_eq 2')).toBe('a !== 1 and b === 2');
    expect(canon('tcp.port in {3306 33060..33070 "a"}')).toBe('tcp.port in {3306, 33060 .. 33070, "a"}');
    expect(canon('f[:4] == 1 and f[2-3] and f[-1] and f[3:] and f[1,3-5,9:]')).toBe('f[0:4] == 1 and f[2-3] and f[-1] and f[3:] and f[1,3-5,9:]');
    expect(canon('all tcp.port > 1024')).toBe('all tcp.port > 1024');
    expect(canon('mysql.server_status bitwise_and 0x2')).toBe('mysql.server_status & 0x2');
    expect(canon('tcp.port not in {1 2}')).toBe('not tcp.port in {1, 2}');
    expect(canon('lower(mysql.query) contains "x"')).toBe('lower(mysql.query) contains "x"');
    expect(canon('mysql.payload == "\\xff\\x00a\\""')).toBe('mysql.payload == "\\xff\\x00a\\""');
    expect(canon('mysql.query == "\\x41\\u00e9\\n"')).toBe('mysql.query == "Aé\\n"');
  });
  it('builds the expected tree', () => {
    expect(shape('mysql.query[0:6] == "SELECT"')).toEqual({
      kind: 'cmp', op: '==', lhs: { kind: 'slice', of: { kind: 'field', name: 'mysql.query' }, ranges: [{ form: 'len', start: 0, length: 6 }] },
      rhs: { kind: 'string', value: 'SELECT' },
    });
    expect(shape('tcp.port in {1, 2..3}')).toEqual({
      kind: 'in', lhs: { kind: 'field', name: 'tcp.port' },
      set: [{ lo: { kind: 'word', text: '1' } }, { lo: { kind: 'word', text: '2' }, hi: { kind: 'word', text: '3' } }],
    });
  });
});

// ---- property: print(parse(x)) reparses to the same AST ----

const FIELDS = ['tcp.port', 'mysql.query', 'ip.addr', 'mysql.command', 'frame.number', 'mysql', 'mysql.stat.ac', 'mysql.payload'];
const WORDS = ['3306', '0x1f', '-5', '1.5', '010', '10.0.0.0/8', '::1', 'fe80::1/64', 'aa:bb:cc', 'aa-bb', 'True', 'Query', '1.2.3.4'];

const lit: fc.Arbitrary<Literal> = fc.oneof(
  fc.constantFrom(...WORDS).map((text): Literal => ({ kind: 'word', text, pos: 0 })),
  fc.string({ unit: 'binary', maxLength: 8 }).map((value): Literal => ({ kind: 'string', value, pos: 0 })),
  fc.integer({ min: 0, max: 255 }).map((value): Literal => ({ kind: 'char', value, pos: 0 })),
);
const int = fc.integer({ min: -20, max: 20 });
const range: fc.Arbitrary<SliceRange> = fc.oneof(
  fc.tuple(int, fc.integer({ min: 1, max: 20 })).map(([start, length]): SliceRange => ({ form: 'len', start, length })),
  fc.tuple(int, int).map(([start, end]): SliceRange => ({ form: 'end', start, end })),
  int.map((start): SliceRange => ({ form: 'one', start })),
  int.map((start): SliceRange => ({ form: 'rest', start })),
);
const field = fc.constantFrom(...FIELDS).map((name): Value => ({ kind: 'field', name, pos: 0 }));
const value: fc.Arbitrary<Value> = fc.letrec<{ v: Value; base: Value }>((tie) => ({
  base: fc.oneof(
    { weight: 3, arbitrary: field },
    fc.tuple(fc.constantFrom(...FUNCTIONS), tie('v')).map(([fn, arg]): Value => ({ kind: 'call', fn, arg, pos: 0 })),
  ),
  v: fc
    .tuple(tie('base'), fc.array(fc.array(range, { minLength: 1, maxLength: 3 }), { maxLength: 2 }), fc.option(fc.constantFrom('0x02', '4')))
    .map(([b, slices, mask]) => {
      let out: Value = b;
      for (const ranges of slices) out = { kind: 'slice', of: out, ranges, pos: 0 };
      if (mask !== null) out = { kind: 'bitand', of: out, mask: { kind: 'word', text: mask, pos: 0 }, pos: 0 };
      return out;
    }),
})).v;
/** A right-hand value must not be a bare field: that prints as a word and parses back as a literal word. */
const rhsValue = value.filter((v) => v.kind !== 'field');
const elem: fc.Arbitrary<SetElem> = fc.tuple(lit, fc.option(lit)).map(([lo, hi]) => (hi ? { lo, hi } : { lo }));
const ops = ['==', '!=', '===', '!==', '<', '>', '<=', '>=', 'contains', 'matches'] as const;

const test: fc.Arbitrary<Test> = fc.letrec<{ t: Test }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    value.map((v): Test => ({ kind: 'exists', value: v, pos: 0 })),
    fc
      .tuple(fc.constantFrom(...ops), fc.option(fc.constantFrom('any' as const, 'all' as const)), value, fc.oneof(lit, rhsValue))
      .map(([op, quant, lhs, rhs]): Test => ({ kind: 'cmp', op, ...(quant ? { quant } : {}), lhs, rhs, pos: 0 })),
    fc.tuple(value, fc.array(elem, { minLength: 1, maxLength: 4 })).map(([lhs, set]): Test => ({ kind: 'in', lhs, set, pos: 0 })),
    tie('t').map((expr): Test => ({ kind: 'not', expr, pos: 0 })),
    fc.tuple(fc.constantFrom('and' as const, 'or' as const, 'xor' as const), tie('t'), tie('t')).map(([kind, left, right]): Test => ({ kind, left, right, pos: 0 })),
  ),
})).t;

describe('printer round trip', () => {
  it('parse(print(ast)) is the same AST', () => {
    fc.assert(
      fc.property(test, (ast) => {
        const text = printFilter(ast);
        expect(withoutPositions(parseFilter(text))).toEqual(withoutPositions(ast));
        expect(printFilter(parseFilter(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
