/**
 * `-V`: a Wireshark-style tree per message.
 *
 *   Frame 12: 127.0.0.1:51234 → 127.0.0.1:3306, tcp.stream 0
 *   MySQL Protocol
 *       Packet Length: 17
 *       Packet Number: 0
 *       Request Command Query
 *           Command: Query (3)
 *           Statement: SELECT version()
 *
 * One `MySQL Protocol` block per MySQL packet of the message (as Wireshark shows one per packet); the
 * top-level nodes of the record's tree go to the block of the packet they were read from (derived nodes,
 * packet -1, stay with the block before them). Derived values are shown in brackets, as Wireshark does.
 * Flags inside a numeric parent get Wireshark's bit picture: `.... .... .... ...1 = Long Password: Set`.
 */
import type { Issue, IssueKind } from '../core/issues.js';
import type { FieldNode } from '../model/field.js';
import type { MySqlRecord } from '../model/record.js';
import { arrow, bitPicture, formatValue, PACKET_HEADER_FIELDS } from './format.js';
import type { Sink } from './sink.js';
import { summarize, TimeBase, type Reporter } from './summary.js';

const INDENT = '    ';

function severity(kind: IssueKind): string {
  switch (kind) {
    case 'malformed':
    case 'truncated':
      return 'Error';
    case 'over-limit':
    case 'gap':
    case 'unexpected':
      return 'Warning';
    case 'assumption':
      return 'Note';
    case 'info':
      return 'Chat';
  }
}

/** `[Expert Info (Error/malformed): message]` */
export function expertInfo(i: Issue): string {
  return `[Expert Info (${severity(i.kind)}/${i.kind}): ${i.message}] (${i.code})`;
}

/** One node's own line, without indentation. `parent` is used for the bit picture of flags. */
export function nodeLine(n: FieldNode, parent: FieldNode | undefined): string {
  const def = n.field;
  let text: string;
  if (def.type === 'none') {
    text = def.label;
  } else {
    text = `${def.label}: ${formatValue(def, n.value, n)}`;
    if (
      def.mask !== undefined &&
      parent !== undefined &&
      typeof parent.value === 'number' &&
      parent.length > 0 &&
      parent.length <= 4
    ) {
      text = `${bitPicture(def.mask, parent.value, parent.length * 8)} = ${text}`;
    }
  }
  return n.packet < 0 && def.type !== 'none' ? `[${text}]` : text;
}

function writeNodes(out: string[], nodes: readonly FieldNode[], depth: number, parent: FieldNode | undefined): void {
  const pad = INDENT.repeat(depth);
  for (const n of nodes) {
    if (PACKET_HEADER_FIELDS.has(n.field.name)) continue;
    out.push(`${pad}${nodeLine(n, parent)}\n`);
    if (n.children && n.children.length > 0) writeNodes(out, n.children, depth + 1, n);
  }
}

/** Groups top-level nodes by the packet they were read from; derived nodes (-1) join the previous group. */
function groupByPacket(tree: readonly FieldNode[], packets: number): FieldNode[][] {
  const groups: FieldNode[][] = Array.from({ length: Math.max(packets, 1) }, () => []);
  let current = 0;
  for (const n of tree) {
    if (n.packet >= 0 && n.packet < groups.length) current = n.packet;
    groups[current]!.push(n);
  }
  return groups;
}

/** The -V text of one record (ends with a newline). Falls back to the summary line when the tree was not built. */
export function renderTree(r: MySqlRecord, base: TimeBase | undefined = undefined): string {
  const frames = r.lastFrameNo !== r.frameNo ? ` (frames ${r.frameNo}-${r.lastFrameNo})` : '';
  const out: string[] = [`Frame ${r.frameNo}: ${arrow(r)}, tcp.stream ${r.conn.index}${frames}\n`];
  if (r.tree === null) {
    out.push(`${summarize(r, (base ?? new TimeBase()).of(r))}\n`);
    for (const i of r.issues) out.push(`${INDENT}${expertInfo(i)}\n`);
    return out.join('');
  }
  const groups = groupByPacket(r.tree, r.packets.length);
  const tls = r.event.kind === 'tls';
  groups.forEach((nodes, i) => {
    // After an SSLRequest the stream is TLS records, not MySQL packets.
    out.push(tls ? 'Transport Layer Security\n' : 'MySQL Protocol\n');
    const p = r.packets[i];
    if (p && !tls) {
      out.push(`${INDENT}Packet Length: ${p.length}\n`);
      out.push(`${INDENT}Packet Number: ${p.seq}\n`);
      if (p.parts !== undefined && p.parts > 1) {
        // A payload of 16 MiB or more: 0xFFFFFF-byte packets joined before decoding.
        const where = p.partFrames ? ` in frames ${p.partFrames.join(', ')}` : '';
        out.push(`${INDENT}[Payload joined from ${p.parts} packets (16 MiB continuation)${where}]\n`);
      }
    }
    writeNodes(out, nodes, 1, undefined);
  });
  // myshark's request/response links, as Wireshark shows its own (e.g. "[Response In: 28]").
  if (r.responseIn !== undefined) out.push(`${INDENT}[Response in frame: ${r.responseIn}]\n`);
  if (r.responseTo !== undefined) out.push(`${INDENT}[Response to frame: ${r.responseTo}]\n`);
  if (r.responseTime !== undefined) out.push(`${INDENT}[Response time: ${r.responseTime.toFixed(6)} seconds]\n`);
  for (const i of r.issues) out.push(`${INDENT}${expertInfo(i)}\n`);
  return out.join('');
}

/** Writes each record's tree followed by an empty line, as `tshark -V` separates frames. */
export class TreeReporter implements Reporter {
  constructor(
    private readonly sink: Sink,
    private readonly time: TimeBase = new TimeBase(),
  ) {}
  record(r: MySqlRecord): void {
    this.sink.write(`${renderTree(r, this.time)}\n`);
  }
}
