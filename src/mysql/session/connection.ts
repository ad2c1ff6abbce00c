/**
 * One MySQL connection: frames both directions, runs the session state machine (state.ts) and turns packets into
 * records. Decoders are pure (messages/*); every side effect — phase changes, negotiated capabilities, the current
 * user and schema, the queue of requests awaiting answers — lives here.
 *
 * Facts that bite, each handled in exactly one place below:
 * - OK/EOF/rows are decoded with the negotiated capabilities (server ∩ client)            → `caps`
 * - 0xFE < 9 bytes is EOF, unless CLIENT_DEPRECATE_EOF: then a 0xFE OK ends a result set  → `endOfRows`
 * - 0xFB first in a response is LOCAL INFILE; inside a text row it is NULL                  → `onResponseFirst`
 * - sequence ids restart at 0 with every command                                           → `onClientPacket`
 * - after an SSLRequest both directions are TLS until the end                              → `startTls`
 * - SERVER_MORE_RESULTS_EXISTS means another result follows for the same request          → `finishResult`
 */
import type { Issue } from '../../core/issues.js';
import { DecodeError } from '../../core/issues.js';
import type { Limits } from '../../core/limits.js';
import { tsDiff } from '../../core/time.js';
import type { TcpPacket } from '../../decode/types.js';
import type { ConnInfo, Dir } from '../../flow/types.js';
import type { MySqlRecord } from '../../model/record.js';
import type { Exchange } from '../../model/exchange.js';
import type { CloseReason } from '../../reassembly/types.js';
import type { PayloadReader } from '../codec/payload-reader.js';
import { PacketFramer, type FramedPacket } from '../codec/framer.js';
import { TlsRecordFramer, type TlsRecordHeader } from '../codec/tls-records.js';
import { TlsHandshakeReassembler, parseTlsHandshakes } from '../codec/tls-hello.js';
import { CompressedFramer, type CompressionAlgorithm } from '../codec/compressed-framer.js';
import { CLIENT, MARIADB_CLIENT, hasCap } from '../constants/capabilities.js';
import { COM, commandHasResponse } from '../constants/commands.js';
import { SERVER } from '../constants/status.js';
import { MYSQL_TYPE } from '../constants/column-types.js';
import { asText, charsetByName, collationInfo, decoderForCharset, textDecoderForCollation, type ServerFlavor, type TextDecodeFn } from '../codec/charset.js';
import { applySessionChanges } from '../messages/session-track.js';
import { F, FB } from '../fields.js';
import { BinlogDecoder, binlogEventIssues, binlogPacketKind, decodeBinlogPacket, decodeSemiSyncAck } from '../messages/binlog.js';
import { decodeCommand } from '../messages/commands.js';
import { decodeEof, decodeErr, decodeOk, decodeProgress, isProgressReport } from '../messages/generic.js';
import { decodeAuthMoreData, decodeAuthNextFactor, decodeAuthSwitchRequest, decodeGreeting, decodeHandshakeResponse } from '../messages/handshake.js';
import { ColumnDefinitionCache, decodeColumnCount, decodeColumnDefinition, decodeTextRow, type ColumnTextDecoder } from '../messages/resultset.js';
import { isPlainTextRow } from '../codec/text-row.js';
import { type TreeBuilder, tRestBytes, tU16, tU32, tU8 } from '../messages/tree.js';
import { decodeBinaryRow } from '../messages/binary.js';
import { StatementRegistry, sqlWithValues } from './statements.js';
import type { AuthDataKind, ColumnDefinition, Command, Err, MySqlEvent, Ok, ResultSet, StmtPrepareOk } from '../messages/types.js';
import { exactPacketChain, looksCompressed, looksLikeGreeting, plausibleRequestStart, plausibleResponseStart } from './plausible.js';
import { MessageBuilder, type Decode } from './message-builder.js';
import { addResponse, markLost, newExchange } from './exchange.js';
import { seqLt } from '../../core/seq.js';
import { RESP, type PendingRequest, type Phase, type ResponseState } from './state.js';

export interface SessionOptions {
  tree: boolean;
  hex: boolean;
  limits: Limits;
  /**
   * Hold each request until its response starts, so that it can carry mysql.response_in (files: default). Off for
   * live captures and pipes, where a request must show when it is sent, not when (or if) it is answered.
   */
  holdRequests?: boolean;
}

export interface SessionSink {
  emit(record: MySqlRecord): void;
  nextId(): number;
  /** Ask the reassembler to swap client and server (the greeting came from the side we took for the client). */
  swapRoles(conn: ConnInfo): void;
  /** A request with its whole response (or none), once complete. */
  exchange?(x: Exchange): void;
}

/** Capabilities assumed for a connection whose handshake was not captured (shown on its first message). */
export const MIDSTREAM_ASSUMED_CAPS =
  CLIENT.PROTOCOL_41 | CLIENT.SECURE_CONNECTION | CLIENT.TRANSACTIONS | CLIENT.MULTI_RESULTS | CLIENT.PS_MULTI_RESULTS |
  CLIENT.PLUGIN_AUTH | CLIENT.LONG_FLAG;

export { MIDSTREAM_ASSUMPTIONS } from './message-builder.js';

/** What the session learned about the connection, for summaries. */
export interface ConnectionFacts {
  serverVersion?: string;
  threadId?: number;
  user?: string;
  schema?: string;
  /** The client's character set (login collation; SET NAMES / character_set_client when tracked). */
  charset?: string;
  authPlugin?: string;
  login?: 'ok' | 'failed';
  loginError?: Err;
  tls: boolean;
  compressed: boolean;
  midstream: boolean;
  quit: boolean;
  requests: number;
  errors: number;
}

export class MySqlSession {
  phase: Phase;
  readonly facts: ConnectionFacts;
  private serverCaps = 0;
  private clientCaps = 0;
  /** Negotiated capabilities (server ∩ client); assumed ones when the handshake was not seen. */
  private caps = MIDSTREAM_ASSUMED_CAPS;
  private mariadbCaps = 0;
  private capsKnown = false;
  private pendingLogin: { user: string; schema: string | undefined } | undefined;
  private lastAuthPlugin: string | undefined;
  /** MariaDB or MySQL: collation ids differ above 223. */
  private flavor: ServerFlavor = 'mariadb';
  /** Decoders for strings sent by the client and by the server (UTF-8 until the login says otherwise). */
  private clientText: TextDecodeFn = asText(decoderForCharset('utf8mb4'));
  private resultsText: TextDecodeFn = this.clientText;

  /** Replication stream state (format description, table maps), created with the first event after BINLOG_DUMP. */
  private binlog: BinlogDecoder | undefined;
  /** Where an authentication exchange (login or COM_CHANGE_USER) stands: it names what the client sends next. */
  private authStage: 'none' | 'switched' | 'full-auth' | 'key-sent' = 'none';
  private readonly pending: PendingRequest[] = [];
  /**
   * Where the server's stream resumed after its last gap (TCP sequence number), until a request shows the client had
   * received the bytes from there on. A request that arrives later but was sent before (its acknowledgement is below
   * this) was held back by a gap of the client's own: its response was in the server's lost bytes too.
   */
  private serverResumed: number | undefined;
  private resp: ResponseState = RESP.first;
  private readonly framers: Readonly<Record<Dir, PacketFramer>>;
  private readonly tls: Record<Dir, TlsRecordFramer>;
  /** Direction lost its packet boundary (gap or mid-stream start); the next plausible chunk start resyncs it. */
  private readonly desync: Record<Dir, boolean>;
  private readonly dropped: Record<Dir, number> = { c2s: 0, s2c: 0 };
  private pkt!: TcpPacket;
  private curDir: Dir = 'c2s';
  /** Column definitions decoded last (result sets of a statement run again repeat them). */
  private readonly columnCache = new ColumnDefinitionCache();
  /** Turns packets into records (decode, tree, issues); this class decides what each packet is. */
  private readonly msg: MessageBuilder;

