import { describe, expect, it } from 'vitest';
import { classifyLiveFailure, findExecutable, liveArgs, openLiveCapture } from '../../../src/capture/live.js';
import { openCaptureStream } from '../../../src/capture/open.js';
import { CaptureError } from '../../../src/api-types.js';

const hasTcpdump = findExecutable('tcpdump') !== undefined;

describe('live capture', () => {
  it('builds the tool arguments', () => {
    expect(liveArgs('tcpdump', 'lo', 'tcp port 3306')).toEqual(['-i', 'lo', '-U', '-s', '0', '-w', '-', 'tcp port 3306']);
    expect(liveArgs('tcpdump', 'eth0', undefined)).toEqual(['-i', 'eth0', '-U', '-s', '0', '-w', '-']);
    expect(liveArgs('dumpcap', 'lo', 'tcp port 3306')).toEqual(['-i', 'lo', '-w', '-', '-P', '-q', '-f', 'tcp port 3306']);
  });

  it('classifies failures', () => {
    const perm = classifyLiveFailure('tcpdump', 'eth0', "tcpdump: eth0: You don't have permission to perform this capture on that device\n(socket: Operation not permitted)\n", 'exit status 1');
    expect(perm.code).toBe('live-permission');
    expect(perm.message).toMatch(/root|CAP_NET_RAW|cap_net_raw/);
    const dperm = classifyLiveFailure('dumpcap', 'eth0', 'Capturing on eth0\ndumpcap: You don\'t have permission to capture on that device\n', 'exit status 2');
    expect(dperm.code).toBe('live-permission');
    const other = classifyLiveFailure('tcpdump', 'nosuch0', 'tcpdump: nosuch0: No such device exists\n(No such device exists)\n', 'exit status 1');
    expect(other.code).toBe('live-failed');
    expect(other.message).toBe('live capture with tcpdump on nosuch0 failed: tcpdump: nosuch0: No such device exists');
    expect(classifyLiveFailure('tcpdump', 'x', '', 'exit status 3').message).toMatch(/no error message \(exit status 3\)/);
  });

  it('findExecutable honours PATH', () => {
    expect(findExecutable('definitely-not-a-tool-xyz', '/nonexistent')).toBeUndefined();
    expect(findExecutable('sh', '/bin')).toBeDefined();
  });

  it.skipIf(!hasTcpdump)('a bad interface rejects done and errors the stream with live-failed', async () => {
    const live = openLiveCapture('nosuch-iface0', undefined, 'tcpdump');
    const err = await live.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CaptureError);
    expect((err as CaptureError).code).toMatch(/live-failed|live-permission/);
    const viaOpen = await openCaptureStream({ kind: 'live', iface: 'nosuch-iface0', tool: 'tcpdump' }, { onFrame() {}, onIssue() {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(viaOpen).toBeInstanceOf(CaptureError);
    expect((viaOpen as CaptureError).code).toMatch(/live-failed|live-permission/);
  });
});

describe('live capture on loopback', () => {
  it.skipIf(!hasTcpdump || process.getuid?.() !== 0)('streams a pcap header and stops cleanly on abort', async () => {
    const ac = new AbortController();
    let stopped = false;
    setTimeout(() => ac.abort(), 400);
    const r = await openCaptureStream(
      { kind: 'live', iface: 'lo', filter: 'tcp port 1' },
      { onFrame() {}, onIssue() {}, signal: ac.signal, onLive: (l) => void l.done.then(() => (stopped = true)) },
    );
    expect(r.format).toBe('pcap');
    expect(r.bytesRead).toBeGreaterThanOrEqual(24);
    expect(stopped).toBe(true);
  });
});
