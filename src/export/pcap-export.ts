/**
 * Export to Wireshark (`myshark read -w OUT.pcap [--whole-connections]`): copies selected frames of a capture,
 * byte for byte, with their original timestamps and link type, into a file Wireshark and tcpdump open.
 *
 * Output format, decided once every selected frame is known:
 *   - all selected frames have one link type (always so for a classic pcap source): a classic pcap,
 *     nanosecond resolution when the source is a nanosecond pcap or any selected timestamp has a sub-microsecond
 *     part (a pcapng with if_tsresol finer than µs), else microsecond. Timestamps are copied exactly either way.
 *   - several link types (a pcapng with interfaces of different link types): classic pcap cannot hold that, so a
 *     pcapng is written (one interface per link type, same timestamp rule), whatever the file name says.
 * The frame bytes and their original (on-the-wire) length are copied unchanged; the record headers are rewritten
 * (little-endian). pcapng options (comments, interface names, flags) are not carried over.
 *
 * Only a capture file can be exported: the frames are copied in a second pass over the input, so standard input and
 * live captures (read once) are refused — save them first (`tcpdump -w FILE`) and run on the file.
 *
 * Memory stays bounded: selected frames are spooled to a temporary file next to the output, then written out.
 */
import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CaptureInput } from '../api-types.js';
import { openCaptureStream } from '../capture/open.js';
import { pcapFileHeader, pcapRecordHeader } from '../capture/pcap-writer.js';
import type { CaptureFormat, Frame } from '../capture/types.js';
import type { Issue } from '../core/issues.js';
import type { Limits } from '../core/limits.js';
import type { ConnInfo } from '../flow/types.js';
import type { MySqlRecord } from '../model/record.js';
import { connTupleKey, scanConnections } from './conn-scan.js';

/** An export that cannot be done (bad input kind, output = input, unwritable output): one sentence. */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

/**
 * Why `input` cannot be exported to `outPath`, or undefined when it can: call it before the analysis so a bad
 * command line fails at once (exit 2).
 */
export function exportProblem(input: CaptureInput, outPath: string): string | undefined {
  if (input.kind === 'stream') {
    return `-w needs a capture file: ${input.name} can be read only once (save it first, e.g. tcpdump -w FILE, then run on the file)`;
  }
  if (input.kind === 'live') {
    return `-w needs a capture file, not a live capture on ${input.iface} (capture with tcpdump -w FILE first, then run on the file)`;
  }
  if (outPath === '' || outPath === '-') return '-w wants an output file name (writing a capture to standard output is not supported)';
  if (resolve(outPath) === resolve(input.path)) return `-w ${outPath} would overwrite the capture being read; choose another file name`;
  return undefined;
}

export interface ExportResult {
  /** Frames written. */
  written: number;
  /** The format written ('pcap' µs, 'pcap-ns', or 'pcapng' when several link types were selected). */
  format: CaptureFormat | undefined;
  /** Link types of the written frames, in order of first appearance. */
  linkTypes: number[];
  /** Selected frame numbers that the capture did not have (e.g. past its end). */
  missing: number;
}

export interface ExportOptions {
  /** Capture-level issues of the second pass (already reported by the analysis; usually ignored). */
  onIssue?(issue: Issue): void;
}

// ------------------------------------------------------------------------------------------------ spool

/** Spool record header: linkType u32, sec f64, nsec u32, capLen u32, origLen u32. */
const SPOOL_HEADER = 24;
const BUF_SIZE = 1 << 20;