  constructor(
    readonly conn: ConnInfo,
    private readonly opts: SessionOptions,
    private readonly sink: SessionSink,
  ) {
    const mid = !conn.sawSyn;
    this.phase = mid ? 'unknown' : 'await_greeting';
    this.facts = { tls: false, compressed: false, midstream: mid, quit: false, requests: 0, errors: 0 };
    this.desync = { c2s: mid, s2c: mid };
    // Records pass through pair(): requests are held until their response starts, responses point back to them.
    this.msg = new MessageBuilder(conn, this.facts, opts, { ...sink, emit: (r) => this.pair(r) });
    const max = opts.limits.maxMessageBytes;
    this.framers = {
      c2s: new PacketFramer((p) => this.onPacket('c2s', p), max),
      s2c: new PacketFramer((p) => this.onPacket('s2c', p), max, (rows, bytes, nextSeq) => this.onCountedRows(rows, bytes, nextSeq)),
    };
    this.tls = {
      c2s: new TlsRecordFramer((h, f, body) => this.onTlsRecord('c2s', h, f, body)),
      s2c: new TlsRecordFramer((h, f, body) => this.onTlsRecord('s2c', h, f, body)),
    };
  }

  // ---------------------------------------------------------------- stream input

  data(dir: Dir, bytes: Uint8Array, pkt: TcpPacket): void {
    this.pkt = pkt;
    this.msg.at(pkt, dir);
    if (this.facts.tls) {
      this.tls[dir].push(bytes, pkt.frameNo);
      return;
    }
    if (this.compression !== 'none') {
      this.pushCompressed(dir, bytes, pkt.frameNo);
      return;
    }
    if (this.desync[dir]) {
      if (this.facts.midstream && this.phase === 'unknown') {
        const algorithm = looksCompressed(bytes);
        if (algorithm && !exactPacketChain(bytes)) {
          this.startCompression(algorithm, false);
          this.msg.noteForNext(this.msg.issue('assumption', 'mysql.compression_detected',
            `the compressed protocol (${algorithm}) was recognised from the framing: it was negotiated before the capture started`));
          this.pushCompressed(dir, bytes, pkt.frameNo);
          return;
        }
      }
      if (!this.tryResync(dir, bytes)) {
        this.dropped[dir] += bytes.length;
        return;
      }
      // tryResync may have swapped roles: the chunk now belongs to the other direction.
      if (this.swappedJustNow) {
        this.swappedJustNow = false;
        dir = dir === 'c2s' ? 's2c' : 'c2s';
      }
    } else if (this.phase === 'await_greeting' && dir === 'c2s' && this.conn.roleBasis !== 'syn' && looksLikeGreeting(bytes)) {
      this.swap();
      dir = 's2c';
    }
    const used = this.framers[dir].push(bytes, pkt.frameNo);
    if (used < bytes.length) {
      // The stream switched mode after a packet of this chunk (TLS after SSLRequest, compression after the login).
      if (this.facts.tls) this.tls[dir].push(bytes.subarray(used), pkt.frameNo);
      else if (this.compression !== 'none') this.pushCompressed(dir, bytes.subarray(used), pkt.frameNo);
    }
  }

  // ---------------------------------------------------------------- compression

  /** CLIENT_COMPRESS (zlib) or CLIENT_ZSTD_COMPRESSION_ALGORITHM, in force from the packet after the login's OK. */
  private compression: 'none' | 'zlib' | 'zstd' = 'none';
  private inflaters: Record<Dir, CompressedFramer> | null = null;

  private startCompression(algorithm: CompressionAlgorithm, afterLogin = true): void {
    this.compression = algorithm;
    // Mid-stream, compressed packets start at MySQL packet boundaries: the inner streams are in sync.
    if (!afterLogin) this.desync.c2s = this.desync.s2c = false;
    this.facts.compressed = true;
    const max = this.opts.limits.maxMessageBytes;
    const mk = (dir: Dir) => new CompressedFramer(
      (bytes, _h, frameNo) => {
        if (!this.desync[dir]) this.framers[dir].push(bytes, frameNo);
      },
      (message) => this.streamIssue(dir, { layer: 'mysql', kind: 'malformed', code: 'mysql.uncompress_failure', message, frame: this.pkt.frameNo }),
      max,
      algorithm,
    );
    this.inflaters = { c2s: mk('c2s'), s2c: mk('s2c') };
    if (afterLogin) this.framers.s2c.halt(); // the OK that ended the login is the last uncompressed server packet
  }

  private pushCompressed(dir: Dir, bytes: Uint8Array, frameNo: number): void {
    if (this.desync[dir]) {
      this.dropped[dir] += bytes.length;
      return;
    }
    this.inflaters?.[dir].push(bytes, frameNo);
  }

  private swappedJustNow = false;

  /** The roles were guessed wrong (a greeting came from the 'client'): swap them before anything was framed. */
  private swap(): void {
    this.sink.swapRoles(this.conn);
    this.framers.c2s.reset();
    this.framers.s2c.reset();
  }

  private tryResync(dir: Dir, bytes: Uint8Array): boolean {
    // First: a greeting from the side taken for the client means the roles were guessed wrong. (Checked before
    // the request test: a greeting's protocol byte 0x0a is also the COM_PROCESS_INFO command byte.)
    if (dir === 'c2s' && this.conn.roleBasis !== 'syn' && looksLikeGreeting(bytes)) {
      this.swap();
      this.swappedJustNow = true;
      this.resynced('s2c');
      return true;
    }
    if (dir === 's2c' ? plausibleResponseStart(bytes) : plausibleRequestStart(bytes)) {
      this.resynced(dir);
      return true;
    }
    return false;
  }

  private resynced(dir: Dir): void {
    this.desync[dir] = false;
    this.nextSeq = -1;
    if (this.dropped[dir] > 0) {
      this.streamIssue(dir, {
        layer: 'mysql', kind: 'gap', code: 'mysql.resync',
        message: `skipped ${this.dropped[dir]} bytes ${dir === 'c2s' ? 'from the client' : 'from the server'} that did not start at a MySQL packet boundary; decoding resumed in frame ${this.pkt.frameNo}`,
        frame: this.pkt.frameNo,
      });
      this.dropped[dir] = 0;
    }
  }

  /** `endSeq`: where the stream resumes (TCP sequence number); unknown (undefined) for tests that feed bytes. */
  gap(dir: Dir, length: number, pkt: TcpPacket, endSeq?: number): void {
    this.pkt = pkt;
    if (this.facts.tls) {
      this.tls[dir].reset();
      return;
    }
    this.framers[dir].reset();
    this.inflaters?.[dir].reset();
    this.desync[dir] = true;
    this.nextSeq = -1;
    const what = dir === 'c2s' ? 'client' : 'server';
    const issue: Issue = {
      layer: 'reassembly', kind: 'gap', code: 'tcp.lost_segment',
      message: `${length} bytes from the ${what} were not captured (lost segment, detected in frame ${pkt.frameNo}); decoding resumes at the next MySQL packet boundary`,
      frame: pkt.frameNo,
    };
    if (dir === 's2c') {
      this.msg.at(pkt, dir);
      if (this.msg.addToBuilding(issue)) {
        if (this.pending[0]) this.pending[0].lost = true; // the response being built lost its end
        this.finishIncomplete();
      } else {
        // Said even when no request was waiting: server bytes nobody asked for are worth knowing about, and the
        // requests TCP still holds back may have been answered in them.
        this.streamIssue(dir, issue);
      }
      // The responses of the requests the client sent before it had received the lost bytes were (at least partly)
      // in them; a request sent with an acknowledgement at or past their end was answered after them.
      let n = 0;
      while (n < this.pending.length && (endSeq === undefined || seqLt(this.pending[n]!.ack, endSeq))) n++;
      this.dropPending(n, true);
      this.serverResumed = endSeq;
      this.resp = RESP.first;
    } else {
      this.streamIssue(dir, issue);
    }
  }

