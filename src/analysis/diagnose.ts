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
import { tsCompare, tsDiff, type Timestamp } from '../core/time.js';
import type { ConnInfo } from '../flow/types.js';
import { formatEndpoint } from '../output/format.js';
import type { TcpConnStats } from '../pipeline/tcp-stats.js';
import { COM, commandId } from '../mysql/constants/commands.js';
import { exchangeSql } from './queries.js';

export const SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  severity: Severity;
  /**
   * A stable name for scripts: failed_login, server_gone_away, server_closed_idle, no_response, reset_during_request,
   * server_not_answering, slow_statement, error_burst, connection_churn, ... (docs/output.md lists them all).
   */
  kind: string;
  /** tcp.stream; null for a finding about many connections of one server (error bursts, connection churn). */
  conn: number | null;
  /** The client's ip:port; '*' for a finding about many connections. */
  client: string;
  server: string;
  /** The frames that show it (open them in Wireshark with frame.number in {...}). */
  frames: number[];
  message: string;
}

export interface DiagnoseOptions {
  /** Seconds: a statement slower than this is a finding (default 1). */
  slow: number;
  /** Seconds: a connection idle (nothing but keepalive probes) longer than this is a finding (default 60). */
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

/**
 * Errors with which a server ends a session: the client library then reports "MySQL server has gone away" (2006) or
 * "Lost connection to MySQL server" (2013) on this or the next statement. The codes and their causes are MariaDB's
 * and MySQL's error tables (mysqld_error.h).
 */
const GONE_AWAY_ERRORS = new Map<number, string>([
  [1053, 'the server is shutting down'],
  [1152, 'the server aborted the connection'],
  [1153, "a packet was bigger than the server's max_allowed_packet, so it closed the connection"],
  [1184, 'the server aborted the new connection'],
  [1927, 'the connection was killed (KILL)'],
  [4031, "the server disconnected the client for inactivity (wait_timeout / interactive_timeout)"],
]);

/** Linux's default tcp_keepalive_time: idle connections are first probed after two hours. */
const KEEPALIVE_TIME = 7200;
const nearKeepaliveTime = (s: number | undefined): boolean => s !== undefined && Math.abs(s - KEEPALIVE_TIME) <= KEEPALIVE_TIME * 0.02;

/** Error bursts: at least BURST_MIN failed statements on one server with no more than BURST_GAP seconds between them. */
const BURST_MIN = 5;
const BURST_GAP = 1;
/** Connection churn: a server that saw at least CHURN_RATE new connections within one second, ... */
const CHURN_RATE = 20;
/** ... or at least SHORT_MIN connections that lived under SHORT_LIVED seconds, half or more of all its connections. */
const SHORT_LIVED = 1;
const SHORT_MIN = 20;
/** How many frames a many-connection finding lists. */
const MAX_FRAMES = 20;

const endpoint = (c: ConnInfo, side: 'client' | 'server'): string => formatEndpoint(c[side], c.ipVersion);

/** What the rules remember about an open connection. */
interface ConnState {
  info: ConnInfo;
  /** Requests left without a response, judged once the connection's TCP end is known. */
  unanswered: Exchange[];
  loggedIn: boolean;
  /** The user of the last login attempt (handshake response or COM_CHANGE_USER). */
  loginUser: string | undefined;
  quit: boolean;
  /** A gone-away error was reported: the FIN that follows needs no second finding. */
  goneAway: boolean;
  /** The last MySQL message of the connection, and the one before (a client writes at most one request after the server's FIN). */
  lastTs: Timestamp;
  lastFrame: number;
  prevTs: Timestamp;
  prevFrame: number;
}

interface Burst {
  start: Timestamp;
  last: Timestamp;
  count: number;
  codes: Map<number, { n: number; message: string }>;
  conns: Set<number>;
  frames: number[];
}

/** What the rules remember about a server (all its connections): bounded, whatever the capture's length. */
interface ServerState {
  /** An example connection, for the endpoint names. */
  info: ConnInfo;
  /** The last BURST_MIN - 1 errors (time, frame, connection), and the burst in progress. */
  recentErrors: { ts: Timestamp; frame: number; conn: number; code: number; message: string }[];
  burst: Burst | undefined;
  /** New connections (SYN seen) within the last second, their peak and when it was reached. */
  window: { ts: Timestamp; frame: number }[];
  peakRate: number;
  peakFrames: number[];
  connections: number;
  shortLived: number;
  shortFrames: number[];
  shortTotal: number;
}

export class Diagnoser {
  private readonly findings: Finding[] = [];
  private readonly conns = new Map<number, ConnState>();
  private readonly servers = new Map<string, ServerState>();

