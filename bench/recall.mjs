// Recall under load: on a sysbench capture whose tcpdump reported kernel drops (scripts/bench/lossy-capture.sh makes
// bench/out/sysbench-lossy.pcap), count the statements each tool found against sysbench's own count and tshark's,
// and check that myshark loses none of the statements that were fully captured. No timing: counts only.
// Used by bench/run.mjs (the "Recall under load" section); also runnable alone:
//
//   node bench/recall.mjs [FILE] [--port P] [--cli dist/cli/main.js] [--json OUT]
//
// What is counted:
//   sysbench   queries performed (read/write/other/total) + ignored errors (failed statements, e.g. deadlocks: sysbench
//              leaves them out of its total but they are on the wire), from FILE.json (written by the capture script)
//   tshark     `tshark -r FILE -d tcp.port==PORT,mysql -Y mysql.query -T fields -e frame.number -e tcp.stream
//              -e mysql.query`: the requests tshark saw (lines)
//   myshark    `node dist/cli/main.js queries FILE -d PORT -q -T json --workers 1`: exchanges by status (ok, error,
//              no_response, lost = the response was in bytes the capture dropped) and COM_QUERY exchanges; the same
//              with --workers 2 must be byte-identical
// "Fully captured" (from one more tshark pass over every frame, -T fields with frame.number, frame.time_epoch,
// tcp.stream, tcp.srcport, tcp.len, mysql.command, mysql.query, mysql.error_code, tcp.analysis.lost_segment,
// tcp.analysis.ack_lost_segment): tshark decoded the request (mysql.query), at least one server frame with payload
// follows in the same tcp.stream before the next request (the next client frame with a mysql.command; the end of
// the stream when there is none), and no frame of that stream after the request up to and including the next
// request's frame carries tcp.analysis.lost_segment or tcp.analysis.ack_lost_segment. (Flags on the next request's
// frame count: they describe a gap before it, e.g. the client ACKing response bytes the capture never saw. Flags on
// the request's own frame describe a gap before the request and belong to the previous statement.) tshark's verdict
// is "error" when a server frame in that window has mysql.error_code, else "ok".
// Matching: myshark's rows to tshark's requests by (tcp.stream = myshark's conn, SQL text, request time to the
// microsecond: myshark's ts is the request's first frame, tshark's frame.time_epoch the frame that carries the
// query); what is left over, by (tcp.stream, SQL text, order). A fully captured statement is "found" when its myshark
// row has status ok or error with a latency, and the status agrees with tshark's verdict; every other one is listed by
// frame number (missed: no myshark row; lost / no_response; wrong status; no latency).
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const AGG = '\x1f'; // tshark -E aggregator: between the occurrences of a field in one frame (SQL has commas)

/** Runs cmd, calls onLine for each stdout line; resolves { code, stderr }. */
function lines(cmd, args, onLine) {
  return new Promise((res) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { if (stderr.length < 20000) stderr += d; });
    const rl = createInterface({ input: child.stdout, crlfDelay: Infinity });
    rl.on('line', onLine);
    let code = null, closed = false;
    const done = () => { if (code !== null && closed) res({ code, stderr: stderr.split('\n').filter((l) => l && !/Running as user/.test(l)).join('\n') }); };
    rl.on('close', () => { closed = true; done(); });
    child.on('close', (c) => { code = c ?? -1; done(); });
  });
}