  close(reason: CloseReason, pkt: TcpPacket | null): void {
    if (pkt) {
      this.pkt = pkt;
      this.msg.at(pkt, this.curDir);
    }
    if (this.msg.addToBuilding({
      layer: 'mysql', kind: 'truncated', code: 'mysql.incomplete_response',
      message: 'the connection ended (or the capture stopped) before this response was complete',
    })) {
      // The capture stopped (or stopped following the connection) in the middle of a response: its rest was not
      // captured, so its end and latency are unknown, as after a lost segment. A FIN or RST did end it there.
      if ((reason === 'end-of-capture' || reason === 'limit') && this.msg.buildingDir === 's2c' && this.pending[0]) this.pending[0].lost = true;
      this.finishIncomplete();
    }
    // Bytes of a packet whose rest never came (a cut capture, or a header that announced more than was sent): not
    // decodable, but said, so that nothing disappears silently.
    if (!this.facts.tls && this.compression === 'none') {
      for (const dir of ['c2s', 's2c'] as const) {
        const p = this.framers[dir].pendingPacket();
        if (!p) continue;
        const what = dir === 'c2s' ? 'client' : 'server';
        const head = p.headerBytes < 4
          ? `${p.headerBytes} byte(s) of a MySQL packet header`
          : `a MySQL packet (sequence id ${p.seq}) holding ${p.received} of the ${p.announced} payload bytes its header announced`;
        this.streamIssue(dir, {
          layer: 'mysql', kind: 'truncated', code: 'mysql.incomplete_packet',
          message: `the connection ended (or the capture stopped) with ${head} from the ${what}, starting in frame ${p.firstFrame}; not decoded`,
          frame: p.firstFrame,
        });
      }
    }
    // Requests still waiting: no response was captured for them.
    this.dropPending(this.pending.length);
  }

  // ---------------------------------------------------------------- packets

  private onPacket(dir: Dir, p: FramedPacket): void {
    if (dir === 's2c' && this.resp.k === 'rs_rows' && this.countRow(p)) return;
    this.curDir = dir;
    this.msg.at(this.pkt, dir);
    // Client strings are in character_set_client, server messages (errors, info) in character_set_results.
    this.msg.setTextDecoder(dir === 'c2s' ? this.clientText : this.resultsText);
    this.checkSequence(dir, p);
    if (dir === 'c2s') this.onClientPacket(p);
    else this.onServerPacket(p);
  }

  /**
   * Sequence ids count up by one across both directions of an exchange and restart at 0 with every command
   * (a client packet with sequence id 0 in the command phase). After a gap or a mid-stream start the expected id is
   * unknown until the next packet. A mismatch is attached to the message of that packet.
   */
  private checkSequence(dir: Dir, p: FramedPacket): void {
    // Under compression the compressed packets carry the sequence (servers number the inner packets differently).
    if (this.compression !== 'none') return;
    const newCommand = dir === 'c2s' && p.seq === 0 && this.phase !== 'auth' && this.phase !== 'await_login';
    // A server may send an ERR on its own (timeout, shutdown, killed connection), starting a new sequence.
    const unsolicitedErr = dir === 's2c' && p.seq === 0 && p.firstByte === 0xff;
    if (this.nextSeq !== -1 && !newCommand && !unsolicitedErr && p.seq !== this.nextSeq) {
      this.msg.noteForNext(this.msg.issue('unexpected', 'mysql.unexpected_sequence',
        `packet sequence id ${p.seq} where ${this.nextSeq} was expected: a packet is missing, duplicated or out of place`));
    }
    // A command sent while a response is still arriving (pipelining) does not change that response's numbering.
    if (newCommand && this.pending.length > 0) return;
    this.nextSeq = (p.lastSeq + 1) & 0xff;
  }

  /** Next expected sequence id, -1 when unknown. */
  private nextSeq = -1;
  /** limits.maxPendingRequests was reached (reported once). */
  private pendingLimitReported = false;


  private onClientPacket(p: FramedPacket): void {
    const first = p.firstByte;
    switch (this.phase) {
      case 'await_login':
        this.single(p, (r, t) => {
          const ev = decodeHandshakeResponse(r, t);
          if (ev.kind === 'ssl_request') {
            this.clientCaps = ev.capabilities;
            this.negotiate();
            this.startTls();
          } else {
            this.clientCaps = ev.capabilities;
            this.mariadbCaps &= ev.mariadbCapabilities;
            this.negotiate();
            this.pendingLogin = { user: ev.user, schema: ev.schema };
            this.setCharset(ev.collation);
            this.lastAuthPlugin = ev.authPlugin ?? this.lastAuthPlugin;
            this.phase = 'auth';
          }
          return ev;
        });
        return;
      case 'auth':
        this.onAuthClientPacket(p);
        return;
      case 'await_greeting':
      case 'unknown':
      case 'command':
        break;
      case 'ended':
        // After a failed login clients still say goodbye (COM_QUIT): decode commands, flag anything else.
        if (p.seq === 0 && first === COM.QUIT) break;
        this.single(p, () => ({ kind: 'unknown', reason: 'client data after the connection ended', firstByte: first >= 0 ? first : undefined }));
        return;
    }
    const head = this.pending[0];
    if (p.seq !== 0) {
      // Not a new command: LOCAL INFILE content, or auth data inside COM_CHANGE_USER.
      if (head && head.command === COM.CHANGE_USER && this.resp.k === 'auth') {
        this.onAuthClientPacket(p);
        return;
      }
      if (head && this.resp.k === 'infile_data') {
        const empty = p.length === 0;
        this.single(p, (r, t) => {
          if (r.remaining > 0) tRestBytes(r, t, F.loadDataPayload);
          return { kind: 'local_infile_data', length: p.length, end: empty };
        });
        if (empty) this.resp = RESP.infile_result;
        return;
      }
      this.single(p, () => ({ kind: 'unknown', reason: `client packet with sequence id ${p.seq} outside of a command`, firstByte: first >= 0 ? first : undefined }), 'mysql.unexpected_sequence');
      return;
    }
    // A semi-sync replica acknowledges events with 0xEF packets while the binlog dump runs.
    if (head && this.resp.k === 'binlog' && first === SEMI_SYNC_ACK) {
      this.single(p, (r, t) => decodeSemiSyncAck(r, t));
      this.nextSeq = -1; // the server restarts its numbering after reading an ACK
      return;
    }
    // A new command (sequence id 0).
    if (this.phase !== 'command' && this.phase !== 'ended') this.phase = 'command';
    if (!this.capsKnown && (this.resp.k === 'prep_params_eof' || this.resp.k === 'prep_columns_eof') && head?.prep) {
      // Mid-stream: the PREPARE response only lacked an optional EOF, so CLIENT_DEPRECATE_EOF is in force and the
      // response is complete (clients wait for it: the next command needs its statement id).
      this.learnEof(true);
      this.completePrepare(head);
    }
    let ev: MySqlEvent | undefined;
    if (this.pending.length >= this.opts.limits.maxPendingRequests && !this.pendingLimitReported) {
      // Said once per connection, on the request that finds the queue full.
      this.pendingLimitReported = true;
      this.msg.noteForNext(this.msg.issue('over-limit', 'mysql.pending_limit',
        `${this.pending.length} requests are waiting for a response (limit maxPendingRequests): from here on the oldest ` +
        `waiting request (now frame ${this.pending[0]!.frameNo}) is given up as unanswered whenever another is sent ` +
        `(deep pipelining, or the server's side of the connection is missing from the capture)`));
    }
    this.holding = true;
    this.single(p, (r, t) => {
      const c = decodeCommand(r, t, this.caps, (id) => this.stmts.get(id));
      this.notePreparedUse(c, t);
      ev = c;
      return c;
    });
    this.holding = false;
    const record = this.held;
    this.held = undefined;
    this.facts.requests++;
    const command = ev?.kind === 'command' ? ev.command : first;
    if (ev?.kind === 'command') {
      this.trackStatements(ev);
      if (ev.command === COM.QUIT) this.facts.quit = true;
    }
    if (command < 0 || !commandHasResponse(command)) {
      if (record) this.sink.emit(record);
      return;
    }
    if (this.pending.length >= this.opts.limits.maxPendingRequests) this.dropPending(1);
    const c = ev?.kind === 'command' ? ev : undefined;
    if (record && this.opts.holdRequests === false) this.sink.emit(record);
    this.pending.push({
      command, frameNo: this.pkt.frameNo, query: c?.query, schema: c?.schema, user: c?.user,
      responseSeq: (p.lastSeq + 1) & 0xff, stmtId: c?.stmtId, record, held: this.opts.holdRequests !== false, ack: this.pkt.ack,
    });
    if (this.serverResumed !== undefined) {
      // Delivered after the server's gap was handled (TCP held it for a gap in the client's stream), yet sent before
      // the client had the bytes after that gap: answered in them, like the requests gap() dropped.
      if (seqLt(this.pkt.ack, this.serverResumed)) this.dropPending(this.pending.length, true);
      else this.serverResumed = undefined;
    }
    if (this.pending.length === 1) this.resp = RESP.first;
  }

