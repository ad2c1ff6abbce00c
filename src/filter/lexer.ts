/**
 * Display-filter tokens. Unquoted literals (numbers, addresses, byte strings, field names, value names) are all
 * one `word` token made of `[A-Za-z0-9_.:/-]`, as in Wireshark; the parser and checker give them meaning.
 * A slice `[…]` is one token holding its raw text.
 */
import { FilterSyntaxError } from './errors.js';

export type TokenKind =
  | 'word'
  | 'string'
  | 'char'
  | 'slice'
  | 'cmp'
  | 'and'
  | 'or'
  | 'xor'
  | 'not'
  | 'amp'
  | 'lparen'
  | 'rparen'
  | 'lbrace'
  | 'rbrace'
  | 'comma'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text of the token (for strings: including quotes). */
  text: string;
  pos: number;
  /** Resolved value of a string / char token. */
  value?: string | number;
  /** For a string whose escapes make invalid UTF-8 (e.g. "\xff"): its exact bytes. */
  bytes?: Uint8Array;
  /** For `word` tokens: the text was followed immediately by `(` (a function call). */
  call?: boolean;
  /** Canonical operator for `cmp` tokens; `==` etc. */
  op?: string;
}

const WORD_CHAR = /[A-Za-z0-9_.:/-]/;
const SPACE = /\s/;

/** Word-form operators and keywords. */
const WORD_OPS: Record<string, { kind: TokenKind; op?: string }> = {
  and: { kind: 'and' },
  or: { kind: 'or' },
  xor: { kind: 'xor' },
  not: { kind: 'not' },
  eq: { kind: 'cmp', op: '==' },
  any_eq: { kind: 'cmp', op: '==' },
  ne: { kind: 'cmp', op: '!=' },
  all_ne: { kind: 'cmp', op: '!=' },
  all_eq: { kind: 'cmp', op: '===' },
  any_ne: { kind: 'cmp', op: '!==' },
  gt: { kind: 'cmp', op: '>' },
  lt: { kind: 'cmp', op: '<' },
  ge: { kind: 'cmp', op: '>=' },
  le: { kind: 'cmp', op: '<=' },
  contains: { kind: 'cmp', op: 'contains' },
  matches: { kind: 'cmp', op: 'matches' },
  bitwise_and: { kind: 'amp' },
};

/** Symbol operators, longest first. */
const SYMBOLS: Array<[string, TokenKind, string?]> = [
  ['===', 'cmp', '==='],
  ['!==', 'cmp', '!=='],
  ['==', 'cmp', '=='],
  ['!=', 'cmp', '!='],
  ['~=', 'cmp', '!=='],
  ['<=', 'cmp', '<='],
  ['>=', 'cmp', '>='],
  ['&&', 'and'],
  ['||', 'or'],
  ['^^', 'xor'],
  ['<', 'cmp', '<'],
  ['>', 'cmp', '>'],
  ['~', 'cmp', 'matches'],
  ['!', 'not'],
  ['&', 'amp'],
  ['(', 'lparen'],
  [')', 'rparen'],
  ['{', 'lbrace'],
  ['}', 'rbrace'],
  [',', 'comma'],
];

const SIMPLE_ESCAPES: Record<string, number> = {
  "'": 0x27, '"': 0x22, '\\': 0x5c, a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b,
};

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads one escape sequence at `text[i]` (just after the backslash). Returns the bytes it stands for and the
 * index after it. \xNN and \NNN are bytes; \uNNNN / \UNNNNNNNN code points.
 */