  constructor(private readonly o: DiagnoseOptions) {}

  record(r: MySqlRecord): void {
    const st = this.state(r.conn, r);
    st.prevTs = st.lastTs;
    st.prevFrame = st.lastFrame;
    st.lastTs = r.lastTs;
    st.lastFrame = r.lastFrameNo;
    const e = r.event;
    if (r.dir === 'c2s') {
      if (e.kind === 'command' && e.command === COM.QUIT) st.quit = true;
      if (e.kind === 'handshake_response') st.loginUser = e.user;
      if (e.kind === 'command' && e.command === COM.CHANGE_USER) {
        st.loginUser = e.user;
        st.loggedIn = false;
      }
      return;
    }
    if (e.kind === 'ok') st.loggedIn = true;
    if (e.kind !== 'err') return;
    const gone = GONE_AWAY_ERRORS.get(e.code);
    if (gone !== undefined) {
      st.goneAway = true;
      this.add(r.conn, 'error', 'server_gone_away', [r.frameNo],
        `${gone} (ERROR ${e.code}: ${e.message}); the client sees "MySQL server has gone away" or "Lost connection" on this or its next statement`);
      return;
    }
    if (st.loggedIn) return;
    const what = LOGIN_ERRORS.get(e.code);
    if (what === undefined) return;
    const who = st.loginUser ?? r.connUser;
    const user = who !== undefined ? ` for user '${who}'` : '';
    this.add(r.conn, e.code === 1040 ? 'error' : 'warning', 'failed_login', [r.frameNo],
      `login failed${user}: ${what} (ERROR ${e.code}${e.sqlstate ? ` (${e.sqlstate})` : ''}: ${e.message})`);
  }

  exchange(x: Exchange): void {
    const st = this.state(x.conn, x.request);
    const name = commandOf(x);
    if (x.status === 'no_response') {
      st.unanswered.push(x);
      return;
    }
    if (x.status === 'error' && x.error !== undefined && !GONE_AWAY_ERRORS.has(x.error.code)) this.countError(x);
    if (x.endTs !== undefined) {
      const latency = tsDiff(x.request.lastTs, x.endTs);
      if (latency > this.o.slow) {
        this.add(x.conn, 'warning', 'slow_statement', [x.request.frameNo, x.endFrame ?? x.request.frameNo],
          `${name} took ${latency.toFixed(3)} s (over ${this.o.slow} s)${sqlOf(x)}`);
      }
    }
  }

