/**
 * `-T json`: NDJSON, one object per MySQL message, flat keys named as the display-filter fields
 * (Wireshark's names where Wireshark has the field). Every key is documented in docs/output.md.
 *
 * Value encoding: numbers as numbers; 64-bit values beyond 2^53 as decimal strings; bytes as lowercase hex
 * strings; SQL NULL as null; a field that occurs more than once in a message becomes an array in wire order.
 */
import { tsDiff, tsEpochString } from '../core/time.js';
import type { FieldNode, FieldValue } from '../model/field.js';
import type { MySqlRecord } from '../model/record.js';
import { fingerprint } from '../analysis/fingerprint.js';
import { toHex } from './format.js';
import type { Sink } from './sink.js';
import { TimeBase, type Reporter } from './summary.js';

export type JsonScalar = number | string | boolean | null;
export type JsonValue = JsonScalar | JsonScalar[] | Array<{ code: string; message: string }>;

/** A field value as JSON: bigint beyond 2^53 → decimal string, bytes → hex, non-finite floats → string. */
export function jsonValue(v: FieldValue): JsonScalar {
  if (v === null) return null;
  switch (typeof v) {
    case 'bigint':
      return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'string':
    case 'boolean':
      return v;
    default:
      return toHex(v);
  }
}

function addValue(obj: Record<string, JsonValue>, fixed: ReadonlySet<string>, name: string, v: JsonScalar): void {
  if (fixed.has(name)) return;
  if (!Object.prototype.hasOwnProperty.call(obj, name)) {
    obj[name] = v;
    return;
  }
  const prev = obj[name];
  if (Array.isArray(prev)) (prev as JsonScalar[]).push(v);
  else obj[name] = [prev as JsonScalar, v];
}

function flatten(obj: Record<string, JsonValue>, fixed: ReadonlySet<string>, nodes: readonly FieldNode[]): void {
  for (const n of nodes) {
    if (n.field.type !== 'none') addValue(obj, fixed, n.field.name, jsonValue(n.value));
    if (n.children) flatten(obj, fixed, n.children);
  }
}

/** The keys every object has (a tree field with one of these names is not repeated). */
export const FIXED_KEYS: readonly string[] = [
  'frame.number',
  'frame.time_epoch',
  'frame.time_relative',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.stream',
  'mysql.direction',
  'mysql.kind',
  'mysql.conn.user',
  'mysql.conn.schema',
  'mysql.conn.thread_id',
  'mysql.conn.charset',
  'mysql.frames',
  'issues',
];
const FIXED = new Set(FIXED_KEYS);

/** The JSON object of one record. `base` is the capture's first frame time (frame.time_relative). */
export function recordToJson(r: MySqlRecord, base: TimeBase): Record<string, JsonValue> {
  const { client, server, ipVersion } = r.conn;
  const [src, dst] = r.dir === 'c2s' ? [client, server] : [server, client];
  const ip = ipVersion === 6 ? 'ipv6' : 'ip';
  const frameSet = new Set<number>();
  for (const p of r.packets) {
    frameSet.add(p.frameNo);
    if (p.partFrames) for (const f of p.partFrames) frameSet.add(f);
  }
  const frames = [...frameSet].sort((a, b) => a - b);
  const obj: Record<string, JsonValue> = {
    'frame.number': r.frameNo,
    'frame.time_epoch': tsEpochString(r.ts),
    'frame.time_relative': Number(tsDiff(base.of(r), r.ts).toFixed(9)),
    [`${ip}.src`]: src.ip,
    [`${ip}.dst`]: dst.ip,
    'tcp.srcport': src.port,
    'tcp.dstport': dst.port,
    'tcp.stream': r.conn.index,
    'mysql.direction': r.dir === 'c2s' ? 'request' : 'response',
    'mysql.kind': r.event.kind,
    'mysql.conn.user': r.connUser ?? null,
    'mysql.conn.schema': r.connSchema ?? null,
    'mysql.conn.thread_id': r.connThreadId ?? null,
    'mysql.conn.charset': r.connCharset ?? null,
    ...pairing(r),
    'mysql.frames': frames,
  };
  // Packet headers come from the packet list unless the decoders put them in the tree themselves.
  const inTree = r.tree !== null && hasField(r.tree, 'mysql.packet_length');
  if (!inTree) {
    for (const p of r.packets) {
      addValue(obj, FIXED, 'mysql.packet_length', p.length);
      addValue(obj, FIXED, 'mysql.packet_number', p.seq);
    }
  }
  if (r.tree) flatten(obj, FIXED, r.tree);
  obj['issues'] = r.issues.map((i) => ({ code: i.code, message: i.message }));
  return obj;
}

function hasField(nodes: readonly FieldNode[], name: string): boolean {
  for (const n of nodes) {
    if (n.field.name === name) return true;
    if (n.children && hasField(n.children, name)) return true;
  }
  return false;
}

/** One JSON line per record. */
export class JsonReporter implements Reporter {
  constructor(
    private readonly sink: Sink,
    private readonly time: TimeBase = new TimeBase(),
  ) {}
  record(r: MySqlRecord): void {
    this.sink.write(`${JSON.stringify(recordToJson(r, this.time))}\n`);
  }
}

/** myshark's request/response links (present only where they apply) and the statement fingerprint. */
function pairing(r: MySqlRecord): Record<string, JsonValue> {
  const o: Record<string, JsonValue> = {};
  if (r.responseTo !== undefined) o['mysql.response_to'] = r.responseTo;
  if (r.responseIn !== undefined) o['mysql.response_in'] = r.responseIn;
  if (r.responseTime !== undefined) o['mysql.response_time'] = Number(r.responseTime.toFixed(9));
  const e = r.event;
  if (e.kind === 'command' && e.query !== undefined) o['mysql.fingerprint'] = fingerprint(e.query);
  return o;
}
