import type { FieldDef, FieldNode, FieldValue } from '../../model/field.js';
import type { PayloadReader } from '../codec/payload-reader.js';

/**
 * Collects the field tree of one message while a decoder runs. Decoders receive `TreeBuilder | null`:
 * with null (summary output) no node is allocated at all — the decoder only builds its typed event.
 */
export class TreeBuilder {
  readonly roots: FieldNode[] = [];
  private readonly stack: FieldNode[][] = [this.roots];
  /** Index of the packet (in the record's packet list) the offsets refer to. */
  packet = 0;

  add(field: FieldDef, value: FieldValue, offset: number, length: number): FieldNode {
    const node: FieldNode = { field, value, packet: this.packet, offset, length };
    this.stack[this.stack.length - 1]!.push(node);
    return node;
  }

  /** A value not read from bytes (derived, e.g. a row count). */
  derived(field: FieldDef, value: FieldValue): FieldNode {
    const node: FieldNode = { field, value, packet: -1, offset: -1, length: 0 };
    this.stack[this.stack.length - 1]!.push(node);
    return node;
  }

  open(field: FieldDef, value: FieldValue, offset: number, length = 0): FieldNode {
    const node = this.add(field, value, offset, length);
    node.children = [];
    this.stack.push(node.children);
    return node;
  }

  /**
   * Close `node`'s subtree (and any subtree still open inside it, e.g. one a decoder left when a read failed);
   * its length becomes `end - offset` when end is given. Closing a node that is not open changes nothing.
   */
  close(node: FieldNode, end?: number): void {
    const i = node.children ? this.stack.lastIndexOf(node.children) : -1;
    if (i > 0) this.stack.length = i;
    if (end !== undefined && node.offset >= 0) node.length = end - node.offset;
  }

  /** Boolean children for each bit of a flags value (Wireshark's bitmask subtrees). */
  flags(parent: FieldNode, bits: readonly FieldDef[], value: number): void {
    const kids = parent.children ?? (parent.children = []);
    for (const def of bits) {
      const mask = def.mask ?? 0;
      kids.push({ field: def, value: (value & mask) !== 0, packet: parent.packet, offset: parent.offset, length: parent.length });
    }
  }
}

/** Read helpers that record a node when a tree is being built. They keep decoders short without closures. */
export function tU8(r: PayloadReader, t: TreeBuilder | null, def: FieldDef): number {
  const p = r.pos;
  const v = r.u8(def.label);
  t?.add(def, v, p, 1);
  return v;
}

export function tU16(r: PayloadReader, t: TreeBuilder | null, def: FieldDef): number {
  const p = r.pos;
  const v = r.u16(def.label);
  t?.add(def, v, p, 2);
  return v;
}

export function tU24(r: PayloadReader, t: TreeBuilder | null, def: FieldDef): number {
  const p = r.pos;
  const v = r.u24(def.label);
  t?.add(def, v, p, 3);
  return v;
}

export function tU32(r: PayloadReader, t: TreeBuilder | null, def: FieldDef): number {
  const p = r.pos;
  const v = r.u32(def.label);
  t?.add(def, v, p, 4);
  return v;
}

export function tU64(r: PayloadReader, t: TreeBuilder | null, def: FieldDef): number | bigint {
  const p = r.pos;
  const v = r.u64(def.label);
  t?.add(def, v, p, 8);
  return v;
}

export function tLenenc(r: PayloadReader, t: TreeBuilder | null, def: FieldDef): number | bigint {
  const p = r.pos;
  const v = r.lenenc(def.label);
  t?.add(def, v, p, r.pos - p);
  return v;
}

export function tNulString(r: PayloadReader, t: TreeBuilder | null, def: FieldDef): string {
  const p = r.pos;
  const v = r.nulString(def.label);
  t?.add(def, v, p, r.pos - p);
  return v;
}

export function tLenencString(r: PayloadReader, t: TreeBuilder | null, def: FieldDef): string {
  const p = r.pos;
  const v = r.lenencString(def.label);
  t?.add(def, v, p, r.pos - p);
  return v;
}

export function tRestString(r: PayloadReader, t: TreeBuilder | null, def: FieldDef): string {
  const p = r.pos;
  const v = r.restString();
  t?.add(def, v, p, r.pos - p);
  return v;
}

export function tBytes(r: PayloadReader, t: TreeBuilder | null, def: FieldDef, n: number): Uint8Array {
  const p = r.pos;
  const v = r.bytes(n, def.label);
  t?.add(def, copyBytes(v), p, n);
  return v;
}

export function tRestBytes(r: PayloadReader, t: TreeBuilder | null, def: FieldDef): void {
  if (t === null) {
    r.pos = r.end; // nobody looks: no view to make
    return;
  }
  const p = r.pos;
  const v = r.restBytes();
  t.add(def, copyBytes(v), p, v.length);
}

/** Byte values in a tree must outlive the packet buffer they were read from. */
export function copyBytes(v: Uint8Array): Uint8Array {
  return new Uint8Array(v);
}
