/**
 * TLS hello parsing and handshake reassembly (codec/tls-hello.ts).
 * Real: test/fixtures/tls.pcap (MariaDB + TLS 1.3 after an SSLRequest): frame 8 = ClientHello, frame 10 =
 * ServerHello + CCS + encrypted records, frame 31 = a second client's ClientHello. Expected values were read with
 * `tshark -r test/fixtures/tls.pcap -d tcp.port==3306,mysql -Y tls.handshake -T fields …` and are compared with
 * tshark again when it is installed. SYNTHETIC hellos (labelled) cover SNI, ALPN, GREASE, TLS 1.2 and HelloRetryRequest.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { tcpPayloads } from '../../support/pcap-payloads.js';
import { describe, expect, it } from 'vitest';
import type { FieldNode } from '../../../src/model/field.js';
import {
  cipherSuiteName, describeTlsHandshake, isGrease, parseTlsHandshake, parseTlsHandshakes, TlsHandshakeReassembler, tlsVersionName,
} from '../../../src/mysql/codec/tls-hello.js';
import { TreeBuilder } from '../../../src/mysql/messages/tree.js';
import { tsharkAvailable } from '../../support/tshark.js';

const PCAP = 'test/fixtures/tls.pcap';


interface Rec { type: number; version: number; body: Uint8Array; offset: number }
function records(payload: Uint8Array): Rec[] {
  const out: Rec[] = [];
  let o = 0;
  while (o + 5 <= payload.length) {
    const len = (payload[o + 3]! << 8) | payload[o + 4]!;
    out.push({ type: payload[o]!, version: (payload[o + 1]! << 8) | payload[o + 2]!, body: payload.subarray(o + 5, o + 5 + len), offset: o + 5 });
    o += 5 + len;
  }
  return out;
}

const frames = tcpPayloads(PCAP);
const hexList = (v: number[]): string => v.map((x) => `0x${x.toString(16).padStart(4, '0')}`).join(',');

function walk(nodes: FieldNode[], f: (n: FieldNode) => void): void {
  for (const n of nodes) {
    f(n);
    if (n.children) walk(n.children, f);
  }
}
function values(nodes: FieldNode[], name: string): unknown[] {
  const out: unknown[] = [];
  walk(nodes, (n) => { if (n.field.name === name) out.push(n.value); });
  return out;
}

// Read from tshark (see the header): frame → [type, version, supported versions, cipher suites, record length, handshake length]
const GOLDEN: Record<number, { type: number; legacy: number; versions: string; suites: string; handshakeLength: number }> = {
  8: { type: 1, legacy: 0x0303, versions: '0x0304,0x0303,0x0302,0x0301', handshakeLength: 508,
    suites: '0x1302,0x1303,0x1301,0xc02c,0xc030,0x009f,0xcca9,0xcca8,0xccaa,0xc02b,0xc02f,0x009e,0xc024,0xc028,0x006b,0xc023,0xc027,0x0067,0xc00a,0xc014,0x0039,0xc009,0xc013,0x0033,0x009d,0x009c,0x003d,0x003c,0x0035,0x002f,0x00ff' },
  10: { type: 2, legacy: 0x0303, versions: '0x0304', suites: '0x1302', handshakeLength: 118 },
};

describe('parseTlsHandshake on the real capture', () => {
  it('frame 8: ClientHello offered TLS 1.3..1.0 and 31 suites, as tshark shows', () => {
    const [rec] = records(frames.get(8)!);
    expect(rec!.type).toBe(22);
    const t = new TreeBuilder();
    const info = parseTlsHandshake(rec!.body, rec!.type, t, rec!.offset)!;
    const g = GOLDEN[8]!;
    expect(info).toMatchObject({ type: 1, length: g.handshakeLength, complete: true, legacyVersion: g.legacy, version: 0x0304 });
    expect(info.problem).toBeUndefined();
    expect(hexList(info.supportedVersions!)).toBe(g.versions);
    expect(hexList(info.cipherSuites!)).toBe(g.suites);
    expect(info.sessionId!.length).toBe(32);
    expect(info.compressionMethods).toEqual([0]);
    expect(info.extensions!.slice(0, 6)).toEqual([11, 10, 35, 22, 23, 13]);
    expect(info.serverName).toBeUndefined(); // connected to 127.0.0.1: no SNI
    expect(describeTlsHandshake(info)).toBe('Client Hello (TLS 1.3; 31 cipher suites)');
    expect(values(t.roots, 'tls.handshake.type')).toEqual([1]);
    expect(values(t.roots, 'tls.handshake.ciphersuite')).toHaveLength(31);
    expect(values(t.roots, 'tls.handshake.extensions.supported_version')).toEqual([0x0304, 0x0303, 0x0302, 0x0301]);
    expect(t.roots[0]!.offset).toBe(5);
    expect(t.roots[0]!.length).toBe(512);
    walk(t.roots, (n) => expect(n.offset + n.length, n.field.name).toBeLessThanOrEqual(frames.get(8)!.length));
  });

  it('frame 10: ServerHello selected TLS 1.3 and TLS_AES_256_GCM_SHA384; the other records are not handshakes', () => {
    const recs = records(frames.get(10)!);
    expect(recs.map((r) => r.type)).toEqual([22, 20, 23, 23, 23, 23, 23]);
    const info = parseTlsHandshake(recs[0]!.body, 22)!;
    expect(info).toMatchObject({ type: 2, length: 118, complete: true, legacyVersion: 0x0303, version: 0x0304, cipherSuite: 0x1302, helloRetryRequest: false });
    expect(cipherSuiteName(info.cipherSuite!)).toBe('TLS_AES_256_GCM_SHA384');
    expect(describeTlsHandshake(info)).toBe('Server Hello (TLS 1.3; TLS_AES_256_GCM_SHA384)');
    expect(parseTlsHandshake(recs[1]!.body, 20)).toBeUndefined();
    expect(parseTlsHandshake(recs[2]!.body, 23)).toBeUndefined();
  });

  it('agrees with tshark on every handshake of the capture (when tshark is installed)', () => {
    if (!tsharkAvailable()) {
      console.warn('tshark not installed: differential part skipped');
      return;
    }
    const out = execFileSync('tshark', ['-r', PCAP, '-d', 'tcp.port==3306,mysql', '-Y', 'tls.handshake.type==1 || tls.handshake.type==2', '-T', 'fields',
      '-e', 'frame.number', '-e', 'tls.handshake.type', '-e', 'tls.handshake.version', '-e', 'tls.handshake.extensions.supported_version',
      '-e', 'tls.handshake.ciphersuite', '-e', 'tls.handshake.extensions_server_name', '-e', 'tls.handshake.extensions_alpn_str'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const lines = out.split('\n').filter((l) => l.length > 0); // (no trim: trailing empty fields are tabs)
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      const [frame, type, version, sv, suites, sni, alpn] = line.split('\t');
      const rec = records(frames.get(Number(frame))!).find((r) => r.type === 22)!;
      const info = parseTlsHandshake(rec.body, 22)!;
      expect(String(info.type), `frame ${frame}`).toBe(type);
      expect(`0x${info.legacyVersion!.toString(16).padStart(4, '0')}`).toBe(version);
      expect(hexList(info.supportedVersions ?? (info.type === 2 ? [info.version!] : []))).toBe(sv);
      expect(hexList(info.cipherSuites ?? [info.cipherSuite!])).toBe(suites);
      expect(info.serverName ?? '').toBe(sni ?? '');
      expect((info.alpn ?? []).join(',')).toBe(alpn ?? '');
    }
  });

  it('names the suites of frame 31 as tshark does', () => {
    if (!tsharkAvailable()) return;
    const v = execFileSync('tshark', ['-r', PCAP, '-d', 'tcp.port==3306,mysql', '-Y', 'frame.number==31', '-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const theirs = new Map([...v.matchAll(/Cipher Suite: (\S+) \(0x([0-9a-f]{4})\)/g)].map((m) => [parseInt(m[2]!, 16), m[1]!]));
    expect(theirs.size).toBeGreaterThan(40);
    let named = 0;
    for (const [code, name] of theirs) {
      const ours = cipherSuiteName(code);
      if (!ours.startsWith('Unknown')) {
        expect(ours, `0x${code.toString(16)}`).toBe(name);
        named++;
      }
    }
    expect(named).toBeGreaterThanOrEqual(40);
  });
});

// ---- SYNTHETIC hellos (RFC 8446 §4.1.2/4.1.3, RFC 5246 §7.4.1), built here byte by byte ----
const u16 = (v: number): number[] => [v >> 8, v & 0xff];
const u24 = (v: number): number[] => [v >> 16, (v >> 8) & 0xff, v & 0xff];
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
function ext(type: number, data: number[]): number[] {
  return [...u16(type), ...u16(data.length), ...data];
}
function sni(host: string): number[] {
  const entry = [0, ...u16(host.length), ...ascii(host)];
  return ext(0, [...u16(entry.length), ...entry]);
}
function alpn(...protos: string[]): number[] {
  const list = protos.flatMap((p) => [p.length, ...ascii(p)]);
  return ext(16, [...u16(list.length), ...list]);
}
function handshake(type: number, body: number[]): Uint8Array {
  return Uint8Array.from([type, ...u24(body.length), ...body]);
}
function clientHello(o: { version?: number; suites: number[]; exts: number[][]; sid?: number }): Uint8Array {
  const exts = o.exts.flat();
  const sid = Array.from({ length: o.sid ?? 32 }, (_, i) => i);
  return handshake(1, [...u16(o.version ?? 0x0303), ...new Array<number>(32).fill(0x11), sid.length, ...sid,
    ...u16(o.suites.length * 2), ...o.suites.flatMap(u16), 1, 0, ...u16(exts.length), ...exts]);
}
function serverHello(o: { version?: number; suite: number; exts: number[][]; random?: number[] }): Uint8Array {
  const exts = o.exts.flat();
  return handshake(2, [...u16(o.version ?? 0x0303), ...(o.random ?? new Array<number>(32).fill(0x22)), 0,
    ...u16(o.suite), 0, ...(exts.length > 0 ? [...u16(exts.length), ...exts] : [])]);
}

describe('parseTlsHandshake on synthetic hellos', () => {
  it('synthetic TLS 1.3 ClientHello: SNI, ALPN, GREASE ignored for the version', () => {
    const ch = clientHello({ suites: [0x2a2a, 0x1301, 0x1302, 0xc02f], exts: [
      sni('db.example.com'), alpn('mysql', 'h2'), ext(43, [6, ...u16(0x3a3a), ...u16(0x0304), ...u16(0x0303)]), ext(0x2a2a, []),
    ] });
    const t = new TreeBuilder();
    const info = parseTlsHandshake(ch, 22, t)!;
    expect(info).toMatchObject({ type: 1, complete: true, version: 0x0304, serverName: 'db.example.com', alpn: ['mysql', 'h2'],
      supportedVersions: [0x3a3a, 0x0304, 0x0303], cipherSuites: [0x2a2a, 0x1301, 0x1302, 0xc02f], extensions: [0, 16, 43, 0x2a2a] });
    expect(info.problem).toBeUndefined();
    expect(cipherSuiteName(0x2a2a)).toBe('Reserved (GREASE) (0x2a2a)');
    expect(cipherSuiteName(0x9999)).toBe('Unknown (0x9999)');
    expect(describeTlsHandshake(info)).toBe('Client Hello (TLS 1.3; 4 cipher suites; SNI db.example.com; ALPN mysql,h2)');
    expect(values(t.roots, 'tls.handshake.extensions_server_name')).toEqual(['db.example.com']);
    expect(values(t.roots, 'tls.handshake.extensions_alpn_str')).toEqual(['mysql', 'h2']);
    expect(values(t.roots, 'tls.handshake.extension.type')).toEqual([0, 16, 43, 0x2a2a]);
    walk(t.roots, (n) => expect(n.offset + n.length).toBeLessThanOrEqual(ch.length));
  });

  it('synthetic TLS 1.2 record: ServerHello (ALPN selected) + Certificate + ServerHelloDone in one record', () => {
    const sh = serverHello({ suite: 0xc02f, exts: [alpn('mysql'), ext(0xff01, [0])] });
    const body = new Uint8Array([...sh, ...handshake(11, [...u24(3), ...u24(0)]), ...handshake(14, [])]);
    const all = parseTlsHandshakes(body);
    expect(all.map((i) => i.type)).toEqual([2, 11, 14]);
    expect(all[0]).toMatchObject({ version: 0x0303, cipherSuite: 0xc02f, alpn: ['mysql'], helloRetryRequest: false });
    expect(describeTlsHandshake(all[0]!)).toBe('Server Hello (TLS 1.2; TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256; ALPN mysql)');
    expect(all[2]).toEqual({ type: 14, length: 0, complete: true });
    expect(parseTlsHandshake(body, 22)!.type).toBe(2);
  });

  it('synthetic TLS 1.2 ClientHello without extensions (old client)', () => {
    const ch = handshake(1, [...u16(0x0303), ...new Array<number>(32).fill(1), 0, ...u16(2), ...u16(0x002f), 1, 0]);
    const info = parseTlsHandshake(ch, 22)!;
    expect(info).toMatchObject({ version: 0x0303, cipherSuites: [0x2f], complete: true });
    expect(info.extensions).toBeUndefined();
    expect(tlsVersionName(info.version!)).toBe('TLS 1.2');
  });

  it('synthetic HelloRetryRequest is recognised by its random', () => {
    const hrr = [0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
      0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c];
    const info = parseTlsHandshake(serverHello({ suite: 0x1301, random: hrr, exts: [ext(43, u16(0x0304)), ext(51, u16(0x001d))] }), 22)!;
    expect(info).toMatchObject({ helloRetryRequest: true, version: 0x0304 });
    expect(describeTlsHandshake(info)).toBe('Hello Retry Request (TLS 1.3; TLS_AES_128_GCM_SHA256)');
  });

  it('a message cut by the record end is decoded as far as it goes (truncated); an overrunning vector is malformed', () => {
    const ch = clientHello({ suites: [0x1301], exts: [sni('a.example'), alpn('mysql')] });
    const cut = parseTlsHandshake(ch.subarray(0, 80), 22)!; // inside the server_name extension
    expect(cut).toMatchObject({ type: 1, complete: false, legacyVersion: 0x0303, cipherSuites: [0x1301] });
    expect(cut.problem).toMatchObject({ kind: 'truncated', code: 'tls.truncated_handshake' });
    for (const at of [ch.length - 8 + 1, ch.length - 10 + 1]) { // low byte of the ALPN list length, of the extension length
      const bad = Uint8Array.from(ch);
      bad[at] = 40; // beyond the extension / the message: all bytes are here, so malformed, not truncated
      const info = parseTlsHandshake(bad, 22)!;
      expect(info.complete).toBe(true);
      expect(info.problem).toMatchObject({ kind: 'malformed', code: 'tls.malformed_handshake' });
      expect(info.serverName).toBe('a.example');
    }
    expect(parseTlsHandshake(Uint8Array.of(1, 0, 0), 22)).toBeUndefined();
  });

  it('property: any bytes give an info or undefined, never a throw; tree nodes stay inside the bytes', () => {
    const ch = clientHello({ suites: [0x1301, 0x1302], exts: [sni('x.example'), alpn('h2'), ext(43, [2, ...u16(0x0304)])] });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: ch.length }), fc.nat(255), fc.nat(ch.length), (junk, cut, val, at) => {
      const mutated = Uint8Array.from(ch.subarray(0, cut));
      if (at < mutated.length) mutated[at] = val;
      for (const b of [junk, mutated]) {
        const t = new TreeBuilder();
        parseTlsHandshakes(b, t);
        walk(t.roots, (n) => expect(n.offset + n.length).toBeLessThanOrEqual(b.length));
      }
    }), { numRuns: 300 });
    expect(isGrease(0xfafa)).toBe(true);
    expect(isGrease(0x0a1a)).toBe(false);
  });
});

describe('TlsHandshakeReassembler', () => {
  const realCh = records(frames.get(8)!)[0]!.body;

  it('joins a ClientHello split across two records at every offset', () => {
    for (let cut = 0; cut <= realCh.length; cut++) {
      const r = new TlsHandshakeReassembler();
      const a = r.push(realCh.subarray(0, cut), 22);
      const b = r.push(realCh.subarray(cut), 22);
      const msgs = [...a.messages, ...b.messages];
      expect(msgs, `cut ${cut}`).toHaveLength(1);
      expect(msgs[0]).toEqual(realCh);
      expect(r.pending).toBe(0);
    }
  });

  it('property: random record boundaries over several messages give the same messages', () => {
    const sh = serverHello({ suite: 0xc02f, exts: [alpn('mysql')] });
    const stream = new Uint8Array([...realCh, ...sh, ...handshake(14, [])]);
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), (cuts) => {
      const bounds = [0, ...cuts.sort((x, y) => x - y), stream.length];
      const r = new TlsHandshakeReassembler();
      const msgs: Uint8Array[] = [];
      for (let i = 0; i + 1 < bounds.length; i++) msgs.push(...r.push(stream.subarray(bounds[i], bounds[i + 1]), 22).messages);
      expect(msgs.map((m) => m.length)).toEqual([realCh.length, sh.length, 4]);
      expect(parseTlsHandshake(msgs[0]!, 22)!.cipherSuites).toHaveLength(31);
    }), { numRuns: 200 });
  });

  it('is bounded: a message over the limit is skipped with one over-limit problem, and the next one still comes out', () => {
    const r = new TlsHandshakeReassembler(100);
    const big = handshake(11, new Array<number>(300).fill(7));
    const res1 = r.push(big.subarray(0, 150), 22);
    expect(res1.problems).toMatchObject([{ kind: 'over-limit', code: 'tls.handshake_over_limit' }]);
    const res2 = r.push(new Uint8Array([...big.subarray(150), ...handshake(14, [])]), 22);
    expect(res2.problems).toEqual([]);
    expect(res2.messages).toEqual([handshake(14, [])]);
  });

  it('stops after ChangeCipherSpec (encrypted Finished dropped) but passes a whole clear-text ClientHello (after HRR)', () => {
    const r = new TlsHandshakeReassembler();
    expect(r.push(realCh.subarray(0, 10), 22).messages).toEqual([]);
    const ccs = r.push(Uint8Array.of(1), 20);
    expect(ccs.problems).toMatchObject([{ code: 'tls.incomplete_handshake' }]);
    expect(r.encrypted).toBe(true);
    expect(r.push(Uint8Array.from({ length: 40 }, (_, i) => (i * 37) & 0xff), 22).messages).toEqual([]);
    expect(r.push(realCh, 22).messages).toEqual([realCh]);
    expect(r.push(realCh, 23).messages).toEqual([]);
    r.reset();
    expect(r.encrypted).toBe(false);
  });

  it('real capture, per direction: client gets 1 ClientHello, server 1 ServerHello, then encrypted', () => {
    const server = new TlsHandshakeReassembler();
    const got = records(frames.get(10)!).flatMap((rec) => server.push(rec.body, rec.type).messages);
    expect(got.map((m) => parseTlsHandshake(m, 22)!.type)).toEqual([2]);
    expect(server.encrypted).toBe(true);
  });
});
