/**
 * Display filters, differentially: for each (fixture, filter) pair of the table below, the set of frames tshark
 * selects with `tshark -r FILE [-d tcp.port==P,mysql] -Y "mysql and (FILTER)" -T fields -e frame.number` against the
 * set of frames of the records `compileRecordFilter(FILTER)` accepts (records of `analyzeFile(FILE, { ports,
 * tree: true })`, ports from fixtures.json). tshark runs at test time (checked with TShark 4.0.17); without a tshark
 * binary the whole suite is skipped.
 *
 * Running tshark: one start costs ~0.2 s, so instead of one `-Y` run per pair (~1500 pairs, minutes) all filters
 * of a fixture go into one run, as Lua tap Listeners with the display filter `mysql and (FILTER)` that print the
 * frame numbers they see: the same dfilter over the same tree as -Y. The suite checks this against the literal -Y
 * command on a sample of each fixture's filters; MYSHARK_DIFF_LITERAL=1 runs the literal command for every pair.
 *
 * How frames map (tshark filters frames, with the fields of every MySQL PDU a frame completes; we filter
 * messages, which may span frames):
 *   - the frames of one of our records are those completing its packets (`packets[i].frameNo`, `partFrames`) and
 *     its `frameNo`;
 *   - a pair PASSES when (1) every frame tshark selects is a frame of one of our matching records and (2) each of
 *     our matching records has at least one of its frames selected by tshark.
 *   For a message in one frame this is plain equality of the frame sets; a result set spread over frames may be
 *   selected by tshark only in the frames holding the matching rows or columns. (In these fixtures every message
 *   is in one frame, so today the comparison is exact equality.)
 *   - tshark evaluates `A and B` / `not A` over all PDUs of a frame, we over one message: filters are chosen so that
 *     the outcome does not hinge on two messages sharing a frame (requests are one per frame here; a conjunction of
 *     response fields is kept only where both tools agree on every fixture).
 *
 * Disagreements, each with a one-line reason in the table:
 *   - `skip`: the pair is not compared (tshark 4.0 behaves differently on purpose or by its own bug);
 *   - `ignore`: the listed frames are left out on both sides (e.g. tshark 4.0 misdecodes them), the rest compared;
 *   - `bug`: a known myshark bug: the pair must still disagree, so the mark is removed when the bug is fixed;
 *   - `empty`: the filter is meant to select nothing; every other filter must select frames on some fixture (so no
 *     check passes vacuously).
 * tshark 4.0 reads MySQL strings as ASCII (bytes >= 0x80 become U+FFFD), so filters on non-ASCII text are skipped.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileRecordFilter } from '../../../src/filter/index.js';
import { analyzeFile, type MySqlRecord } from '../../../src/index.js';
import { TimeBase } from '../../../src/output/summary.js';
import { decodeAsArgs, tsharkAvailable, tsharkVersion } from '../../support/tshark.js';

const execFileP = promisify(execFile);
const DIR = 'test/fixtures';

const FIXTURES = [
  'cli-session.pcap',
  'mysql2-session.pcap',
  'commands.pcap',
  'multi-connections.pcap',
  'login-failed.pcap',
  'ipv6.pcap',
  'port-3307.pcap',
  'prepared-types.pcap',
  'session-track.pcap',
] as const;
type Fixture = (typeof FIXTURES)[number];

interface Case {
  filter: string;
  /** Fixtures to run on (default: all of FIXTURES). */
  on?: readonly Fixture[];
  /** Pairs excluded, with the reason. */
  skip?: Partial<Record<Fixture, string>>;
  /** The filter selects nothing on any of its fixtures (in tshark): a check that must stay empty. */
  empty?: true;
  /** Known myshark bugs: the pair must still disagree (a reminder to remove the mark once fixed). */
  bug?: Partial<Record<Fixture, string>>;
  /** Frames left out of the comparison of a pair (on both sides), with the reason. */
  ignore?: Partial<Record<Fixture, Ignore>>;
}
interface Ignore {
  frames: readonly number[];
  reason: string;
}

