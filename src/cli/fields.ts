/**
 * `myshark fields [--json]`: every field of the registry, like `tshark -G fields`. Text output is one
 * tab-separated line per field:
 *
 *   P  label  name                                       (protocols)
 *   F  label  name  type  protocol  base  mask  description  value-name count
 *
 * `--json` prints one array of objects {name, label, type, protocol, description, base?, mask?, valueNames?}.
 */
import '../mysql/fields.js';
import '../model/frame-fields.js';
import { allFields, type FieldDef } from '../model/field.js';
import type { Sink } from '../output/sink.js';

export interface FieldsIO {
  stdout: Sink;
}

/** The protocol a field belongs to: the part of its name before the first dot. */
export function fieldProtocol(def: FieldDef): string {
  const dot = def.name.indexOf('.');
  return dot < 0 ? def.name : def.name.slice(0, dot);
}

function isProtocol(def: FieldDef): boolean {
  return def.type === 'none' && !def.name.includes('.');
}

const clean = (s: string): string => s.replace(/[\t\n\r]/g, ' ');

export function fieldLine(def: FieldDef): string {
  if (isProtocol(def)) return `P\t${clean(def.label)}\t${def.name}`;
  const mask = def.mask !== undefined ? `0x${def.mask.toString(16)}` : '0x0';
  return [
    'F', clean(def.label), def.name, def.type, fieldProtocol(def), def.base ?? '', mask, clean(def.description), String(def.valueNames?.size ?? 0),
  ].join('\t');
}

export function fieldJson(def: FieldDef): Record<string, unknown> {
  return {
    name: def.name,
    label: def.label,
    type: isProtocol(def) ? 'protocol' : def.type,
    protocol: fieldProtocol(def),
    description: def.description,
    ...(def.base ? { base: def.base } : {}),
    ...(def.mask !== undefined ? { mask: def.mask } : {}),
    ...(def.valueNames ? { valueNames: Object.fromEntries([...def.valueNames].map(([k, v]) => [String(k), v])) } : {}),
  };
}

/** Prints the registry; returns the exit code (always 0). */
export function runFields(io: FieldsIO, opts: { json?: boolean }): number {
  const defs = allFields();
  if (opts.json) io.stdout.write(`${JSON.stringify(defs.map(fieldJson), null, 2)}\n`);
  else io.stdout.write(defs.map((d) => `${fieldLine(d)}\n`).join(''));
  io.stdout.flush?.();
  return 0;
}
