/**
 * A one-line progress bar on standard error for long reads:
 *
 *   [##########--------------------]  34%  412.0 MiB of 1.2 GiB  1234567 packets  ETA 0:42
 *
 * Shown only when the stream is a terminal and not `quiet`, and only once the run has lasted more than a second
 * (small captures never flicker). Redrawn at most ten times a second with `\r`; `stop()` erases it so the totals
 * line lands on a clean line. Everywhere else it is a no-op costing one comparison per call.
 * Bytes are the raw bytes of the input (compressed bytes for a .gz), as analyze's onProgress reports them, so the
 * total is the file's size.
 */

export interface Progress {
  /** Bytes of input read so far, and the packets (frames) seen when the caller counts them. */
  update(bytesRead: number, packets?: number): void;
  /** Erases the bar (if drawn); later updates are ignored. */
  stop(): void;
}

export interface ProgressOptions {
  /** --quiet: never draw. */
  quiet?: boolean;
  /** Milliseconds clock (tests inject a fake one); default `Date.now`. */
  now?: () => number;
  /** Milliseconds before the bar may appear (default 1000). */
  delayMs?: number;
  /** Milliseconds between redraws (default 100). */
  intervalMs?: number;
}

/** The part of a tty.WriteStream the bar uses. */
export type ProgressStream = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number };

const NOOP: Progress = { update() {}, stop() {} };
const BAR_WIDTH = 30;

/** `512 B`, `1.5 KiB`, `412.0 MiB`, `1.2 GiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** `0:07`, `12:34`, `1:02:03`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The bar's text (without `\r`), for `elapsedMs` since the start. */
export function progressLine(bytesRead: number, totalBytes: number | undefined, packets: number | undefined, elapsedMs: number): string {
  const parts: string[] = [];
  const known = totalBytes !== undefined && totalBytes > 0;
  if (known) {
    const frac = Math.min(1, bytesRead / totalBytes);
    const filled = Math.round(frac * BAR_WIDTH);
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`, `${String(Math.floor(frac * 100)).padStart(3)}%`);
    parts.push(`${formatBytes(bytesRead)} of ${formatBytes(totalBytes)}`);
  } else {
    parts.push(`${formatBytes(bytesRead)} read`);
  }
  if (packets !== undefined) parts.push(`${packets} packet${packets === 1 ? '' : 's'}`);
  if (known && bytesRead > 0 && elapsedMs > 0) {
    const rate = bytesRead / (elapsedMs / 1000);
    parts.push(`ETA ${formatDuration(Math.max(0, totalBytes - bytesRead) / rate)}`);
  }
  return parts.join('  ');
}

/** A progress bar on `stream`, or a no-op when `stream` is not a terminal or `quiet` is set. */
export function createProgress(totalBytes: number | undefined, stream: ProgressStream, options: ProgressOptions = {}): Progress {
  if (options.quiet === true || stream.isTTY !== true) return NOOP;
  const now = options.now ?? Date.now;
  const delay = options.delayMs ?? 1000;
  const interval = options.intervalMs ?? 100;
  const start = now();
  let lastDraw = -Infinity;
  let drawn = false;
  let stopped = false;
  return {
    update(bytesRead: number, packets?: number): void {
      if (stopped) return;
      const t = now();
      if (t - start <= delay || t - lastDraw < interval) return;
      lastDraw = t;
      let line = progressLine(bytesRead, totalBytes, packets, t - start);
      const cols = stream.columns;
      if (cols !== undefined && cols > 1 && line.length > cols - 1) line = line.slice(0, cols - 1);
      stream.write(`\r${line}\x1b[K`);
      drawn = true;
    },
    stop(): void {
      if (stopped) return;
      stopped = true;
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
