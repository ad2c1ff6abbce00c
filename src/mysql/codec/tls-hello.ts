/**
 * The clear-text TLS handshake messages after an SSLRequest: ClientHello and ServerHello (RFC 8446 §4.1.2,
 * §4.1.3, §4.2; RFC 5246 §7.4.1.2, §7.4.1.3), and the header of every other handshake message. Pure functions
 * of the bytes; nothing is decrypted (a later issue; decrypted handshake/application bytes can be fed to the same
 * functions and to the MySQL framer).
 *
 *   parseTlsHandshake(recordBody, contentType, t?, base?) → TlsHandshakeInfo | undefined
 *       the first handshake message in one record body (undefined unless contentType is 22 and 4 header bytes exist)
 *   parseTlsHandshakes(bytes, t?, base?) → TlsHandshakeInfo[]      every message in a body / reassembled buffer
 *   new TlsHandshakeReassembler(maxMessageBytes?)                  messages that span records (or share one)
 *       .push(recordBody, contentType) → { messages: Uint8Array[]; problems: TlsProblem[] }
 *   describeTlsHandshake(info) → 'Client Hello (TLS 1.3; 31 cipher suites; SNI db.example; ALPN mysql)'
 *   tlsVersionName(v), cipherSuiteName(v)
 *
 * Tree output: with a TreeBuilder, nodes use Wireshark's tls.handshake.* names (fields.ts `TLS`); offsets are
 * `base + offset inside the given bytes` (pass base = offset of the record body in whatever the caller's
 * offsets refer to, e.g. 5 past the record header). A message cut short by the end of the bytes is decoded as
 * far as it goes (`complete: false` + a `truncated` problem); a vector that overruns its enclosing vector is a
 * `malformed` problem. Problems are data (TlsProblem), never thrown.
 *
 * How the session should call it (per direction, after the SSLRequest; TlsRecordFramer must hand over the body):
 *
 *   const reasm = new TlsHandshakeReassembler();               // one per direction
 *   onRecord(header, body):
 *     const { messages, problems } = reasm.push(body, header.contentType);
 *     for (const m of messages) { const info = parseTlsHandshake(m, 22, t, base); ... event.handshakes.push(info) }
 *     problems → issues
 *
 * Once a direction sent ChangeCipherSpec (TLS 1.2 and TLS 1.3 middlebox mode) or application data, its later
 * handshake records are encrypted: the reassembler passes on only a record that is exactly one plausible
 * clear-text message (a second ClientHello after HelloRetryRequest), and drops the others silently.
 */
import { DecodeError } from '../../core/issues.js';
import { TLS, TLS_CIPHER_SUITE_NAMES, TLS_HANDSHAKE_TYPE_NAMES, TLS_VERSION_NAMES } from '../fields.js';
import type { TreeBuilder } from '../messages/tree.js';
import type { TlsHandshakeInfo, TlsProblem } from '../messages/types.js';

export const TLS_CONTENT_TYPE = { CHANGE_CIPHER_SPEC: 20, ALERT: 21, HANDSHAKE: 22, APPLICATION_DATA: 23 } as const;
export const TLS_HANDSHAKE = { CLIENT_HELLO: 1, SERVER_HELLO: 2, ENCRYPTED_EXTENSIONS: 8 } as const;
export const TLS_EXT = { SERVER_NAME: 0, ALPN: 16, SUPPORTED_VERSIONS: 43 } as const;

