#!/usr/bin/env node
// Macro benchmark: myshark vs tshark on large captures. `npm run bench` builds first, then runs this.
//
//   node bench/run.mjs [--runs N] [--size 300M] [--file PATH [--port P]]... [--no-tshark] [--no-check] [--json OUT]
//
// Captures: bench/out/synthetic.pcap (made by bench/generate.mjs when missing; --size sets its size, --regenerate
// remakes it) and bench/out/sysbench.pcap when present (make it with scripts/bench/sysbench-capture.sh). With --file,
// only the named files (repeatable; --port P after a --file gives its MySQL server port when it is not 3306).
// A sidecar FILE.json (written by both capture makers) supplies the server port and the ground truth counts.
//
// For each capture, each command runs --runs times (best wall time kept) with stdout on /dev/null:
//   myshark json     node dist/cli/main.js read FILE -T json
//   myshark summary  node dist/cli/main.js read FILE                  (its stderr totals line gives frames/messages)
//   tshark json      tshark -r FILE -Y mysql -T json
//   tshark fields    tshark -r FILE -Y mysql.query -T fields -e mysql.query   (stdout piped here to count queries)
// Wall time is measured here; peak RSS comes from `/usr/bin/time -f %M`, else from polling VmHWM in /proc/PID/status.
// Then, unless --no-check, an untimed pass pipes `myshark read -T json` here and counts its lines and its
// "mysql.query" values, so that a fast-but-wrong run shows up next to tshark's query count and the ground truth.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, readSync, statSync, mkdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir, cpus, totalmem } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const outDir = join(here, 'out');
const cli = join(root, 'dist/cli/main.js');

// ---------------------------------------------------------------- arguments
const opt = { runs: 1, size: '300M', files: [], tshark: true, check: true, regenerate: false, json: null };
{
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    const v = () => { if (i + 1 >= a.length) die(`${a[i]} needs a value`); return a[++i]; };
    switch (a[i]) {
      case '--runs': opt.runs = Math.max(1, Number(v())); break;
      case '--size': opt.size = v(); break;
      case '--file': opt.files.push({ path: resolve(v()), port: undefined }); break;
      case '--port': if (!opt.files.length) die('--port goes after a --file'); opt.files.at(-1).port = Number(v()); break;
      case '--no-tshark': opt.tshark = false; break;
      case '--no-check': opt.check = false; break;
      case '--regenerate': opt.regenerate = true; break;
      case '--json': opt.json = resolve(v()); break;
      case '-h': case '--help':
        console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 20).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
        process.exit(0);
      default: die(`unknown argument ${a[i]}`);
    }
  }
}
function die(msg) { console.error(`bench: ${msg}`); process.exit(2); }

if (!existsSync(cli)) die('dist/cli/main.js is missing: run `npm run bench` (it builds first) or `npm run build`');

// ---------------------------------------------------------------- tools
const which = (b) => spawnSync('sh', ['-c', `command -v ${b}`], { encoding: 'utf8' }).stdout.trim() || null;
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const tsharkBin = opt.tshark ? which('tshark') : null;
const tsharkVersion = tsharkBin ? spawnSync(tsharkBin, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] : null;
if (opt.tshark && !tsharkBin) console.error('bench: tshark not found (apt-get install tshark): measuring myshark only');

// ---------------------------------------------------------------- captures
async function captures() {
  if (opt.files.length) return opt.files;
  mkdirSync(outDir, { recursive: true });
  const syn = join(outDir, 'synthetic.pcap');
  if (opt.regenerate || !existsSync(syn) || !existsSync(`${syn}.json`)) {
    console.error(`bench: generating ${relative(process.cwd(), syn)} (${opt.size}, synthetic)`);
    const { generate, parseSize } = await import('./generate.mjs');
    generate({ out: syn, size: parseSize(opt.size) });
  }
  const list = [{ path: syn }];
  const sb = join(outDir, 'sysbench.pcap');
  if (existsSync(sb)) list.push({ path: sb });
  else console.error('bench: no bench/out/sysbench.pcap (scripts/bench/sysbench-capture.sh makes one): synthetic only');
  return list;
}

function sidecar(path) {
  try { return JSON.parse(readFileSync(`${path}.json`, 'utf8')); } catch { return null; }
}

/** Frames and bytes of a classic pcap from its record headers; null for other formats. */
function countPcap(path) {
  const fd = openSync(path, 'r');
  try {
    const h = Buffer.alloc(24);
    if (readSync(fd, h, 0, 24, 0) < 24) return null;
    const m = h.readUInt32LE(0);
    let le;
    if (m === 0xa1b2c3d4 || m === 0xa1b23c4d) le = true;
    else if (m === 0xd4c3b2a1 || m === 0x4d3cb2a1) le = false;
    else return null;
    const buf = Buffer.allocUnsafe(8 << 20);
    let pos = 24, frames = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n < 16) break;
      let s = 0;
      while (s + 16 <= n) { s += 16 + (le ? buf.readUInt32LE(s + 8) : buf.readUInt32BE(s + 8)); frames++; }
      pos += s; // past the buffer (a record's data continues) or at a partial header, read again from there
    }
    return frames;
  } finally { closeSync(fd); }
}

