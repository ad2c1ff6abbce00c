/**
 * Connection phase messages ("Connection Phase Packets" in the MySQL docs; MariaDB "Connection" page).
 */
import type { PayloadReader } from '../codec/payload-reader.js';
import { CLIENT, hasCap } from '../constants/capabilities.js';
import { CAPS_FLAG_FIELDS, F, MARIADB_CAPS_FLAG_FIELDS, STATUS_FLAG_FIELDS } from '../fields.js';
import {
  copyBytes, tBytes, tNulString, tRestBytes, tRestString, tU32, tU8, type TreeBuilder,
} from './tree.js';
import type {
  AuthMoreData, AuthNextFactor, AuthSwitchRequest, Greeting, HandshakeResponse, SslRequest,
} from './types.js';

const LOW_CAPS = CAPS_FLAG_FIELDS.slice(0, 16);
const HIGH_CAPS = CAPS_FLAG_FIELDS.slice(16).map((d) => ({ ...d, mask: (d.mask ?? 0) >>> 16 }));

/** Lower 16 capability bits with their flags as children. */
function capsLow(r: PayloadReader, t: TreeBuilder | null, def: typeof F.capsServer): number {
  const p = r.pos;
  const v = r.u16(def.label);
  if (t) t.flags(t.add(def, v, p, 2), LOW_CAPS, v);
  return v;
}

function capsHigh(r: PayloadReader, t: TreeBuilder | null, def: typeof F.capsServer): number {
  const p = r.pos;
  const v = r.u16(def.label);
  if (t) t.flags(t.add(def, v, p, 2), HIGH_CAPS, v);
  return v;
}

/**
 * Protocol::HandshakeV10. Protocol 9 (pre-4.1) is recognised but only its version and thread id are read.
 * MariaDB: when the server clears CLIENT_MYSQL (bit 0), the last 4 of the 10 reserved bytes carry its extended
 * capabilities.
 */
export function decodeGreeting(r: PayloadReader, t: TreeBuilder | null): Greeting {
  const g: Greeting = {
    kind: 'greeting', protocol: 0, version: '', threadId: 0, capabilities: 0, mariadbCapabilities: 0,
    collation: 0, status: 0, authPlugin: '', mariadb: false,
  };
  const start = r.pos;
  const node = t?.open(F.serverGreeting, null, start);
  try {
    g.protocol = tU8(r, t, F.protocol);
    g.version = tNulString(r, t, F.version);
    g.mariadb = g.version.startsWith('5.5.5-') || /mariadb/i.test(g.version);
    g.threadId = tU32(r, t, F.threadId);
    if (g.protocol !== 10) return g;
    tBytes(r, t, F.salt, 8);
    r.skip(1, 'filler');
    const low = capsLow(r, t, F.capsServer);
    g.capabilities = low;
    if (r.remaining > 0) {
      g.collation = tU8(r, t, F.serverLanguage);
      const sp = r.pos;
      g.status = r.u16('status flags');
      if (t) t.flags(t.add(F.serverStatus, g.status, sp, 2), STATUS_FLAG_FIELDS, g.status);
      const high = capsHigh(r, t, F.extcapsServer);
      g.capabilities = (low | (high << 16)) >>> 0;
      const authLen = tU8(r, t, F.authPluginLength);
      if (!hasCap(g.capabilities, CLIENT.LONG_PASSWORD)) {
        // MariaDB 10.2+: 6 reserved bytes then 4 bytes of extended capabilities.
        tBytes(r, t, F.unused, 6);
        const mp = r.pos;
        g.mariadbCapabilities = r.u32('MariaDB extended capabilities');
        if (t) t.flags(t.add(F.mariadbExtcapsServer, g.mariadbCapabilities, mp, 4), MARIADB_CAPS_FLAG_FIELDS, g.mariadbCapabilities);
        g.mariadb = true;
      } else {
        tBytes(r, t, F.unused, 10);
      }
      if (hasCap(g.capabilities, CLIENT.SECURE_CONNECTION)) {
        const n = Math.max(13, authLen - 8);
        tBytes(r, t, F.salt2, Math.min(n, r.remaining));
      }
      if (hasCap(g.capabilities, CLIENT.PLUGIN_AUTH) && r.remaining > 0) {
        const p = r.pos;
        g.authPlugin = r.nulStringOrRest(F.authPlugin.label);
        t?.add(F.authPlugin, g.authPlugin, p, r.pos - p);
      }
    }
  } finally {
    // Closed even when a read fails, so the partial subtree keeps its length and later nodes stay outside it.
    if (node) t!.close(node, r.pos);
  }
  return g;
}