  // ---------------------------------------------------------------- request ↔ response pairing

  /** While a command is decoded its record is caught here instead of being emitted. */
  private holding = false;
  private held: MySqlRecord | undefined;

  /**
   * Every record goes through here. A request expecting an answer is held until its response starts, so it can say
   * where the response is (mysql.response_in); a server message answering the oldest pending request says which
   * request it answers (mysql.response_to) and how long after the request's last byte it ended (mysql.response_time).
   */
  private pair(r: MySqlRecord): void {
    if (this.holding && r.dir === 'c2s') {
      this.held = r;
      return;
    }
    const head = this.pending[0];
    if (r.dir === 's2c' && r.packets.length === 0) {
      // A stream-level note (lost bytes, resync) answers nothing; requests held before it go out first, in order
      // (without mysql.response_in: their response is not known yet).
      for (const p of this.pending) {
        if (p.held && p.record && p.record.frameNo <= r.frameNo) {
          p.held = false;
          this.sink.emit(p.record);
        }
      }
      this.sink.emit(r);
      return;
    }
    if (r.dir === 's2c' && head && this.phase === 'command') {
      const req = head.record;
      r.responseTo = head.frameNo;
      if (req) {
        r.responseTime = tsDiff(req.lastTs, r.lastTs);
        if (head.held) {
          req.responseIn = r.frameNo;
          head.held = false;
          this.sink.emit(req);
        }
        if (this.sink.exchange) addResponse((head.exchange ??= newExchange(this.conn, req)), r);
      }
    }
    this.sink.emit(r);
  }

  /** Forget the oldest `n` pending requests: their exchanges are complete (or got no answer); held records go out. */
  private dropPending(n: number, lost = false): void {
    for (const done of this.pending.splice(0, n)) {
      if (done.record && done.held) this.sink.emit(done.record);
      if (this.sink.exchange && done.record) {
        const x = done.exchange ?? newExchange(this.conn, done.record);
        if (lost || done.lost) markLost(x);
        this.sink.exchange(x);
      }
    }
  }


  private onServerPacket(p: FramedPacket): void {
    const first = p.firstByte;
    switch (this.phase) {
      case 'await_greeting':
      case 'unknown':
        if (p.seq === 0 && first === 0x0a) {
          this.single(p, (r, t) => {
            const g = decodeGreeting(r, t);
            this.serverCaps = g.capabilities;
            this.mariadbCaps = g.mariadbCapabilities;
            this.caps = g.capabilities;
            this.facts.serverVersion = g.version;
            this.flavor = g.mariadb ? 'mariadb' : 'mysql';
            this.facts.threadId = g.threadId;
            this.lastAuthPlugin = g.authPlugin || undefined;
            this.facts.midstream = false;
            this.phase = 'await_login';
            // The greeting is the first packet of a connection: the client has sent nothing yet, so its stream
            // starts at a packet boundary too (a capture that began just before the greeting).
            this.desync.c2s = false;
            return g;
          });
          return;
        }
        if (this.phase === 'await_greeting' && first === 0xff) {
          this.single(p, (r, t) => this.noteErr(decodeErr(r, t)));
          this.phase = 'ended';
          return;
        }
        if (this.phase === 'unknown' && this.pending.length === 0) {
          this.unsolicited(p, first, 'a response to a request sent before the capture started');
          return;
        }
        break;
      case 'auth':
        this.onAuthPacket(p, first);
        return;
      case 'await_login':
      case 'ended':
        this.unsolicited(p, first, `server data while ${this.phase === 'await_login' ? 'waiting for the login request' : 'the connection had ended'}`);
        return;
      case 'command':
        break;
    }
    const head = this.pending[0];
    if (isProgressReport(p.buf, p.start, p.end)) {
      // Interleaved with any response; neither ends nor interrupts it.
      this.msg.single(p, decodeProgress);
      return;
    }
    if (!head) {
      this.unsolicited(p, first, 'no request is waiting for a response');
      return;
    }
    this.onResponsePacket(head, p, first);
  }

  /** A server packet that answers no request we saw: an ERR is decoded (it is unambiguous), the rest is shown raw. */
  private unsolicited(p: FramedPacket, first: number, why: string): void {
    if (first === 0xff) {
      this.single(p, (r, t) => this.noteErr(decodeErr(r, t)));
      return;
    }
    this.single(p, (r, t) => {
      if (r.remaining > 0) tRestBytes(r, t, F.payload);
      return { kind: 'unknown', reason: why, firstByte: first >= 0 ? first : undefined };
    }, 'mysql.unknown_response');
  }

  private onAuthPacket(p: FramedPacket, first: number): void {
    this.onAuthServerPacket(p, first, (ok, err) => {
      if (ok) {
        this.loginSucceeded();
      } else {
        this.facts.login = 'failed';
        this.facts.loginError = err;
        this.phase = 'ended';
      }
    });
  }

  /**
   * A server packet of an authentication exchange (the login, or COM_CHANGE_USER): OK or ERR end it (`done`);
   * AuthSwitchRequest (0xFE), AuthMoreData (0x01) and AuthNextFactor (0x02, multi-factor) continue it.
   */
  private onAuthServerPacket(p: FramedPacket, first: number, done: (ok: boolean, err: Err | undefined) => void): void {
    switch (first) {
      case 0x00:
        this.single(p, (r, t) => {
          const ok = decodeOk(r, t, this.caps, this.capsKnown);
          t?.derived(F.loginOutcome, 'ok');
          this.noteOk(ok);
          return ok;
        });
        this.authStage = 'none';
        done(true, undefined);
        return;
      case 0xff: {
        let err: Err | undefined;
        this.single(p, (r, t) => {
          err = this.noteErr(decodeErr(r, t));
          t?.derived(F.loginOutcome, 'failed');
          return err;
        });
        this.authStage = 'none';
        done(false, err);
        return;
      }
      case 0xfe:
        this.single(p, (r, t) => {
          const ev = decodeAuthSwitchRequest(r, t);
          this.lastAuthPlugin = ev.plugin;
          this.authStage = 'switched';
          return ev;
        });
        return;
      case 0x01:
        this.single(p, (r, t) => {
          const ev = decodeAuthMoreData(r, t, this.lastAuthPlugin);
          if (ev.status === 4) this.authStage = 'full-auth';
          else if (ev.publicKey) this.authStage = 'key-sent';
          return ev;
        });
        return;
      case 0x02:
        this.single(p, (r, t) => {
          const ev = decodeAuthNextFactor(r, t);
          this.lastAuthPlugin = ev.plugin;
          this.authStage = 'switched';
          return ev;
        });
        return;
      default:
        this.unsolicited(p, first, 'unexpected packet during authentication');
    }
  }