// ---------------------------------------------------------------- measuring
/**
 * Runs cmd with stdout to /dev/null (or piped to onStdout), returns { wall, rss (KiB), code, stderr }.
 */
function measure(cmd, args, { onStdout } = {}) {
  return new Promise((resolveP) => {
    const tmp = mkdtempSync(join(tmpdir(), 'myshark-bench-'));
    const rssFile = join(tmp, 'rss');
    const errFile = join(tmp, 'stderr');
    const errFd = openSync(errFile, 'w');
    const outFd = onStdout ? 'pipe' : openSync('/dev/null', 'w');
    const full = timeBin ? [timeBin, ['-f', '%M', '-o', rssFile, cmd, ...args]] : [cmd, args];
    const t0 = process.hrtime.bigint();
    const child = spawn(full[0], full[1], { stdio: ['ignore', outFd, errFd] });
    let polled = 0;
    const poll = timeBin ? null : setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) polled = Math.max(polled, Number(m[1]));
      } catch { /* gone */ }
    }, 25);
    if (onStdout) child.stdout.on('data', onStdout);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (poll) clearInterval(poll);
      if (typeof outFd === 'number') closeSync(outFd);
      closeSync(errFd);
      let rss = polled;
      if (timeBin) { try { rss = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)); } catch { rss = NaN; } }
      const stderr = readFileSync(errFile, 'utf8');
      rmSync(tmp, { recursive: true, force: true });
      resolveP({ wall, rss, code, stderr });
    });
  });
}

/** Counts newlines and occurrences of `needle` in a byte stream (handles needles split across chunks). */
function counter(needle) {
  const nb = needle ? Buffer.from(needle) : null;
  const st = { lines: 0, hits: 0, tail: Buffer.alloc(0) };
  st.feed = (chunk) => {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) st.lines++;
    if (!needle) return;
    const b = st.tail.length ? Buffer.concat([st.tail, chunk]) : chunk;
    for (let i = b.indexOf(nb); i !== -1; i = b.indexOf(nb, i + nb.length)) st.hits++;
    st.tail = Buffer.from(b.subarray(Math.max(0, b.length - nb.length + 1)));
  };
  return st;
}

async function best(label, cmd, args, extra = {}) {
  let bestR = null;
  for (let i = 0; i < opt.runs; i++) {
    const ctr = extra.count ? counter(null) : null;
    process.stderr.write(`bench:   ${label} (run ${i + 1}/${opt.runs}) … `);
    const r = await measure(cmd, args, ctr ? { onStdout: ctr.feed } : {});
    process.stderr.write(`${r.wall.toFixed(2)} s, ${(r.rss / 1024).toFixed(0)} MiB, exit ${r.code}\n`);
    if (ctr) r.lines = ctr.lines;
    if (!bestR || r.wall < bestR.wall) bestR = r;
  }
  return { label, cmd: [cmd, ...args].join(' '), ...bestR };
}

const totalsRe = /myshark: (\d+) frames?, (\d+) connections? \((\d+) MySQL\), (\d+) MySQL messages?, (\d+) anomal/;