/** Buffered synchronous writes to a file descriptor. */
class FdWriter {
  private buf = Buffer.allocUnsafe(BUF_SIZE);
  private len = 0;
  constructor(readonly fd: number) {}
  write(b: Uint8Array): void {
    if (b.length > BUF_SIZE - this.len) this.flush();
    if (b.length >= BUF_SIZE) {
      writeAll(this.fd, b);
      return;
    }
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  flush(): void {
    if (this.len > 0) writeAll(this.fd, this.buf.subarray(0, this.len));
    this.len = 0;
  }
}

function writeAll(fd: number, b: Uint8Array): void {
  let off = 0;
  while (off < b.length) off += writeSync(fd, b, off, b.length - off);
}

/** What is known about the selected frames once they are all spooled. */
interface SpoolStats {
  count: number;
  linkTypes: number[];
  subMicro: boolean;
  maxCapLen: number;
  bigSeconds: boolean;
}

class Spool {
  private readonly w: FdWriter;
  readonly stats: SpoolStats = { count: 0, linkTypes: [], subMicro: false, maxCapLen: 0, bigSeconds: false };
  private readonly hdr = Buffer.alloc(SPOOL_HEADER);
  constructor(readonly path: string) {
    this.w = new FdWriter(openSync(path, 'w', 0o600));
  }
  add(f: Frame): void {
    const s = this.stats;
    s.count++;
    if (!s.linkTypes.includes(f.linkType)) s.linkTypes.push(f.linkType);
    if (f.tsNsec % 1000 !== 0) s.subMicro = true;
    if (f.data.length > s.maxCapLen) s.maxCapLen = f.data.length;
    if (f.tsSec > 0xffffffff || f.tsSec < 0) s.bigSeconds = true;
    const h = this.hdr;
    h.writeUInt32LE(f.linkType, 0);
    h.writeDoubleLE(f.tsSec, 4);
    h.writeUInt32LE(f.tsNsec, 12);
    h.writeUInt32LE(f.data.length, 16);
    h.writeUInt32LE(f.origLen, 20);
    this.w.write(h);
    this.w.write(f.data);
  }
  close(): void {
    this.w.flush();
    closeSync(this.w.fd);
  }
  /** Reads the spooled records back in order. */
  *records(): Generator<{ linkType: number; sec: number; nsec: number; origLen: number; data: Buffer }> {
    const fd = openSync(this.path, 'r');
    try {
      let buf = Buffer.allocUnsafe(BUF_SIZE);
      let start = 0;
      let end = 0;
      let eof = false;
      const need = (n: number): boolean => {
        while (end - start < n && !eof) {
          if (start > 0) {
            buf.copy(buf, 0, start, end);
            end -= start;
            start = 0;
          }
          if (buf.length < n) {
            const nb = Buffer.allocUnsafe(Math.max(n, buf.length * 2));
            buf.copy(nb, 0, 0, end);
            buf = nb;
          }
          const r = readSync(fd, buf, end, buf.length - end, null);
          if (r === 0) eof = true;
          end += r;
        }
        return end - start >= n;
      };
      for (;;) {
        if (!need(SPOOL_HEADER)) return;
        const linkType = buf.readUInt32LE(start);
        const sec = buf.readDoubleLE(start + 4);
        const nsec = buf.readUInt32LE(start + 12);
        const capLen = buf.readUInt32LE(start + 16);
        const origLen = buf.readUInt32LE(start + 20);
        if (!need(SPOOL_HEADER + capLen)) throw new ExportError('internal error: the export spool file is short');
        const data = buf.subarray(start + SPOOL_HEADER, start + SPOOL_HEADER + capLen);
        yield { linkType, sec, nsec, origLen, data };
        start += SPOOL_HEADER + capLen;
      }
    } finally {
      closeSync(fd);
    }
  }
}

// ------------------------------------------------------------------------------------------------ pcapng output

function pcapngBlock(type: number, body: Uint8Array): Buffer {
  const padded = (body.length + 3) & ~3;
  const b = Buffer.alloc(12 + padded);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(b.length, 4);
  b.set(body, 8);
  b.writeUInt32LE(b.length, b.length - 4);
  return b;
}

function pcapngShb(): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt32LE(0x1a2b3c4d, 0);
  body.writeUInt16LE(1, 4);
  body.writeUInt16LE(0, 6);
  body.writeInt32LE(-1, 8); // section length unknown
  body.writeInt32LE(-1, 12);
  return pcapngBlock(0x0a0d0d0a, body);
}

