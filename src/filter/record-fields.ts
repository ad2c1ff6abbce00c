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

export function fieldsOfRecord(r: MySqlRecord, time: TimeBase, extra?: ExtraFields): FieldAccess {
  let map: Map<string, FieldValue[]> | undefined;
  return (name) => {
    map ??= buildMap(r, time, extra);
    return map.get(name) ?? EMPTY;
  };
}

function buildMap(r: MySqlRecord, time: TimeBase, extra: ExtraFields | undefined): Map<string, FieldValue[]> {
  const m = new Map<string, FieldValue[]>();
  const add = (name: string, v: FieldValue | undefined): void => {
    if (v === undefined) return;
    const a = m.get(name);
    if (a) a.push(v);
    else m.set(name, [v]);
  };
  const { client, server, ipVersion } = r.conn;
  const [src, dst] = r.dir === 'c2s' ? [client, server] : [server, client];
  const ip = ipVersion === 6 ? 'ipv6' : 'ip';
  add('frame', true);
  add('frame.number', r.frameNo);
  add('frame.time_epoch', tsToSeconds(r.ts));
  add('frame.time_relative', tsDiff(time.of(r), r.ts));
  add(ip, true);
  add(`${ip}.src`, src.ip);
  add(`${ip}.dst`, dst.ip);
  add(`${ip}.addr`, src.ip);
  add(`${ip}.addr`, dst.ip);
  add('tcp', true);
  add('tcp.srcport', src.port);
  add('tcp.dstport', dst.port);
  add('tcp.port', src.port);
  add('tcp.port', dst.port);
  add('tcp.stream', r.conn.index);
  add('mysql', true);
  add('mysql.direction', r.dir === 'c2s' ? 'request' : 'response');
  add('mysql.kind', r.event.kind);
  add('mysql.conn.user', r.connUser);
  add('mysql.conn.schema', r.connSchema);
  add('mysql.conn.thread_id', r.connThreadId);
  add('mysql.conn.id', r.connThreadId);
  add('mysql.conn.charset', r.connCharset);
  const frames = new Set<number>();
  for (const p of r.packets) {
    frames.add(p.frameNo);
    if (p.partFrames) for (const f of p.partFrames) frames.add(f);
  }
  for (const f of [...frames].sort((a, b) => a - b)) add('mysql.frames', f);
  add('mysql.response_to', r.responseTo);
  add('mysql.response_in', r.responseIn);
  add('mysql.response_time', r.responseTime);
  const e = r.event;
  if (e.kind === 'command' && e.query !== undefined) add('mysql.fingerprint', fingerprint(e.query));
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
  else if (e.kind === 'command' && e.command >= 0) {
    // The two request fields the tree would hold, from the event (the tree holds them only where these are set).
    add('mysql.command', e.command);
    if ((e.command === COM.QUERY || e.command === COM.STMT_PREPARE) && e.query !== undefined) add('mysql.query', e.query);
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
