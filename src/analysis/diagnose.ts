/**
 * `myshark diagnose`: what went wrong, as findings. Each finding names its connection, the frames that prove it
 * and says in one sentence what happened; severities let scripts fail on them (`--fail-on`).
 *
 * Sources: records (failed logins), exchanges (unanswered requests, slow statements) and the TCP statistics of each
 * connection (resets, retransmissions, lost segments, zero windows, silences). Rules use only what was captured;
 * where the capture cannot tell (e.g. why a server went silent), the sentence says what was seen, not a cause.
 */
import type { Exchange } from '../model/exchange.js';
import type { MySqlRecord } from '../model/record.js';
import { tsDiff } from '../core/time.js';
import type { ConnInfo } from '../flow/types.js';
import { formatEndpoint } from '../output/format.js';
import type { TcpConnStats } from '../pipeline/tcp-stats.js';
import { commandId } from '../mysql/constants/commands.js';
import { exchangeSql } from './queries.js';

export const SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  severity: Severity;
  /** A stable name for scripts: failed_login, no_response, reset_during_request, slow_statement, ... */
  kind: string;
  /** tcp.stream */
  conn: number;
  client: string;
  server: string;
  /** The frames that show it (open them in Wireshark with frame.number in {...}). */
  frames: number[];
  message: string;
}

export interface DiagnoseOptions {
  /** Seconds: a statement slower than this is a finding (default 1). */
  slow: number;
  /** Seconds: a connection silent longer than this is a finding (default 60). */
  idle: number;
}

/** Login errors: access denied (user, database), unknown database, host blocked, too many connections. */
const LOGIN_ERRORS = new Map<number, string>([
  [1040, 'too many connections'],
  [1044, 'access denied to the database'],
  [1045, 'access denied'],
  [1049, 'unknown database'],
  [1129, 'host blocked after too many connection errors'],
  [1130, 'host not allowed to connect'],
  [1251, 'authentication protocol not supported by the client'],
  [1698, 'access denied'],
]);

/** Linux's default tcp_keepalive_time: idle connections are first probed after two hours. */
const KEEPALIVE_TIME = 7200;

const endpoint = (c: ConnInfo, side: 'client' | 'server'): string => formatEndpoint(c[side], c.ipVersion);

export class Diagnoser {
  private readonly findings: Finding[] = [];
  private readonly conns = new Map<number, ConnInfo>();
  /** Unanswered requests per connection, judged once the connection's TCP end is known. */
  private readonly unanswered = new Map<number, Exchange[]>();
  private readonly loggedIn = new Set<number>();

  constructor(private readonly o: DiagnoseOptions) {}

  record(r: MySqlRecord): void {
    this.conns.set(r.conn.index, r.conn);
    const e = r.event;
    if (e.kind === 'ok' && r.dir === 's2c') this.loggedIn.add(r.conn.index);
    if (e.kind !== 'err' || r.dir !== 's2c' || this.loggedIn.has(r.conn.index)) return;
    const what = LOGIN_ERRORS.get(e.code);
    if (what === undefined) return;
    const user = r.connUser !== undefined ? ` for user '${r.connUser}'` : '';
    this.add(r.conn, e.code === 1040 ? 'error' : 'warning', 'failed_login', [r.frameNo],
      `login failed${user}: ${what} (ERROR ${e.code}${e.sqlstate ? ` (${e.sqlstate})` : ''}: ${e.message})`);
  }

  exchange(x: Exchange): void {
    this.conns.set(x.conn.index, x.conn);
    const name = commandOf(x);
    if (x.status === 'no_response') {
      const list = this.unanswered.get(x.conn.index) ?? [];
      list.push(x);
      this.unanswered.set(x.conn.index, list);
      return;
    }
    if (x.endTs !== undefined) {
      const latency = tsDiff(x.request.lastTs, x.endTs);
      if (latency > this.o.slow) {
        this.add(x.conn, 'warning', 'slow_statement', [x.request.frameNo, x.endFrame ?? x.request.frameNo],
          `${name} took ${latency.toFixed(3)} s (over ${this.o.slow} s)${sqlOf(x)}`);
      }
    }
  }