  tcp(t: TcpConnStats): void {
    const st = this.conns.get(t.index);
    if (!st) return;
    // The connection is over: forget it (memory follows open connections, not the capture's length).
    this.conns.delete(t.index);
    const c = st.info;
    this.churn(c, t);
    const side = (d: 'c2s' | 's2c'): string => (d === 'c2s' ? 'client' : 'server');
    const open = st.unanswered;
    // After a gone-away error the server is gone: what the client sent after it is part of that finding.
    for (const x of st.goneAway ? [] : open) {
      const name = commandOf(x) + sqlOf(x);
      const frames = [x.request.frameNo, t.firstRstFrame ?? t.lastFrame];
      const afterFin = t.firstFin === 's2c' && t.firstFinTs !== undefined && tsCompare(x.request.ts, t.firstFinTs) > 0;
      if (afterFin) {
        this.add(c, 'error', 'sent_after_server_closed', [t.firstFinFrame ?? t.lastFrame, x.request.frameNo, ...(t.firstRstFrame !== undefined ? [t.firstRstFrame] : [])],
          `${name} was sent after the server had closed the connection (FIN at frame ${t.firstFinFrame}): it fails with "MySQL server has gone away" (2006) or "Lost connection" (2013)${t.firstRst === 's2c' ? ', and the server answered it with a reset' : ''}`);
      } else if (t.firstRst !== undefined) {
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
    // The server hung up (FIN, or RST as MariaDB does at wait_timeout) on a logged-in connection that was not
    // waiting for anything: wait_timeout, a KILL of an idle session, a restart. The client notices on its next use.
    const serverEnd = t.firstFin === 's2c' ? { how: 'closed (FIN)', ts: t.firstFinTs, frame: t.firstFinFrame }
      : t.firstRst === 's2c' && t.firstFin === undefined ? { how: 'reset (RST)', ts: t.firstRstTs, frame: t.firstRstFrame } : undefined;
    const waiting = open.some((x) => serverEnd?.ts === undefined || tsCompare(x.request.ts, serverEnd.ts) <= 0);
    let explained = st.goneAway;
    if (serverEnd?.ts !== undefined && st.loggedIn && !st.quit && !st.goneAway && !waiting) {
      explained = true;
      const before = tsCompare(st.lastTs, serverEnd.ts) <= 0;
      const idle = tsDiff(before ? st.lastTs : st.prevTs, serverEnd.ts);
      this.add(c, 'warning', 'server_closed_idle', [before ? st.lastFrame : st.prevFrame, serverEnd.frame ?? t.lastFrame],
        `the server ${serverEnd.how} the connection after ${idle.toFixed(1)} s without a request, and no QUIT from the client: wait_timeout, a KILL or a restart; the client's next statement on it fails with "MySQL server has gone away"`);
    }
    if (t.firstRst !== undefined && open.length === 0 && !explained) {
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
    const probedFor = t.longestIdle - (t.idleFirstProbeAfter ?? t.longestIdle);
    if (t.idleKeepalives > 0 && t.idleProbeAcks === 0 && (t.idleKeepalives >= 2 || probedFor >= 1) && t.idleFromFrame !== undefined && t.idleToFrame !== undefined) {
      // Probes into silence: the peer vanished without FIN or RST (crash, power loss, partition). Two probes, or one
      // left a second without an answer: a healthy peer answers within a round trip.
      this.add(c, 'error', 'half_open', [t.idleFromFrame, t.idleToFrame],
        `half-open: ${t.idleKeepalives} TCP keepalive probe(s) after ${t.longestIdle.toFixed(1)} s of silence and none answered: the peer is gone without a FIN or RST; Linux drops the connection after net.ipv4.tcp_keepalive_probes (9) unanswered probes, tcp_keepalive_intvl (75 s) apart`);
    }
    if (t.longestIdle > this.o.idle && t.idleFromFrame !== undefined && t.idleToFrame !== undefined) {
      const ka = t.idleKeepalives;
      let msg = `idle for ${t.longestIdle.toFixed(1)} s (frames ${t.idleFromFrame} → ${t.idleToFrame}), `;
      msg += ka > 0
        ? `${ka} TCP keepalive probe(s) in that time, the first after ${t.idleFirstProbeAfter!.toFixed(1)} s: keepalive is on, so a dead peer is noticed`
        : 'no TCP keepalive probes: keepalive is off (or its timer is longer), so a dead peer goes unnoticed until the next write';
      if (nearKeepaliveTime(t.idleFirstProbeAfter) || (ka === 0 && nearKeepaliveTime(t.longestIdle))) {
        msg += `; about 2 hours: Linux's default net.ipv4.tcp_keepalive_time (7200 s) before the first keepalive probe, so a dead peer goes unnoticed that long unless keepalive is tuned`;
      }
      this.add(c, 'warning', 'idle', [t.idleFromFrame, t.idleToFrame], msg);
    }
  }

  /** Findings, the most severe first, then by connection and frame (many-connection findings after single ones). */
  result(): Finding[] {
    for (const sv of this.servers.values()) {
      this.flushBurst(sv);
      this.churnFinding(sv);
    }
    this.servers.clear();
    const rank = (s: Severity): number => SEVERITIES.indexOf(s);
    const connRank = (c: number | null): number => (c === null ? Number.MAX_SAFE_INTEGER : c);
    return [...this.findings].sort((a, b) => rank(b.severity) - rank(a.severity) || connRank(a.conn) - connRank(b.conn) || (a.frames[0] ?? 0) - (b.frames[0] ?? 0));
  }

  private state(c: ConnInfo, r: MySqlRecord): ConnState {
    let st = this.conns.get(c.index);
    if (st === undefined) {
      st = { info: c, unanswered: [], loggedIn: false, loginUser: undefined, quit: false, goneAway: false, lastTs: r.lastTs, lastFrame: r.lastFrameNo, prevTs: r.lastTs, prevFrame: r.lastFrameNo };
      this.conns.set(c.index, st);
      this.opened(c, r);
    }
    return st;
  }

  private server(c: ConnInfo): ServerState {
    const key = endpoint(c, 'server');
    let sv = this.servers.get(key);
    if (sv === undefined) {
      sv = { info: c, recentErrors: [], burst: undefined, window: [], peakRate: 0, peakFrames: [], connections: 0, shortLived: 0, shortFrames: [], shortTotal: 0 };
      this.servers.set(key, sv);
    }
    return sv;
  }

  /** A new connection: the rate of new connections per second (those whose SYN was captured). */
  private opened(c: ConnInfo, r: MySqlRecord): void {
    if (!c.sawSyn) return;
    const sv = this.server(c);
    sv.connections++;
    const w = sv.window;
    w.push({ ts: c.firstTs, frame: c.firstFrame || r.frameNo });
    while (w.length > 0 && tsDiff(w[0]!.ts, c.firstTs) >= 1) w.shift();
    if (w.length > sv.peakRate) {
      sv.peakRate = w.length;
      sv.peakFrames = w.slice(0, MAX_FRAMES).map((x) => x.frame);
    }
  }

  private churn(c: ConnInfo, t: TcpConnStats): void {
    if (!t.sawSyn || t.end === 'end-of-capture' || t.end === 'limit') return;
    const life = tsDiff(t.firstTs, t.lastTs);
    if (life >= SHORT_LIVED) return;
    const sv = this.server(c);
    sv.shortLived++;
    sv.shortTotal += life;
    if (sv.shortFrames.length < MAX_FRAMES) sv.shortFrames.push(t.firstFrame);
  }

  private churnFinding(sv: ServerState): void {
    const manyShort = sv.shortLived >= SHORT_MIN && sv.shortLived * 2 >= sv.connections;
    if (sv.peakRate < CHURN_RATE && !manyShort) return;
    const parts: string[] = [];
    if (sv.peakRate >= CHURN_RATE) parts.push(`up to ${sv.peakRate} new connections within one second`);
    if (sv.shortLived > 0) parts.push(`${sv.shortLived} of ${sv.connections} connections lived under ${SHORT_LIVED} s (${((sv.shortTotal / sv.shortLived) * 1000).toFixed(1)} ms on average)`);
    const frames = sv.peakRate >= CHURN_RATE ? sv.peakFrames : sv.shortFrames;
    this.add(sv.info, sv.peakRate >= CHURN_RATE * 5 ? 'warning' : 'info', 'connection_churn', frames,
      `connection churn: ${parts.join('; ')}; each new connection pays the TCP handshake, authentication and session setup: a connection pool would reuse them`, true);
  }

  private countError(x: Exchange): void {
    const sv = this.server(x.conn);
    const err = x.error!;
    const ts = x.endTs ?? x.request.ts;
    const frame = x.endFrame ?? x.request.frameNo;
    const b = sv.burst;
    if (b !== undefined && tsDiff(b.last, ts) <= BURST_GAP) {
      this.addToBurst(b, ts, frame, x.conn.index, err.code, err.message);
      return;
    }
    this.flushBurst(sv);
    const recent = sv.recentErrors;
    while (recent.length > 0 && tsDiff(recent[recent.length - 1]!.ts, ts) > BURST_GAP) recent.length = 0;
    recent.push({ ts, frame, conn: x.conn.index, code: err.code, message: err.message });
    if (recent.length < BURST_MIN) return;
    const nb: Burst = { start: recent[0]!.ts, last: ts, count: 0, codes: new Map(), conns: new Set(), frames: [] };
    for (const e of recent) this.addToBurst(nb, e.ts, e.frame, e.conn, e.code, e.message);
    sv.burst = nb;
    recent.length = 0;
  }

  private addToBurst(b: Burst, ts: Timestamp, frame: number, conn: number, code: number, message: string): void {
    b.last = ts;
    b.count++;
    if (b.conns.size < 10_000) b.conns.add(conn);
    if (b.frames.length < MAX_FRAMES) b.frames.push(frame);
    const k = b.codes.get(code);
    if (k !== undefined) k.n++;
    else if (b.codes.size < 100) b.codes.set(code, { n: 1, message });
  }

  private flushBurst(sv: ServerState): void {
    const b = sv.burst;
    if (b === undefined) return;
    sv.burst = undefined;
    const top = [...b.codes.entries()].sort((p, q) => q[1].n - p[1].n).slice(0, 3)
      .map(([code, v]) => `${v.n}× ERROR ${code} (${v.message.length > 60 ? `${v.message.slice(0, 57)}...` : v.message})`);
    this.add(sv.info, 'warning', 'error_burst', b.frames,
      `burst of ${b.count} failed statements in ${tsDiff(b.start, b.last).toFixed(3)} s on ${b.conns.size} connection(s): ${top.join(', ')}`, true);
  }

  private add(c: ConnInfo, severity: Severity, kind: string, frames: number[], message: string, manyConns = false): void {
    this.findings.push({
      severity, kind, conn: manyConns ? null : c.index, client: manyConns ? '*' : endpoint(c, 'client'), server: endpoint(c, 'server'),
      frames: [...new Set(frames)], message,
    });
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
