/** Helpers for checking decoded field trees in tests. */
import { expect } from 'vitest';
import type { FieldNode } from '../../src/model/field.js';

export function walk(nodes: FieldNode[], f: (n: FieldNode) => void): void {
  for (const n of nodes) {
    f(n);
    if (n.children) walk(n.children, f);
  }
}

/** Every node read from bytes lies inside the payload; children lie inside their parent. */
export function checkBounds(nodes: FieldNode[], len: number, parent?: FieldNode): void {
  for (const n of nodes) {
    if (n.packet >= 0) {
      expect(n.offset, n.field.name).toBeGreaterThanOrEqual(0);
      expect(n.offset + n.length, n.field.name).toBeLessThanOrEqual(len);
      if (parent && parent.packet >= 0) {
        expect(n.offset, `${n.field.name} in ${parent.field.name}`).toBeGreaterThanOrEqual(parent.offset);
        expect(n.offset + n.length, `${n.field.name} in ${parent.field.name}`).toBeLessThanOrEqual(parent.offset + parent.length);
      }
    }
    if (n.children) checkBounds(n.children, len, n);
  }
}

/** The first node with this field name (depth first); throws when there is none. */
export function find(nodes: FieldNode[], name: string): FieldNode {
  let hit: FieldNode | undefined;
  walk(nodes, (n) => {
    if (!hit && n.field.name === name) hit = n;
  });
  if (!hit) throw new Error(`no ${name} node`);
  return hit;
}
