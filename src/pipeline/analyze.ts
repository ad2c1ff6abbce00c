import type { AnalyzeOptions, CaptureInput, Totals } from '../api-types.js';
import { openCaptureStream } from '../capture/open.js';
import type { MySqlRecord } from '../model/record.js';
import { Pipeline } from './pipeline.js';

/**
 * Analyse a capture: every MySQL message is passed to `onRecord` as soon as it is complete, in capture order.
 * Resolves with the totals; rejects with CaptureError when the input cannot be read at all (a damaged file is
 * not an error: it is decoded as far as possible and `totals.truncated` / issues say what was wrong).
 */
export async function analyze(input: CaptureInput, options: AnalyzeOptions, onRecord: (r: MySqlRecord) => void): Promise<Totals> {
  return drive(new Pipeline(options, onRecord), input, options);
}

/** Reads the capture into a pipeline made by the caller (a parallel run's reader forwards sessions to workers). */
export async function drive(p: Pipeline, input: CaptureInput, options: AnalyzeOptions): Promise<Totals> {
  const handlers = {
    onFrame: (f: Parameters<Pipeline['frame']>[0]) => p.frame(f),
    onIssue: (i: Parameters<Pipeline['issue']>[0]) => p.issue(i),
    ...(options.onProgress ? { onProgress: (b: number) => options.onProgress?.(b, p.totals.frames) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.waitForOutput ? { waitForOutput: options.waitForOutput } : {}),
    ...(options.readAhead === false ? { readAhead: false } : {}),
    ...(options.fileSource ? { fileSource: options.fileSource } : {}),
  };
  const res = await openCaptureStream(input, handlers);
  const totals = p.end();
  totals.format = res.format;
  totals.bytesRead = res.bytesRead;
  totals.truncated = res.truncated;
  if (res.stopped) totals.stopped = true;
  return totals;
}

/** Convenience for tests and scripts: all records of a file in memory. */
export async function analyzeFile(path: string, options: AnalyzeOptions = {}): Promise<{ records: MySqlRecord[]; totals: Totals }> {
  const records: MySqlRecord[] = [];
  const totals = await analyze({ kind: 'file', path }, options, (r) => records.push(r));
  return { records, totals };
}