// ---------------------------------------------------------------- main
const results = [];
for (const c of await captures()) {
  if (!existsSync(c.path)) die(`${c.path}: no such file`);
  const meta = sidecar(c.path);
  const port = c.port ?? meta?.serverPort ?? 3306;
  const bytes = statSync(c.path).size;
  const rel = relative(process.cwd(), c.path);
  const name = rel && !rel.startsWith('..') ? rel : c.path;
  console.error(`bench: ${name}: ${(bytes / 1e6).toFixed(1)} MB, MySQL server port ${port}${meta?.synthetic ? ' (synthetic)' : ''}`);
  const frames = countPcap(c.path);
  const dArgs = port !== 3306 ? ['-d', String(port)] : [];
  const tArgs = port !== 3306 ? ['-d', `tcp.port==${port},mysql`] : [];

  const runs = [];
  runs.push(await best('myshark -T json', 'node', [cli, 'read', c.path, ...dArgs, '-T', 'json']));
  const summary = await best('myshark (summary)', 'node', [cli, 'read', c.path, ...dArgs]);
  runs.push(summary);
  if (tsharkBin) {
    runs.push(await best('tshark -Y mysql -T json', tsharkBin, ['-r', c.path, ...tArgs, '-Y', 'mysql', '-T', 'json']));
    runs.push(await best('tshark -T fields -e mysql.query', tsharkBin,
      ['-r', c.path, ...tArgs, '-Y', 'mysql.query', '-T', 'fields', '-e', 'mysql.query'], { count: true }));
  }
  const m = totalsRe.exec(summary.stderr);
  const totals = m ? { frames: +m[1], connections: +m[2], mysqlConnections: +m[3], messages: +m[4], anomalies: +m[5] } : null;
  const nFrames = frames ?? totals?.frames ?? NaN;

  const check = {};
  if (opt.check) {
    const ctr = counter('"mysql.query":"');
    process.stderr.write('bench:   check: myshark -T json piped and counted … ');
    const r = await measure('node', [cli, 'read', c.path, ...dArgs, '-T', 'json'], { onStdout: ctr.feed });
    check.mysharkJsonLines = ctr.lines; check.mysharkQueries = ctr.hits; check.mysharkJsonExit = r.code;
    process.stderr.write(`${ctr.lines} messages, ${ctr.hits} queries, exit ${r.code}\n`);
    if (r.code !== 0) {
      check.failures ??= [];
      check.failures.push(`check pass (myshark -T json into a pipe): exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
  }
  const tf = runs.find((r) => r.label.startsWith('tshark -T fields'));
  if (tf) check.tsharkQueries = tf.lines;
  if (totals) check.mysharkMessages = totals.messages;
  check.truthQueries = meta?.queries ?? meta?.sysbenchQueries ?? null;
  check.truthFrames = meta?.frames ?? null;
  for (const r of runs) {
    if (r.code !== 0) {
      check.failures ??= [];
      check.failures.push(`${r.label}: exit ${r.code}: ${r.stderr.split('\n').filter((l) => l && !/Running as user/.test(l)).slice(-5).join(' | ')}`);
    }
  }
  results.push({ file: name, bytes, frames: nFrames, port, synthetic: !!meta?.synthetic, meta, totals, runs, check });
}

// ---------------------------------------------------------------- report
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
console.log('');
console.log(`machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; node ${process.version}; ${tsharkVersion ?? 'no tshark'}`);
for (const res of results) {
  console.log('');
  console.log(`${res.file}: ${fmt(res.bytes / 1e6)} MB, ${res.frames} frames${res.synthetic ? ' (synthetic)' : ''}`);
  const ref = res.runs.find((r) => r.label === 'tshark -Y mysql -T json');
  console.log(`  ${pad('command', 34)}${lpad('wall s', 9)}${lpad('MB/s', 9)}${lpad('kpkt/s', 9)}${lpad('peak RSS MiB', 14)}${lpad('vs tshark json', 16)}`);
  for (const r of res.runs) {
    const ratio = ref ? ref.wall / r.wall : NaN;
    console.log(`  ${pad(r.label, 34)}${lpad(fmt(r.wall, 2), 9)}${lpad(fmt(res.bytes / 1e6 / r.wall), 9)}${lpad(fmt(res.frames / 1e3 / r.wall), 9)}` +
      `${lpad(fmt(r.rss / 1024, 0), 14)}${lpad(ref ? `${fmt(ratio, 2)}×` : '–', 16)}${r.code !== 0 ? `  EXIT ${r.code}` : ''}`);
  }
  const c = res.check;
  console.log(`  counts: myshark messages ${c.mysharkMessages ?? '–'} (json lines ${c.mysharkJsonLines ?? '–'}), ` +
    `queries: myshark ${c.mysharkQueries ?? '–'}, tshark ${c.tsharkQueries ?? '–'}, ground truth ${c.truthQueries ?? '–'}` +
    `; frames: pcap ${res.frames}, myshark ${res.totals?.frames ?? '–'}${c.truthFrames ? `, generator ${c.truthFrames}` : ''}`);
  const warn = [];
  if (c.mysharkQueries != null && c.truthQueries != null && c.mysharkQueries !== c.truthQueries) warn.push('myshark query count differs from the ground truth');
  if (c.tsharkQueries != null && c.mysharkQueries != null && c.tsharkQueries !== c.mysharkQueries) warn.push('myshark and tshark disagree on the query count');
  if (c.mysharkJsonLines != null && c.mysharkMessages != null && c.mysharkJsonLines !== c.mysharkMessages) warn.push('JSON lines ≠ text totals');
  if (res.totals && res.totals.frames !== res.frames) warn.push('myshark frame count ≠ pcap record count');
  if (res.totals?.anomalies) warn.push(`myshark reported ${res.totals.anomalies} anomalies`);
  for (const f of c.failures ?? []) warn.push(f);
  for (const w of warn) console.log(`  WARNING: ${w}`);
}
const jsonOut = opt.json ?? join(outDir, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(dirname(jsonOut), { recursive: true });
writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), machine: { cpu: cpus()[0]?.model, cores: cpus().length, memGiB: totalmem() / 2 ** 30, node: process.version, tshark: tsharkVersion }, runs: opt.runs, results }, null, 2) + '\n');
console.log(`\nresults: ${relative(process.cwd(), jsonOut)}`);
