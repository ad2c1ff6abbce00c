/**
 * Regression: `myshark read big.pcap -T json | slow-consumer` failed with ENOBUFS after buffering ~1.8 GB,
 * because reading never waited for stdout. Reading now awaits `waitForOutput` after each chunk.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/index.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/large-result.pcap');

describe('backpressure', () => {
  it('waits for the output between chunks and still delivers every message', async () => {
    let waits = 0;
    let pending = false;
    let recordsWhilePending = 0;
    let records = 0;
    const totals = await analyze({ kind: 'file', path: FIXTURE }, {
      waitForOutput: () => {
        waits++;
        pending = true;
        return new Promise((resolve) => setTimeout(() => {
          pending = false;
          resolve();
        }, 2));
      },
    }, () => {
      records++;
      if (pending) recordsWhilePending++;
    });
    expect(waits).toBeGreaterThan(0);
    expect(recordsWhilePending).toBe(0); // nothing is decoded while the consumer is full
    expect(records).toBe(totals.messages);
    expect(records).toBeGreaterThan(0);
  });
});
