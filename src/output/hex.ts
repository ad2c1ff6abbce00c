/**
 * `-x`: the bytes of each MySQL packet of a message (4-byte header + payload) as hex and ASCII, 16 bytes per
 * line as `tshark -x` prints them, followed by the field map: the byte range of every field, offsets counted
 * from the first header byte (so a field at payload offset o starts at o + 4):
 *
 *   Packet 0 (frame 5): 19 bytes
 *   0000  0f 00 00 00 03 73 68 6f 77 20 64 61 74 61 62 61   .....show databa
 *   0010  73 65 73                                          ses
 *   [0000-0002] Packet Length: 15
 *   [0003] Packet Number: 0
 *   [0004] Command: Query (3)
 *   [0005-0012] Statement: show databases
 *
 * Fields listed: every node with a value of its own (not `none`) read from this packet (offset ≥ 0), in offset
 * order; flags (fields with a mask) are left out because their parent already covers those bytes.
 */
import type { FieldNode } from '../model/field.js';
import type { MySqlRecord, PacketRef } from '../model/record.js';
import { formatValue, PACKET_HEADER_FIELDS } from './format.js';
import type { Sink } from './sink.js';
import { summarize, TimeBase, type Reporter } from './summary.js';
import { renderTree } from './tree.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Hex + ASCII dump, 16 bytes a line: `0000  0f 00 00 00 …   ....`. */
export function hexDump(bytes: Uint8Array): string {
  let out = '';
  for (let off = 0; off < bytes.length; off += 16) {
    const end = Math.min(off + 16, bytes.length);
    let hex = '';
    let ascii = '';
    for (let i = off; i < end; i++) {
      const b = bytes[i]!;
      hex += (i > off ? ' ' : '') + HEX[b];
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    out += `${off.toString(16).padStart(4, '0')}  ${hex.padEnd(16 * 3 - 1)}   ${ascii}\n`;
  }
  return out;
}

function range(start: number, length: number): string {
  const s = start.toString(16).padStart(4, '0');
  if (length <= 0) return `[${s}, 0 bytes]`;
  if (length === 1) return `[${s}]`;
  return `[${s}-${(start + length - 1).toString(16).padStart(4, '0')}]`;
}

function collect(nodes: readonly FieldNode[], packet: number, into: FieldNode[]): void {
  for (const n of nodes) {
    if (
      n.packet === packet &&
      n.offset >= 0 &&
      n.field.type !== 'none' &&
      n.field.mask === undefined &&
      !PACKET_HEADER_FIELDS.has(n.field.name)
    ) {
      into.push(n);
    }
    if (n.children) collect(n.children, packet, into);
  }
}

/** The fields of packet `index` with their byte ranges (header + payload offsets), one per line. */
export function fieldMap(r: MySqlRecord, index: number, p: PacketRef): string {
  const lines: string[] = r.event.kind === 'tls' ? [] : [`${range(0, 3)} Packet Length: ${p.length}\n`, `${range(3, 1)} Packet Number: ${p.seq}\n`];
  if (r.tree) {
    const fields: FieldNode[] = [];
    collect(r.tree, index, fields);
    // Stable sort: decoders emit in wire order already; this only fixes nodes added out of order.
    fields.sort((a, b) => a.offset - b.offset);
    const kept = p.bytes ? p.bytes.length : Infinity;
    for (const n of fields) {
      const start = n.offset + 4;
      const beyond = start + n.length > kept ? ' (beyond the bytes kept)' : '';
      lines.push(`${range(start, n.length)} ${n.field.label}: ${formatValue(n.field, n.value, n)}${beyond}\n`);
    }
  }
  return lines.join('');
}

/** The -x text of one record's packets (ends with a newline). */
export function renderHex(r: MySqlRecord): string {
  const out: string[] = [];
  r.packets.forEach((p, i) => {
    const bytes = p.bytes;
    const total = 4 + p.length;
    if (!bytes) {
      out.push(`Packet ${i} (frame ${p.frameNo}): ${total} bytes, not kept (hex output was not requested for this analysis)\n`);
    } else {
      const cut = p.truncated || bytes.length < total;
      out.push(
        `Packet ${i} (frame ${p.frameNo}): ${total} bytes${cut ? `, only the first ${bytes.length} kept (limit maxHexBytesPerMessage)` : ''}\n`,
      );
      out.push(hexDump(bytes));
    }
    out.push(fieldMap(r, i, p));
  });
  if (r.packets.length === 0) out.push('(no MySQL packets)\n');
  return out.join('');
}

/**
 * -x reporter: without -V, the summary line then the packets (as `tshark -x`); with -V (`tree`), the tree then
 * the packets. An empty line separates messages.
 */
export class HexReporter implements Reporter {
  constructor(
    private readonly sink: Sink,
    private readonly tree = false,
    private readonly time: TimeBase = new TimeBase(),
  ) {}
  record(r: MySqlRecord): void {
    const head = this.tree ? renderTree(r, this.time) : `${summarize(r, this.time.of(r))}\n`;
    this.sink.write(`${head}${renderHex(r)}\n`);
  }
}
