/**
 * A light pass over a capture that tells, for every frame, which TCP connection (tcp.stream index) it belongs to.
 *
 * The analysis pipeline has no per-frame connection hook, and records only name the frames that completed MySQL
 * packets. This pass runs the same stages that number connections in the pipeline — the capture parser, the
 * PacketDecoder and the TcpReassembler (whose ConnTable numbers conversations exactly like Wireshark's tcp.stream)
 * — with a handler that drops all payload, so the index given to each frame is the `conn.index` the records carry
 * (same numbering rules, same limits). Frames that arrive for a connection after it closed (without a new SYN) are
 * given that connection's index, as Wireshark does. Frames without TCP (ARP, UDP, IP fragments) get `undefined`.
 *
 * Cost: one decode per frame and a few hundred bytes per connection; no payload is buffered (onData returns false,
 * so the reassembler drops data and only classifies segments).
 */
import type { CaptureInput } from '../api-types.js';
import { openCaptureStream, type CaptureResult } from '../capture/open.js';
import type { Frame } from '../capture/types.js';
import type { Issue } from '../core/issues.js';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import { PacketDecoder } from '../decode/decoder.js';
import { connKey } from '../flow/conn-table.js';
import type { ConnInfo } from '../flow/types.js';
import { TcpReassembler } from '../reassembly/reassembler.js';
import type { StreamHandler } from '../reassembly/types.js';

export interface ScanOptions {
  /** MySQL server ports (only decide client/server roles, never the numbering). Default [3306]. */
  ports?: number[];
  /** Must equal the limits of the analysis whose conn indexes are matched (maxConnections affects numbering). */
  limits?: Partial<Limits>;
  /** Capture-level issues (truncated file...). */
  onIssue?(issue: Issue): void;
  signal?: AbortSignal;
}

/** Canonical key of a connection's 4-tuple (identical for both directions). */
export function connTupleKey(conn: Pick<ConnInfo, 'client' | 'server'>): string {
  return connKey(conn.client.ip, conn.client.port, conn.server.ip, conn.server.port);
}

/**
 * Reads `input` once and calls `onFrame(frame, conn)` for every frame in order; `conn` is the TCP connection of the
 * frame (its `index` is Wireshark's tcp.stream) or undefined for frames without TCP. The frame is valid only
 * during the call (copy what must outlive it).
 */
export async function scanConnections(
  input: CaptureInput,
  onFrame: (frame: Frame, conn: ConnInfo | undefined) => void,
  opts: ScanOptions = {},
): Promise<CaptureResult> {
  const decoder = new PacketDecoder();
  const lastByKey = new Map<string, ConnInfo>();
  let cur: ConnInfo | undefined;
  const handler: StreamHandler = {
    onOpen(conn) {
      lastByKey.set(connTupleKey(conn), conn);
    },
    onData: () => false,
    onGap() {},
    onClose() {},
    onSegment(conn) {
      cur = conn;
    },
  };
  const ports = new Set(opts.ports ?? [3306]);
  const reassembler = new TcpReassembler(handler, {
    isServerPort: (p) => ports.has(p),
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
  });
  const res = await openCaptureStream(input, {
    onFrame(f) {
      cur = undefined;
      const pkt = decoder.decode(f);
      let conn: ConnInfo | undefined;
      if (pkt) {
        reassembler.push(pkt);
        conn = cur ?? lastByKey.get(connKey(pkt.src, pkt.srcPort, pkt.dst, pkt.dstPort));
      }
      onFrame(f, conn);
    },
    onIssue: (i) => opts.onIssue?.(i),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  reassembler.end();
  return res;
}

/**
 * Every frame of the given connections (by tcp.stream index), sorted. `conns` may be indexes or the ConnInfo of
 * records; with ConnInfo the 4-tuple is checked too (a frame is taken only when index and addresses both match).
 */
export async function connectionFrames(
  input: CaptureInput,
  conns: Iterable<number | ConnInfo>,
  opts: ScanOptions = {},
): Promise<Map<number, number[]>> {
  const want = new Map<number, string | undefined>();
  for (const c of conns) {
    if (typeof c === 'number') want.set(c, undefined);
    else want.set(c.index, connTupleKey(c));
  }
  const out = new Map<number, number[]>();
  for (const i of want.keys()) out.set(i, []);
  await scanConnections(
    input,
    (f, conn) => {
      if (conn === undefined || !want.has(conn.index)) return;
      const key = want.get(conn.index);
      if (key !== undefined && key !== connTupleKey(conn)) return;
      out.get(conn.index)!.push(f.no);
    },
    opts,
  );
  return out;
}