function readEscape(text: string, i: number, backslashPos: number): { bytes: number[]; next: number } {
  const c = text[i];
  if (c === undefined) throw new FilterSyntaxError('The escape sequence at the end of the string is incomplete.', backslashPos);
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return { bytes: [simple], next: i + 1 };
  if (c === 'x') {
    const m = /^[0-9A-Fa-f]{1,2}/.exec(text.slice(i + 1, i + 3));
    if (!m) throw new FilterSyntaxError('"\\x" must be followed by one or two hexadecimal digits.', backslashPos);
    return { bytes: [parseInt(m[0], 16)], next: i + 1 + m[0].length };
  }
  if (/[0-7]/.test(c)) {
    const m = /^[0-7]{1,3}/.exec(text.slice(i, i + 3));
    const v = parseInt(m![0], 8);
    if (v > 0xff) throw new FilterSyntaxError(`The octal escape "\\${m![0]}" is larger than one byte.`, backslashPos);
    return { bytes: [v], next: i + m![0].length };
  }
  if (c === 'u' || c === 'U') {
    const n = c === 'u' ? 4 : 8;
    const digits = text.slice(i + 1, i + 1 + n);
    const cp = /^[0-9A-Fa-f]+$/.test(digits) && digits.length === n ? parseInt(digits, 16) : NaN;
    if (!(cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) {
      throw new FilterSyntaxError(`"\\${c}" must be followed by ${n} hexadecimal digits naming a Unicode code point.`, backslashPos);
    }
    return { bytes: [...utf8.encode(String.fromCodePoint(cp))], next: i + 1 + n };
  }
  throw new FilterSyntaxError(`"\\${c}" is not a valid escape sequence; write "\\\\" for a backslash.`, backslashPos);
}

/** Reads a "…" string starting at the quote; `raw` keeps backslashes (r"…"). */
function readString(text: string, quote: number, raw: boolean): { value: string; end: number; bytes?: Uint8Array } {
  const bytes: number[] = [];
  let i = quote + 1;
  for (;;) {
    const c = text[i];
    if (c === undefined) throw new FilterSyntaxError('The string is never closed: a double quote is missing.', raw ? quote - 1 : quote);
    if (c === '"') {
      const b = new Uint8Array(bytes);
      try {
        return { value: strictDecoder.decode(b), end: i + 1 };
      } catch {
        return { value: utf8Decoder.decode(b), end: i + 1, bytes: b };
      }
    }
    if (c === '\\') {
      if (raw) {
        const n = text[i + 1];
        bytes.push(0x5c);
        if (n === '"' || n === '\\') {
          bytes.push(n.charCodeAt(0));
          i += 2;
        } else i += 1;
        continue;
      }
      const e = readEscape(text, i + 1, i);
      bytes.push(...e.bytes);
      i = e.next;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    bytes.push(...utf8.encode(ch));
    i += ch.length;
  }
}

/** Reads a 'c' character constant starting at the quote. */
function readChar(text: string, quote: number): { value: number; end: number } {
  let i = quote + 1;
  let value: number;
  const c = text[i];
  if (c === undefined || c === "'") throw new FilterSyntaxError('The character constant is empty or never closed.', quote);
  if (c === '\\') {
    const e = readEscape(text, i + 1, i);
    // \u escapes give the code point, others a byte.
    const s = text[i + 1];
    value = s === 'u' || s === 'U' ? utf8Decoder.decode(new Uint8Array(e.bytes)).codePointAt(0)! : e.bytes[0]!;
    i = e.next;
  } else {
    value = text.codePointAt(i)!;
    i += String.fromCodePoint(value).length;
  }
  if (text[i] !== "'") throw new FilterSyntaxError('A character constant holds one character and ends with a single quote.', quote);
  return { value, end: i + 1 };
}

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '"' || ((c === 'r' || c === 'R') && text[i + 1] === '"' && !isWordBefore(text, i))) {
      const raw = c !== '"';
      const s = readString(text, raw ? i + 1 : i, raw);
      out.push({ kind: 'string', text: text.slice(start, s.end), pos: start, value: s.value, ...(s.bytes ? { bytes: s.bytes } : {}) });
      i = s.end;
      continue;
    }
    if (c === "'") {
      const ch = readChar(text, i);
      out.push({ kind: 'char', text: text.slice(start, ch.end), pos: start, value: ch.value });
      i = ch.end;
      continue;
    }
    if (c === '[') {
      const close = text.indexOf(']', i);
      if (close < 0) throw new FilterSyntaxError('The slice is never closed: "]" is missing.', i);
      out.push({ kind: 'slice', text: text.slice(i, close + 1), pos: i });
      i = close + 1;
      continue;
    }
    if (WORD_CHAR.test(c)) {
      let j = i;
      while (j < text.length && WORD_CHAR.test(text[j]!)) j++;
      const word = text.slice(i, j);
      const op = WORD_OPS[word];
      if (op) out.push({ kind: op.kind, text: word, pos: start, ...(op.op ? { op: op.op } : {}) });
      else out.push({ kind: 'word', text: word, pos: start, ...(text[j] === '(' ? { call: true } : {}) });
      i = j;
      continue;
    }
    const sym = SYMBOLS.find(([s]) => text.startsWith(s, i));
    if (sym) {
      out.push({ kind: sym[1], text: sym[0], pos: start, ...(sym[2] ? { op: sym[2] } : {}) });
      i += sym[0].length;
      continue;
    }
    throw new FilterSyntaxError(unexpectedCharMessage(text, i), i);
  }
  out.push({ kind: 'eof', text: '', pos: text.length });
  return out;
}

function isWordBefore(text: string, i: number): boolean {
  return i > 0 && WORD_CHAR.test(text[i - 1]!);
}

function unexpectedCharMessage(text: string, i: number): string {
  const c = text[i]!;
  if (c === '=') return '"=" is not an operator; write "==" to compare.';
  if (c === '|') return '"|" is not an operator; write "||" or "or".';
  if (c === '^') return '"^" is not an operator; write "^^" or "xor".';
  if (c === ']') return '"]" without a matching "[".';
  if (c === '#') return 'The layer operator "#" is not supported.';
  if (c === '$') return 'Field references ("${…}") are not supported.';
  if (c === '+' || c === '*' || c === '%') return 'Arithmetic is not supported in filters.';
  const cp = text.codePointAt(i)!;
  return `The character "${String.fromCodePoint(cp)}" is not valid here.`;
}