/** tshark 4.0 does not know that COM_STMT_FETCH is answered by binary rows: a row (header byte 0x00) reads as an OK packet. */
const FETCH_ROWS: Partial<Record<Fixture, Ignore>> = {
  'commands.pcap': { frames: [72, 74], reason: 'tshark 4.0 decodes binary rows answering COM_STMT_FETCH as OK packets' },
  'prepared-types.pcap': { frames: [104, 106, 108, 110, 112], reason: 'tshark 4.0 decodes binary rows answering COM_STMT_FETCH as OK packets' },
};

/** A row whose only value is SQL NULL: tshark shows it as mysql.row.text "NULL", we as mysql.row.null. */
const NULL_ROW: Ignore = { frames: [177], reason: 'tshark 4.0 shows SQL NULL as mysql.row.text "NULL"' };

/** tshark 4.0 shows an AuthSwitchRequest's status byte 0xFE as mysql.response_code + mysql.eof (ours: mysql.auth_switch_request.status). */
const AUTH_SWITCH: Ignore = { frames: [31], reason: 'tshark 4.0 dissects the AuthSwitchRequest status byte as an EOF marker' };
/** COM_STMT_EXECUTE with new_params_bound = 0: tshark 4.0 leaves the parameters undecoded, we show the types bound before as generated fields. */
const REEXECUTE: Ignore = { frames: [77, 79], reason: 'EXECUTE with new_params_bound = 0: tshark 4.0 does not decode the parameters, we carry the bound types' };

const ALL = FIXTURES;
const QUERYING: readonly Fixture[] = ['cli-session.pcap', 'mysql2-session.pcap', 'commands.pcap', 'multi-connections.pcap', 'ipv6.pcap', 'port-3307.pcap', 'session-track.pcap'];
const PREPARED: readonly Fixture[] = ['commands.pcap', 'prepared-types.pcap'];

