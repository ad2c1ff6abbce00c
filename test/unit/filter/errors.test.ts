import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../../src/filter/compile.js';

/** The error of a filter that must not compile. */
function error(text: string) {
  const r = compileFilter(text);
  if (r.ok) throw new Error(`${text} compiled`);
  return r.error;
}

/** [filter, message, caret position] */
const CASES: Array<[string, string, number]> = [
  // bad tokens
  ['tcp.port @ 3', 'The character "@" is not valid here.', 9],
  ['tcp.port = 3', '"=" is not an operator; write "==" to compare.', 9],
  ['tcp.port == 3 | tcp.port == 4', '"|" is not an operator; write "||" or "or".', 14],
  ['tcp.port == 3306 3307', '"3307" was unexpected here; expected "and", "or" or the end of the filter.', 17],
  ['tcp.port ==', 'The filter ends where a value was expected.', 11],
  ['and tcp', '"and" was unexpected here; expected a field name.', 0],
  ['', 'The filter is empty.', 0],
  ['mysql.query contains "\\q"', '"\\q" is not a valid escape sequence; write "\\\\" for a backslash.', 22],
  ['mysql.query[0:6 == "x"', 'The slice is never closed: "]" is missing.', 11],
  ['mysql.query[a] == "x"', '"a" is not a valid slice; use [i:length], [i-j], [i], [:length] or [i:].', 12],
  ['lenn(mysql.query) > 3', 'Unknown function "lenn"; did you mean len()?', 0],
  ['3306 == tcp.port', '3306 is neither a field nor a protocol name.', 0],
  ['"x" == mysql.query', 'The left side of a test must be a field or function, not the value "x".', 0],
  // unbalanced parentheses, unterminated strings
  ['(tcp.port == 1', 'This "(" is never closed.', 0],
  ['tcp && (mysql or (ip)', 'This "(" is never closed.', 7],
  ['tcp.port == 1)', '")" without a matching "(".', 13],
  ['()', 'Empty parentheses: a field or test was expected.', 1],
  ['mysql.query == "abc', 'The string is never closed: a double quote is missing.', 15],
  ['tcp.port in {1 2', 'This "{" is never closed.', 12],
  // unknown fields
  ['mysql.qurey contains "x"', 'Unknown field "mysql.qurey"; did you mean mysql.query?', 0],
  ['tcp and tcp.prot == 3306', 'Unknown field "tcp.prot"; did you mean tcp.port?', 8],
  ['tcp.port == tcp.srcprot', 'Unknown field "tcp.srcprot"; did you mean tcp.srcport?', 12],
  ['mysql.error_cod', 'Unknown field "mysql.error_cod"; did you mean mysql.error_code?', 0],
  ['zzzzzz.qqqq', 'Unknown field "zzzzzz.qqqq"; run "myshark fields" for the list.', 0],
  // type mismatches
  ['tcp.port == "abc"', 'tcp.port is an unsigned integer and cannot be compared with the string "abc".', 12],
  ['mysql.query > 3', 'mysql.query is a string field: write the value in double quotes ("3").', 14],
  ['tcp.port == 1.5', 'tcp.port is an unsigned integer; 1.5 is not an integer.', 12],
  ['tcp.port == -1', '-1 is negative, but tcp.port is unsigned.', 12],
  ['tcp.port contains "3"', '"contains" works on strings and byte sequences, but tcp.port is an unsigned integer.', 9],
  ['mysql.command matches "Q"', '"matches" works on strings and byte sequences, but mysql.command is an unsigned integer.', 14],
  ['mysql.query matches x', 'The regular expression after "matches" must be a double-quoted string.', 20],
  ['mysql.query matches "("', 'Invalid regular expression: Unterminated group.', 20],
  ['mysql.command == "COM_QUERY"', '"COM_QUERY" is not a value name of mysql.command; run "myshark fields --json" for the names.', 17],
  ['mysql.command == Quer', '"Quer" is not a value name of mysql.command; did you mean "Query" or "Quit"?', 17],
  ['mysql.stat.ac == "1"', 'mysql.stat.ac is a boolean field: compare it with True, False, 1 or 0, not "1".', 17],
  ['ip.addr == 300.1.1.1', '300.1.1.1 is not a valid IPv4 address or CIDR block (such as 10.0.0.0/8).', 11],
  ['ip.addr == 10.0.0.0/33', '10.0.0.0/33 is not a valid IPv4 address or CIDR block (such as 10.0.0.0/8).', 11],
  ['ip.src == ::1', '::1 is an IPv6 address, but ip.src is an IPv4 address; use ipv6.addr, ipv6.src or ipv6.dst.', 10],
  ['mysql.payload == zz', 'zz is not a byte string such as aa:bb:cc or a quoted string, which mysql.payload (a byte sequence) needs.', 17],
  ['mysql.request == 1', 'mysql.request has no value of its own; it can only be tested for presence, as in "mysql.request".', 0],
  ['tcp.port == mysql.query', 'tcp.port (an unsigned integer) cannot be compared with mysql.query (a string).', 12],
  ['mysql.command[0:1] == 3', 'mysql.command is an unsigned integer and cannot be sliced; slices work on strings and byte sequences.', 13],
  ['len(tcp.port) > 1', 'len() needs a string or byte-sequence field, but tcp.port is an unsigned integer.', 4],
  ['count(len(mysql.query)) > 1', 'count() takes a field name, not len(mysql.query).', 6],
  ['mysql.query & 2', '"&" needs an integer field, but mysql.query is a string.', 12],
  ['mysql.stat.ac > 0', 'mysql.stat.ac is a boolean field; compare it with == or != only.', 14],
];

describe('filter errors', () => {
  it.each(CASES)('%s', (text, message, position) => {
    const e = error(text);
    expect(e.message).toBe(message);
    expect(e.position).toBe(position);
    expect(e.caret).toBe(`${text}\n${' '.repeat(position)}^`);
  });
  it('errors are one sentence', () => {
    for (const [text] of CASES) expect(error(text).message).toMatch(/^[^\n]+[.?]$/);
  });
});
