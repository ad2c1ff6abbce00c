/**
 * Display filters, differentially: for each (fixture, filter) of the table below, the frames tshark selects with
 * `tshark -r FILE [-d tcp.port==P,mysql] -Y "mysql and (FILTER)" -T fields -e frame.number` against the frames of
 * the records that `compileRecordFilter(FILTER)` accepts (records from `analyzeFile(FILE, { ports, tree: true })`).
 * tshark runs at test time; without a tshark binary the whole suite is skipped.
 *
 * How frames map (the two tools filter different things: tshark a frame, with the fields of every MySQL PDU it
 * completes; we a message, which may span frames):
 *   - our frames of a record are the frames completing its packets (`packets[i].frameNo`, `partFrames`) and
 *     `frameNo`;
 *   - PASS when (1) every frame tshark selects is a frame of one of our matching records, and (2) every one of our
 *     matching records has at least one of its frames selected by tshark.
 *   For a message in one frame (every request, OK, ERR, greeting, login, and every small result set here) this is
 *   plain equality of the frame sets; for a result set spread over frames it accepts that tshark selects only the
 *   frames holding the matching rows/columns, but still catches a record we match and tshark does not, or the
 *   reverse.
 *   - Filters are chosen so that a match does not depend on two messages sharing a frame (tshark evaluates
 *     `A and B` over all PDUs of the frame, we over one message): no conjunction mixes fields of a result set and
 *     of the OK/ERR/result set the server sent with it in the same frame, and negations are only over fields of a
 *     request (requests are one per frame here).
 *
 * Where the tools disagree for a reason that is not a myshark bug, the pair is excluded in the table with a
 * one-line reason (`skip`); everything else must agree. Text compared by tshark 4.0 is its ASCII-with-U+FFFD form,
 * so filters on non-ASCII text are excluded there.
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
}

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
  { filter: 'ip.addr == 10.0.0.0/8' },
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
  { filter: 'mysql.version matches "^1[01]\\\\."' },
  { filter: 'mysql.thread_id > 0' },
  { filter: 'mysql.thread_id >= 10 and mysql.thread_id < 40' },
  { filter: 'mysql.caps.cd == 1' },
  { filter: 'mysql.caps.ms == 1' },
  { filter: 'mysql.caps.session_track == 1' },
  { filter: 'mysql.caps.deprecate_eof == 1' },
  { filter: 'mysql.caps.sl' },
  { filter: 'mysql.caps.client & 0x0200' },
  { filter: 'mysql.caps.server & 0x0800 and not mysql.caps.cp == 1' },
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
  { filter: 'mysql.affected_rows == 1' },
  { filter: 'mysql.affected_rows > 1' },
  { filter: 'mysql.affected_rows' },
  { filter: 'mysql.num_fields == 4' },
  { filter: 'mysql.num_fields > 3' },
  { filter: 'mysql.num_fields' },
  { filter: 'mysql.field.name == "id"' },
  { filter: 'mysql.field.name contains "city"' },
  { filter: 'mysql.field.name == "name" and mysql.field.name == "city"' },
  { filter: 'count(mysql.field.name) == 2' },
  { filter: 'mysql.row.text' },
  { filter: 'mysql.row.text contains "a"' },
  { filter: 'mysql.row.text == "1"' },
  // status flags
  { filter: 'mysql.server_status' },
  { filter: 'mysql.stat.ac == 1' },
  { filter: 'mysql.stat.it == 1' },
  { filter: 'mysql.stat.mr == 1' },
  { filter: 'mysql.stat.session_state_changed == 1' },
  { filter: 'mysql.server_status & 0x4000' },
  { filter: 'mysql.server_status == 0x0022' },
  { filter: 'mysql.server_status & 0x0020' },
  // logic
  { filter: 'mysql.error_code or mysql.affected_rows > 0' },
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
async function compare(fx: Fixture, filter: string): Promise<string[]> {
  const pred = compileRecordFilter(filter, new TimeBase());
  const matched = (await records(fx)).filter(pred);
  const theirs = new Set(await (LITERAL ? tsharkFramesY(fx, filter) : tsharkFrames(fx, filter)));
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

const PAIRS = CASES.flatMap((c) => (c.on ?? ALL).map((fx) => ({ filter: c.filter, fx, skip: c.skip?.[fx] })));

describe.skipIf(!tsharkAvailable())('display filters agree with tshark -Y (requires tshark; skipped when absent)', () => {
  beforeAll(() => {
    expect(tsharkVersion()).toMatch(/^TShark/);
  });

  it('has a table of at least 60 filters over the fixtures', () => {
    expect(new Set(CASES.map((c) => c.filter)).size).toBeGreaterThanOrEqual(60);
    for (const c of CASES) for (const fx of Object.keys(c.skip ?? {})) expect(c.on ?? ALL, `${c.filter}: skip on ${fx}`).toContain(fx);
  });

  describe.concurrent.each(FIXTURES)('%s', (fx) => {
    const pairs = PAIRS.filter((p) => p.fx === fx);
    it('the batched Lua taps select the frames `tshark -Y` selects (a sample of the filters)', async () => {
      const run = pairs.filter((p) => p.skip === undefined);
      for (const { filter } of [run[0]!, run[Math.floor(run.length / 2)]!, run[run.length - 1]!]) {
        expect(await tsharkFrames(fx, filter), filter).toEqual(await tsharkFramesY(fx, filter));
      }
    });
    it.concurrent.each(pairs.filter((p) => p.skip === undefined).map((p) => [p.filter]))('%s', async (filter) => {
      expect(await compare(fx, filter)).toEqual([]);
    });
    const skipped = pairs.filter((p) => p.skip !== undefined);
    if (skipped.length) it.skip.each(skipped.map((p) => [p.filter, p.skip]))('%s (excluded: %s)', () => {});
  });
});
