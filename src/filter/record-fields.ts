/**
 * A FieldAccess over one MySqlRecord for `-Y`: the fixed per-message fields (frame, ip/ipv6, tcp, mysql.conn.*)
 * from the record itself, everything else from its field tree (so the tree must be built: analyze with
 * `tree: true`). Values are the decoders' own (numbers, bigint, strings, booleans, bytes), not JSON-encoded.
 */
import { fingerprint } from '../analysis/fingerprint.js';
import { tsDiff, tsToSeconds } from '../core/time.js';
import type { FieldNode, FieldValue } from '../model/field.js';
import type { MySqlRecord } from '../model/record.js';
import type { TimeBase } from '../output/summary.js';
import { COM } from '../mysql/constants/commands.js';
import type { FieldAccess } from './compile.js';

/** Extra per-message values computed elsewhere, by field name; they replace what the record gives. */
export type ExtraFields = Readonly<Record<string, FieldValue | readonly FieldValue[] | undefined>>;

const EMPTY: readonly FieldValue[] = [];

/**
 * The values of each field a filter asks for, computed when asked: the per-message fields that no field tree holds
 * (frame, ip/ipv6, tcp, mysql.direction, mysql.conn.*, …) straight from the record, `mysql.command` / `mysql.query`
 * from the event when there is no tree; anything else (tree fields, packet headers, tls) from the map of every field
 * (buildMap), built at most once per record and only when such a field is asked for. `mysql.query contains "x"`
 * thus costs one string test per message, not a map of all its fields, nor the fingerprint.
 */
export function fieldsOfRecord(r: MySqlRecord, time: TimeBase, extra?: ExtraFields): FieldAccess {
  let map: Map<string, FieldValue[]> | undefined;
  let timed = false;
  return (name) => {
    if (!timed) {
      // As buildMap does on any access: the time base takes this record's connection start if nothing set it.
      timed = true;
      time.of(r);
    }
    if (map === undefined && (extra === undefined || !(name in extra))) {
      const direct = DIRECT[name];
      if (direct !== undefined) return direct(r, time);
      if (r.tree === null && (name === 'mysql.command' || name === 'mysql.query')) return eventField(r, name);
    }
    map ??= buildMap(r, time, extra);
    return map.get(name) ?? EMPTY;
  };
}

/** `mysql.command` and `mysql.query` of a record without a tree, as buildMap gives them. */
function eventField(r: MySqlRecord, name: 'mysql.command' | 'mysql.query'): readonly FieldValue[] {
  const e = r.event;
  if (e.kind !== 'command' || e.command < 0) return EMPTY;
  if (name === 'mysql.command') return [e.command];
  return (e.command === COM.QUERY || e.command === COM.STMT_PREPARE) && e.query !== undefined ? [e.query] : EMPTY;
}

type Direct = (r: MySqlRecord, time: TimeBase) => readonly FieldValue[];
const one = (v: FieldValue | undefined): readonly FieldValue[] => (v === undefined ? EMPTY : [v]);
const YES: readonly FieldValue[] = [true];
const src = (r: MySqlRecord): MySqlRecord['conn']['client'] => (r.dir === 'c2s' ? r.conn.client : r.conn.server);
const dst = (r: MySqlRecord): MySqlRecord['conn']['client'] => (r.dir === 'c2s' ? r.conn.server : r.conn.client);
const v4 = (f: Direct): Direct => (r, t) => (r.conn.ipVersion === 6 ? EMPTY : f(r, t));
const v6 = (f: Direct): Direct => (r, t) => (r.conn.ipVersion === 6 ? f(r, t) : EMPTY);

/**
 * The per-message fields, taken from the record itself, one function each: fieldsOfRecord reads them one by one,
 * buildMap all of them. None of these names is a field of any tree (the filter tests check every fixture), so a tree
 * cannot add to them.
 */