const usec = (s) => { // "1795249673.504071000" or 1795249673.504071 → integer microseconds (exact below 2^53)
  const [a, b = ''] = String(s).split('.');
  return Number(a) * 1e6 + Number((b + '000000').slice(0, 6));
};
const usecOfNumber = (x) => Math.round(x * 1e6);
const short = (s, n = 70) => (s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * The recall analysis of one capture. opts: { file, port, cli, tshark, log }. Returns a plain object (JSON-able).
 */
export async function recall({ file, port, cli, tshark, log = () => {} }) {
  const meta = (() => { try { return JSON.parse(readFileSync(`${file}.json`, 'utf8')); } catch { return null; } })();
  port ??= meta?.serverPort ?? 3306;
  const out = {
    file, port, bytes: statSync(file).size, date: new Date().toISOString(),
    meta, sysbench: null, tshark: null, myshark: null, full: null, failures: [],
  };
  if (meta?.sysbenchQueries != null) {
    const ign = Number(meta.sysbenchIgnoredErrors ?? 0);
    out.sysbench = {
      performed: meta.sysbenchQueriesPerformed ?? { total: meta.sysbenchQueries },
      total: meta.sysbenchQueries, ignoredErrors: ign, onWire: meta.sysbenchQueries + ign,
    };
  }

  // ---------------------------------------------------------- myshark: --workers 1 and 2
  const q = [];
  const counts = { exchanges: 0, comQuery: 0, status: { ok: 0, error: 0, no_response: 0, lost: 0 }, okWithoutLatency: 0, errorWithoutLatency: 0 };
  log(`recall: myshark queries ${basename(file)} -d ${port} -q -T json --workers 1`);
  const w1 = spawnSync('node', [cli, 'queries', file, '-d', String(port), '-q', '-T', 'json', '--workers', '1'], { maxBuffer: 1 << 30 });
  if (w1.status !== 0) out.failures.push(`myshark queries --workers 1: exit ${w1.status}: ${String(w1.stderr).trim().split('\n').slice(-3).join(' | ')}`);
  const w1Text = w1.stdout ?? Buffer.alloc(0);
  let idx = 0;
  for (const line of w1Text.toString('utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    counts.exchanges++;
    if (r.command === 'COM_QUERY') counts.comQuery++;
    counts.status[r.status] = (counts.status[r.status] ?? 0) + 1;
    if (r.status === 'ok' && r.latency_ms == null) counts.okWithoutLatency++;
    if (r.status === 'error' && r.latency_ms == null) counts.errorWithoutLatency++;
    if (r.command === 'COM_QUERY') q.push({ i: idx, conn: r.conn, sql: r.sql, us: usecOfNumber(r.ts), status: r.status, latency: r.latency_ms, errorCode: r.error_code, used: false });
    idx++;
  }
  log(`recall: myshark queries --workers 2`);
  const w2 = spawnSync('node', [cli, 'queries', file, '-d', String(port), '-q', '-T', 'json', '--workers', '2'], { maxBuffer: 1 << 30 });
  if (w2.status !== 0) out.failures.push(`myshark queries --workers 2: exit ${w2.status}: ${String(w2.stderr).trim().split('\n').slice(-3).join(' | ')}`);
  counts.workers2Identical = w2.status === 0 && w1.status === 0 && Buffer.compare(w1Text, w2.stdout) === 0;
  counts.workers2Lines = (w2.stdout ?? Buffer.alloc(0)).toString('utf8').split('\n').filter(Boolean).length;
  out.myshark = counts;
  out.commands = {
    myshark: `node dist/cli/main.js queries FILE -d ${port} -q -T json --workers 1`,
  };

  if (!tshark) { out.failures.push('no tshark: no tshark count, no "fully captured" set'); return out; }

  // ---------------------------------------------------------- tshark: the requests it saw (the brief's command)
  const tArgs = ['-r', file, '-d', `tcp.port==${port},mysql`];
  let tLines = 0;
  log(`recall: tshark -Y mysql.query -T fields -e frame.number -e tcp.stream -e mysql.query`);
  const t1 = await lines(tshark, [...tArgs, '-Y', 'mysql.query', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'mysql.query'], () => { tLines++; });
  if (t1.code !== 0) out.failures.push(`tshark -Y mysql.query: exit ${t1.code}: ${t1.stderr.split('\n').slice(-2).join(' | ')}`);
  out.commands.tshark = `tshark -r FILE -d tcp.port==${port},mysql -Y mysql.query -T fields -e frame.number -e tcp.stream -e mysql.query`;

  // ---------------------------------------------------------- tshark: every frame, for "fully captured"
  const fields = ['frame.number', 'frame.time_epoch', 'tcp.stream', 'tcp.srcport', 'tcp.len', 'mysql.command', 'mysql.query', 'mysql.error_code', 'tcp.analysis.lost_segment', 'tcp.analysis.ack_lost_segment', 'mysql.login_request', 'tcp.nxtseq', 'tcp.ack'];
  const seqs = new Map(); // frame → { nx: tcp.nxtseq, ack: tcp.ack } (relative, as tshark numbers them per stream)
  const streams = new Map(); // stream → frames [{ no, us, fromServer, len, requests: [sql], command, error, gap }]
  let frames = 0, gapFrames = 0, queryFrames = 0, requestsSeen = 0, clientPayload = 0, clientUndecoded = 0, logins = 0;
  log(`recall: tshark -T fields over every frame (${fields.join(' ')})`);
  const t2 = await lines(tshark, [...tArgs, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', `aggregator=${AGG}`, ...fields.flatMap((f) => ['-e', f])], (line) => {
    const c = line.split('\t');
    frames++;
    if (c[2] === '') return; // not TCP
    const f = {
      no: Number(c[0]), us: usec(c[1]), fromServer: Number(c[3]) === port, len: Number(c[4] || 0),
      command: c[5] !== '', queries: c[6] === '' ? [] : c[6].split(AGG), error: c[7] !== '', gap: c[8] !== '' || c[9] !== '',
    };
    if (f.gap) gapFrames++;
    if (!f.fromServer && f.len > 0) {
      clientPayload++;
      if (c[10] !== '') logins++;
      else if (!f.command) clientUndecoded++;
    }
    if (f.queries.length) { queryFrames++; requestsSeen += f.queries.length; }
    seqs.set(f.no, { nx: Number(c[11]), ack: Number(c[12]) });
    const s = Number(c[2]);
    let list = streams.get(s);
    if (!list) streams.set(s, (list = []));
    list.push(f);
  });
  if (t2.code !== 0) out.failures.push(`tshark -T fields (all frames): exit ${t2.code}: ${t2.stderr.split('\n').slice(-2).join(' | ')}`);
  out.tshark = {
    requests: tLines, requestsAllFrames: requestsSeen, queryFrames, frames, framesWithGapFlag: gapFrames, streams: streams.size,
    clientPayloadFrames: clientPayload, clientLogins: logins, clientUndecoded,
  };

  // requests with their verdict
  const reqs = []; // { frame, stream, sql, us, full, verdict, why }
  for (const [s, list] of streams) {
    const boundaries = []; // indexes of client frames with a mysql.command
    list.forEach((f, i) => { if (!f.fromServer && f.command) boundaries.push(i); });
    for (let b = 0; b < boundaries.length; b++) {
      const i = boundaries[b], f = list[i];
      if (!f.queries.length) continue;
      const nextI = b + 1 < boundaries.length ? boundaries[b + 1] : list.length; // exclusive end of the response window
      // several queries in one frame (pipelined): only the last can have its response before the next request
      f.queries.forEach((sql, k) => {
        const r = { frame: f.no, stream: s, sql, us: f.us, full: false, verdict: null, why: null };
        reqs.push(r);
        if (k < f.queries.length - 1) { r.why = 'another request in the same frame'; return; }
        let response = false, error = false, gap = false;
        for (let j = i + 1; j < nextI; j++) {
          const g = list[j];
          if (g.gap) gap = true;
          if (g.fromServer && g.len > 0) { response = true; if (g.error) error = true; }
        }
        if (nextI < list.length && list[nextI].gap) gap = true; // the next request's frame: a gap before it
        if (gap) r.why = 'a lost or ACKed-unseen segment between the request and the next one';
        else if (!response) r.why = 'no server frame before the next request';
        else { r.full = true; r.verdict = error ? 'error' : 'ok'; }
      });
    }
  }
  reqs.sort((a, b) => a.frame - b.frame);

  // ---------------------------------------------------------- matching myshark rows to tshark's requests
  const byKey = new Map();
  for (const r of q) {
    const k = `${r.conn}\t${r.us}\t${r.sql}`;
    const l = byKey.get(k);
    if (l) l.push(r); else byKey.set(k, [r]);
  }
  let exact = 0, byOrder = 0;
  for (const t of reqs) {
    const l = byKey.get(`${t.stream}\t${t.us}\t${t.sql}`);
    const m = l?.find((r) => !r.used);
    if (m) { m.used = true; t.m = m; exact++; }
  }
  const rest = new Map(); // (stream, sql) → myshark rows not matched yet, in ts order
  for (const r of [...q].sort((a, b) => a.us - b.us || a.i - b.i)) {
    if (r.used) continue;
    const k = `${r.conn}\t${r.sql}`;
    const l = rest.get(k);
    if (l) l.push(r); else rest.set(k, [r]);
  }
  for (const t of reqs) {
    if (t.m) continue;
    const l = rest.get(`${t.stream}\t${t.sql}`);
    const m = l?.find((r) => !r.used && r.us <= t.us); // the first frame of a request is not after the frame that completes it
    if (m) { m.used = true; t.m = m; byOrder++; }
  }

  const full = reqs.filter((t) => t.full);
  const res = {
    fullyCaptured: full.length, fullyCapturedErrors: full.filter((t) => t.verdict === 'error').length,
    notFully: reqs.length - full.length,
    matched: { exact, byOrder, tsharkOnly: reqs.filter((t) => !t.m).length, mysharkOnly: q.filter((r) => !r.used).length },
    found: 0, mysharkOf: { ok: 0, error: 0, no_response: 0, lost: 0, missing: 0 },
    problems: [], // fully captured and not found (or wrong), by frame
    notFullyMyshark: { ok: 0, error: 0, no_response: 0, lost: 0, missing: 0 },
  };
  for (const t of reqs) {
    const st = t.m ? t.m.status : 'missing';
    if (!t.full) { res.notFullyMyshark[st] = (res.notFullyMyshark[st] ?? 0) + 1; continue; }
    res.mysharkOf[st] = (res.mysharkOf[st] ?? 0) + 1;
    let problem = null;
    if (!t.m) problem = 'missed: no myshark exchange for it';
    else if (t.m.status === 'lost') problem = 'myshark marks it lost (response in dropped bytes)';
    else if (t.m.status === 'no_response') problem = 'myshark reports no response';
    else if (t.m.latency == null) problem = `myshark status ${t.m.status} without a latency`;
    else if (t.m.status !== t.verdict) problem = `myshark says ${t.m.status}, tshark's response ${t.verdict === 'error' ? 'has an ERR' : 'has no ERR'}`;
    if (problem) res.problems.push({ frame: t.frame, stream: t.stream, sql: short(t.sql), problem });
    else res.found++;
  }
  res.mysharkOnlyExamples = q.filter((r) => !r.used).slice(0, 10).map((r) => ({ conn: r.conn, ts: r.us / 1e6, sql: short(r.sql), status: r.status }));
  res.tsharkOnlyExamples = reqs.filter((t) => !t.m).slice(0, 10).map((t) => ({ frame: t.frame, stream: t.stream, full: t.full, sql: short(t.sql) }));
  out.full = res;
  out.pairing = await pairingByAck(cli, file, port, seqs, log);
  if (out.pairing.failure) out.failures.push(out.pairing.failure);
  return out;
}

/**
 * Every pairing myshark makes, checked against TCP: sysbench's clients send one request and wait for its whole
 * response, so the server's first segment of a response acknowledges exactly the end of the request it answers
 * (tshark's tcp.ack of that frame = tcp.nxtseq of the request's last frame). This covers the requests with a gap
 * nearby too, which "fully captured" leaves out.
 */
async function pairingByAck(cli, file, port, seqs, log) {
  log(`recall: myshark read -T json, each response's acknowledgement against its request's end`);
  const requestEnd = new Map(); // "stream frame" → last frame of the request
  const res = { checked: 0, mismatched: 0, examples: [] };
  const r = await lines('node', [cli, 'read', file, '-d', String(port), '-q', '-T', 'json'], (line) => {
    const o = JSON.parse(line);
    const frames = o['mysql.frames'];
    if (!frames.length) return;
    if (o['mysql.direction'] === 'request') {
      requestEnd.set(`${o['tcp.stream']} ${o['frame.number']}`, frames[frames.length - 1]);
      return;
    }
    const to = o['mysql.response_to'];
    const end = to === undefined ? undefined : requestEnd.get(`${o['tcp.stream']} ${to}`);
    if (end === undefined) return;
    const want = seqs.get(end)?.nx, got = seqs.get(frames[0])?.ack;
    res.checked++;
    if (want === got) return;
    res.mismatched++;
    if (res.examples.length < 10) res.examples.push({ response: o['frame.number'], request: to, stream: o['tcp.stream'], ack: got, requestEnd: want });
  });
  if (r.code !== 0) res.failure = `myshark read -T json: exit ${r.code}: ${r.stderr.split('\n').slice(-2).join(' | ')}`;
  return res;
}

/** Text lines (the runner prints them and puts them, as a list, into BENCHMARKS.md). */
export function recallLines(r, { md = false } = {}) {
  const n = (x) => (x == null || !Number.isFinite(x) ? '–' : x.toLocaleString('en-US').replace(/,/g, ' '));
  const code = (s) => (md ? `\`${s}\`` : s);
  const L = [];
  const m = r.meta ?? {}, td = m.tcpdump ?? {};
  L.push(`capture: ${code(basename(r.file))}, ${(r.bytes / 1e6).toFixed(1)} MB, port ${r.port}: sysbench oltp_read_write, ${m.threads ?? '?'} threads, ${m.seconds ?? '?'} s, ${m.psMode === 'disable' ? 'text protocol' : `ps-mode ${m.psMode}`}; ` +
    `tcpdump -B ${td.bufferKiB ?? '?'} KiB${m.cpuLoad ? ` with ${m.cpuLoad} CPU burner(s) (gzip -c /dev/urandom)` : ''}: ${n(td.captured)} packets captured, ${n(td.receivedByFilter)} received by filter, **${n(td.droppedByKernel)} dropped by kernel**`.replace(/\*\*/g, md ? '**' : ''));
  if (r.sysbench) {
    const p = r.sysbench.performed;
    L.push(`sysbench: ${n(r.sysbench.total)} queries performed (read ${n(p.read)}, write ${n(p.write)}, other ${n(p.other)}) + ${n(r.sysbench.ignoredErrors)} ignored errors = ${n(r.sysbench.onWire)} statements sent`);
  } else L.push('sysbench: no count in the sidecar');
  const pct = (a, b) => (a != null && b ? ` (${(100 * a / b).toFixed(1)} % of sysbench's)` : '');
  const on = r.sysbench?.onWire;
  if (r.tshark) {
    const t = r.tshark;
    L.push(`tshark: ${n(t.requests)} requests (mysql.query)${pct(t.requests, on)}; ${n(t.framesWithGapFlag)} of ${n(t.frames)} frames flagged lost_segment / ack_lost_segment`);
    if (t.clientPayloadFrames != null) {
      L.push(`client frames with payload in the capture: ${n(t.clientPayloadFrames)}, tshark decoded ${n(t.clientPayloadFrames - t.clientUndecoded)} (${n(t.clientLogins)} logins, the rest commands), ${n(t.clientUndecoded)} not decoded` +
        (t.clientUndecoded === 0 && on != null ? `: the ${n(on - t.requests)} statements sysbench sent and tshark does not show were in frames the kernel dropped` : ''));
    }
  }
  const s = r.myshark;
  if (s) {
    L.push(`myshark queries: ${n(s.exchanges)} exchanges (${n(s.comQuery)} COM_QUERY${pct(s.comQuery, on)}): ok ${n(s.status.ok)}, error ${n(s.status.error)}, no_response ${n(s.status.no_response)}, lost ${n(s.status.lost)}` +
      `${s.okWithoutLatency ? `; ${n(s.okWithoutLatency)} ok without a latency` : ''}; --workers 2 output ${s.workers2Identical ? 'byte-identical to --workers 1' : `DIFFERENT from --workers 1 (${n(s.workers2Lines)} lines)`}`);
  }
  const f = r.full;
  if (f) {
    L.push(`fully captured per tshark: ${n(f.fullyCaptured)} of ${n(r.tshark.requests)} requests (${n(f.fullyCapturedErrors)} with an ERR response); ` +
      `myshark: ${n(f.found)} found (ok/error with a latency, status as tshark's), ${n(f.mysharkOf.lost)} marked lost, ${n(f.mysharkOf.no_response)} no_response, ${n(f.mysharkOf.missing)} missing, ${n(f.problems.length)} not found or wrong`);
    L.push(`the other ${n(f.notFully)} requests tshark saw (a gap in their window, or no response frame): myshark ok ${n(f.notFullyMyshark.ok)}, error ${n(f.notFullyMyshark.error)}, lost ${n(f.notFullyMyshark.lost)}, no_response ${n(f.notFullyMyshark.no_response)}, no row ${n(f.notFullyMyshark.missing)}`);
    L.push(`matching: ${n(f.matched.exact)} by (tcp.stream, SQL, request time), ${n(f.matched.byOrder)} by (tcp.stream, SQL, order); ${n(f.matched.tsharkOnly)} tshark requests without a myshark row, ${n(f.matched.mysharkOnly)} myshark COM_QUERY rows without a tshark request`);
    if (f.problems.length) {
      const shown = f.problems.slice(0, 40);
      L.push(`${md ? '**' : ''}fully captured statements myshark missed or got wrong${md ? '**' : ''} (frame: stream, problem, SQL): ` +
        shown.map((p) => `${p.frame}: stream ${p.stream}, ${p.problem}, ${code(p.sql.replace(/`/g, "'"))}`).join('; ') + (f.problems.length > shown.length ? `; … ${f.problems.length - shown.length} more (bench/out results JSON)` : ''));
    }
    const pa = r.pairing;
    if (pa) {
      L.push(`pairing by TCP: ${n(pa.checked)} responses myshark paired with a request (read -T json, mysql.response_to); ${n(pa.mismatched)} whose first frame does not acknowledge exactly the end of that request` +
        (pa.examples.length ? `: ${pa.examples.map((e) => `response ${e.response} to ${e.request} (stream ${e.stream}, ack ${e.ack}, request ends at ${e.requestEnd})`).join('; ')}` : ''));
    }
    if (f.mysharkOnlyExamples.length) L.push(`myshark rows without a tshark request, first ${f.mysharkOnlyExamples.length}: ${f.mysharkOnlyExamples.map((x) => `conn ${x.conn} ts ${x.ts.toFixed(6)} ${x.status} ${code(x.sql.replace(/`/g, "'"))}`).join('; ')}`);
  }
  for (const x of r.failures) L.push(`${md ? '**failure:** ' : 'FAILURE: '}${x}`);
  return L;
}