function pcapngIdb(linkType: number, nano: boolean): Buffer {
  const parts = [Buffer.alloc(8)];
  parts[0]!.writeUInt16LE(linkType, 0);
  parts[0]!.writeUInt32LE(0, 4); // snaplen: no limit
  if (nano) {
    const opt = Buffer.alloc(8);
    opt.writeUInt16LE(9, 0); // if_tsresol
    opt.writeUInt16LE(1, 2);
    opt.writeUInt8(9, 4); // 10^-9
    parts.push(opt, Buffer.alloc(4)); // opt_endofopt
  }
  return pcapngBlock(1, Buffer.concat(parts));
}

function pcapngEpb(iface: number, ts: bigint, data: Uint8Array, origLen: number): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt32LE(iface, 0);
  h.writeUInt32LE(Number(ts >> 32n), 4);
  h.writeUInt32LE(Number(ts & 0xffffffffn), 8);
  h.writeUInt32LE(data.length, 12);
  h.writeUInt32LE(origLen, 16);
  return pcapngBlock(6, Buffer.concat([h, data]));
}

// ------------------------------------------------------------------------------------------------ export

/**
 * Copies the frames numbered in `frames` (Wireshark's frame.number, 1-based) from the capture file `input` to
 * `outPath` (see the file comment for the format). Throws ExportError for an input that is not a file or an
 * output that cannot be written; CaptureError when the capture cannot be read.
 */
export async function exportFrames(input: CaptureInput, frames: Set<number>, outPath: string, opts: ExportOptions = {}): Promise<ExportResult> {
  return exportWhere(input, outPath, opts, (f) => frames.has(f.no), frames.size, undefined);
}

/** Selected frames as a predicate over the frame and its connection; shared by exportFrames and exportSelection. */
async function exportWhere(
  input: CaptureInput,
  outPath: string,
  opts: ExportOptions,
  select: (f: Frame, conn: ConnInfo | undefined) => boolean,
  expected: number | undefined,
  scan: { ports?: number[]; limits?: Partial<Limits> } | undefined,
): Promise<ExportResult> {
  const problem = exportProblem(input, outPath);
  if (problem !== undefined) throw new ExportError(problem);
  const spoolPath = `${outPath}.myshark-spool-${process.pid}`;
  const tmpOut = `${outPath}.myshark-tmp-${process.pid}`;
  let spool: Spool;
  try {
    spool = new Spool(spoolPath);
  } catch (e) {
    throw new ExportError(`cannot write ${outPath}: ${fsReason(e)}`);
  }
  let sourceFormat: CaptureFormat | undefined;
  let spoolOpen = true;
  try {
    const onIssue = (i: Issue): void => opts.onIssue?.(i);
    if (scan !== undefined) {
      const res = await scanConnections(input, (f, conn) => {
        if (select(f, conn)) spool.add(f);
      }, { ...scan, onIssue });
      sourceFormat = res.format;
    } else {
      const res = await openCaptureStream(input, {
        onFrame: (f) => {
          if (select(f, undefined)) spool.add(f);
        },
        onIssue,
      });
      sourceFormat = res.format;
    }
    spool.close();
    spoolOpen = false;
    const st = spool.stats;
    const nano = sourceFormat === 'pcap-ns' || st.subMicro;
    const ng = st.linkTypes.length > 1;
    if (!ng && st.bigSeconds) {
      throw new ExportError('a selected frame has a timestamp after 2106 or before 1970, which classic pcap cannot hold');
    }
    let fd: number;
    try {
      fd = openSync(tmpOut, 'w', 0o644);
    } catch (e) {
      throw new ExportError(`cannot write ${outPath}: ${fsReason(e)}`);
    }
    const w = new FdWriter(fd);
    try {
      if (ng) {
        w.write(pcapngShb());
        for (const lt of st.linkTypes) w.write(pcapngIdb(lt, nano));
        for (const r of spool.records()) {
          const units = nano ? BigInt(r.sec) * 1_000_000_000n + BigInt(r.nsec) : BigInt(r.sec) * 1_000_000n + BigInt(Math.floor(r.nsec / 1000));
          w.write(pcapngEpb(st.linkTypes.indexOf(r.linkType), units, r.data, r.origLen));
        }
      } else {
        const linkType = st.linkTypes[0] ?? 1;
        w.write(pcapFileHeader({ linkType, nanosecond: nano, snaplen: Math.max(262144, st.maxCapLen) }));
        for (const r of spool.records()) {
          w.write(pcapRecordHeader(r.sec, nano ? r.nsec : Math.floor(r.nsec / 1000), r.data.length, r.origLen));
          w.write(r.data);
        }
      }
      w.flush();
    } catch (e) {
      if (e instanceof ExportError) throw e;
      throw new ExportError(`cannot write ${outPath}: ${fsReason(e)}`);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(tmpOut, outPath);
    } catch (e) {
      throw new ExportError(`cannot write ${outPath}: ${fsReason(e)}`);
    }
    return {
      written: st.count,
      format: ng ? 'pcapng' : nano ? 'pcap-ns' : 'pcap',
      linkTypes: st.linkTypes,
      missing: expected !== undefined ? Math.max(0, expected - st.count) : 0,
    };
  } finally {
    if (spoolOpen) {
      try {
        spool.close();
      } catch {
        /* already failing */
      }
    }
    rmSync(spoolPath, { force: true });
    rmSync(tmpOut, { force: true });
  }
}

