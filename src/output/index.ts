/** The reporters of `myshark read`, each writing to an injected sink. */
import type { Sink } from './sink.js';
import { HexReporter } from './hex.js';
import { JsonReporter } from './json.js';
import { SummaryReporter, TimeBase, type Reporter } from './summary.js';
import { TreeReporter } from './tree.js';

export type OutputFormat = 'text' | 'json';

export interface ReporterOptions {
  format: OutputFormat;
  /** -V */
  tree: boolean;
  /** -x */
  hex: boolean;
  /** Where frame.time_relative counts from (shared so that it can be set once the first frame is known). */
  time?: TimeBase;
}

/** Picks the reporter for the options: json, or text as summary / -V tree / -x hex (with -V: tree then hex). */
export function createReporter(sink: Sink, o: ReporterOptions): Reporter {
  const time = o.time ?? new TimeBase();
  if (o.format === 'json') return new JsonReporter(sink, time);
  if (o.hex) return new HexReporter(sink, o.tree, time);
  if (o.tree) return new TreeReporter(sink, time);
  return new SummaryReporter(sink, time);
}

export { BufferedSink, StringSink, type Sink } from './sink.js';
export { describeEvent, summarize, TimeBase, type Reporter } from './summary.js';
export { renderTree } from './tree.js';
export { renderHex, hexDump } from './hex.js';
export { recordToJson } from './json.js';
export { formatTotals } from './totals.js';
