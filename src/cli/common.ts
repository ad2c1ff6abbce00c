/**
 * What every capture-reading command shares: the capture argument (file or `-`), the `-d PORT` option and its
 * parsing, and the library's analyze (loaded lazily so tests can inject their own).
 */
import { Option } from 'commander';
import type { CaptureInput } from '../api-types.js';
import type { AnalyzeFn } from './read.js';
import { DEFAULT_PORT, parsePort, UsageError } from './read.js';

/** `-d, --decode-port <port>`, repeatable. */
export function decodePortOption(): Option {
  return new Option('-d, --decode-port <port>', 'decode this TCP port as a MySQL server (repeatable; 3306 is always decoded)').argParser(
    (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
  );
}

/** 3306 plus every valid -d port, without repeats. */
export function serverPorts(decodePort: readonly string[] | undefined): number[] {
  const ports = [DEFAULT_PORT];
  for (const p of decodePort ?? []) {
    const n = parsePort(p);
    if (!ports.includes(n)) ports.push(n);
  }
  return ports;
}

/** The capture argument, -d ports and --no-auto-detect of a command that reads a capture file or standard input. */
export function parseCaptureArgs(
  capture: string | undefined,
  o: { decodePort?: string[]; autoDetect?: boolean },
  stdin: NodeJS.ReadableStream,
): { input: CaptureInput; inputName: string; ports: number[]; autoDetect: boolean } {
  if (capture === undefined || capture === '') throw new UsageError('no capture given: name a pcap/pcapng file, or - for standard input');
  const input: CaptureInput = capture === '-' ? { kind: 'stream', stream: stdin, name: 'stdin' } : { kind: 'file', path: capture };
  return { input, inputName: capture === '-' ? 'stdin' : capture, ports: serverPorts(o.decodePort), autoDetect: o.autoDetect !== false };
}

/** The library's analyze, imported when a command runs. */
export async function defaultAnalyze(): Promise<AnalyzeFn> {
  const lib = await import('../index.js');
  return lib.analyze;
}
