/** analyze's onProgress on a real fixture: bytes up to the file size, frames counted as they are decoded. */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline/analyze.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/multi-connections.pcap');

describe('analyze onProgress', () => {
  it('reports growing byte and frame counts, ending at the file size', async () => {
    const calls: [number, number][] = [];
    const totals = await analyze({ kind: 'file', path: FIXTURE }, { onProgress: (b, f) => calls.push([b, f]) }, () => {});
    expect(calls.length).toBeGreaterThan(0);
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i]![0]).toBeGreaterThan(calls[i - 1]![0]);
      expect(calls[i]![1]).toBeGreaterThanOrEqual(calls[i - 1]![1]);
    }
    expect(calls.at(-1)![0]).toBe(statSync(FIXTURE).size);
    // Called before each chunk is parsed: the frame count lags the chunk, never exceeds the total.
    expect(calls.at(-1)![1]).toBeLessThanOrEqual(totals.frames);
    expect(totals.frames).toBeGreaterThan(0);
  });
});