const CASES: Case[] = [
  // frame, ip, ipv6, tcp
  { filter: 'frame.number <= 20' },
  { filter: 'frame.number in {4, 6, 9, 10}' },
  { filter: 'frame.number in {10..30}' },
  { filter: 'frame.number > 100 or frame.number < 8' },
  { filter: 'ip.src == 127.0.0.1' },
  { filter: 'ip.dst == 127.0.0.1 and tcp.dstport == 3306' },
  { filter: 'ip.addr == 127.0.0.0/8' },
  { filter: 'ip.addr == 10.0.0.0/8', empty: true },
  { filter: 'ip' },
  { filter: 'ipv6.addr == ::1' },
  { filter: 'ipv6.src == ::1 and tcp.srcport == 3306' },
  { filter: 'ipv6.addr == ::1/128' },
  { filter: 'ipv6' },
  { filter: 'tcp.srcport == 3306' },
  { filter: 'tcp.dstport == 3306' },
  { filter: 'tcp.port in {3306, 3307}' },
  { filter: 'tcp.srcport in {3306, 3307}' },
  { filter: 'tcp.port == 3307' },
  { filter: 'tcp.dstport > 40000' },
  { filter: 'tcp.srcport > tcp.dstport' },
  { filter: 'tcp.stream == 1' },
  { filter: 'tcp.stream in {0, 2}' },
  { filter: 'tcp.stream >= 2 and tcp.dstport == 3306' },
  // mysql.command
  { filter: 'mysql.command == 3' },
  { filter: 'mysql.command == "Query"' },
  { filter: 'mysql.command == Query' },
  { filter: 'mysql.command == 1' },
  { filter: 'mysql.command == "Quit" or mysql.command == "Ping"' },
  { filter: 'mysql.command == 22', on: PREPARED },
  { filter: 'mysql.command == "Prepare Statement"', on: PREPARED },
  { filter: 'mysql.command == 23', on: PREPARED },
  { filter: 'mysql.command in {22, 23, 25, 26}', on: PREPARED },
  { filter: 'mysql.command in {"Ping", "Statistics", 10}', on: ['commands.pcap', 'mysql2-session.pcap', 'prepared-types.pcap'] },
  { filter: 'mysql.command > 20' },
  { filter: 'mysql.command in {2, 4, 27, 28, 31}', on: ['commands.pcap', 'cli-session.pcap', 'prepared-types.pcap'] },
  { filter: 'mysql.command == 17', on: ['mysql2-session.pcap'] },
  { filter: 'mysql.command == 250', on: PREPARED },
  { filter: 'mysql.command != 3' },
  { filter: 'not mysql.command and tcp.dstport == 3306' },
  // mysql.query
  { filter: 'mysql.query' },
  { filter: 'mysql.query contains "customers"' },
  { filter: 'mysql.query contains "INSERT"' },
  { filter: 'mysql.query matches "(?i)^(insert|update|delete)"' },
  { filter: 'mysql.query matches "(?i)order by id$"' },
  { filter: 'mysql.query matches "SLEEP\\\\(0\\\\.0[0-2]"', on: ['multi-connections.pcap', 'commands.pcap'] },
  { filter: 'mysql.query[0:6] == "SELECT"' },
  { filter: 'mysql.query[0:3] == "SET"' },
  { filter: 'mysql.query[-2:] == "id"' },
  { filter: 'len(mysql.query) < 20' },
  { filter: 'len(mysql.query) >= 60' },
  { filter: 'lower(mysql.query) contains "from customers"' },
  { filter: 'upper(mysql.query) contains "WHERE ID"' },
  { filter: 'mysql.query == "SET NAMES latin1"', on: ['session-track.pcap', 'cli-session.pcap'] },
  { filter: 'mysql.query == "select @@version_comment limit 1"', on: ['port-3307.pcap', 'cli-session.pcap'] },
  { filter: 'mysql.query contains "?"', on: PREPARED },
  {
    filter: 'mysql.query contains "Käse"',
    on: ['mysql2-session.pcap'],
    skip: { 'mysql2-session.pcap': 'tshark 4.0 reads the query as ASCII (ä becomes two U+FFFD), so non-ASCII text never matches' },
  },
  { filter: 'mysql.command == 3 and not mysql.query contains "SELECT"', on: QUERYING },
  { filter: '(mysql.command == 3 || mysql.command == 22) && mysql.query contains "types_demo"', on: PREPARED },
  { filter: 'mysql.query and tcp.stream == 2', on: ['commands.pcap', 'multi-connections.pcap', 'prepared-types.pcap'] },
  // login, greeting
  { filter: 'mysql.user == "app"' },
  { filter: 'mysql.user in {"admin", "other"}', on: ['commands.pcap', 'mysql2-session.pcap'] },
  { filter: 'mysql.user' },
  { filter: 'mysql.schema == "shop"' },
  { filter: 'mysql.schema' },
  { filter: 'mysql.version contains "MariaDB"' },
  { filter: 'mysql.version matches "^5\\\\.5\\\\.5-1[01]\\\\."' },
  { filter: 'mysql.thread_id > 0' },
  { filter: 'mysql.thread_id >= 10 and mysql.thread_id < 40' },
  { filter: 'mysql.caps.cd == 1' },
  { filter: 'mysql.caps.ms == 1' },
  { filter: 'mysql.caps.session_track == 1' },
  { filter: 'mysql.caps.deprecate_eof == 1' },
  { filter: 'mysql.caps.sl' },
  { filter: 'mysql.caps.client & 0x0200' },
  { filter: 'mysql.caps.server & 0x0008 and not mysql.caps.sl == 1' },
  { filter: 'mysql.extcaps.client & 0x0001' },
  // errors
  { filter: 'mysql.error_code' },
  { filter: 'mysql.error_code == 1146' },
  { filter: 'mysql.error_code in {1045, 1054, 1142}' },
  { filter: 'mysql.error_code >= 1100 and mysql.error_code < 1200' },
  { filter: 'mysql.sqlstate == "42S02"' },
  { filter: 'mysql.sqlstate contains "28"' },
  { filter: 'mysql.sqlstate[0:2] == "42"' },
  { filter: 'mysql.error.message contains "denied"' },
  // OK, result sets
  { filter: 'mysql.affected_rows == 1', ignore: FETCH_ROWS },
  { filter: 'mysql.affected_rows > 1', ignore: FETCH_ROWS },
  { filter: 'mysql.affected_rows', ignore: FETCH_ROWS },
  { filter: 'mysql.num_fields == 4' },
  { filter: 'mysql.num_fields > 3' },
  { filter: 'mysql.num_fields' },
  { filter: 'mysql.field.name == "id"' },
  { filter: 'mysql.field.name contains "city"' },
  { filter: 'mysql.field.name == "name" and mysql.field.name == "city"' },
  { filter: 'count(mysql.field.name) == 2' },
  { filter: 'mysql.row.text', ignore: { 'commands.pcap': NULL_ROW } },
  { filter: 'mysql.row.text contains "a"' },
  { filter: 'mysql.row.text == "1"' },
  // status flags
  { filter: 'mysql.server_status', ignore: FETCH_ROWS },
  { filter: 'mysql.stat.ac == 1', ignore: FETCH_ROWS },
  { filter: 'mysql.stat.it == 1', ignore: FETCH_ROWS },
  { filter: 'mysql.stat.mr == 1', ignore: FETCH_ROWS },
  { filter: 'mysql.stat.session_state_changed == 1', ignore: FETCH_ROWS },
  { filter: 'mysql.server_status & 0x4000', ignore: FETCH_ROWS },
  { filter: 'mysql.server_status == 0x0022', ignore: FETCH_ROWS },
  { filter: 'mysql.server_status & 0x0020', ignore: FETCH_ROWS },
  // more response fields
  { filter: 'mysql.response_code == 0xff' },
  // Both were myshark bugs found by this table (EOF without mysql.response_code, 0xFE OK without mysql.eof): fixed.
  { filter: 'mysql.response_code == 0xfe', ignore: { ...FETCH_ROWS, 'mysql2-session.pcap': AUTH_SWITCH } },
  { filter: 'mysql.response_code == 0x00', ignore: FETCH_ROWS },
  { filter: 'mysql.eof', ignore: { 'mysql2-session.pcap': AUTH_SWITCH } },
  { filter: 'mysql.insert_id > 0', ignore: FETCH_ROWS },
  { filter: 'mysql.warnings > 0', ignore: FETCH_ROWS },
  { filter: 'mysql.message' },
  { filter: 'mysql.packet_number == 0' },
  { filter: 'mysql.packet_number == 1 and tcp.srcport == 3306' },
  { filter: 'mysql.packet_length > 100' },
  { filter: 'mysql.field.type == 3', ignore: { 'prepared-types.pcap': REEXECUTE } },
  { filter: 'mysql.field.type in {252, 253, 254}', ignore: { 'prepared-types.pcap': REEXECUTE } },
  { filter: 'mysql.field.table == "customers"' },
  { filter: 'mysql.field.db == "shop" and mysql.field.org_name == "city"' },
  { filter: 'mysql.field.flags & 0x0002' },
  { filter: 'mysql.field.flags.primary_key == 1' },
  { filter: 'mysql.field.charsetnr == 63' },
  { filter: 'mysql.field.name == mysql.field.org_name' },
  { filter: 'len(mysql.field.name) > 8' },
  { filter: 'mysql.row.text matches "^[0-9]+$"', ignore: { 'commands.pcap': NULL_ROW } },
  { filter: 'mysql.row.text == "NULL"', on: ['cli-session.pcap'], skip: { 'cli-session.pcap': 'tshark 4.0 shows SQL NULL as the text "NULL" (we: mysql.row.null)' } },
  { filter: 'mysql.num_params > 0', on: PREPARED },
  { filter: 'mysql.stmt_id == 1', on: PREPARED },
  { filter: 'mysql.num_rows', on: PREPARED },
  { filter: 'mysql.exec_flags == 1', on: PREPARED },
  { filter: 'mysql.table_name', on: ['commands.pcap', 'cli-session.pcap'] },
  { filter: 'mysql.option', on: ['commands.pcap'] },
  { filter: 'mysql.session_track.sysvar.name == "autocommit"', on: ['session-track.pcap'] },
  { filter: 'mysql.session_track.schema == "inventory"', on: ['session-track.pcap'] },
  { filter: 'mysql.session_track.type == 5', on: ['session-track.pcap'] },
  { filter: 'mysql.session_track.sysvar.value contains "latin1"', on: ['session-track.pcap'] },
  // more handshake fields
  { filter: 'mysql.protocol == 10' },
  { filter: 'mysql.charset == 45', on: ['cli-session.pcap'], skip: { 'cli-session.pcap': 'tshark 4.0 names it mariadb.charset (and mariadb.server_language)' } },
  { filter: 'mysql.max_packet >= 16777216' },
  { filter: 'mysql.auth_plugin == "mysql_native_password"' },
  { filter: 'mysql.client_auth_plugin' },
  { filter: 'mysql.connattrs.name == "_client_name"' },
  { filter: 'mysql.connattrs.value contains "mysql2"' },
  { filter: 'mysql.caps.server == 0xf7fe' },
  { filter: 'mysql.caps.client > 0xa000' },
  { filter: 'mysql.user > "am" and mysql.user < "zz"' },
  { filter: 'mysql.login_request and mysql.caps.cd == 0' },
  { filter: 'mysql.server_greeting' },
  // operators, literals, functions
  { filter: 'mysql.query contains "select"' },
  { filter: 'mysql.query matches "select"' },
  { filter: 'mysql.query ~ "^SET "' },
  { filter: 'mysql.query eq "COMMIT" or mysql.query eq "SET NAMES utf8mb4"' },
  { filter: 'mysql.thread_id gt 5 && mysql.thread_id le 100' },
  { filter: 'mysql.command == 0x03' },
  { filter: 'mysql.command == 03 and tcp.stream == 0' },
  { filter: 'mysql.query contains "\\x27"' },
  { filter: 'mysql.query contains "\'"' },
  { filter: 'mysql.query matches "\\\\d{2,}"' },
  { filter: 'mysql.query[0] == "S"' },
  { filter: 'mysql.query[1:2] == "EL"' },
  { filter: 'lower(mysql.user) == "app" and upper(mysql.schema) == "SHOP"' },
  { filter: 'len(mysql.version) > 10 and mysql.version[0:6] == "5.5.5-"' },
  { filter: 'len(mysql.passwd) == 20' },
  { filter: 'mysql.passwd[0:2] == cb:49' },
  { filter: 'len(mysql.salt) == 8' },
  { filter: 'mysql.error_code in {1000..1100, 1146}' },
  { filter: 'not mysql.error_code in {1146} and mysql.error_code' },
  { filter: 'mysql.server_status and not mysql.stat.it', ignore: FETCH_ROWS, empty: true },
  { filter: 'mysql.stat.it == 0 and mysql.stat.ac == 0', ignore: FETCH_ROWS },
  { filter: 'mysql.field.name != "id"' },
  { filter: 'mysql.field.name !== "id"' },
  { filter: 'mysql.field.name ~= "name"' },
  { filter: 'count(mysql.row.text) > 10', ignore: { 'commands.pcap': NULL_ROW } },
  { filter: 'count(mysql.field.name) >= 4 and mysql.num_fields >= 4' },
  { filter: 'ip.src == ip.dst' },
  { filter: 'ip.src != 127.0.0.2' },
  { filter: 'ip.addr == 127.0.0.1/32' },
  { filter: 'ipv6.dst == 0:0:0:0:0:0:0:1' },
  { filter: 'frame.number >= 10 && frame.number <= 20 && tcp.srcport == 3306' },
  { filter: 'mysql.query contains "notes" && !(mysql.query matches "^SELECT")' },
  { filter: 'mysql.field.name == "id" || mysql.field.name == "name"' },
  { filter: 'mysql.affected_rows == 1 and mysql.insert_id > 0', ignore: FETCH_ROWS },
  { filter: 'mysql.insert_id == 0', on: ['cli-session.pcap'], skip: { 'cli-session.pcap': 'tshark 4.0 adds no mysql.insert_id item when the id is 0' } },
  { filter: 'mysql.server_status & 0x0002 and mysql.server_status & 0x0020', ignore: FETCH_ROWS },
  { filter: 'mysql.row.text > "M" and mysql.row.text < "N"', ignore: { 'mysql2-session.pcap': { frames: [23], reason: NULL_ROW.reason } } },
  { filter: 'mysql.query[0:3] == 53:45:4c' },
  { filter: 'mysql.query contains "\\x53\\x45\\x4c"' },
  {
    filter: 'mysql.user == app',
    on: ['cli-session.pcap'],
    skip: { 'cli-session.pcap': 'tshark 4.0 takes a bare word as a string literal; we ask for double quotes (a compile error)' },
  },
  { filter: 'mysql.query == r"SET NAMES latin1"', on: ['session-track.pcap'] },
  { filter: 'mysql.query matches r"\\d{2,}"' },
  { filter: 'mysql.num_fields and mysql.affected_rows', ignore: FETCH_ROWS },
  { filter: 'mysql.stmt_id == 9 and mysql.command == 28', on: PREPARED },
  { filter: 'tcp.srcport == 3306 and not mysql.num_fields and not mysql.affected_rows and not mysql.error_code', ignore: FETCH_ROWS },
  // logic
  { filter: 'mysql.error_code or mysql.affected_rows > 0', ignore: FETCH_ROWS },
  { filter: '!(tcp.srcport == 3306) && !mysql.query' },
  { filter: 'not (mysql.command in {1, 3}) and tcp.dstport == 3306' },
  { filter: '(mysql.query or mysql.user) and not (mysql.query and mysql.user)' },
];