/** SHA-256("HelloRetryRequest"): the ServerHello.random of a HelloRetryRequest (RFC 8446 §4.1.3). */
const HRR_RANDOM = Uint8Array.from([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/** GREASE values (RFC 8701): 0x0a0a, 0x1a1a, … 0xfafa. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

export function tlsVersionName(v: number): string {
  return TLS_VERSION_NAMES.get(v) ?? (isGrease(v) ? `Reserved (GREASE) (0x${hex4(v)})` : `Unknown (0x${hex4(v)})`);
}

export function cipherSuiteName(v: number): string {
  return TLS_CIPHER_SUITE_NAMES.get(v) ?? (isGrease(v) ? `Reserved (GREASE) (0x${hex4(v)})` : `Unknown (0x${hex4(v)})`);
}

export function handshakeTypeName(v: number): string {
  return TLS_HANDSHAKE_TYPE_NAMES.get(v) ?? `Unknown (${v})`;
}

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}

const latin1 = new TextDecoder('windows-1252');
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Big-endian bounded reader over one handshake message; `end` is moved in and out for nested vectors. */
class Be {
  pos: number;
  constructor(readonly b: Uint8Array, pos: number, public end: number, readonly base: number, readonly avail: number) {
    this.pos = pos;
  }

  private need(n: number, what: string): void {
    if (this.pos + n <= this.end) return;
    const at = this.base + this.pos;
    // Past the bytes we have of an incomplete message (the record ended) = truncated; else a length that
    // overruns its enclosing vector or the message = malformed.
    if (this.pos + n > this.avail) {
      throw new DecodeError('truncated', 'tls.truncated_handshake',
        `${what} needs ${n} byte${n === 1 ? '' : 's'} at offset ${at}, but the handshake bytes end after ${this.avail - this.pos}`, at);
    }
    throw new DecodeError('malformed', 'tls.malformed_handshake',
      `${what} needs ${n} byte${n === 1 ? '' : 's'} at offset ${at}, but its enclosing length leaves only ${this.end - this.pos}`, at);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.b[this.pos++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A vector length that must fit inside the current bound; returns its end. */
  vector(len: number, what: string): number {
    this.need(len, what);
    return this.pos + len;
  }
}

/** The first handshake message of a record body (content type 22), or undefined. */
export function parseTlsHandshake(recordBody: Uint8Array, contentType: number, t: TreeBuilder | null = null, base = 0): TlsHandshakeInfo | undefined {
  if (contentType !== TLS_CONTENT_TYPE.HANDSHAKE || recordBody.length < 4) return undefined;
  return parseAt(recordBody, 0, t, base);
}

/** Every handshake message in `bytes` (a record body, or a reassembled message); the last may be incomplete. */
export function parseTlsHandshakes(bytes: Uint8Array, t: TreeBuilder | null = null, base = 0): TlsHandshakeInfo[] {
  const out: TlsHandshakeInfo[] = [];
  let o = 0;
  while (bytes.length - o >= 4) {
    const info = parseAt(bytes, o, t, base);
    out.push(info);
    o += 4 + info.length;
  }
  return out;
}

function parseAt(bytes: Uint8Array, o: number, t: TreeBuilder | null, base: number): TlsHandshakeInfo {
  const type = bytes[o]!;
  const length = (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!;
  const bodyEnd = o + 4 + length;
  const avail = Math.min(bodyEnd, bytes.length);
  const info: TlsHandshakeInfo = { type, length, complete: bodyEnd <= bytes.length };
  const node = t ? t.open(TLS.handshake, null, base + o) : null;
  t?.add(TLS.type, type, base + o, 1);
  t?.add(TLS.length, length, base + o + 1, 3);
  const r = new Be(bytes, o + 4, avail, base, info.complete ? Number.MAX_SAFE_INTEGER : avail);
  try {
    if (type === TLS_HANDSHAKE.CLIENT_HELLO || type === TLS_HANDSHAKE.SERVER_HELLO) hello(r, t, info);
    else if (type === TLS_HANDSHAKE.ENCRYPTED_EXTENSIONS) extensions(r, t, info, false);
    if (!info.complete) {
      info.problem = {
        kind: 'truncated', code: 'tls.truncated_handshake', offset: base + o,
        message: `${handshakeTypeName(type)} says ${length} bytes at offset ${base + o + 1}, but only ${avail - o - 4} are here ` +
          '(it continues in the next record: reassemble with TlsHandshakeReassembler)',
      };
    }
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    info.problem = { kind: e.kind === 'truncated' ? 'truncated' : 'malformed', code: e.code, message: `${handshakeTypeName(type)}: ${e.message}`, offset: e.offset };
  } finally {
    if (t && node) t.close(node, base + avail);
  }
  return info;
}

function hello(r: Be, t: TreeBuilder | null, info: TlsHandshakeInfo): void {
  const client = info.type === TLS_HANDSHAKE.CLIENT_HELLO;
  let p = r.pos;
  info.legacyVersion = r.u16('legacy_version');
  info.version = info.legacyVersion;
  t?.add(TLS.version, info.legacyVersion, r.base + p, 2);
  p = r.pos;
  const random = r.bytes(32, 'random');
  info.random = new Uint8Array(random);
  t?.add(TLS.random, info.random, r.base + p, 32);
  if (!client) info.helloRetryRequest = random.every((b, i) => b === HRR_RANDOM[i]);
  p = r.pos;
  const sidLen = r.u8('session id length');
  t?.add(TLS.sessionIdLength, sidLen, r.base + p, 1);
  if (sidLen > 32) throw new DecodeError('malformed', 'tls.malformed_handshake', `session id length ${sidLen} at offset ${r.base + p} is over 32`, r.base + p);
  p = r.pos;
  info.sessionId = new Uint8Array(r.bytes(sidLen, 'session id'));
  if (sidLen > 0) t?.add(TLS.sessionId, info.sessionId, r.base + p, sidLen);
  if (client) {
    p = r.pos;
    const csLen = r.u16('cipher suites length');
    t?.add(TLS.cipherSuitesLength, csLen, r.base + p, 2);
    const csEnd = r.vector(csLen, 'cipher suites');
    if (csLen % 2 !== 0) throw new DecodeError('malformed', 'tls.malformed_handshake', `cipher suites length ${csLen} at offset ${r.base + p} is odd`, r.base + p);
    const list = t ? t.open(TLS.cipherSuites, null, r.base + r.pos, csLen) : null;
    info.cipherSuites = [];
    while (r.pos < csEnd) {
      const q = r.pos;
      const cs = r.u16('cipher suite');
      info.cipherSuites.push(cs);
      t?.add(TLS.cipherSuite, cs, r.base + q, 2);
    }
    if (t && list) t.close(list);
    p = r.pos;
    const cmLen = r.u8('compression methods length');
    t?.add(TLS.compMethodsLength, cmLen, r.base + p, 1);
    r.vector(cmLen, 'compression methods');
    info.compressionMethods = [];
    for (let i = 0; i < cmLen; i++) {
      const q = r.pos;
      const m = r.u8('compression method');
      info.compressionMethods.push(m);
      t?.add(TLS.compMethod, m, r.base + q, 1);
    }
  } else {
    p = r.pos;
    info.cipherSuite = r.u16('cipher suite');
    t?.add(TLS.cipherSuite, info.cipherSuite, r.base + p, 2);
    p = r.pos;
    const m = r.u8('compression method');
    info.compressionMethods = [m];
    t?.add(TLS.compMethod, m, r.base + p, 1);
  }
  if (r.pos < r.end) extensions(r, t, info, client);
}

function extensions(r: Be, t: TreeBuilder | null, info: TlsHandshakeInfo, client: boolean): void {
  const p = r.pos;
  const total = r.u16('extensions length');
  t?.add(TLS.extensionsLength, total, r.base + p, 2);
  const end = r.vector(total, 'extensions');
  info.extensions = [];
  const outer = r.end;
  while (r.pos < end) {
    const q = r.pos;
    const node = t ? t.open(TLS.extension, null, r.base + q) : null;
    try {
      r.end = end;
      const type = r.u16('extension type');
      t?.add(TLS.extensionType, type, r.base + q, 2);
      const len = r.u16('extension length');
      t?.add(TLS.extensionLen, len, r.base + q + 2, 2);
      const extEnd = r.vector(len, `extension ${type} data`);
      info.extensions.push(type);
      r.end = extEnd;
      extension(r, t, info, client, type, len);
      r.pos = extEnd;
    } finally {
      r.end = outer;
      if (t && node) t.close(node, r.base + r.pos);
    }
  }
  if (info.version !== undefined && info.supportedVersions && client) {
    const real = info.supportedVersions.filter((v) => !isGrease(v));
    if (real.length > 0) info.version = Math.max(...real);
  }
}

function extension(r: Be, t: TreeBuilder | null, info: TlsHandshakeInfo, client: boolean, type: number, len: number): void {
  const b = r.base;
  switch (type) {
    case TLS_EXT.SERVER_NAME: {
      if (len === 0) return; // ServerHello / EncryptedExtensions: "the name was used"
      let p = r.pos;
      const listLen = r.u16('server name list length');
      t?.add(TLS.serverNameListLen, listLen, b + p, 2);
      const listEnd = r.vector(listLen, 'server name list');
      while (r.pos < listEnd) {
        p = r.pos;
        const nameType = r.u8('server name type');
        t?.add(TLS.serverNameType, nameType, b + p, 1);
        p = r.pos;
        const n = r.u16('server name length');
        t?.add(TLS.serverNameLen, n, b + p, 2);
        p = r.pos;
        const name = latin1.decode(r.bytes(n, 'server name'));
        t?.add(TLS.serverName, name, b + p, n);
        if (nameType === 0 && info.serverName === undefined) info.serverName = name;
      }
      return;
    }
    case TLS_EXT.ALPN: {
      let p = r.pos;
      const listLen = r.u16('ALPN list length');
      t?.add(TLS.alpnLen, listLen, b + p, 2);
      const listEnd = r.vector(listLen, 'ALPN list');
      info.alpn = [];
      while (r.pos < listEnd) {
        p = r.pos;
        const n = r.u8('ALPN string length');
        t?.add(TLS.alpnStrLen, n, b + p, 1);
        p = r.pos;
        const proto = utf8.decode(r.bytes(n, 'ALPN protocol'));
        t?.add(TLS.alpnStr, proto, b + p, n);
        info.alpn.push(proto);
      }
      return;
    }
    case TLS_EXT.SUPPORTED_VERSIONS: {
      if (client) {
        let p = r.pos;
        const n = r.u8('supported versions length');
        t?.add(TLS.supportedVersionsLen, n, b + p, 1);
        const listEnd = r.vector(n, 'supported versions');
        info.supportedVersions = [];
        while (r.pos + 1 < listEnd) {
          p = r.pos;
          const v = r.u16('supported version');
          info.supportedVersions.push(v);
          t?.add(TLS.supportedVersion, v, b + p, 2);
        }
      } else {
        const p = r.pos;
        const v = r.u16('selected version');
        t?.add(TLS.supportedVersion, v, b + p, 2);
        info.version = v;
      }
      return;
    }
    default:
      if (len > 0 && t) {
        const p = r.pos;
        t.add(TLS.extensionData, new Uint8Array(r.bytes(len, 'extension data')), b + p, len);
      }
  }
}

/** `Client Hello (TLS 1.3; 31 cipher suites; SNI db.example; ALPN mysql)` / `Server Hello (TLS 1.3; TLS_AES_256_GCM_SHA384)`. */
export function describeTlsHandshake(info: TlsHandshakeInfo): string {
  const name = info.helloRetryRequest ? 'Hello Retry Request' : handshakeTypeName(info.type);
  const parts: string[] = [];
  if (info.version !== undefined) parts.push(tlsVersionName(info.version));
  if (info.cipherSuites) parts.push(`${info.cipherSuites.length} cipher suite${info.cipherSuites.length === 1 ? '' : 's'}`);
  if (info.cipherSuite !== undefined) parts.push(cipherSuiteName(info.cipherSuite));
  if (info.serverName !== undefined) parts.push(`SNI ${info.serverName}`);
  if (info.alpn && info.alpn.length > 0) parts.push(`ALPN ${info.alpn.join(',')}`);
  if (!info.complete) parts.push('incomplete');
  return parts.length > 0 ? `${name} (${parts.join('; ')})` : name;
}

export interface TlsReassemblyResult {
  /** Complete handshake messages, each with its 4-byte header; copies owned by the caller. */
  messages: Uint8Array[];
  problems: TlsProblem[];
}

/**
 * Joins handshake messages across TLS records of one direction (RFC 8446 §5.1: a message may span records, and a
 * record may hold several). Bounded: a message longer than `maxMessageBytes` is skipped (one `over-limit`
 * problem) without buffering it. After ChangeCipherSpec or application data the direction is encrypted; see the
 * module comment.
 */
export class TlsHandshakeReassembler {
  private readonly hdr = new Uint8Array(4);
  private hdrHave = 0;
  private msg: Uint8Array | null = null;
  private msgHave = 0;
  private discard = 0;
  private encryptedFlag = false;

  constructor(readonly maxMessageBytes = 256 * 1024) {}

  /** True once this direction switched to encrypted records. */
  get encrypted(): boolean {
    return this.encryptedFlag;
  }

  /** Bytes of an incomplete message waiting for the next record. */
  get pending(): number {
    return this.hdrHave + this.msgHave;
  }

  push(recordBody: Uint8Array, contentType: number = TLS_CONTENT_TYPE.HANDSHAKE): TlsReassemblyResult {
    const res: TlsReassemblyResult = { messages: [], problems: [] };
    if (contentType === TLS_CONTENT_TYPE.CHANGE_CIPHER_SPEC || contentType === TLS_CONTENT_TYPE.APPLICATION_DATA) {
      if (this.pending > 0) {
        res.problems.push({ kind: 'truncated', code: 'tls.incomplete_handshake', offset: 0,
          message: `a handshake message ended after ${this.pending} bytes when the peer switched to encrypted records` });
      }
      this.encryptedFlag = true;
      this.hdrHave = 0;
      this.msg = null;
      this.msgHave = 0;
      this.discard = 0;
      return res;
    }
    if (contentType !== TLS_CONTENT_TYPE.HANDSHAKE) return res;
    if (this.encryptedFlag) {
      // Only a record that is exactly one clear-text hello (second ClientHello after HelloRetryRequest).
      if (recordBody.length >= 4 && (recordBody[0] === TLS_HANDSHAKE.CLIENT_HELLO || recordBody[0] === TLS_HANDSHAKE.SERVER_HELLO) &&
        ((recordBody[1]! << 16) | (recordBody[2]! << 8) | recordBody[3]!) === recordBody.length - 4) {
        res.messages.push(new Uint8Array(recordBody));
      }
      return res;
    }
    let off = 0;
    while (off < recordBody.length) {
      if (this.discard > 0) {
        const n = Math.min(this.discard, recordBody.length - off);
        this.discard -= n;
        off += n;
        continue;
      }
      if (this.msg) {
        const n = Math.min(this.msg.length - this.msgHave, recordBody.length - off);
        this.msg.set(recordBody.subarray(off, off + n), this.msgHave);
        this.msgHave += n;
        off += n;
        if (this.msgHave === this.msg.length) {
          res.messages.push(this.msg);
          this.msg = null;
          this.msgHave = 0;
        }
        continue;
      }
      this.hdr[this.hdrHave++] = recordBody[off++]!;
      if (this.hdrHave < 4) continue;
      this.hdrHave = 0;
      const len = (this.hdr[1]! << 16) | (this.hdr[2]! << 8) | this.hdr[3]!;
      if (4 + len > this.maxMessageBytes) {
        res.problems.push({ kind: 'over-limit', code: 'tls.handshake_over_limit', offset: off - 4,
          message: `${handshakeTypeName(this.hdr[0]!)} of ${len} bytes is over the ${this.maxMessageBytes}-byte handshake reassembly limit; skipped` });
        this.discard = len;
        continue;
      }
      this.msg = new Uint8Array(4 + len);
      this.msg.set(this.hdr);
      this.msgHave = 4;
      if (len === 0) {
        res.messages.push(this.msg);
        this.msg = null;
        this.msgHave = 0;
      }
    }
    return res;
  }

  reset(): void {
    this.hdrHave = 0;
    this.msg = null;
    this.msgHave = 0;
    this.discard = 0;
    this.encryptedFlag = false;
  }
}
