import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PacketDecoder } from '../../../src/decode/decoder.js';
import type { Frame } from '../../../src/capture/types.js';
import type { TcpPacket } from '../../../src/decode/types.js';
import {
  buildTcpFrame,
  buildUdpFrame,
  bytes,
  ethernet,
  ipv4Packet,
  ipv6Packet,
  LINK,
  nullLink,
  sll,
  tcpSegment,
  TCP,
  type LinkKind,
  type TcpFrameOptions,
} from '../../builders/frames.js';

function frame(data: Uint8Array, linkType: number, origLen = data.length, no = 1): Frame {
  return { no, tsSec: 100, tsNsec: 5, capLen: data.length, origLen, linkType, interfaceId: 0, data };
}

function decode(o: TcpFrameOptions, dec = new PacketDecoder()): { p: TcpPacket | null; dec: PacketDecoder } {
  const { data, linkType } = buildTcpFrame(o);
  return { p: dec.decode(frame(data, linkType)), dec };
}

function snapshot(p: TcpPacket | null) {
  return p && { ...p, payload: Array.from(p.payload), vlan: [...p.vlan] };
}

const payload = bytes(0x05, 0, 0, 0, 0x03, 0x53, 0x45, 0x4c);

describe('PacketDecoder', () => {
  const links: LinkKind[] = ['ethernet', 'null', 'null-be', 'loop', 'sll', 'sll2', 'raw'];
  for (const link of links) {
    for (const v of [4, 6] as const) {
      it(`decodes TCP over IPv${v} over ${link}`, () => {
        const src = v === 4 ? '192.168.1.10' : '2001:db8::10';
        const dst = v === 4 ? '10.0.0.255' : 'fe80::1:0:0:1';
        const { p, dec } = decode({ link, src, dst, srcPort: 51234, dstPort: 3306, seq: 0xfffffff0, ack: 0x80000001, flags: TCP.ACK | TCP.PSH | TCP.NS, window: 512, payload });
        expect(dec.lastSkip).toBeUndefined();
        expect(snapshot(p)).toEqual({
          frameNo: 1,
          tsSec: 100,
          tsNsec: 5,
          ipVersion: v,
          src,
          dst: v === 4 ? dst : 'fe80::1:0:0:1',
          srcPort: 51234,
          dstPort: 3306,
          seq: 0xfffffff0,
          ack: 0x80000001,
          flags: 0x118,
          window: 512,
          payload: Array.from(payload),
          payloadMissing: 0,
          checksumOk: undefined,
          vlan: [],
        });
      });
    }
  }

  it('decodes link types IPV4 (228) and IPV6 (229)', () => {
    expect(decode({ link: 'ipv4', payload }).p?.payload).toEqual(payload);
    expect(decode({ link: 'ipv6', src: '::1', dst: '::1', payload }).p?.src).toBe('::1');
  });

  it('records VLAN tags outermost first (802.1Q, 802.1ad QinQ, 0x9100)', () => {
    const { p } = decode({ vlan: [{ vid: 100, tpid: 0x88a8 }, { vid: 200, pcp: 5 }], payload });
    expect(p?.vlan).toEqual([100, 200]);
    expect(p?.payload).toEqual(payload);
    const q = decode({ vlan: [{ vid: 4095, tpid: 0x9100 }, { vid: 1, tpid: 0x88a8 }, 7] });
    expect(q.p?.vlan).toEqual([4095, 1, 7]);
    // the vlan array is reset for the next frame
    const dec = q.dec;
    expect(decode({}, dec).p?.vlan).toEqual([]);
  });

  it('reuses one TcpPacket and one vlan array', () => {
    const dec = new PacketDecoder();
    const a = decode({ vlan: [5] }, dec).p!;
    const vlan = a.vlan;
    const b = decode({ src: '::1', dst: '::2', vlan: [6] }, dec).p!;
    expect(b).toBe(a);
    expect(b.vlan).toBe(vlan);
  });

  it('bounds the payload by the IP length, not the Ethernet padding', () => {
    const { p } = decode({ payload: bytes(1, 2), padTo: 60 });
    expect(p?.payload).toEqual(bytes(1, 2));
    const empty = decode({ flags: TCP.ACK, padTo: 60 });
    expect(empty.p?.payload.length).toBe(0);
    const v6 = decode({ src: '::1', dst: '::1', payload: bytes(9), padTo: 90 });
    expect(v6.p?.payload).toEqual(bytes(9));
  });

  it('snaplen truncation: captured payload plus payloadMissing', () => {
    const big = new Uint8Array(1000).fill(7);
    const { data, linkType } = buildTcpFrame({ payload: big, vlan: [3] });
    const cut = data.subarray(0, 14 + 4 + 20 + 20 + 100);
    const dec = new PacketDecoder();
    const p = dec.decode(frame(cut, linkType, data.length));
    expect(p?.payload.length).toBe(100);
    expect(p?.payloadMissing).toBe(900);
    // IPv6 too
    const v6 = buildTcpFrame({ src: '::1', dst: '::2', payload: big, link: 'sll2' });
    const p6 = dec.decode(frame(v6.data.subarray(0, 20 + 40 + 20 + 10), v6.linkType, v6.data.length));
    expect(p6?.payload.length).toBe(10);
    expect(p6?.payloadMissing).toBe(990);
  });

  it('a cut TCP header is truncated-header', () => {
    const { data, linkType } = buildTcpFrame({ payload });
    const dec = new PacketDecoder();
    for (const n of [14 + 20 + 10, 14 + 19, 14 + 2, 10]) {
      expect(dec.decode(frame(data.subarray(0, n), linkType, data.length))).toBeNull();
      expect(dec.lastSkip).toBe('truncated-header');
    }
    expect(dec.skipped['truncated-header']).toBe(4);
    // TCP options cut
    const opt = buildTcpFrame({ options: new Uint8Array(20).fill(1) });
    expect(dec.decode(frame(opt.data.subarray(0, 14 + 20 + 30), opt.linkType, opt.data.length))).toBeNull();
    expect(dec.lastSkip).toBe('truncated-header');
  });

  it('skips TCP options by the data offset', () => {
    const mss = bytes(2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7);
    const { p } = decode({ options: mss, payload });
    expect(p?.payload).toEqual(payload);
  });

  it('a bogus data offset is malformed-header', () => {
    for (const w of [0, 4, 15]) {
      const { p, dec } = decode({ dataOffsetWords: w, payload: bytes(1, 2) });
      expect(p).toBeNull();
      expect(dec.lastSkip).toBe('malformed-header');
    }
  });

  it('IPv4 fragments are skipped (MF, and offset ≠ 0)', () => {
    const dec = new PacketDecoder();
    expect(decode({ ipv4: { mf: true } }, dec).p).toBeNull();
    expect(dec.lastSkip).toBe('ip-fragment');
    expect(decode({ ipv4: { fragOffset: 100, df: false } }, dec).p).toBeNull();
    expect(dec.skipped['ip-fragment']).toBe(2);
  });

  it('IPv6 fragments are skipped, atomic fragments are not', () => {
    const dec = new PacketDecoder();
    expect(decode({ src: '::1', dst: '::2', ipv6: { ext: [{ type: 'fragment', more: true }] } }, dec).p).toBeNull();
    expect(dec.lastSkip).toBe('ip-fragment');
    expect(decode({ src: '::1', dst: '::2', ipv6: { ext: [{ type: 'fragment', offset: 3 }] } }, dec).p).toBeNull();
    expect(dec.lastSkip).toBe('ip-fragment');
    const atomic = decode({ src: '::1', dst: '::2', payload, ipv6: { ext: [{ type: 'fragment' }] } }, dec).p;
    expect(atomic?.payload).toEqual(payload);
  });

  it('walks IPv6 extension headers', () => {
    const { p, dec } = decode({
      src: '2001:db8::1',
      dst: '2001:db8::2',
      payload,
      ipv6: {
        ext: [
          { type: 'hop-by-hop' },
          { type: 'destination', body: new Uint8Array(14) },
          { type: 'routing', body: bytes(0, 0, 0, 0, 0, 0) },
          { type: 'ah', icv: new Uint8Array(12) },
          { type: 'fragment' },
          { type: 'destination' },
        ],
      },
    });
    expect(dec.lastSkip).toBeUndefined();
    expect(p?.payload).toEqual(payload);
    expect(p?.dstPort).toBe(3306);
  });

  it('ESP and no-next-header are not TCP', () => {
    const dec = new PacketDecoder();
    const esp = ethernet(0x86dd, ipv6Packet({ protocol: 50 }, new Uint8Array(32)));
    expect(dec.decode(frame(esp, LINK.ETHERNET))).toBeNull();
    expect(dec.lastSkip).toBe('not-tcp');
    const nonext = ethernet(0x86dd, ipv6Packet({ protocol: 59, ext: [{ type: 'hop-by-hop' }] }, new Uint8Array(0)));
    expect(dec.decode(frame(nonext, LINK.ETHERNET))).toBeNull();
    expect(dec.lastSkip).toBe('not-tcp');
  });

  it('an extension header running past the payload length is malformed', () => {
    const dec = new PacketDecoder();
    const bad = ipv6Packet({ ext: [{ type: 'hop-by-hop', body: new Uint8Array(30) }] }, tcpSegment({}));
    bad[40 + 1] = 200; // hop-by-hop length far beyond the packet
    expect(dec.decode(frame(bad, LINK.RAW))).toBeNull();
    expect(dec.lastSkip).toBe('malformed-header');
  });

  it('counts bad IPv4 header checksums and still decodes', () => {
    const dec = new PacketDecoder();
    expect(decode({ ipv4: { badChecksum: true }, payload }, dec).p?.payload).toEqual(payload);
    expect(dec.badIpChecksums).toBe(1);
    expect(dec.lastIpChecksumBad).toBe(true);
    decode({ payload }, dec);
    expect(dec.badIpChecksums).toBe(1);
    expect(dec.lastIpChecksumBad).toBe(false);
  });

  it('IPv4 options are skipped by the IHL', () => {
    const { p } = decode({ ipv4: { options: bytes(0x94, 4, 0, 0) }, payload });
    expect(p?.payload).toEqual(payload);
  });

  it('an IPv4 total length of 0 (TSO) uses the captured length', () => {
    const { p, dec } = decode({ ipv4: { totalLength: 0 }, payload });
    expect(p?.payload).toEqual(payload);
    expect(dec.ipLengthFromCapture).toBe(1);
  });

  it('an IPv4 total length beyond the wire length is clamped, not reported as missing', () => {
    const { p } = decode({ ipv4: { totalLength: 1400 }, payload });
    expect(p?.payload).toEqual(payload);
    expect(p?.payloadMissing).toBe(0);
  });

  it('skips non-IP, non-TCP and unknown link types', () => {
    const dec = new PacketDecoder();
    expect(dec.decode(frame(ethernet(0x0806, new Uint8Array(28)), LINK.ETHERNET))).toBeNull();
    expect(dec.lastSkip).toBe('not-ip');
    expect(dec.decode(frame(ethernet(0x0026, new Uint8Array(38)), LINK.ETHERNET))).toBeNull(); // 802.3 length
    expect(dec.lastSkip).toBe('not-ip');
    const udp = buildUdpFrame();
    expect(dec.decode(frame(udp.data, udp.linkType))).toBeNull();
    expect(dec.lastSkip).toBe('not-tcp');
    expect(dec.decode(frame(new Uint8Array(40), 147))).toBeNull();
    expect(dec.lastSkip).toBe('unknown-linktype');
    expect(dec.decode(frame(nullLink(7, new Uint8Array(40)), LINK.NULL))).toBeNull();
    expect(dec.lastSkip).toBe('not-ip');
    expect(dec.decode(frame(sll(0x0806, new Uint8Array(28)), LINK.LINUX_SLL))).toBeNull();
    expect(dec.lastSkip).toBe('not-ip');
    expect(dec.decode(frame(bytes(0x50, 0, 0), LINK.RAW))).toBeNull();
    expect(dec.lastSkip).toBe('not-ip');
    expect(dec.skipped).toEqual({ 'not-ip': 5, 'not-tcp': 1, 'ip-fragment': 0, 'truncated-header': 0, 'malformed-header': 0, 'unknown-linktype': 1 });
  });

  it('PPPoE session frames carry IP', () => {
    const ip = ipv4Packet({}, tcpSegment({ payload }));
    const ppp = new Uint8Array([0x11, 0, 0, 1, (ip.length + 2) >> 8, (ip.length + 2) & 0xff, 0, 0x21, ...ip]);
    const p = new PacketDecoder().decode(frame(ethernet(0x8864, ppp), LINK.ETHERNET));
    expect(p?.payload).toEqual(payload);
  });

  it('never throws on garbage, and stays usable', () => {
    const dec = new PacketDecoder();
    const good = buildTcpFrame({ payload });
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom(0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 999),
        fc.nat(3000),
        (junk, lt, orig) => {
          const p = dec.decode(frame(junk, lt, orig));
          if (p) {
            expect(p.payload.length).toBeLessThanOrEqual(junk.length);
            expect(p.payloadMissing).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 3000 },
    );
    // mutate valid frames
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.data.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(good.data.length), (muts, cut) => {
        const d = good.data.slice(0, Math.max(cut, 1));
        for (const [i, v] of muts) if (i < d.length) d[i] = v;
        dec.decode(frame(d, good.linkType, good.data.length));
      }),
      { numRuns: 3000 },
    );
    expect(dec.decode(frame(good.data, good.linkType))?.payload).toEqual(payload);
  });
});