function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return err.message ?? String(e);
  }
}

// ------------------------------------------------------------------------------------------------ selection

/**
 * The frames behind a set of messages, collected record by record (so a caller streaming records need not keep
 * them). Three kinds of selection, resolved in the export pass:
 *   - exact frames: each record's frameNo and lastFrameNo, every packet's frameNo and partFrames (the frames that
 *     completed each MySQL packet);
 *   - ranges: frameNo..lastFrameNo of each record, restricted to the record's own connection (the TCP segments in
 *     between that carried the rest of a result set, and the ACKs), never frames of other connections;
 *   - whole connections (`wholeConnections`): every frame of the record's connection (SYN to FIN, ACKs included).
 * Limitation without wholeConnections: a MySQL packet's first TCP segments that arrived before the frame completing
 * the message's first packet (a query longer than one segment) are not included; use wholeConnections for a file
 * in which Wireshark can reassemble everything.
 */
export class FrameSelection {
  readonly frames = new Set<number>();
  /** Per connection index: [from, to] frame ranges (merged when resolved). */
  readonly ranges = new Map<number, Array<[number, number]>>();
  /** Matching connections by index (their 4-tuple is checked in the export pass). */
  readonly conns = new Map<number, ConnInfo>();
  /** Messages added. */
  messages = 0;

  constructor(readonly wholeConnections = false) {}

  add(r: MySqlRecord): void {
    this.messages++;
    this.conns.set(r.conn.index, r.conn);
    const f = this.frames;
    f.add(r.frameNo);
    f.add(r.lastFrameNo);
    for (const p of r.packets) {
      f.add(p.frameNo);
      if (p.partFrames) for (const n of p.partFrames) f.add(n);
    }
    if (!this.wholeConnections && r.lastFrameNo > r.frameNo) {
      let list = this.ranges.get(r.conn.index);
      if (!list) this.ranges.set(r.conn.index, (list = []));
      list.push([r.frameNo, r.lastFrameNo]);
    }
  }

  /** True when the selection needs the connection of each frame (ranges or whole connections). */
  get needsConnections(): boolean {
    return this.wholeConnections || this.ranges.size > 0;
  }