/** The target row: every fully captured statement found (ok/error with a latency, status as tshark's). */
export function recallTarget(r) {
  const name = 'recall: every fully captured statement found';
  if (!r) return { name, measured: 'not run (bench/out/sysbench-lossy.pcap: scripts/bench/lossy-capture.sh, or node bench/run.mjs --recall)', met: null };
  const f = r.full;
  const drops = r.meta?.tcpdump?.droppedByKernel;
  if (!f) return { name, measured: `not measured (${r.failures.join('; ') || 'no tshark'})`, met: null };
  const n = (x) => x.toLocaleString('en-US').replace(/,/g, ' ');
  const bad = f.problems.length;
  return {
    name,
    measured: `${n(f.found)} of ${n(f.fullyCaptured)} fully captured statements found, ${n(bad)} missed or wrong` +
      `${bad ? ` (first frames: ${f.problems.slice(0, 5).map((p) => p.frame).join(', ')})` : ''} (${basename(r.file)}, ${drops != null ? `${n(drops)} packets dropped by kernel` : 'drops unknown'})` +
      (r.pairing ? `; every response paired with its request by TCP acknowledgement: ${r.pairing.mismatched ? `NO: ${n(r.pairing.mismatched)} of ${n(r.pairing.checked)} not` : `${n(r.pairing.checked)} of ${n(r.pairing.checked)}`}` : ''),
    met: bad === 0 && f.fullyCaptured > 0 && !r.failures.length && r.myshark?.workers2Identical !== false && !r.pairing?.mismatched,
  };
}