/**
 * Protocol::HandshakeResponse41 / HandshakeResponse320 and Protocol::SSLRequest (a 32-byte HandshakeResponse41
 * prefix with CLIENT_SSL). The client's own capability flags decide the layout, as the server reads it.
 */
export function decodeHandshakeResponse(r: PayloadReader, t: TreeBuilder | null): HandshakeResponse | SslRequest {
  const start = r.pos;
  const total = r.remaining;
  const b1 = r.buf[r.pos + 1] ?? 0;
  const caps16 = (r.buf[r.pos] ?? 0) | (b1 << 8);
  if (!hasCap(caps16, CLIENT.PROTOCOL_41)) return decodeHandshakeResponse320(r, t);

  const isSsl = total === 32 && hasCap(caps16, CLIENT.SSL);
  const node = t?.open(isSsl ? F.sslRequest : F.loginRequest, null, start);
  try {
    return decodeHandshakeResponse41(r, t, isSsl);
  } finally {
    // Closed even when a read fails (partial subtree keeps its length; later nodes stay outside it).
    if (node) t!.close(node, r.pos);
  }
}

function decodeHandshakeResponse41(r: PayloadReader, t: TreeBuilder | null, isSsl: boolean): HandshakeResponse | SslRequest {
  const low = capsLow(r, t, F.capsClient);
  const high = capsHigh(r, t, F.extcapsClient);
  const caps = (low | (high << 16)) >>> 0;
  const maxPacket = tU32(r, t, F.maxPacket);
  const collation = tU8(r, t, F.charset);
  let mariadbCaps = 0;
  if (!hasCap(caps, CLIENT.LONG_PASSWORD)) {
    tBytes(r, t, F.unused, 19);
    const mp = r.pos;
    mariadbCaps = r.u32('MariaDB extended capabilities');
    if (t) t.flags(t.add(F.mariadbExtcapsClient, mariadbCaps, mp, 4), MARIADB_CAPS_FLAG_FIELDS, mariadbCaps);
  } else {
    tBytes(r, t, F.unused, 23);
  }
  if (isSsl) return { kind: 'ssl_request', capabilities: caps, maxPacket, collation };
  const resp: HandshakeResponse = {
    kind: 'handshake_response', format: 41, capabilities: caps, mariadbCapabilities: mariadbCaps, maxPacket,
    collation, user: '', schema: undefined, authPlugin: undefined, attributes: [], zstdLevel: undefined,
  };
  resp.user = tNulString(r, t, F.user);
  if (hasCap(caps, CLIENT.PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
    const p = r.pos;
    const v = r.lenencBytes('auth response');
    t?.add(F.passwd, copyBytes(v), p, r.pos - p);
  } else if (hasCap(caps, CLIENT.SECURE_CONNECTION)) {
    const p = r.pos;
    const n = r.u8('auth response length');
    const v = r.bytes(n, 'auth response');
    t?.add(F.passwd, copyBytes(v), p, r.pos - p);
  } else {
    const p = r.pos;
    const v = r.nulBytes('auth response');
    t?.add(F.passwd, copyBytes(v), p, r.pos - p);
  }
  if (hasCap(caps, CLIENT.CONNECT_WITH_DB) && r.remaining > 0) resp.schema = tNulString(r, t, F.schema);
  if (hasCap(caps, CLIENT.PLUGIN_AUTH) && r.remaining > 0) {
    const p = r.pos;
    resp.authPlugin = r.nulStringOrRest(F.clientAuthPlugin.label);
    t?.add(F.clientAuthPlugin, resp.authPlugin, p, r.pos - p);
  }
  if (hasCap(caps, CLIENT.CONNECT_ATTRS) && r.remaining > 0) decodeConnectAttributes(r, t, resp.attributes);
  if (hasCap(caps, CLIENT.ZSTD_COMPRESSION_ALGORITHM) && r.remaining > 0) resp.zstdLevel = tU8(r, t, F.zstdLevel);
  return resp;
}

/** Connection attributes: lenenc total length, then lenenc key/value strings. Shared with COM_CHANGE_USER. */
export function decodeConnectAttributes(r: PayloadReader, t: TreeBuilder | null, out: Array<[string, string]>): void {
  const p = r.pos;
  const len = r.lenencLength('connection attributes length');
  const attrsNode = t?.open(F.connattrs, null, p);
  t?.add(F.connattrsLength, len, p, r.pos - p);
  const end = r.pos + len;
  const savedEnd = r.end;
  r.end = end; // the attributes' own length bounds the key/value reads
  try {
    while (r.pos < end) {
      const ap = r.pos;
      const attr = t?.open(F.connattrsAttr, null, ap);
      const pn = r.pos;
      const name = r.lenencString('attribute name');
      t?.add(F.connattrsName, name, pn, r.pos - pn);
      const pv = r.pos;
      const value = r.lenencString('attribute value');
      t?.add(F.connattrsValue, value, pv, r.pos - pv);
      if (attr) t!.close(attr, r.pos); // on a failed read the outer close below closes it too
      out.push([name, value]);
    }
  } finally {
    r.end = savedEnd;
    if (attrsNode) t!.close(attrsNode, r.pos);
  }
}

/** Protocol::HandshakeResponse320 (pre-4.1 clients). */
function decodeHandshakeResponse320(r: PayloadReader, t: TreeBuilder | null): HandshakeResponse {
  const node = t?.open(F.loginRequest, null, r.pos);
  try {
    return decodeHandshakeResponse320Body(r, t);
  } finally {
    if (node) t!.close(node, r.pos);
  }
}

function decodeHandshakeResponse320Body(r: PayloadReader, t: TreeBuilder | null): HandshakeResponse {
  const caps = capsLow(r, t, F.capsClient);
  const p = r.pos;
  const maxPacket = r.u24('max packet size');
  t?.add(F.maxPacket, maxPacket, p, 3);
  const user = tNulString(r, t, F.user);
  let schema: string | undefined;
  if (hasCap(caps, CLIENT.CONNECT_WITH_DB)) {
    const pp = r.pos;
    const v = r.nulBytes('auth response');
    t?.add(F.passwd, copyBytes(v), pp, r.pos - pp);
    if (r.remaining > 0) schema = tNulString(r, t, F.schema);
  } else {
    tRestBytes(r, t, F.passwd);
  }
  return {
    kind: 'handshake_response', format: 320, capabilities: caps, mariadbCapabilities: 0, maxPacket, collation: 0,
    user, schema, authPlugin: undefined, attributes: [], zstdLevel: undefined,
  };
}

/** Protocol::AuthSwitchRequest: 0xFE, plugin name, plugin data. A lone 0xFE is the old-password switch. */
export function decodeAuthSwitchRequest(r: PayloadReader, t: TreeBuilder | null): AuthSwitchRequest {
  tU8(r, t, F.authSwitchStatus);
  if (r.remaining === 0) return { kind: 'auth_switch_request', plugin: 'mysql_old_password' };
  const p = r.pos;
  const plugin = r.nulStringOrRest(F.authSwitchName.label);
  t?.add(F.authSwitchName, plugin, p, r.pos - p);
  if (r.remaining > 0) tRestBytes(r, t, F.authSwitchData);
  return { kind: 'auth_switch_request', plugin };
}

/**
 * Protocol::AuthMoreData: 0x01 then plugin data. For caching_sha2_password a single status byte follows
 * (3 fast_auth_success, 4 perform_full_authentication); longer data is e.g. a PEM public key.
 */
export function decodeAuthMoreData(r: PayloadReader, t: TreeBuilder | null, plugin: string | undefined): AuthMoreData {
  r.u8('AuthMoreData header');
  const length = r.remaining;
  let status: number | undefined;
  let publicKey = false;
  if (length === 1 && (plugin === undefined || plugin === 'caching_sha2_password')) {
    status = tU8(r, t, F.sha2AuthState);
  } else if (length > 0) {
    publicKey = startsWith(r.buf, r.pos, '-----BEGIN');
    if (publicKey) tRestString(r, t, F.serverPublicKey);
    else tRestBytes(r, t, F.authMoreData);
  }
  return { kind: 'auth_more_data', status, length, publicKey };
}

/** AuthNextFactor (0x02, multi-factor authentication): the plugin of the next factor and its data. */
export function decodeAuthNextFactor(r: PayloadReader, t: TreeBuilder | null): AuthNextFactor {
  r.u8('AuthNextFactor header');
  const p = r.pos;
  const plugin = r.nulStringOrRest(F.authSwitchName.label);
  t?.add(F.authSwitchName, plugin, p, r.pos - p);
  if (r.remaining > 0) tRestBytes(r, t, F.authSwitchData);
  return { kind: 'auth_next_factor', plugin };
}

function startsWith(b: Uint8Array, at: number, ascii: string): boolean {
  if (b.length - at < ascii.length) return false;
  for (let i = 0; i < ascii.length; i++) if (b[at + i] !== ascii.charCodeAt(i)) return false;
  return true;
}
