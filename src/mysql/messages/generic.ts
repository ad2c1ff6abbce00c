/**
 * Generic response packets ("Generic Response Packets": OK_Packet, ERR_Packet, EOF_Packet).
 * They depend on the negotiated capabilities: CLIENT_PROTOCOL_41 (status/warnings, SQLSTATE),
 * CLIENT_TRANSACTIONS (status without warnings), CLIENT_SESSION_TRACK (info as lenenc + session state).
 */
import type { PayloadReader } from '../codec/payload-reader.js';
import { CLIENT, hasCap } from '../constants/capabilities.js';
import { SERVER } from '../constants/status.js';
import { F, STATUS_FLAG_FIELDS } from '../fields.js';
import { tLenenc, tLenencString, tU16, tU24, tU8, type TreeBuilder } from './tree.js';
import { decodeSessionState } from './session-track.js';
import type { Eof, Err, Ok, Progress } from './types.js';

export function statusField(r: PayloadReader, t: TreeBuilder | null): number {
  const p = r.pos;
  const v = r.u16('status flags');
  if (t) t.flags(t.add(F.serverStatus, v, p, 2), STATUS_FLAG_FIELDS, v);
  return v;
}

/**
 * `capsKnown` false (connection picked up mid-stream): whether the info is a lenenc string (CLIENT_SESSION_TRACK)
 * or the rest of the packet is read from its first byte — a lenenc length equal to the bytes that follow.
 */
export function decodeOk(r: PayloadReader, t: TreeBuilder | null, caps: number, capsKnown = true): Ok {
  const ok: Ok = { kind: 'ok', header: 0, affectedRows: 0, lastInsertId: 0, status: 0, warnings: 0, info: '' };
  ok.header = tU8(r, t, F.responseCode);
  // The 0xFE-headed OK that ends a result set (CLIENT_DEPRECATE_EOF) is also an end-of-data marker, as in Wireshark.
  if (ok.header === 0xfe) t?.add(F.eof, 0xfe, r.pos - 1, 1);
  ok.affectedRows = tLenenc(r, t, F.affectedRows);
  ok.lastInsertId = tLenenc(r, t, F.insertId);
  if (hasCap(caps, CLIENT.PROTOCOL_41)) {
    ok.status = statusField(r, t);
    ok.warnings = tU16(r, t, F.warnings);
  } else if (hasCap(caps, CLIENT.TRANSACTIONS)) {
    ok.status = statusField(r, t);
  }
  if (r.remaining === 0) return ok;
  const sessionTrack = capsKnown ? hasCap(caps, CLIENT.SESSION_TRACK) : r.buf[r.pos]! < 0xfb && r.buf[r.pos] === r.remaining - 1;
  if (sessionTrack) {
    const p = r.pos;
    ok.info = r.lenencString('info');
    if (ok.info) t?.add(F.message, ok.info, p, r.pos - p);
    if ((ok.status & SERVER.SESSION_STATE_CHANGED) !== 0 && r.remaining > 0) {
      // Session state information (CLIENT_SESSION_TRACK): the array keeps what was decoded before any error.
      ok.sessionState = [];
      decodeSessionState(r, t, ok.sessionState);
    }
  } else {
    const p = r.pos;
    ok.info = r.restString();
    t?.add(F.message, ok.info, p, r.pos - p);
  }
  return ok;
}

/** ERR_Packet. The SQLSTATE marker is present only under CLIENT_PROTOCOL_41, but servers also send it before
 *  capabilities are negotiated (errors instead of a greeting), so its presence is read from the byte itself. */
export function decodeErr(r: PayloadReader, t: TreeBuilder | null): Err {
  tU8(r, t, F.responseCode);
  const code = tU16(r, t, F.errorCode);
  let sqlstate: string | undefined;
  if (r.remaining >= 6 && r.buf[r.pos] === 0x23 /* '#' */) {
    r.pos++;
    const p = r.pos;
    sqlstate = r.fixedString(5, 'SQL state');
    t?.add(F.sqlstate, sqlstate, p, 5);
  }
  const p = r.pos;
  const message = r.restString();
  t?.add(F.errorMessage, message, p, r.pos - p);
  return { kind: 'err', code, sqlstate, message };
}

export function decodeEof(r: PayloadReader, t: TreeBuilder | null, caps: number): Eof {
  // Wireshark shows the 0xFE byte both as the response code and as the EOF marker.
  const code = tU8(r, t, F.responseCode);
  t?.add(F.eof, code, r.pos - 1, 1);
  let warnings = 0;
  let status = 0;
  if (hasCap(caps, CLIENT.PROTOCOL_41) && r.remaining >= 4) {
    warnings = tU16(r, t, F.warnings);
    status = statusField(r, t);
  }
  return { kind: 'eof', warnings, status };
}

/** An EOF_Packet is 0xFE with a payload shorter than 9 bytes; longer 0xFE packets are OK packets or data. */
export function isEofPacket(payload: Uint8Array, length: number): boolean {
  return payload[0] === 0xfe && length < 9;
}

/** An ERR_Packet with error code 0xFFFF is a MariaDB progress report, not an error. */
export function isProgressReport(b: Uint8Array, start = 0, end = b.length): boolean {
  return end - start >= 3 && b[start] === 0xff && b[start + 1] === 0xff && b[start + 2] === 0xff;
}

/** MariaDB progress report: 0xFF, 0xFFFF, int<1> 1, int<1> stage, int<1> max stage, int<3> progress, string<lenenc> info. */
export function decodeProgress(r: PayloadReader, t: TreeBuilder | null): Progress {
  tU8(r, t, F.responseCode);
  tU16(r, t, F.errorCode);
  r.u8('progress report marker');
  const stage = tU8(r, t, F.progressStage);
  const maxStage = tU8(r, t, F.progressMaxStage);
  const progress = tU24(r, t, F.progress);
  const info = r.remaining > 0 ? tLenencString(r, t, F.progressInfo) : '';
  return { kind: 'progress', stage, maxStage, progress, info };
}
