import { describe, expect, it } from 'vitest';
import { createProgress, formatBytes, formatDuration, progressLine, type ProgressStream } from '../../../src/cli/progress.js';

function fakeStream(isTTY: boolean, columns?: number): ProgressStream & { out: string[] } {
  const out: string[] = [];
  return {
    out,
    isTTY,
    ...(columns !== undefined ? { columns } : {}),
    write(s: string | Uint8Array): boolean {
      out.push(String(s));
      return true;
    },
  } as ProgressStream & { out: string[] };
}

function fakeClock(): { now: () => number; advance(ms: number): void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('createProgress', () => {
  it('prints nothing when the stream is not a terminal, even after a long run', () => {
    const s = fakeStream(false);
    const clock = fakeClock();
    const p = createProgress(1000, s, { now: clock.now });
    for (let i = 1; i <= 10; i++) {
      clock.advance(1000);
      p.update(i * 100, i);
    }
    p.stop();
    expect(s.out).toEqual([]);
  });

  it('prints nothing with quiet on a terminal', () => {
    const s = fakeStream(true);
    const clock = fakeClock();
    const p = createProgress(1000, s, { quiet: true, now: clock.now });
    clock.advance(5000);
    p.update(500);
    p.stop();
    expect(s.out).toEqual([]);
  });

  it('on a terminal: nothing in the first second, then the bar; stop erases it', () => {
    const s = fakeStream(true);
    const clock = fakeClock();
    const p = createProgress(4 * 1024 * 1024, s, { now: clock.now });
    clock.advance(500);
    p.update(1024 * 1024, 10);
    clock.advance(500); // exactly 1 s: still nothing
    p.update(1024 * 1024, 10);
    expect(s.out).toEqual([]);
    clock.advance(1000); // 2 s, a quarter read → 6 s to go
    p.update(1024 * 1024, 1234);
    expect(s.out).toHaveLength(1);
    expect(s.out[0]).toBe(`\r[########----------------------]   25%  1.0 MiB of 4.0 MiB  1234 packets  ETA 0:06\x1b[K`);
    p.stop();
    expect(s.out[1]).toBe('\r\x1b[K');
    clock.advance(1000);
    p.update(2 * 1024 * 1024);
    expect(s.out).toHaveLength(2);
  });

  it('redraws at most every 100 ms', () => {
    const s = fakeStream(true);
    const clock = fakeClock();
    const p = createProgress(1000, s, { now: clock.now });
    clock.advance(1500);
    p.update(100);
    clock.advance(50);
    p.update(200);
    clock.advance(60);
    p.update(300);
    expect(s.out).toHaveLength(2);
  });

  it('a run shorter than a second leaves no trace (stop writes nothing)', () => {
    const s = fakeStream(true);
    const clock = fakeClock();
    const p = createProgress(1000, s, { now: clock.now });
    clock.advance(300);
    p.update(1000);
    p.stop();
    expect(s.out).toEqual([]);
  });

  it('unknown total (standard input): bytes read and packets, no percent or ETA; cut to the terminal width', () => {
    expect(progressLine(3 * 1024, undefined, 7, 2000)).toBe('3.0 KiB read  7 packets');
    const s = fakeStream(true, 12);
    const clock = fakeClock();
    const p = createProgress(undefined, s, { now: clock.now });
    clock.advance(2000);
    p.update(3 * 1024, 7);
    expect(s.out[0]).toBe('\r3.0 KiB rea\x1b[K');
  });
});

describe('formatting', () => {
  it('bytes and durations', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(1.25 * 1024 ** 3)).toBe('1.3 GiB');
    expect(formatDuration(7)).toBe('0:07');
    expect(formatDuration(754)).toBe('12:34');
    expect(formatDuration(3723)).toBe('1:02:03');
  });
});
