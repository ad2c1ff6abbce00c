/**
 * The one call the CLI needs for `-Y`: compile a filter into a predicate over MySqlRecords, or throw
 * DisplayFilterError (message: one sentence, a newline, the filter and a caret line; exit code 2).
 */
import type { MySqlRecord } from '../model/record.js';
import { TimeBase } from '../output/summary.js';
import { compileFilter, type CompiledFilter } from './compile.js';
import type { FilterError } from './errors.js';
import { DIRECT_FIELDS, fieldsOfRecord } from './record-fields.js';

export class DisplayFilterError extends Error {
  constructor(readonly filterError: FilterError) {
    super(`${filterError.message}\n${filterError.caret}`);
    this.name = 'DisplayFilterError';
  }
}

/**
 * Fields the adapter takes from the record itself, and the two it takes from the decoded event when there is no tree
 * (the filters people type most need no tree); any other field needs the decoded tree (`tree: true`).
 */
const RECORD_FIELDS = new Set([...DIRECT_FIELDS, 'mysql.command', 'mysql.query']);

/** True when the filter reads a field that only the field tree has (then analyze with `tree: true`). */
export function filterNeedsTree(f: CompiledFilter): boolean {
  return f.fields.some((n) => !RECORD_FIELDS.has(n));
}

export interface RecordFilter {
  (r: MySqlRecord): boolean;
  readonly compiled: CompiledFilter;
  readonly needsTree: boolean;
}

/** Compiles `text`; throws DisplayFilterError for a bad filter. `time` gives frame.time_relative its origin. */
export function compileRecordFilter(text: string, time: TimeBase = new TimeBase()): RecordFilter {
  const c = compileFilter(text);
  if (!c.ok) throw new DisplayFilterError(c.error);
  const compiled = c.filter;
  const pred = (r: MySqlRecord): boolean => compiled.test(fieldsOfRecord(r, time));
  return Object.assign(pred, { compiled, needsTree: filterNeedsTree(compiled) });
}
