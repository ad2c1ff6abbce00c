/**
 * Connections that carried MySQL, one row each, and the Wireshark / tcpdump filters that select them
 * (`myshark conns CAPTURE [-Y FILTER] --wireshark-filter`).
 *
 * A row sums up every message of the connection; with a predicate (a display filter), only connections with at
 * least one matching message are kept and `matched` counts those messages.
 */
import type { Timestamp } from '../core/time.js';
import { tsCompare } from '../core/time.js';
import type { ConnInfo, Endpoint } from '../flow/types.js';
import type { MySqlRecord } from '../model/record.js';
import { COM } from '../mysql/constants/commands.js';
import type { TcpConnStats } from '../pipeline/tcp-stats.js';

export interface ConnSummary {
  /** Wireshark's tcp.stream. */
  index: number;
  ipVersion: 4 | 6;
  client: Endpoint;
  server: Endpoint;
  /** From the server greeting, when captured. */
  serverVersion: string | undefined;
  /** Connection id (thread id) from the greeting. */
  threadId: number | undefined;
  /** Login user (or the latest COM_CHANGE_USER), when known. */
  user: string | undefined;
  /** Current schema at the connection's last message (login, USE / COM_INIT_DB, session tracking). */
  schema: string | undefined;
  /** The connection's first frame (its SYN when captured) and time. */
  firstFrame: number;
  firstTs: Timestamp;
  /** The frame and time of the end of its last MySQL message. */
  lastFrame: number;
  lastTs: Timestamp;
  /** MySQL messages, both directions. */
  messages: number;
  /** Client commands (COM_QUERY, COM_STMT_EXECUTE, …). */
  requests: number;
  /** ERR packets from the server. */
  errors: number;
  /** Messages that matched the predicate (= messages without one). */
  matched: number;
  /** The client sent COM_QUIT. */
  quit: boolean;
  /** TCP-level statistics, when the connection closed or the capture ended (see pipeline/tcp-stats.ts). */
  tcp?: TcpConnStats;
}

/** Collects rows from records as they stream by (nothing else is kept). */
export class ConnSummarizer {
  private readonly rows = new Map<number, ConnSummary>();
  private readonly tcp = new Map<number, TcpConnStats>();

  constructor(private readonly predicate?: (r: MySqlRecord) => boolean) {}

  add(r: MySqlRecord): void {
    let s = this.rows.get(r.conn.index);
    if (!s) {
      s = newRow(r.conn, r);
      this.rows.set(r.conn.index, s);
    }
    // Roles may have been corrected after the first message (greeting from the side taken for the client).
    s.client = r.conn.client;
    s.server = r.conn.server;
    s.messages++;
    const e = r.event;
    if (e.kind === 'greeting') {
      s.serverVersion = e.version;
      s.threadId = e.threadId;
    } else if (e.kind === 'command' && r.dir === 'c2s') {
      s.requests++;
      if (e.command === COM.QUIT) s.quit = true;
    } else if (e.kind === 'err') {
      s.errors++;
    }
    if (e.kind === 'handshake_response' && e.user !== '') s.user = e.user;
    if (r.connUser !== undefined) s.user = r.connUser;
    if (r.connSchema !== undefined) s.schema = r.connSchema;
    else if (e.kind === 'handshake_response' && e.schema !== undefined) s.schema = e.schema;
    if (s.threadId === undefined && r.connThreadId !== undefined) s.threadId = r.connThreadId;
    if (r.lastFrameNo >= s.lastFrame) {
      s.lastFrame = r.lastFrameNo;
      if (tsCompare(r.lastTs, s.lastTs) > 0) s.lastTs = r.lastTs;
    }
    if (this.predicate === undefined || this.predicate(r)) s.matched++;
  }

  /** The TCP statistics of a connection (analyze's onConnection); kept for connections that carried MySQL. */
  addTcp(t: TcpConnStats): void {
    this.tcp.set(t.index, t);
  }

  /** Rows in tcp.stream order; with a predicate, only connections with a matching message. */
  result(): ConnSummary[] {
    const rows = [...this.rows.values()].filter((s) => s.matched > 0).sort((a, b) => a.index - b.index);
    for (const r of rows) {
      const t = this.tcp.get(r.index);
      if (t) r.tcp = t;
    }
    return rows;
  }

  /** Connections that carried MySQL at all (matching or not). */
  get total(): number {
    return this.rows.size;
  }
}

function newRow(c: ConnInfo, r: MySqlRecord): ConnSummary {
  return {
    index: c.index,
    ipVersion: c.ipVersion,
    client: c.client,
    server: c.server,
    serverVersion: undefined,
    threadId: undefined,
    user: undefined,
    schema: undefined,
    firstFrame: c.firstFrame,
    firstTs: c.firstTs,
    lastFrame: r.lastFrameNo,
    lastTs: r.lastTs,
    messages: 0,
    requests: 0,
    errors: 0,
    matched: 0,
    quit: false,
  };
}

/** One row per TCP connection that carried MySQL (the records' connections), in tcp.stream order. */
export function summarizeConnections(records: Iterable<MySqlRecord>, predicate?: (r: MySqlRecord) => boolean): ConnSummary[] {
  const s = new ConnSummarizer(predicate);
  for (const r of records) s.add(r);
  return s.result();
}

type ConnLike = Pick<ConnSummary, 'index' | 'client' | 'server'>;

/**
 * The client-side ports of the connections, unique, in order: what the seed's reader assembled from lsof by hand.
 * A client port that is also a server port of the list (a client on port 3306?) is still listed: the filter then
 * selects more, never less.
 */
export function clientPorts(conns: Iterable<ConnLike>): number[] {
  const out: number[] = [];
  for (const c of conns) if (!out.includes(c.client.port)) out.push(c.client.port);
  return out;
}

export interface WiresharkFilters {
  /** `tcp.port == 51960 or tcp.port == 51834`: works on any capture of the same traffic (also a new one). */
  byPort: string;
  /**
   * `tcp.stream in {0, 3}` (`tcp.stream == 0` for one): exact, but only in this capture file (stream numbers are
   * per file). Comma-separated set: Wireshark 4.0 and later (older versions separate with spaces).
   */
  byStream: string;
}

/** Display filters for the connections; undefined when there are none (a filter matching nothing would mislead). */
export function wiresharkFilter(conns: Iterable<ConnLike>): WiresharkFilters | undefined {
  const list = [...conns];
  if (list.length === 0) return undefined;
  const ports = clientPorts(list);
  const streams = [...new Set(list.map((c) => c.index))].sort((a, b) => a - b);
  return {
    byPort: portsDisplayFilter(ports),
    byStream: streams.length === 1 ? `tcp.stream == ${streams[0]}` : `tcp.stream in {${streams.join(', ')}}`,
  };
}

/** The tcpdump (BPF) capture filter for the connections' client ports; undefined when there are none. */
export function bpfFilter(conns: Iterable<ConnLike>): string | undefined {
  const ports = clientPorts(conns);
  if (ports.length === 0) return undefined;
  return portsCaptureFilter(ports);
}

/** `tcp.port == 51960 or tcp.port == 51834` (the seed's filter, assembled by hand there). */
export function portsDisplayFilter(ports: readonly number[]): string {
  return ports.map((p) => `tcp.port == ${p}`).join(' or ');
}

/** `tcp port 51960 or tcp port 51834`, for tcpdump -f / dumpcap -f. */
export function portsCaptureFilter(ports: readonly number[]): string {
  return ports.map((p) => `tcp port ${p}`).join(' or ');
}