  tcp(t: TcpConnStats): void {
    const c = this.conns.get(t.index);
    if (!c) return;
    const side = (d: 'c2s' | 's2c'): string => (d === 'c2s' ? 'client' : 'server');
    const open = this.unanswered.get(t.index) ?? [];
    for (const x of open) {
      const name = commandOf(x) + sqlOf(x);
      const frames = [x.request.frameNo, t.firstRstFrame ?? t.lastFrame];
      if (t.firstRst !== undefined) {
        this.add(c, 'error', 'reset_during_request', frames, `${name} got no response: the ${side(t.firstRst)} reset the connection (RST) first`);
      } else if (t.firstFin === 's2c') {
        this.add(c, 'error', 'server_closed_during_request', frames, `${name} got no response: the server closed the connection (FIN) first ("server has gone away")`);
      } else if (t.retransmissions.c2s > 0 && t.end !== 'fin') {
        this.add(c, 'critical', 'server_not_answering', frames,
          `${name} got no response and the client retransmitted ${t.retransmissions.c2s} segment(s): the server (or the path to it) stopped answering`);
      } else if (t.end === 'end-of-capture') {
        const waited = tsDiff(x.request.lastTs, t.lastTs);
        this.add(c, 'info', 'no_response_at_end', frames, `${name} had no response when the capture ended (${waited.toFixed(3)} s after it was sent)`);
      } else {
        this.add(c, 'warning', 'no_response', frames, `${name} got no response before the connection ended`);
      }
    }
    // The connection is over: forget it (memory follows open connections, not the capture's length).
    this.unanswered.delete(t.index);
    this.conns.delete(t.index);
    this.loggedIn.delete(t.index);
    if (t.firstRst !== undefined && open.length === 0) {
      // A reset without an open request: a client that does not say QUIT, or a server/firewall dropping it.
      this.add(c, 'info', 'reset', [t.firstRstFrame ?? t.lastFrame], `connection reset (RST) by the ${side(t.firstRst)}`);
    }
    if (t.fin.c2s + t.fin.s2c === 1 && t.firstRst === undefined && t.end === 'end-of-capture') {
      this.add(c, 'warning', 'half_closed', [t.lastFrame],
        `half-closed: the ${side(t.firstFin ?? 'c2s')} sent FIN, the other side never did before the capture ended`);
    }
    const lost = t.lostSegments.c2s + t.lostSegments.s2c;
    if (lost > 0) {
      this.add(c, 'warning', 'lost_segments', [t.firstGapFrame ?? t.lastFrame],
        `${lost} hole(s) in the TCP stream (${t.lostBytes.c2s + t.lostBytes.s2c} bytes not captured; reassembly gave up waiting for the first at frame ${t.firstGapFrame ?? t.lastFrame}); MySQL decoding resynchronised after each`);
    }
    const retr = t.retransmissions.c2s + t.retransmissions.s2c;
    if (retr > 0) {
      this.add(c, 'info', 'retransmissions', [t.firstRetransFrame ?? t.lastFrame], `${retr} retransmitted segment(s) (client ${t.retransmissions.c2s}, server ${t.retransmissions.s2c})`);
    }
    const zw = t.zeroWindows.c2s + t.zeroWindows.s2c;
    if (zw > 0) {
      const who = t.zeroWindows.s2c >= t.zeroWindows.c2s ? 'server' : 'client';
      this.add(c, 'warning', 'zero_window', [t.firstZeroWindowFrame ?? t.lastFrame], `${zw} zero-window advertisement(s), mostly by the ${who}: it could not take more data (slow reader)`);
    }
    if (t.longestSilence > this.o.idle && t.silenceFromFrame !== undefined && t.silenceToFrame !== undefined) {
      const ka = t.keepalives.c2s + t.keepalives.s2c;
      let msg = `silent for ${t.longestSilence.toFixed(1)} s (frames ${t.silenceFromFrame} → ${t.silenceToFrame}), ${ka > 0 ? `${ka} TCP keepalive probe(s) seen` : 'no TCP keepalive probes seen'}`;
      if (Math.abs(t.longestSilence - KEEPALIVE_TIME) <= KEEPALIVE_TIME * 0.02) {
        msg += `; about 2 hours: Linux's default net.ipv4.tcp_keepalive_time (7200 s) before the first keepalive probe, so a dead peer goes unnoticed that long unless keepalive is tuned`;
      }
      this.add(c, 'warning', 'idle', [t.silenceFromFrame, t.silenceToFrame], msg);
    }
  }

  /** Findings, the most severe first, then by connection and frame. */
  result(): Finding[] {
    const rank = (s: Severity): number => SEVERITIES.indexOf(s);
    return [...this.findings].sort((a, b) => rank(b.severity) - rank(a.severity) || a.conn - b.conn || (a.frames[0] ?? 0) - (b.frames[0] ?? 0));
  }

  private add(c: ConnInfo, severity: Severity, kind: string, frames: number[], message: string): void {
    this.findings.push({ severity, kind, conn: c.index, client: endpoint(c, 'client'), server: endpoint(c, 'server'), frames: [...new Set(frames)], message });
  }
}

function commandOf(x: Exchange): string {
  const e = x.request.event;
  return e.kind === 'command' ? commandId(e.command) : e.kind;
}

function sqlOf(x: Exchange): string {
  const e = x.request.event;
  const sql = e.kind === 'command' ? exchangeSql(e) : '';
  if (sql === '') return '';
  const one = sql.replace(/\s+/g, ' ').trim();
  return `: ${one.length > 80 ? `${one.slice(0, 77)}...` : one}`;
}
