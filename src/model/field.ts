/**
 * The field registry: one table of every field. It drives the `-V` tree labels, the `-T json` keys and
 * (next issue) the display filter. Names follow Wireshark's wherever Wireshark has the field.
 */
export type FieldType =
  | 'none'      // a subtree label with no value of its own
  | 'uint'      // number (or bigint beyond 2^53)
  | 'int'
  | 'bool'
  | 'string'
  | 'bytes'
  | 'ipv4'
  | 'ipv6'
  | 'float'
  | 'time'      // relative time in seconds
  | 'abstime';  // epoch seconds

export type Base = 'dec' | 'hex' | 'hex4' | 'hex8';

export interface FieldDef {
  /** Filter / JSON name, e.g. `mysql.query`. */
  readonly name: string;
  /** Label in the -V tree, e.g. `Statement`. */
  readonly label: string;
  readonly type: FieldType;
  readonly description: string;
  readonly base?: Base;
  /** Names for numeric values (`3` → `Query`). */
  readonly valueNames?: ReadonlyMap<number, string>;
  /** For flag fields: the bit mask inside the parent value. */
  readonly mask?: number;
}

export type FieldValue = number | bigint | string | boolean | Uint8Array | null;

/** One node of a decoded message's tree; offsets are inside the MySQL packet payload named by `packet`. */
export interface FieldNode {
  readonly field: FieldDef;
  readonly value: FieldValue;
  /** Index into the record's packets; -1 for values derived rather than read from bytes. */
  readonly packet: number;
  /** Byte offset inside that packet's payload (after the 4-byte header). */
  readonly offset: number;
  /** Set when a subtree closes, so it can grow after creation. */
  length: number;
  children?: FieldNode[];
}

const registry = new Map<string, FieldDef>();

/** Register a field once, at module load; registering the same name twice is a programming error. */
export function defineField(def: FieldDef): FieldDef {
  if (registry.has(def.name)) throw new Error(`field ${def.name} defined twice`);
  registry.set(def.name, def);
  return def;
}

export function allFields(): FieldDef[] {
  return [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function fieldByName(name: string): FieldDef | undefined {
  return registry.get(name);
}

export function names(entries: Record<number, string>): ReadonlyMap<number, string> {
  return new Map(Object.entries(entries).map(([k, v]) => [Number(k), v]));
}

/** `Query (3)` when the value has a name, else the plain value. */
export function valueName(def: FieldDef, value: FieldValue): string | undefined {
  if (!def.valueNames || typeof value !== 'number') return undefined;
  return def.valueNames.get(value);
}
