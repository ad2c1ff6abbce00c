/**
 * Statement fingerprints (mysql.fingerprint): the SQL with its literals replaced, so that statements that differ
 * only by values group together — the rules users know from pt-query-digest: comments dropped, whitespace
 * collapsed, everything lower-cased, strings and numbers → ?, IN (...) lists and multi-row VALUES collapsed,
 * `USE db` kept as is. One pass of regular expressions; bounded by the statement's length.
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
  if (s.includes('/*')) s = s.replace(/\/\*[\s\S]*?\*\//g, ' '); // /* comments */ (also optimizer hints)
  if (s.includes('--') || s.includes('#')) s = s.replace(/(?:--\s|#)[^\n]*/g, ' '); // -- and # comments
  if (s.includes('\\')) s = s.replace(/\\['"]/g, ''); // escaped quotes inside strings
  if (s.includes("'") || s.includes('"')) s = s.replace(/'[^']*'|"[^"]*"/g, '?'); // string literals
  if (s.includes("'") || s.includes('0x') || s.includes('0X')) s = s.replace(/\bx'[0-9a-f]*'|\b0x[0-9a-f]+\b/gi, '?'); // hex literals
  s = s
    .replace(/(?<![\w$.])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w$])/gi, '?') // numbers not part of names
    .replace(/\b(null|true|false)\b/gi, '?')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  if (s.includes('in')) s = s.replace(/\bin\s*\(\s*\?(?:\s*,\s*\?)*\s*\)/g, 'in(?+)'); // IN lists
  if (s.includes('values')) s = s.replace(/\bvalues\s*(\(\s*\?(?:\s*,\s*\?)*\s*\))(?:\s*,\s*\(\s*\?(?:\s*,\s*\?)*\s*\))*/g, 'values $1'); // VALUES rows
  if (s.includes('limit')) s = s.replace(/\blimit \?(?:\s*,\s*\?)?/g, 'limit ?');
  return s.includes(';') ? s.replace(/\s*;\s*$/, '') : s;
}