  /** A client packet of an authentication exchange, named by what the server asked for. */
  private onAuthClientPacket(p: FramedPacket): void {
    const switched = this.authStage === 'switched';
    this.single(p, (r, t) => {
      const length = r.remaining;
      const what = this.authDataKind(r.buf.subarray(r.pos, r.end));
      if (what) t?.derived(F.authDataKind, what);
      tRestBytes(r, t, F.authSwitchResponseData);
      return switched ? { kind: 'auth_switch_response', length, what } : { kind: 'auth_data', length, what };
    });
    if (switched) this.authStage = 'none';
  }

  /** caching_sha2_password / sha256_password full authentication and mysql_clear_password, from the exchange so far. */
  private authDataKind(b: Uint8Array): AuthDataKind | undefined {
    switch (this.authStage) {
      case 'full-auth':
        if (b.length === 1 && b[0] === 0x02) return 'public key request';
        return this.facts.tls || isCleartext(b) ? 'cleartext password' : 'RSA-encrypted password';
      case 'key-sent':
        return 'RSA-encrypted password';
      case 'switched':
        if (this.lastAuthPlugin === 'sha256_password' && b.length === 1 && b[0] === 0x01) return 'public key request';
        if (this.lastAuthPlugin === 'mysql_clear_password') return 'cleartext password';
        return 'auth response';
      case 'none':
        return undefined;
    }
  }

  private loginSucceeded(): void {
    this.facts.login = 'ok';
    if (this.pendingLogin) {
      this.facts.user = this.pendingLogin.user;
      this.facts.schema = this.pendingLogin.schema;
    }
    this.facts.authPlugin = this.lastAuthPlugin;
    this.phase = 'command';
    if (hasCap(this.caps, CLIENT.ZSTD_COMPRESSION_ALGORITHM)) this.startCompression('zstd');
    else if (hasCap(this.caps, CLIENT.COMPRESS)) this.startCompression('zlib');
  }

  // ---------------------------------------------------------------- prepared statements

  /** Statements prepared on this connection (SQL, parameter and column definitions, remembered types). */
  private readonly stmts = new StatementRegistry();

  /** An EXECUTE shows its SQL with the values rendered in; one of a statement prepared before the capture says so. */
  private notePreparedUse(c: Command, t: TreeBuilder | null): void {
    const ex = c.execute;
    if (ex && c.query !== undefined && ex.params.length > 0) {
      t?.derived(FB.sqlRendered, sqlWithValues(c.query, ex.params.map((x) => x.value)));
    }
    if (c.stmtUnknown) {
      const how = ex?.inferred ? `; its ${ex.paramCount} parameter(s) were inferred from the bytes` : ex?.undecoded ? `; its parameters could not be decoded (${ex.undecoded})` : '';
      this.msg.noteForNext(this.msg.issue('assumption', 'mysql.stmt_unknown',
        `statement ${c.stmtId} was prepared before the capture began (or its PREPARE was not seen): its SQL is unknown${how}`));
    }
  }

  /** The registry follows PREPARE / EXECUTE / SEND_LONG_DATA / RESET / CLOSE, and forgets all on a reset or new user. */
  private trackStatements(c: Command): void {
    switch (c.command) {
      case COM.STMT_PREPARE:
        this.stmts.prepareSent(c.query ?? '');
        break;
      case COM.STMT_EXECUTE:
        if (c.execute) this.stmts.afterExecute(c.execute.stmtId, c.execute.sentTypes);
        break;
      case COM.STMT_BULK_EXECUTE:
        if (c.bulk) this.stmts.afterExecute(c.bulk.stmtId, c.bulk.sentTypes);
        break;
      case COM.STMT_SEND_LONG_DATA:
        if (c.stmtId !== undefined && c.param !== undefined) this.stmts.longData(c.stmtId, c.param, c.dataLength ?? 0);
        break;
      case COM.STMT_RESET:
        if (c.stmtId !== undefined) this.stmts.reset(c.stmtId);
        break;
      case COM.STMT_CLOSE:
        if (c.stmtId !== undefined) this.stmts.close(c.stmtId);
        break;
      case COM.RESET_CONNECTION:
      case COM.CHANGE_USER:
        this.stmts.clear();
        break;
      default:
        break;
    }
  }

  private rememberColumns(head: PendingRequest, rs: ResultSet): void {
    if (!rs.binary || rs.columns.length === 0 || head.stmtId === undefined) return;
    const stmt = this.stmts.get(head.stmtId);
    if (stmt) stmt.columns = rs.columns;
  }

  /** The column definitions binary rows of this request are decoded with: sent now, or cached by the statement. */
  private binaryColumns(head: PendingRequest, rs: ResultSet): readonly ColumnDefinition[] | undefined {
    if (rs.columns.length > 0) return rs.columns;
    const cached = head.stmtId !== undefined ? this.stmts.get(head.stmtId)?.columns : undefined;
    return cached && cached.length > 0 ? cached : undefined; // a statement known only by id has no columns
  }

  /** The character set the login (or COM_CHANGE_USER) asked for, by collation id: both directions use it. */
  private setCharset(collation: number): void {
    const info = collationInfo(collation, this.flavor);
    if (!info) return;
    this.facts.charset = info.charset;
    this.clientText = this.resultsText = asText(textDecoderForCollation(collation, this.flavor));
  }

  /**
   * What an OK packet tells about the session (CLIENT_SESSION_TRACK): the schema, and SET NAMES-style character
   * set changes, which then decode the strings of later messages.
   */
  private noteOk(ok: Ok): void {
    if (!ok.sessionState || ok.sessionState.length === 0) return;
    const s = applySessionChanges(ok.sessionState);
    if (s.schema !== undefined) this.facts.schema = s.schema;
    if (s.charsetClient !== undefined) {
      const cs = charsetByName(s.charsetClient, this.flavor);
      if (cs) {
        this.facts.charset = cs.charset;
        this.clientText = asText(cs.decoder);
      }
    }
    if (s.charsetResults !== undefined) {
      const cs = charsetByName(s.charsetResults, this.flavor);
      if (cs) this.resultsText = asText(cs.decoder);
    }
  }

  /** Per column of a text result set: its character set's decoder, or hex for binary strings. */
  private rowDecoders(columns: readonly ColumnDefinition[]): ColumnTextDecoder[] {
    return columns.map((c) => {
      const d = textDecoderForCollation(c.charset, this.flavor);
      if (d !== 'binary') return d;
      return isStringType(c.type) ? 'hex' : this.resultsText; // numbers and dates come as ASCII with charset 63
    });
  }

  private noteErr(err: Err): Err {
    this.facts.errors++;
    return err;
  }

  // ---------------------------------------------------------------- responses