  /**
   * A predicate over (frame, its connection) for the export pass. Frames must be offered in increasing order
   * (capture order) for the range check.
   */
  predicate(): (f: Frame, conn: ConnInfo | undefined) => boolean {
    const keys = new Map<number, string>();
    for (const [i, c] of this.conns) keys.set(i, connTupleKey(c));
    const merged = new Map<number, { list: Array<[number, number]>; at: number }>();
    for (const [i, list] of this.ranges) merged.set(i, { list: mergeRanges(list), at: 0 });
    return (f, conn) => {
      if (this.frames.has(f.no)) return true;
      if (conn === undefined) return false;
      const key = keys.get(conn.index);
      if (key === undefined || key !== connTupleKey(conn)) return false;
      if (this.wholeConnections) return true;
      const m = merged.get(conn.index);
      if (!m) return false;
      while (m.at < m.list.length && m.list[m.at]![1] < f.no) m.at++;
      const r = m.list[m.at];
      return r !== undefined && r[0] <= f.no && f.no <= r[1];
    };
  }
}

function mergeRanges(list: Array<[number, number]>): Array<[number, number]> {
  const s = [...list].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** A selection from records already in memory (see FrameSelection). */
export function framesOfRecords(records: Iterable<MySqlRecord>, opts: { wholeConnections?: boolean } = {}): FrameSelection {
  const s = new FrameSelection(opts.wholeConnections === true);
  for (const r of records) s.add(r);
  return s;
}

export interface SelectionExportOptions extends ExportOptions {
  /** The analysis' server ports and limits (conn indexes are matched: use the same values). */
  ports?: number[];
  limits?: Partial<Limits>;
}

/**
 * Writes the frames of a selection (one pass over `input`: frames, their connection, copy). This is what
 * `read -w OUT [--whole-connections]` does after the analysis.
 */
export async function exportSelection(input: CaptureInput, sel: FrameSelection, outPath: string, opts: SelectionExportOptions = {}): Promise<ExportResult> {
  if (!sel.needsConnections) return exportFrames(input, sel.frames, outPath, opts);
  const scan: { ports?: number[]; limits?: Partial<Limits> } = {};
  if (opts.ports) scan.ports = opts.ports;
  if (opts.limits) scan.limits = opts.limits;
  return exportWhere(input, outPath, opts, sel.predicate(), undefined, scan);
}
export { connectionFrames, scanConnections } from './conn-scan.js';

export interface RecordExport {
  /** Add a matching record (call from onRecord, for the records that pass -Y). */
  add(r: MySqlRecord): void;
  /** After the analysis: the second pass that writes the file. */
  finish(): Promise<ExportResult>;
  readonly selection: FrameSelection;
}

/**
 * `read -w OUT [--whole-connections]` in two calls: `createRecordExport` before the analysis (throws ExportError
 * at once for stdin / live / OUT = the input), `add` per matching record, `finish` after. Pass the analysis'
 * ports (and limits, if changed) so connections are numbered the same way.
 */
export function createRecordExport(
  input: CaptureInput,
  outPath: string,
  opts: { wholeConnections?: boolean; ports?: number[]; limits?: Partial<Limits> } = {},
): RecordExport {
  const problem = exportProblem(input, outPath);
  if (problem !== undefined) throw new ExportError(problem);
  const selection = new FrameSelection(opts.wholeConnections === true);
  const o: SelectionExportOptions = {};
  if (opts.ports) o.ports = opts.ports;
  if (opts.limits) o.limits = opts.limits;
  return {
    selection,
    add: (r) => selection.add(r),
    finish: () => exportSelection(input, selection, outPath, o),
  };
}

/** The line for stderr after an export: `wrote 23 frames (2 messages) to out.pcap (pcap, nanosecond timestamps)`. */
export function describeExport(res: ExportResult, outPath: string, messages?: number): string {
  const fmt = res.format === 'pcapng' ? `pcapng: ${res.linkTypes.length} link types, which classic pcap cannot hold` : res.format === 'pcap-ns' ? 'pcap, nanosecond timestamps' : 'pcap';
  const msgs = messages !== undefined ? ` (${messages} message${messages === 1 ? '' : 's'})` : '';
  return `wrote ${res.written} frame${res.written === 1 ? '' : 's'}${msgs} to ${outPath} (${fmt})`;
}
