/**
 * The worker's side of events.ts: makes the reader's recorded calls on real MySqlSessions, one per connection, in
 * the order they were made, with the clock at the position each was made at. Role swaps (a greeting from the side
 * taken for the client) happen here, where the session asks for them: the reader never hears of them, so from then
 * on its directions are flipped here, as its reassembler would have flipped them.
 */
import type { AnalyzeOptions, Totals } from '../api-types.js';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import type { TcpPacket } from '../decode/types.js';
import type { ConnInfo, Dir } from '../flow/types.js';
import type { MySqlRecord } from '../model/record.js';
import type { MySqlSession } from '../mysql/session/connection.js';
import { countRecord, newMySqlSession, newTotals } from '../pipeline/pipeline.js';
import { CLOSE_REASONS, EV_CLOSE, EV_DATA, EV_GAP, EV_OPEN, SLOTS, type InputBatch } from './events.js';

interface Replayed {
  conn: ConnInfo;
  session: MySqlSession;
  /** The session swapped the roles: the reader's c2s is this session's s2c. */
  swapped: boolean;
}

export class SessionReplay {
  /** Messages, issues and anomalies of this worker's records (the reader counts everything else). */
  readonly totals: Totals = newTotals();
  private readonly conns = new Map<number, Replayed>();
  private readonly limits: Limits;
  private recordId = 0;
  private firstSeen = false;
  /** One packet object for every call, as the decoder's (sessions keep it: see Forwarder.last). */
  private readonly pkt: TcpPacket = {
    frameNo: 0, tsSec: 0, tsNsec: 0, ipVersion: 4, src: '', dst: '', srcPort: 0, dstPort: 0, seq: 0, ack: 0,
    flags: 0, window: 0, payload: new Uint8Array(0), payloadMissing: 0, checksumOk: undefined, vlan: [],
  };

  constructor(
    private readonly opts: AnalyzeOptions,
    private readonly onRecord: (r: MySqlRecord) => void,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
  }

  apply(b: InputBatch): void {
    if (b.first !== undefined && !this.firstSeen) {
      this.firstSeen = true;
      this.opts.onFirstFrame?.(b.first);
    }
    const m = b.meta;
    const clock = this.opts.clock;
    for (let i = 0; i < m.length; i += SLOTS) {
      const type = m[i]!;
      const index = m[i + 1]!;
      if (clock !== undefined) clock.position = m[i + 2]!;
      if (type === EV_OPEN) {
        this.open(b.opens[m[i + 8]!]!);
        continue;
      }
      const r = this.conns.get(index);
      if (r === undefined) throw new Error(`parallel run: an event for connection ${index}, which was not opened`);
      const dir: Dir = (m[i + 3] === 0) !== r.swapped ? 'c2s' : 's2c';
      const pkt = this.packet(r.conn, dir, m, i);
      if (type === EV_DATA) {
        const at = m[i + 8]!;
        r.session.data(dir, b.bytes.subarray(at, at + m[i + 9]!), pkt);
      } else if (type === EV_GAP) {
        const endSeq = m[i + 9]!;
        r.session.gap(dir, m[i + 8]!, pkt, Number.isNaN(endSeq) ? undefined : endSeq);
      } else if (type === EV_CLOSE) {
        // Without a packet the session reads the one it holds (this same object): it now says what it said there.
        r.session.close(CLOSE_REASONS[m[i + 8]!]!, m[i + 9] === 1 ? pkt : null);
        this.conns.delete(index);
      }
    }
  }

  private open(conn: ConnInfo): void {
    const r: Replayed = {
      conn,
      swapped: false,
      session: newMySqlSession(conn, this.opts, this.limits, {
        emit: (rec) => {
          countRecord(this.totals, rec);
          this.onRecord(rec);
        },
        nextId: () => ++this.recordId,
        swapRoles: (c) => {
          const client = c.client;
          c.client = c.server;
          c.server = client;
          c.roleBasis = 'greeting';
          r.swapped = !r.swapped;
        },
      }),
    };
    this.conns.set(conn.index, r);
  }

  private packet(conn: ConnInfo, dir: Dir, m: Float64Array, i: number): TcpPacket {
    const p = this.pkt;
    const from = dir === 'c2s' ? conn.client : conn.server;
    const to = dir === 'c2s' ? conn.server : conn.client;
    p.frameNo = m[i + 4]!;
    p.tsSec = m[i + 5]!;
    p.tsNsec = m[i + 6]!;
    p.ack = m[i + 7]!;
    p.ipVersion = conn.ipVersion;
    p.src = from.ip;
    p.srcPort = from.port;
    p.dst = to.ip;
    p.dstPort = to.port;
    return p;
  }
}