function ourFrames(r: MySqlRecord): number[] {
  const s = new Set<number>([r.frameNo]);
  for (const p of r.packets) {
    s.add(p.frameNo);
    if (p.partFrames) for (const f of p.partFrames) s.add(f);
  }
  return [...s].sort((a, b) => a - b);
}

interface FixtureInfo {
  file: string;
  serverPorts: number[];
}
const info = new Map<string, FixtureInfo>(
  (JSON.parse(readFileSync(`${DIR}/fixtures.json`, 'utf8')) as { fixtures: FixtureInfo[] }).fixtures.map((f) => [f.file, f]),
);

const recordsOf = new Map<Fixture, Promise<MySqlRecord[]>>();
function records(fx: Fixture): Promise<MySqlRecord[]> {
  let p = recordsOf.get(fx);
  if (!p) {
    p = analyzeFile(`${DIR}/${fx}`, { ports: info.get(fx)!.serverPorts, tree: true }).then((a) => a.records);
    recordsOf.set(fx, p);
  }
  return p;
}

/** The literal command: `tshark -r FILE [-d ...] -Y "mysql and (FILTER)" -T fields -e frame.number`. */
async function tsharkFramesY(fx: Fixture, filter: string): Promise<number[]> {
  const args = ['-r', `${DIR}/${fx}`, ...decodeAsArgs(info.get(fx)!.serverPorts), '-Y', `mysql and (${filter})`, '-T', 'fields', '-e', 'frame.number'];
  const { stdout } = await execFileP('tshark', args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  return stdout.split('\n').filter((l) => l.trim() !== '').map(Number);
}

/**
 * All filters of one fixture in one tshark run (a tshark start costs ~0.2 s; one per pair made the suite take
 * minutes): a Lua script registers one tap Listener per filter, each with the display filter `mysql and (FILTER)`,
 * and prints the frame numbers it sees. A frame tap with a filter selects exactly the frames `-Y` selects (the
 * same dfilter over the same tree); the suite checks that on a sample with the literal -Y command (all pairs with
 * MYSHARK_DIFF_LITERAL=1).
 */
async function tsharkFramesBatch(fx: Fixture, filters: string[]): Promise<Map<string, number[] | Error>> {
  const dir = mkdtempSync(join(tmpdir(), 'myshark-diff-'));
  try {
    const lua = [
      'local filters = {',
      ...filters.map((f) => `  [==[mysql and (${f})]==],`),
      '}',
      'for i, f in ipairs(filters) do',
      '  local ok, l = pcall(Listener.new, nil, f)',
      '  if not ok then io.write("E\\t", i, "\\t", (tostring(l):gsub("%s+", " ")), "\\n")',
      '  else function l.packet(pinfo) io.write("M\\t", i, "\\t", pinfo.number, "\\n") end end',
      'end',
    ].join('\n');
    const script = join(dir, 'filters.lua');
    writeFileSync(script, lua);
    const args = ['-q', '-r', `${DIR}/${fx}`, ...decodeAsArgs(info.get(fx)!.serverPorts), '-X', `lua_script:${script}`];
    const { stdout } = await execFileP('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, LC_ALL: 'C.UTF-8' } });
    const out = new Map<string, number[] | Error>(filters.map((f) => [f, []]));
    for (const line of stdout.split('\n')) {
      const [tag, i, rest] = line.split('\t');
      const f = filters[Number(i) - 1];
      if (f === undefined) continue;
      if (tag === 'E') out.set(f, new Error(`tshark rejects the filter: ${rest}`));
      else if (tag === 'M') (out.get(f) as number[]).push(Number(rest));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const batches = new Map<Fixture, Promise<Map<string, number[] | Error>>>();
async function tsharkFrames(fx: Fixture, filter: string): Promise<number[]> {
  let b = batches.get(fx);
  if (!b) {
    b = tsharkFramesBatch(fx, PAIRS.filter((p) => p.fx === fx && p.skip === undefined).map((p) => p.filter));
    batches.set(fx, b);
  }
  const r = (await b).get(filter);
  if (r === undefined) return tsharkFramesY(fx, filter);
  if (r instanceof Error) throw r;
  return [...new Set(r)].sort((a, b) => a - b);
}

/** The disagreements of one pair: [] when the tools agree under the frame rule of the header. */
async function compare(fx: Fixture, filter: string, ignore?: Ignore): Promise<string[]> {
  const ignored = new Set(ignore?.frames ?? []);
  const pred = compileRecordFilter(filter, new TimeBase());
  const matched = (await records(fx)).filter(pred).filter((r) => !ourFrames(r).every((f) => ignored.has(f)));
  const theirs = new Set((await (LITERAL ? tsharkFramesY(fx, filter) : tsharkFrames(fx, filter))).filter((f) => !ignored.has(f)));
  const covered = new Set(matched.flatMap(ourFrames));
  const out: string[] = [];
  const tsharkOnly = [...theirs].filter((f) => !covered.has(f));
  if (tsharkOnly.length) out.push(`tshark only: frames ${tsharkOnly.join(', ')}`);
  for (const r of matched) {
    const fs = ourFrames(r);
    if (!fs.some((f) => theirs.has(f))) out.push(`ours only: ${r.event.kind} record in frame${fs.length > 1 ? 's' : ''} ${fs.join(', ')}`);
  }
  return out;
}

/** MYSHARK_DIFF_LITERAL=1: run the literal `tshark -Y` once per pair instead of the batched Lua taps (slow). */
const LITERAL = process.env.MYSHARK_DIFF_LITERAL === '1';

const PAIRS = CASES.flatMap((c) =>
  (c.on ?? ALL).map((fx) => ({ filter: c.filter, fx, skip: c.skip?.[fx], ignore: c.ignore?.[fx], bug: c.bug?.[fx] })),
);

describe.skipIf(!tsharkAvailable())('display filters agree with tshark -Y (requires tshark; skipped when absent)', () => {
  beforeAll(() => {
    expect(tsharkVersion()).toMatch(/^TShark/);
  });

  it('has a table of at least 60 filters over the fixtures', () => {
    expect(new Set(CASES.map((c) => c.filter)).size).toBeGreaterThanOrEqual(60);
    for (const c of CASES) {
      for (const fx of [...Object.keys(c.skip ?? {}), ...Object.keys(c.ignore ?? {}), ...Object.keys(c.bug ?? {})]) expect(c.on ?? ALL, `${c.filter}: skip/ignore on ${fx}`).toContain(fx);
    }
  });

  it('every filter not marked `empty` selects frames (tshark) on at least one of its fixtures', async () => {
    const vacuous: string[] = [];
    for (const c of CASES) {
      const fxs = (c.on ?? ALL).filter((fx) => c.skip?.[fx] === undefined);
      if (fxs.length === 0) continue;
      let n = 0;
      for (const fx of fxs) n += (await tsharkFrames(fx, c.filter)).length;
      if ((n === 0) !== (c.empty === true)) vacuous.push(`${c.filter}: ${n} frames`);
    }
    expect(vacuous).toEqual([]);
  });

  describe.concurrent.each(FIXTURES)('%s', (fx) => {
    const pairs = PAIRS.filter((p) => p.fx === fx);
    it('the batched Lua taps select the frames `tshark -Y` selects (a sample of the filters)', async () => {
      const run = pairs.filter((p) => p.skip === undefined);
      for (const { filter } of [run[0]!, run[Math.floor(run.length / 2)]!, run[run.length - 1]!]) {
        expect(await tsharkFrames(fx, filter), filter).toEqual(await tsharkFramesY(fx, filter));
      }
    });
    const run = pairs.filter((p) => p.skip === undefined && p.bug === undefined);
    const bugs = pairs.filter((p) => p.skip === undefined && p.bug !== undefined);
    if (bugs.length) {
      it.concurrent.each(bugs.map((p) => [p.filter, p.bug, p.ignore]))('%s (known myshark bug: %s)', async (filter, bug, ignore) => {
        const diffs = await compare(fx, filter as string, ignore as Ignore | undefined);
        expect(diffs.length, `${fx}: ${filter}: the tools agree now; remove the bug mark (${bug})`).toBeGreaterThan(0);
      });
    }
    it.concurrent.each(run.map((p) => [p.filter, p.ignore ? ` (frames ${p.ignore.frames.join(', ')} left out: ${p.ignore.reason})` : '', p.ignore]))(
      '%s%s',
      async (filter, _note, ignore) => {
        const diffs = await compare(fx, filter as string, ignore as Ignore | undefined);
        expect(diffs.length, `${fx}: ${filter}: ${diffs.join('; ')}`).toBe(0);
      },
    );
    const skipped = pairs.filter((p) => p.skip !== undefined);
    if (skipped.length) it.skip.each(skipped.map((p) => [p.filter, p.skip]))('%s (excluded: %s)', () => {});
  });
});
