/**
 * Live capture by spawning tcpdump (`tcpdump -i IFACE -U -s 0 -w - [filter]`) or Wireshark's dumpcap
 * (`dumpcap -i IFACE -w - -P [-f filter]`), both writing a classic pcap stream to stdout, which the normal
 * capture reader consumes. tcpdump is preferred; dumpcap is the fallback.
 *
 * Failures (tool missing, no permission, bad interface or filter) become a CaptureError that is both the rejection
 * of `done` and an 'error' event on `stream` (so a reader of the stream sees it instead of a silent end).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CaptureError } from '../api-types.js';

export type LiveTool = 'tcpdump' | 'dumpcap';

export interface LiveCapture {
  /** The pcap byte stream written by the tool. Ends when the tool exits normally or after stop(); errors otherwise. */
  stream: NodeJS.ReadableStream;
  /** Ends the capture cleanly (SIGINT to the tool, which flushes and exits); the stream then ends normally. */
  stop(): void;
  /** Resolves when the tool has exited normally or was stopped; rejects with a CaptureError otherwise. */
  done: Promise<void>;
  /** The tool in use. */
  tool: LiveTool | undefined;
}

/** Directories searched besides PATH: capture tools often live in sbin, which is not on a normal user's PATH. */
const EXTRA_DIRS = ['/usr/sbin', '/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];

/** Absolute path of an executable named `name`, or undefined. */
export function findExecutable(name: string, envPath = process.env['PATH'] ?? ''): string | undefined {
  const dirs = envPath.split(delimiter).filter((d) => d !== '');
  for (const d of [...dirs, ...EXTRA_DIRS]) {
    const p = join(d, name);
    try {
      accessSync(p, fsConstants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The argument vector for a tool (exported for tests). */
export function liveArgs(tool: LiveTool, iface: string, filter: string | undefined): string[] {
  if (tool === 'tcpdump') {
    const args = ['-i', iface, '-U', '-s', '0', '-w', '-'];
    if (filter !== undefined && filter.trim() !== '') args.push(filter);
    return args;
  }
  const args = ['-i', iface, '-w', '-', '-P', '-q'];
  if (filter !== undefined && filter.trim() !== '') args.push('-f', filter);
  return args;
}

const PERMISSION_RE = /permission|operation not permitted|you don't have permission/i;

/** Maps a failed tool run to a CaptureError (exported for tests). */
export function classifyLiveFailure(tool: LiveTool, iface: string, stderr: string, exit: string): CaptureError {
  if (PERMISSION_RE.test(stderr)) {
    return new CaptureError(
      'live-permission',
      `${tool} has no permission to capture on ${iface}: run as root, or grant the capability ` +
        `(e.g. sudo setcap cap_net_raw,cap_net_admin=eip $(command -v ${tool})), or read a capture file instead`,
    );
  }
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(listening on|capturing on|file: )/i.test(l) && !/^\d+ packets? /.test(l));
  const first = lines[0] ?? `no error message (${exit})`;
  return new CaptureError('live-failed', `live capture with ${tool} on ${iface} failed: ${first}`);
}

/**
 * Starts a live capture. `tool` forces one tool; otherwise tcpdump is used when installed, else dumpcap.
 * Never throws: every failure is delivered through `done` and the stream's 'error' event.
 */
export function openLiveCapture(iface: string, filter: string | undefined, tool?: LiveTool): LiveCapture {
  const out = new PassThrough();
  let resolveDone!: () => void;
  let rejectDone!: (e: CaptureError) => void;
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  // The caller may only watch the stream; never let an unobserved rejection crash the process.
  done.catch(() => undefined);
  // Likewise for the stream: an 'error' event with no listener would throw. Readers (async iteration, pipeline)
  // still see the error; the same error always rejects `done`.
  out.on('error', () => undefined);

  let stopped = false;
  let child: ChildProcess | undefined;
  let finished = false;
  const finish = (err: CaptureError | undefined): void => {
    if (finished) return;
    finished = true;
    if (err) {
      rejectDone(err);
      out.destroy(err);
    } else {
      resolveDone();
      out.end();
    }
  };

  const candidates: LiveTool[] = tool ? [tool] : ['tcpdump', 'dumpcap'];
  let chosen: LiveTool | undefined;
  let exe: string | undefined;
  for (const c of candidates) {
    exe = findExecutable(c);
    if (exe) {
      chosen = c;
      break;
    }
  }

  const handle: LiveCapture = {
    stream: out,
    done,
    tool: chosen,
    stop(): void {
      if (stopped) return;
      stopped = true;
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      else if (!child) finish(undefined);
    },
  };

  if (!chosen || !exe) {
    const msg = tool
      ? `${tool} is not installed (or not executable); install it (apt install ${tool === 'tcpdump' ? 'tcpdump' : 'wireshark-common'}) or choose the other tool`
      : 'neither tcpdump nor dumpcap is installed; install tcpdump (apt install tcpdump) or Wireshark\'s dumpcap (apt install wireshark-common), or capture to a file and read it';
    process.nextTick(() => finish(new CaptureError('live-unavailable', msg)));
    return handle;
  }

  const usedTool = chosen;
  let stderr = '';
  try {
    child = spawn(exe, liveArgs(usedTool, iface, filter), { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    process.nextTick(() => finish(new CaptureError('live-failed', `could not start ${usedTool}: ${(e as Error).message}`)));
    return handle;
  }
  const c = child;
  c.stdout!.pipe(out, { end: false });
  c.stderr!.setEncoding('utf8');
  c.stderr!.on('data', (s: string) => {
    if (stderr.length < 65536) stderr += s;
  });
  c.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') finish(new CaptureError('live-unavailable', `${usedTool} could not be started: ${exe} not found`));
    else if (e.code === 'EACCES') finish(new CaptureError('live-permission', `${usedTool} (${exe}) is not executable by this user`));
    else finish(new CaptureError('live-failed', `could not start ${usedTool}: ${e.message}`));
  });
  c.on('close', (code, signal) => {
    if (stopped || code === 0) {
      finish(undefined);
      return;
    }
    const exit = code !== null ? `exit status ${code}` : `killed by ${signal ?? 'a signal'}`;
    finish(classifyLiveFailure(usedTool, iface, stderr, exit));
  });
  return handle;
}
