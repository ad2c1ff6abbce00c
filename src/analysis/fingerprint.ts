/**
 * Statement fingerprints (mysql.fingerprint): the SQL with its literals replaced, so that statements that differ
 * only by values group together — the rules users know from pt-query-digest: comments dropped, whitespace
 * collapsed, everything lower-cased, strings and numbers → ?, IN (...) lists and multi-row VALUES collapsed,
 * `USE db` kept as is. One pass of regular expressions; bounded by the statement's length.
 */
const MAX_INPUT = 64 * 1024;

export function fingerprint(sql: string): string {
  let s = sql.length > MAX_INPUT ? sql.slice(0, MAX_INPUT) : sql;
  s = s
    .replace(/\/\*[\s\S]*?\*\//g, ' ') // /* comments */ (also optimizer hints)
    .replace(/(?:--\s|#)[^\n]*/g, ' ') // -- and # comments
    .replace(/\\['"]/g, '') // escaped quotes inside strings
    .replace(/'[^']*'|"[^"]*"/g, '?') // string literals
    .replace(/\bx'[0-9a-f]*'|\b0x[0-9a-f]+\b/gi, '?') // hex literals
    .replace(/(?<![\w$.])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w$])/gi, '?') // numbers not part of names
    .replace(/\b(null|true|false)\b/gi, '?')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  s = s
    .replace(/\bin\s*\(\s*\?(?:\s*,\s*\?)*\s*\)/g, 'in(?+)') // IN lists
    .replace(/\bvalues\s*(\(\s*\?(?:\s*,\s*\?)*\s*\))(?:\s*,\s*\(\s*\?(?:\s*,\s*\?)*\s*\))*/g, 'values $1') // VALUES rows
    .replace(/\blimit \?(?:\s*,\s*\?)?/g, 'limit ?');
  return s.replace(/\s*;\s*$/, '');
}