// ---------------------------------------------------------------- alone
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const a = process.argv.slice(2);
  const here = dirname(fileURLToPath(import.meta.url));
  let file = join(here, 'out/sysbench-lossy.pcap'), port, cli = join(here, '../dist/cli/main.js'), json = null;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--port') port = Number(a[++i]);
    else if (a[i] === '--cli') cli = resolve(a[++i]);
    else if (a[i] === '--json') json = resolve(a[++i]);
    else if (a[i] === '-h' || a[i] === '--help') { console.log('node bench/recall.mjs [FILE] [--port P] [--cli dist/cli/main.js] [--json OUT]'); process.exit(0); }
    else file = resolve(a[i]);
  }
  if (!existsSync(file)) { console.error(`recall: ${file}: no such file (scripts/bench/lossy-capture.sh makes it)`); process.exit(2); }
  const tshark = spawnSync('sh', ['-c', 'command -v tshark'], { encoding: 'utf8' }).stdout.trim() || null;
  const r = await recall({ file, port, cli, tshark, log: (m) => console.error(m) });
  for (const l of recallLines(r)) console.log(l);
  const t = recallTarget(r);
  console.log(`${t.met == null ? '–' : t.met ? 'met' : 'NOT MET'}: ${t.name}: ${t.measured}`);
  if (json) writeFileSync(json, JSON.stringify(r, null, 2) + '\n');
}
