/**
 * Statement fingerprints (mysql.fingerprint): the SQL with its literals replaced, so that statements that differ
 * only by values group together — the rules users know from pt-query-digest: comments dropped, whitespace
 * collapsed, everything lower-cased, strings and numbers → ?, IN (...) lists and multi-row VALUES collapsed,
 * `USE db` kept as is. Regular expressions in order, or one scan that gives the same for the usual statement;
 * bounded by the statement's length (the first 64 KiB).
 */
const MAX_INPUT = 64 * 1024;

/**
 * Fingerprints of recent statements, by their text (direct-mapped by length and two characters): prepared statements
 * (every EXECUTE carries the same text), BEGIN, COMMIT and the like repeat verbatim. A miss costs a string compare.
 */
const SLOTS = 256;
const recentSql: string[] = new Array<string>(SLOTS).fill('');
const recentPrint: string[] = new Array<string>(SLOTS).fill('');

export function fingerprint(sql: string): string {
  const n = sql.length;
  if (n === 0 || n > 4096) return fingerprintOf(sql); // the cache holds at most 256 × 4096 characters
  const slot = (n * 31 + sql.charCodeAt(n >> 1) * 7 + sql.charCodeAt(n - 1)) & (SLOTS - 1);
  if (recentSql[slot] === sql) return recentPrint[slot]!;
  const f = fingerprintOf(sql);
  recentSql[slot] = sql;
  recentPrint[slot] = f;
  return f;
}

/**
 * The rules as regular expressions, in order. A pass is skipped when the text lacks what every match of it needs,
 * which is most passes for most statements (test/unit/analysis/fingerprint.test.ts compares with all passes run).
 */
function fingerprintOf(sql: string): string {
  let s = sql.length > MAX_INPUT ? sql.slice(0, MAX_INPUT) : sql;
  const plain = plainLiteralsLowered(s);
  if (plain !== undefined) return lists(plain);
  if (s.includes('/*')) s = s.replace(/\/\*[\s\S]*?\*\//g, ' '); // /* comments */ (also optimizer hints)
  if (s.includes('--') || s.includes('#')) s = s.replace(/(?:--\s|#)[^\n]*/g, ' '); // -- and # comments
  if (s.includes('\\')) s = s.replace(/\\['"]/g, ''); // escaped quotes inside strings
  if (s.includes("'") || s.includes('"')) s = s.replace(/'[^']*'|"[^"]*"/g, '?'); // string literals
  if (s.includes("'") || s.includes('0x') || s.includes('0X')) s = s.replace(/\bx'[0-9a-f]*'|\b0x[0-9a-f]+\b/gi, '?'); // hex literals
  s = s
    .replace(/(?<![\w$.])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w$])/gi, '?') // numbers not part of names
    .replace(/\b(null|true|false)\b/gi, '?');
  return normalize(s);
}

/** Whitespace, case, lists and the final semicolon: the rules after the literals. */
function normalize(literalsReplaced: string): string {
  return lists(literalsReplaced.replace(/\s+/g, ' ').trim().toLowerCase());
}

/** IN lists, VALUES rows, LIMIT and the final semicolon, on the collapsed lower-case text. */
function lists(collapsed: string): string {
  let s = collapsed;
  // Whitespace is single spaces here, so an IN list starts with "in(" or "in (".
  if (s.includes('in(') || s.includes('in (')) s = s.replace(/\bin\s*\(\s*\?(?:\s*,\s*\?)*\s*\)/g, 'in(?+)'); // IN lists
  if (s.includes('values')) s = s.replace(/\bvalues\s*(\(\s*\?(?:\s*,\s*\?)*\s*\))(?:\s*,\s*\(\s*\?(?:\s*,\s*\?)*\s*\))*/g, 'values $1'); // VALUES rows
  if (s.includes('limit')) s = s.replace(/\blimit \?(?:\s*,\s*\?)?/g, 'limit ?');
  return s.includes(';') ? s.replace(/\s*;\s*$/, '') : s;
}

// ------------------------------------------------------------------ the literal rules in one pass

/** Character classes of ASCII (bit 1: \w without the u flag, 2: [\w$], 4: a digit). */
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const digit = c >= 0x30 && c <= 0x39;
  const word = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || digit || c === 0x5f;
  CLASS[c] = (word ? 1 : 0) | (word || c === 0x24 ? 2 : 0) | (digit ? 4 : 0);
}
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
/** \w in a regular expression without the u flag (c may be -1 or any code unit). */
const isWord = (c: number): boolean => c >= 0 && c < 128 && (CLASS[c]! & 1) !== 0;
/** What may not come right before or after a number: [\w$] (and before it also '.'). */
const isWordOrDollar = (c: number): boolean => c >= 0 && c < 128 && (CLASS[c]! & 2) !== 0;

/** Output of plainLiteralsLowered (ASCII, at most one byte per input character); grown when a longer text comes. */
let scratch = Buffer.allocUnsafe(1024);

/**
 * The string, number and null/true/false rules (`'…'`, then numbers, then the words → ?), then whitespace collapsed,
 * trimmed and lower-cased, in one left-to-right pass, for the usual statement: ASCII outside its strings,
 * single-quoted strings that all close, and nothing another rule would change first (comments, backslashes, double
 * quotes, 0x). Undefined for anything else: the regular expressions handle it. The number rule is the regular
 * expression's, backtracking included: the longest of digits, fraction, exponent that no word character or $
 * follows, tried in the order the engine tries them.
 */
function plainLiteralsLowered(s: string): string | undefined {
  if (s.includes('\\') || s.includes('"') || s.includes('#') || s.includes('/*') || s.includes('--') || s.includes('0x') || s.includes('0X')) return undefined;
  const n = s.length;
  if (scratch.length < n) scratch = Buffer.allocUnsafe(n * 2);
  const out = scratch;
  let o = 0;
  let space = false; // whitespace seen since the last character written
  let prev = -1; // the character before i after the string rule ('?' for a string), -1 at the start
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return undefined;
    let end = -1;
    if (c === 0x27) {
      end = s.indexOf("'", i + 1) + 1;
      if (end === 0) return undefined;
    } else if (isDigit(c) || ((c === 0x2d || c === 0x2b) && i + 1 < n && isDigit(s.charCodeAt(i + 1)))) {
      if (!isWordOrDollar(prev) && prev !== 0x2e) end = numberEnd(s, i);
    } else if ((c | 0x20) === 0x6e || (c | 0x20) === 0x74 || (c | 0x20) === 0x66) {
      if (!isWord(prev)) end = keywordEnd(s, i); // n, t, f: perhaps null, true, false
    } else if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
      space = o > 0;
      prev = c;
      i++;
      continue;
    }
    if (space) {
      out[o++] = 0x20;
      space = false;
    }
    if (end > 0) {
      out[o++] = 0x3f;
      prev = c === 0x27 ? 0x3f : s.charCodeAt(end - 1);
      i = end;
      continue;
    }
    out[o++] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    prev = c;
    i++;
  }
  return out.toString('latin1', 0, o);
}

