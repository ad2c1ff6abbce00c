import { describe, expect, it } from 'vitest';
import { sniffFormat, hexHead } from '../../../src/capture/sniff.js';

describe('sniffFormat', () => {
  it.each([
    [[0xa1, 0xb2, 0xc3, 0xd4], 'pcap'],
    [[0xd4, 0xc3, 0xb2, 0xa1], 'pcap'],
    [[0xa1, 0xb2, 0x3c, 0x4d], 'pcap-ns'],
    [[0x4d, 0x3c, 0xb2, 0xa1], 'pcap-ns'],
    [[0x0a, 0x0d, 0x0d, 0x0a], 'pcapng'],
    [[0x1f, 0x8b, 0x08, 0x00], 'gzip'],
    [[0x1f, 0x8b], 'gzip'],
    [[0x50, 0x4b, 0x03, 0x04], undefined],
    [[0xa1, 0xb2, 0xc3], undefined],
    [[], undefined],
  ])('%j → %s', (b, fmt) => {
    expect(sniffFormat(Uint8Array.from(b))).toBe(fmt);
  });
  it('hexHead', () => {
    expect(hexHead(Uint8Array.from([1, 0xab, 0xff]))).toBe('01 ab ff');
  });
});