  private onResponsePacket(head: PendingRequest, p: FramedPacket, first: number): void {
    const s = this.resp;
    switch (s.k) {
      case 'first':
        this.onResponseFirst(head, p, first);
        return;
      case 'auth':
        this.onChangeUserAuth(head, p, first);
        return;
      case 'rs_columns':
        if (!head.rs || this.msg.buildingDir === undefined) {
          this.completeRequest();
          this.unsolicited(p, first, 'column definitions of a result set that could not be followed');
          return;
        }
        this.msg.part(p, (r, t) => {
          const caps = this.capsKnown ? this.mariadbCaps : undefined;
          head.rs?.columns.push(t === null ? this.columnCache.decode(r, caps, false) : decodeColumnDefinition(r, t, caps, false));
        });
        if (s.left <= 1) this.resp = this.afterColumns();
        else this.resp = { k: 'rs_columns', left: s.left - 1 };
        return;
      case 'rs_columns_eof':
        if (this.isEndMarker(p, first) && this.isOkEndMarker(p)) {
          // An OK_Packet, not an EOF: CLIENT_DEPRECATE_EOF was in force and the set has no rows.
          this.learnEof(true);
          this.resp = RESP.rs_rows;
          this.onRows(head, p, first);
          return;
        }
        if (this.isEndMarker(p, first)) {
          this.learnEof(false);
          let status = 0;
          this.msg.part(p, (r, t) => (status = decodeEof(r, t, this.caps).status));
          if ((status & SERVER.STATUS_CURSOR_EXISTS) !== 0 && head.rs) {
            // COM_STMT_EXECUTE with a cursor: only the metadata comes now; rows follow COM_STMT_FETCH.
            head.rs.end = 'eof';
            head.rs.status = status;
            this.rememberColumns(head, head.rs);
            this.msg.finish(head.rs);
            head.rs = undefined;
            this.completeRequest();
            return;
          }
          this.resp = RESP.rs_rows;
          return;
        }
        // No EOF after the columns: the client did negotiate CLIENT_DEPRECATE_EOF after all.
        this.learnEof(true);
        this.resp = RESP.rs_rows;
        this.onRows(head, p, first);
        return;
      case 'rs_rows':
        this.onRows(head, p, first);
        return;
      case 'field_list':
        if (this.isEndMarker(p, first)) {
          let end: 'eof' | 'ok' = 'eof';
          this.msg.part(p, (r, t) => (end = this.decodeEndMarker(r, t, p).end));
          this.msg.finish({ kind: 'field_list', columns: head.fieldList ?? [], end });
          head.fieldList = undefined;
          this.completeRequest();
          return;
        }
        if (first === 0xff) {
          this.finishIncomplete();
          this.single(p, (r, t) => this.noteErr(decodeErr(r, t)));
          this.completeRequest();
          return;
        }
        this.msg.part(p, (r, t) => {
          (head.fieldList ??= []).push(decodeColumnDefinition(r, t, this.capsKnown ? this.mariadbCaps : undefined, true));
        });
        return;
      case 'prep_params':
      case 'prep_columns': {
        const isParam = s.k === 'prep_params';
        if (!head.prep || this.msg.buildingDir === undefined) {
          this.completeRequest();
          this.unsolicited(p, first, 'definitions of a prepared statement that could not be followed');
          return;
        }
        this.msg.part(p, (r, t) => {
          const col = decodeColumnDefinition(r, t, this.capsKnown ? this.mariadbCaps : undefined, false);
          (isParam ? head.prep?.params : head.prep?.columns)?.push(col);
        });
        if (s.left > 1) this.resp = { k: s.k, left: s.left - 1 };
        else this.resp = this.deprecateEof() ? this.afterPrepareSection(head, isParam) : { k: isParam ? 'prep_params_eof' : 'prep_columns_eof' };
        if (this.resp.k === 'first') this.completePrepare(head);
        return;
      }
      case 'prep_params_eof':
      case 'prep_columns_eof': {
        const isParam = s.k === 'prep_params_eof';
        if (first === 0xfe && p.length < 9) {
          this.learnEof(false);
          this.msg.part(p, (r, t) => decodeEof(r, t, this.caps));
          this.resp = this.afterPrepareSection(head, isParam);
          if (this.resp.k === 'first') this.completePrepare(head);
          return;
        }
        // Missing EOF: treat as deprecate-EOF and reprocess.
        this.learnEof(true);
        this.resp = this.afterPrepareSection(head, isParam);
        if (this.resp.k === 'first') {
          this.completePrepare(head);
          const next = this.pending[0];
          if (next) this.onResponsePacket(next, p, first);
          else this.unsolicited(p, first, 'no request is waiting for a response');
        } else {
          this.onResponsePacket(head, p, first);
        }
        return;
      }
      case 'infile_data':
        this.unsolicited(p, first, 'server data while the client sends LOCAL INFILE content');
        return;
      case 'infile_result':
        this.resp = RESP.first;
        this.onResponseFirst(head, p, first);
        return;
      case 'binlog':
        // The replication stream: one binlog event per packet (0x00, optional semi-sync header, event) until an
        // EOF (non-blocking dump) or an ERR.
        switch (binlogPacketKind(p.payload)) {
          case 'eof':
            this.single(p, (r, t) => decodeEof(r, t, this.caps));
            this.completeRequest();
            return;
          case 'err':
            this.single(p, (r, t) => this.noteErr(decodeErr(r, t)));
            this.completeRequest();
            return;
          default: {
            const decoder = (this.binlog ??= new BinlogDecoder());
            this.single(p, (r, t) => {
              const ev = decodeBinlogPacket(r, t, decoder, 'auto');
              for (const i of binlogEventIssues(ev)) this.msg.noteForNext(i);
              return ev;
            });
          }
        }
        return;
    }
  }

  private onResponseFirst(head: PendingRequest, p: FramedPacket, first: number): void {
    const cmd = head.command;
    if (first === 0xff) {
      this.single(p, (r, t) => this.noteErr(decodeErr(r, t)));
      if (cmd === COM.STMT_PREPARE) this.stmts.prepareFailed();
      this.completeRequest();
      return;
    }
    switch (cmd) {
      case COM.STATISTICS:
        this.single(p, (r, t) => {
          const pos = r.pos;
          const text = r.restString();
          t?.add(F.message, text, pos, r.pos - pos);
          return { kind: 'text', text };
        });
        this.completeRequest();
        return;
      case COM.CHANGE_USER:
        this.resp = RESP.auth;
        this.onChangeUserAuth(head, p, first);
        return;
      case COM.BINLOG_DUMP:
      case COM.BINLOG_DUMP_GTID:
        this.resp = RESP.binlog;
        this.onResponsePacket(head, p, first);
        return;
      case COM.FIELD_LIST:
        if (first !== 0xfe) {
          this.begin();
          this.resp = RESP.field_list;
          this.onResponsePacket(head, p, first);
          return;
        }
        break;
      case COM.STMT_FETCH:
        if (first !== 0xfe) {
          // Rows of an open cursor: binary rows then EOF, without column count or definitions.
          this.begin();
          head.rs = {
            kind: 'resultset', columnCount: 0, columns: [], rowCount: 0, rows: [], end: 'incomplete',
            status: 0, warnings: 0, moreResults: false, binary: true,
          };
          this.resp = RESP.rs_rows;
          this.onRows(head, p, first);
          return;
        }
        break;
      case COM.STMT_PREPARE:
        if (first === 0x00) {
          this.begin();
          this.msg.part(p, (r, t) => {
            tU8(r, t, F.responseCode);
            const prep: StmtPrepareOk = { kind: 'stmt_prepare_ok', stmtId: 0, numColumns: 0, numParams: 0, warnings: 0, params: [], columns: [] };
            prep.stmtId = tU32(r, t, F.stmtId);
            prep.numColumns = tU16(r, t, F.numFields);
            prep.numParams = tU16(r, t, F.numParams);
            if (r.remaining > 0) r.skip(1, 'filler');
            if (r.remaining >= 2) prep.warnings = tU16(r, t, F.stmtWarnings);
            if (r.remaining > 0) tU8(r, t, F.metadataFollows);
            head.prep = prep;
          });
          const prep = head.prep;
          if (!prep) {
            this.finishIncomplete();
            this.completeRequest();
            return;
          }
          this.resp = prep.numParams > 0 ? { k: 'prep_params', left: prep.numParams } : this.afterPrepareSection(head, true);
          if (this.resp.k === 'first') this.completePrepare(head);
          return;
        }
        break;
      default:
        break;
    }
    if (first === 0x00 || (first === 0xfe && p.length >= 7 && cmd !== COM.FIELD_LIST)) {
      let ok: Ok | undefined;
      this.single(p, (r, t) => (ok = decodeOk(r, t, this.caps, this.capsKnown)));
      if (ok) {
        this.noteOk(ok);
        this.afterOk(head);
      }
      this.finishResult(ok?.status ?? 0);
      return;
    }
    if (first === 0xfe) {
      let status = 0;
      this.single(p, (r, t) => {
        const eof = decodeEof(r, t, this.caps);
        status = eof.status;
        return eof;
      });
      this.finishResult(status);
      return;
    }
    if (first === 0xfb && (cmd === COM.QUERY)) {
      this.single(p, (r, t) => {
        tU8(r, t, F.responseCode);
        const pos = r.pos;
        const filename = r.restString();
        t?.add(F.loadDataFilename, filename, pos, r.pos - pos);
        return { kind: 'local_infile', filename };
      });
      this.resp = RESP.infile_data;
      return;
    }
    // A result set: column count first.
    this.begin();
    let count = 0;
    let metadataFollows = true;
    const decoded = this.msg.part(p, (r, t) => {
      // A metadata_follows byte follows the count under CLIENT_OPTIONAL_RESULTSET_METADATA or MariaDB's cached
      // metadata. Mid-stream the capabilities are unknown, but a count packet one byte longer than its lenenc says so.
      const withFlag = this.capsKnown
        ? hasCap(this.caps, CLIENT.OPTIONAL_RESULTSET_METADATA) || (this.mariadbCaps & MARIADB_CLIENT.CACHE_METADATA) !== 0
        : p.length === lenencSize(first) + 1;
      const cc = decodeColumnCount(r, t, withFlag);
      count = cc.count;
      metadataFollows = cc.metadataFollows;
    });
    head.rs = {
      kind: 'resultset', columnCount: count, columns: [], rowCount: 0, rows: [], end: 'incomplete',
      status: 0, warnings: 0, moreResults: false, binary: cmd === COM.STMT_EXECUTE,
    };
    if (count === 0 || !decoded) {
      this.finishIncomplete();
      this.completeRequest();
      return;
    }
    this.resp = metadataFollows ? { k: 'rs_columns', left: count } : this.afterColumns();
  }