/** Where the number starting at i ends (sign, digits, .digits, e[+-]digits), or -1 when a word character or $ follows every way of reading it. */
function numberEnd(s: string, i: number): number {
  const n = s.length;
  const after = (p: number): number => (p < n ? s.charCodeAt(p) : -1);
  let d = i;
  if (!isDigit(s.charCodeAt(d))) d++; // the sign
  while (d < n && isDigit(s.charCodeAt(d))) d++;
  let f = -1;
  if (after(d) === 0x2e && isDigit(after(d + 1))) {
    f = d + 2;
    while (f < n && isDigit(s.charCodeAt(f))) f++;
  }
  const e = exponentEnd(s, f > 0 ? f : d);
  if (e > 0 && !isWordOrDollar(after(e))) return e;
  if (f > 0 && !isWordOrDollar(after(f))) return f;
  return isWordOrDollar(after(d)) ? -1 : d;
}

/** End of e[+-]digits (either case) at p, or -1. */
function exponentEnd(s: string, p: number): number {
  const n = s.length;
  if (p >= n || (s.charCodeAt(p) | 0x20) !== 0x65) return -1;
  let q = p + 1;
  if (q < n && (s.charCodeAt(q) === 0x2b || s.charCodeAt(q) === 0x2d) && q + 1 < n && isDigit(s.charCodeAt(q + 1))) q++;
  if (q >= n || !isDigit(s.charCodeAt(q))) return -1;
  while (q < n && isDigit(s.charCodeAt(q))) q++;
  return q;
}

/** End of null, true or false (any case) as a whole word at i, or -1. */
function keywordEnd(s: string, i: number): number {
  for (const w of KEYWORDS) {
    const end = i + w.length;
    if (end > s.length || (end < s.length && isWord(s.charCodeAt(end)))) continue;
    let k = 0;
    while (k < w.length && (s.charCodeAt(i + k) | 0x20) === w.charCodeAt(k)) k++;
    if (k === w.length) return end;
  }
  return -1;
}

const KEYWORDS = ['null', 'true', 'false'];