const DIRECT: Readonly<Record<string, Direct>> = Object.assign(Object.create(null) as Record<string, Direct>, {
  'frame': () => YES,
  'frame.number': (r) => [r.frameNo],
  'frame.time_epoch': (r) => [tsToSeconds(r.ts)],
  'frame.time_relative': (r, time) => [tsDiff(time.of(r), r.ts)],
  'ip': v4(() => YES),
  'ip.src': v4((r) => [src(r).ip]),
  'ip.dst': v4((r) => [dst(r).ip]),
  'ip.addr': v4((r) => [src(r).ip, dst(r).ip]),
  'ipv6': v6(() => YES),
  'ipv6.src': v6((r) => [src(r).ip]),
  'ipv6.dst': v6((r) => [dst(r).ip]),
  'ipv6.addr': v6((r) => [src(r).ip, dst(r).ip]),
  'tcp': () => YES,
  'tcp.srcport': (r) => [src(r).port],
  'tcp.dstport': (r) => [dst(r).port],
  'tcp.port': (r) => [src(r).port, dst(r).port],
  'tcp.stream': (r) => [r.conn.index],
  'mysql': () => YES,
  'mysql.direction': (r) => [r.dir === 'c2s' ? 'request' : 'response'],
  'mysql.kind': (r) => [r.event.kind],
  'mysql.conn.user': (r) => one(r.connUser),
  'mysql.conn.schema': (r) => one(r.connSchema),
  'mysql.conn.thread_id': (r) => one(r.connThreadId),
  'mysql.conn.id': (r) => one(r.connThreadId),
  'mysql.conn.charset': (r) => one(r.connCharset),
  'mysql.frames': (r) => messageFrames(r),
  'mysql.response_to': (r) => one(r.responseTo),
  'mysql.response_in': (r) => one(r.responseIn),
  'mysql.response_time': (r) => one(r.responseTime),
  'mysql.fingerprint': (r) => (r.event.kind === 'command' && r.event.query !== undefined ? [fingerprint(r.event.query)] : EMPTY),
} satisfies Record<string, Direct>);

/** Names of the fields read straight from the record, without a tree. */
export const DIRECT_FIELDS: readonly string[] = Object.keys(DIRECT);

/** Every frame that carried a packet of the message, in order, once each. */
function messageFrames(r: MySqlRecord): number[] {
  const frames = new Set<number>();
  for (const p of r.packets) {
    frames.add(p.frameNo);
    if (p.partFrames) for (const f of p.partFrames) frames.add(f);
  }
  return [...frames].sort((a, b) => a - b);
}

/** Every field of the record, tree included, by name: what a filter on tree fields reads. */
export function buildMap(r: MySqlRecord, time: TimeBase, extra: ExtraFields | undefined): Map<string, FieldValue[]> {
  const m = new Map<string, FieldValue[]>();
  const add = (name: string, v: FieldValue | undefined): void => {
    if (v === undefined) return;
    const a = m.get(name);
    if (a) a.push(v);
    else m.set(name, [v]);
  };
  // The per-message fields, as fieldsOfRecord reads them one by one.
  for (const name of DIRECT_FIELDS) for (const v of DIRECT[name]!(r, time)) add(name, v);
  let headersInTree = false;
  let tls = false;
  const walk = (nodes: readonly FieldNode[]): void => {
    for (const n of nodes) {
      const name = n.field.name;
      if (name === 'mysql.packet_length') headersInTree = true;
      if (!tls && name.startsWith('tls.')) tls = true;
      // Subtree labels (type none) have no value but exist: `mysql.login_request` is an existence test.
      add(name, n.field.type === 'none' ? true : n.value);
      if (n.children) walk(n.children);
    }
  };
  if (r.tree) walk(r.tree);
  else {
    // The two request fields the tree would hold, from the event (the tree holds them only where these are set).
    for (const v of eventField(r, 'mysql.command')) add('mysql.command', v);
    for (const v of eventField(r, 'mysql.query')) add('mysql.query', v);
  }
  if (!headersInTree) {
    for (const p of r.packets) {
      add('mysql.packet_length', p.length);
      add('mysql.packet_number', p.seq);
    }
  }
  if (tls || r.event.kind === 'tls') add('tls', true);
  if (extra) {
    for (const [k, v] of Object.entries(extra)) {
      if (v === undefined) continue;
      m.delete(k);
      if (Array.isArray(v)) for (const x of v as FieldValue[]) add(k, x);
      else add(k, v as FieldValue);
    }
  }
  return m;
}