  private onChangeUserAuth(head: PendingRequest, p: FramedPacket, first: number): void {
    this.onAuthServerPacket(p, first, (ok) => {
      if (ok) {
        this.facts.user = head.user;
        this.facts.schema = head.schema || undefined;
      }
      this.completeRequest();
    });
  }

  /**
   * The 0xFE packet that ends column definitions or rows: an EOF_Packet (5 bytes; 1 before 4.1) or, under
   * CLIENT_DEPRECATE_EOF, an OK_Packet with the 0xFE header (at least 7 bytes). The length decides when it can;
   * a 7- or 8-byte packet follows the negotiated capabilities.
   */
  private isEndMarker(p: FramedPacket, first: number): boolean {
    return first === 0xfe && p.parts === 1 && p.length < 0xffffff;
  }

  private isOkEndMarker(p: FramedPacket): boolean {
    return p.length >= 7 && !(p.length < 9 && this.capsKnown && !this.deprecateEof());
  }

  private decodeEndMarker(r: PayloadReader, t: TreeBuilder | null, p: FramedPacket): { end: 'eof' | 'ok'; status: number; warnings: number } {
    if (!this.isOkEndMarker(p)) {
      const eof = decodeEof(r, t, this.caps);
      return { end: 'eof', status: eof.status, warnings: eof.warnings };
    }
    const ok = decodeOk(r, t, this.caps, this.capsKnown);
    this.noteOk(ok);
    return { end: 'ok', status: ok.status, warnings: ok.warnings };
  }

  /** CLIENT_DEPRECATE_EOF: negotiated, or — mid-stream — learned from the first column definitions seen. */
  private deprecateEof(): boolean {
    return this.capsKnown ? hasCap(this.caps, CLIENT.DEPRECATE_EOF) : this.eofDeprecatedSeen === true;
  }

  /** Mid-stream only: whether an EOF followed column definitions (false) or not (true); undefined until seen. */
  private eofDeprecatedSeen: boolean | undefined;

  private learnEof(deprecated: boolean): void {
    if (!this.capsKnown && this.eofDeprecatedSeen === undefined) this.eofDeprecatedSeen = deprecated;
  }

  private afterColumns(): ResponseState {
    // Mid-stream, until it is learned whether an EOF follows the column definitions, 'rs_columns_eof' accepts either.
    if (!this.capsKnown && this.eofDeprecatedSeen === undefined) return RESP.rs_columns_eof;
    return this.deprecateEof() ? RESP.rs_rows : RESP.rs_columns_eof;
  }

  private afterPrepareSection(head: PendingRequest, wasParams: boolean): ResponseState {
    const cols = head.prep?.numColumns ?? 0;
    if (wasParams && cols > 0) return { k: 'prep_columns', left: cols };
    return RESP.first;
  }

  private completePrepare(head: PendingRequest): void {
    const prep = head.prep;
    if (prep) {
      this.stmts.prepared(head.query ?? '', { stmtId: prep.stmtId, params: prep.params, columns: prep.columns, numParams: prep.numParams });
      this.msg.finish(prep);
    }
    this.completeRequest();
  }

  private onRows(head: PendingRequest, p: FramedPacket, first: number): void {
    const rs = head.rs;
    if (!rs || this.msg.buildingDir === undefined) {
      // The result set was already closed (cut short); what follows cannot be placed in it.
      this.completeRequest();
      this.unsolicited(p, first, 'rows of a result set that could not be followed');
      return;
    }
    if (this.isEndMarker(p, first)) {
      let status = 0;
      this.msg.part(p, (r, t) => {
        const m = this.decodeEndMarker(r, t, p);
        rs.end = m.end;
        rs.status = status = m.status;
        rs.warnings = m.warnings;
      });
      rs.moreResults = (status & SERVER.MORE_RESULTS_EXISTS) !== 0;
      this.rememberColumns(head, rs);
      if (rs.end === 'incomplete') rs.end = p.length < 7 ? 'eof' : 'ok'; // its fields could not be decoded, but it ended the set
      this.msg.finish(rs);
      head.rs = undefined;
      this.finishResult(status);
      return;
    }
    if (first === 0xff) {
      let err: Err | undefined;
      this.msg.part(p, (r, t) => {
        err = this.noteErr(decodeErr(r, t));
      });
      rs.end = 'err';
      if (err) rs.error = err;
      this.msg.finish(rs);
      head.rs = undefined;
      this.completeRequest();
      return;
    }
    const keep = rs.rowCount < this.opts.limits.maxRowsKept;
    if (rs.binary) {
      // Binary protocol rows (COM_STMT_EXECUTE / FETCH): 0x00, NULL bitmap, values by the columns' types — the
      // ones sent with this result, or the statement's (cursor fetch, MariaDB cached metadata).
      const columns = this.binaryColumns(head, rs);
      if (rs.columnCount === 0 && columns) rs.columnCount = columns.length;
      this.msg.part(p, (r, t) => {
        if (!columns) {
          const node = t?.open(F.row, null, r.pos);
          if (r.u8('binary row header') !== 0x00) {
            throw new DecodeError('malformed', 'mysql.binary_row_header', 'a binary row must start with 0x00', 0);
          }
          tRestBytes(r, t, F.payload);
          if (node) t!.close(node, r.pos);
          throw new DecodeError('malformed', 'mysql.binary_row_no_columns', 'the columns of this binary row are unknown (statement prepared before the capture): shown raw', 0);
        }
        const values = decodeBinaryRow(r, keep ? t : null, columns);
        if (keep) rs.rows.push(values.map((v) => (v === null ? null : v.text)));
      }, !keep);
      rs.rowCount++;
      return;
    }
    const values: Array<string | null> | null = keep ? [] : null;
    const decoders = (head.rowDecoders ??= this.rowDecoders(rs.columns));
    this.msg.part(p, (r, t) => decodeTextRow(r, keep ? t : null, rs.columnCount, values, decoders), !keep);
    rs.rowCount++;
    if (values) rs.rows.push(values);
  }

