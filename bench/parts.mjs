#!/usr/bin/env node
// Parts of a myshark run, measured alone, for the benchmark's "what stands in the way" rows (bench/run.mjs).
//
//   node bench/parts.mjs front-end FILE
//     The front end only: the capture read and parsed, link/IP/TCP decoded, every TCP connection followed and
//     numbered, no port decoded as MySQL (and no detection). What every decoder of this design pays before MySQL.
//
//   node bench/parts.mjs share FILE --port P --index I --count N
//     One share of `queries -T json --workers N`, alone in this process: the capture read by this process, every
//     frame parsed and every connection followed, the connections whose tcp.stream % N is I decoded and written as
//     JSON lines into the same output batches a worker fills (then dropped: no thread, no merge, no shared reading).
//     Run N of them at once to see what the work split N ways costs on this machine without the parallel run's
//     machinery.
//
// Both print one line of counts on standard output. They use the built library (npm run build).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => new URL(`file://${join(root, 'dist', p)}`).href;
if (!existsSync(join(root, 'dist', 'index.js'))) {
  process.stderr.write('bench/parts.mjs: dist/ is missing (npm run build)\n');
  process.exit(2);
}
const { analyze } = await import(dist('index.js'));

const [mode, file, ...rest] = process.argv.slice(2);
const arg = (name) => {
  const i = rest.indexOf(name);
  return i === -1 ? undefined : rest[i + 1];
};
if (!file || (mode !== 'front-end' && mode !== 'share')) {
  process.stderr.write('usage: node bench/parts.mjs front-end FILE | share FILE --port P --index I --count N\n');
  process.exit(2);
}

if (mode === 'front-end') {
  const t = await analyze({ kind: 'file', path: file }, { ports: [], autoDetect: false }, () => {});
  console.log(`${t.frames} frames, ${t.tcpSegments} TCP segments, ${t.connections} connections, ${t.messages} MySQL messages`);
} else {
  const port = arg('--port') ?? '3306';
  const index = Number(arg('--index'));
  const count = Number(arg('--count'));
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    process.stderr.write('bench/parts.mjs share: --index I --count N with 0 <= I < N\n');
    process.exit(2);
  }
  const { parseQueriesOptions, queryLineWriter, runExchanges } = await import(dist('cli/queries.js'));
  const { PieceBatch } = await import(dist('parallel/pieces.js'));
  const clock = { position: 0 };
  const out = new PieceBatch(clock);
  const qc = parseQueriesOptions(file, { format: 'json', decodePort: [port], quiet: true }, process.stdin);
  const lines = queryLineWriter('json', out.sink);
  let bytes = 0;
  const io = {
    stdout: out.sink,
    stderr: (s) => process.stderr.write(s),
    // After each chunk, as a worker does: take the batch, then hand its memory back as the main thread would.
    waitForOutput: () => {
      const m = out.take(clock.position);
      bytes += m.bytes.length;
      if (m.bytes.byteLength > 0) out.free.push(m.bytes.buffer);
      return undefined;
    },
  };
  const run = await runExchanges({ ...qc, quiet: true }, io, (x) => lines.onExchange(x), (input, o, onRecord) =>
    analyze(input, { ...o, readAhead: false, share: { index, count } }, onRecord), clock);
  io.waitForOutput();
  console.log(`share ${index} of ${count}: ${lines.kept()} lines, ${bytes} bytes of JSON`);
  process.exitCode = run.code ?? 0;
}
