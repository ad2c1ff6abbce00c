import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatIpv6 } from '../../../src/decode/ipv6.js';
import { formatIpv4 } from '../../../src/decode/ipv4.js';
import { ipv6Bytes } from '../../builders/frames.js';

describe('address formatting', () => {
  it.each([
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['0:0:0:0:0:ffff:c000:0201', '::ffff:192.0.2.1'],
    ['0:0:0:0:0:0:c000:0201', '::192.0.2.1'],
    ['0:0:0:0:0:0:0:2', '::2'],
    ['FFFF:ABCD:0:0:0:0:0:0', 'ffff:abcd::'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'],
  ])('%s → %s', (input, expected) => {
    expect(formatIpv6(ipv6Bytes(input), 0)).toBe(expected);
  });

  it('round-trips and matches the canonical form', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }), (words) => {
        const b = new Uint8Array(16);
        words.forEach((w, i) => {
          b[2 * i] = w >> 8;
          b[2 * i + 1] = w & 0xff;
        });
        const s = formatIpv6(b, 0);
        expect(ipv6Bytes(s)).toEqual(b);
        expect(s).not.toMatch(/:::|[A-F]|(^|:)0[0-9a-f]/);
      }),
    );
  });

  it('formats IPv4', () => {
    expect(formatIpv4(Uint8Array.from([0, 10, 0, 0, 1]), 1)).toBe('10.0.0.1');
  });
});