  /**
   * The hot path of a query log: a text row beyond limits.maxRowsKept that is well formed and in sequence is only
   * counted, without the message builder (a sysbench range SELECT sends 100 of them per statement). False sends the
   * packet down the general path, which decodes it and reports what is wrong with it; the result is the same.
   */
  private countRow(p: FramedPacket): boolean {
    const head = this.pending[0];
    const rs = head?.rs;
    if (rs === undefined || rs.binary || rs.rowCount < this.opts.limits.maxRowsKept || p.parts !== 1 || p.truncated
      || this.phase !== 'command' || this.compression !== 'none' || (this.nextSeq !== -1 && p.seq !== this.nextSeq)
      || !isPlainTextRow(p.buf, rs.columnCount, p.start, p.end) || !this.msg.countPart(4 + p.length)) return false;
    this.rowsCounted(rs, 1, (p.seq + 1) & 0xff);
    // The rows that follow in this chunk are alike: the framer counts them itself until another packet comes.
    const f = this.framers.s2c;
    f.countColumns = rs.columnCount;
    f.countSeq = this.nextSeq;
    return true;
  }

  /**
   * Rows the framer counted after countRow armed it. It reports them within the same push, before any other packet,
   * so the result set and the message being built are still the ones countRow checked.
   */
  private onCountedRows(rows: number, bytes: number, nextSeq: number): void {
    this.msg.countPart(bytes);
    this.rowsCounted(this.pending[0]!.rs!, rows, nextSeq);
  }

  /** Counted rows (their bytes already added to the message): the state a decoded row would have left. */
  private rowsCounted(rs: ResultSet, rows: number, nextSeq: number): void {
    rs.rowCount += rows;
    this.nextSeq = nextSeq;
    this.curDir = 's2c';
    this.msg.at(this.pkt, 's2c');
  }

  /** The connection's schema follows COM_INIT_DB and `USE db` (both survive COM_RESET_CONNECTION). */
  private afterOk(head: PendingRequest): void {
    if (head.command === COM.INIT_DB) {
      this.facts.schema = head.schema;
    } else if (head.command === COM.QUERY && head.query) {
      const m = /^\s*use\s+`?([^`;\s]+)`?\s*;?\s*$/i.exec(head.query);
      if (m) this.facts.schema = m[1];
    }
  }

  /** A result (OK, EOF or result set) ended; another follows for the same request while MORE_RESULTS is set. */
  private finishResult(status: number): void {
    if ((status & SERVER.MORE_RESULTS_EXISTS) !== 0) {
      this.resp = RESP.first;
      return;
    }
    this.completeRequest();
  }

  private completeRequest(): void {
    this.dropPending(1);
    this.resp = RESP.first;
    // With pipelining the next request's response starts its own numbering.
    const next = this.pending[0];
    if (next && this.compression === 'none') this.nextSeq = next.responseSeq;
  }

  // ---------------------------------------------------------------- TLS

  /**
   * After an SSLRequest the bytes on the wire are TLS records (shown by onTlsRecord). The MySQL session itself goes
   * on where it was — waiting for the login request, which travels inside TLS — so that decrypted bytes, once a key
   * log can provide them, enter through `decrypted()` and are decoded exactly like clear text.
   */
  private startTls(): void {
    this.facts.tls = true;
    this.framers.c2s.halt();
  }

  /** Decrypted TLS application data of one direction: framed and decoded as if it had been sent in the clear. */
  decrypted(dir: Dir, bytes: Uint8Array, pkt: TcpPacket): void {
    this.pkt = pkt;
    this.msg.at(pkt, dir);
    this.framers[dir].push(bytes, pkt.frameNo);
  }

  /** Handshake messages may span TLS records: one reassembler per direction (created with the SSLRequest). */
  private tlsHandshakes: Record<Dir, TlsHandshakeReassembler> | undefined;

  private onTlsRecord(dir: Dir, h: TlsRecordHeader, frameNo: number, body: Uint8Array | undefined): void {
    this.curDir = dir;
    this.msg.at(this.pkt, dir);
    const reasm = (this.tlsHandshakes ??= { c2s: new TlsHandshakeReassembler(), s2c: new TlsHandshakeReassembler() })[dir];
    this.msg.tls(h, frameNo, body === undefined ? undefined : (t) => {
      const { messages, problems } = reasm.push(body, h.contentType);
      for (const pr of problems) this.msg.noteForNext(this.msg.issue(pr.kind, pr.code, pr.message));
      // Offsets of a message inside a record are known only when the record holds it whole; 5 = record header.
      return messages.flatMap((m) => parseTlsHandshakes(m, m.length <= body.length ? t : null, 5));
    });
  }

  // ---------------------------------------------------------------- record building

  private negotiate(): void {
    this.caps = (this.serverCaps & this.clientCaps) >>> 0;
    this.capsKnown = true;
  }

  /** Decode a one-packet message. One from the side of a multi-packet message in progress ends that one first:
   *  it cannot continue. (A client command arriving while a result set streams in is pipelining, and does not.) */
  private single(p: FramedPacket, decode: Decode<MySqlEvent>, unexpectedCode?: string): void {
    if (this.msg.buildingDir === this.curDir) this.finishIncomplete();
    this.msg.single(p, decode, unexpectedCode);
  }

  /** Start a multi-packet message (result set, field list, prepare response). */
  private begin(): void {
    if (this.msg.buildingDir !== undefined) this.finishIncomplete();
    this.msg.begin();
  }

  /** Emit whatever was built so far of a multi-packet message that cannot continue. */
  private finishIncomplete(): void {
    const dir = this.msg.buildingDir;
    if (dir === undefined) return;
    const head = this.pending[0];
    let ev: MySqlEvent;
    if (head?.rs) {
      ev = head.rs;
      head.rs = undefined;
    } else if (head?.prep) {
      ev = head.prep;
      head.prep = undefined;
    } else if (head?.fieldList) {
      ev = { kind: 'field_list', columns: head.fieldList, end: 'incomplete' };
      head.fieldList = undefined;
    } else {
      ev = { kind: 'unknown', reason: 'incomplete multi-packet response', firstByte: undefined };
    }
    this.msg.finish(ev, this.msg.issue('truncated', 'mysql.incomplete_response', 'this response ended before its end marker'));
    // The response cannot continue: its request is done, whatever follows is read as the next response.
    if (head && dir === 's2c') this.completeRequest();
  }

  private streamIssue(dir: Dir, issue: Issue): void {
    this.msg.at(this.pkt, dir);
    this.msg.streamIssue(issue);
  }
}

/** A password sent in the clear: printable bytes ending with NUL. */
function isCleartext(b: Uint8Array): boolean {
  if (b.length < 2 || b[b.length - 1] !== 0) return false;
  for (let i = 0; i < b.length - 1; i++) if (b[i]! < 0x20 || b[i]! > 0x7e) return false;
  return true;
}

const SEMI_SYNC_ACK = 0xef;

/** Bytes of a length-encoded integer, from its first byte. */
function lenencSize(first: number): number {
  return first < 0xfb ? 1 : first === 0xfc ? 3 : first === 0xfd ? 4 : first === 0xfe ? 9 : 1;
}

/** Column types whose values are strings of bytes (shown as hex when their character set is binary). */
function isStringType(type: number): boolean {
  return type === MYSQL_TYPE.VARCHAR || type === MYSQL_TYPE.VAR_STRING || type === MYSQL_TYPE.STRING ||
    type === MYSQL_TYPE.TINY_BLOB || type === MYSQL_TYPE.MEDIUM_BLOB || type === MYSQL_TYPE.LONG_BLOB ||
    type === MYSQL_TYPE.BLOB || type === MYSQL_TYPE.GEOMETRY || type === MYSQL_TYPE.BIT;
}
