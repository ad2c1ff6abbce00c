#!/usr/bin/env node
/**
 * The `myshark` executable (package bin: dist/cli/main.js). Wires runCli to the process: buffered stdout,
 * stderr, stdin, the exit code, and a quiet exit when stdout is closed early (`myshark read x.pcap | head`).
 */
import { BufferedSink } from '../output/sink.js';
import { runCli } from './program.js';

// Backpressure: when the pipe is full, `write` returns false and reading the capture waits for 'drain'
// (otherwise a slow reader makes Node buffer the whole output in memory, until writes fail with ENOBUFS).
let drained: Promise<void> | undefined;
// Standard output to a file or a pipe is written synchronously on Linux: once nothing is left queued, the sink may
// reuse its buffer.
const stdout = new BufferedSink((chunk) => {
  if (!process.stdout.write(chunk) && !drained) {
    drained = new Promise((resolve) => process.stdout.once('drain', () => {
      drained = undefined;
      resolve();
    }));
  }
  return process.stdout.writableLength === 0;
});

function isEpipe(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'EPIPE';
}

process.stdout.on('error', (e) => {
  if (isEpipe(e)) process.exit(0);
  process.stderr.write(`myshark: cannot write output: ${e.message}\n`);
  process.exit(2);
});

async function main(): Promise<void> {
  let code: number;
  try {
    code = await runCli(process.argv.slice(2), {
      stdout,
      stderr: (s) => {
        // Keep the order of stdout and stderr when both go to a terminal.
        stdout.flush();
        process.stderr.write(s);
      },
      stdin: process.stdin,
      waitForOutput: () => drained,
      progressStream: process.stderr,
    });
  } catch (e) {
    if (isEpipe(e)) process.exit(0);
    stdout.flush();
    const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
    process.stderr.write(`myshark: internal error, please report it with this trace:\n${stack}\n`);
    code = 70;
  }
  stdout.flush();
  // Exit once stdout has drained (pipes may be asynchronous); exiting also stops a live capture's child process.
  if (process.stdout.writableLength > 0) {
    process.stdout.once('drain', () => process.exit(code));
  } else {
    process.exit(code);
  }
}

void main();
