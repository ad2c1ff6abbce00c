/**
 * myshark as a library. The CLI (src/cli) is a thin shell over these exports.
 *
 *   import { analyze } from 'myshark';
 *   const totals = await analyze({ kind: 'file', path: 'x.pcap' }, { tree: true }, (record) => ...);
 */
export { analyze, analyzeFile } from './pipeline/analyze.js';
export { Pipeline } from './pipeline/pipeline.js';
export type { AnalyzeOptions, CaptureInput, Totals, CaptureErrorCode } from './api-types.js';
export { CaptureError } from './api-types.js';
export type { MySqlRecord, PacketRef } from './model/record.js';
export type { Exchange } from './model/exchange.js';
export type { FieldDef, FieldNode, FieldValue } from './model/field.js';
export { allFields, fieldByName } from './model/field.js';
export type * from './mysql/messages/types.js';
export type { ConnInfo, Dir, Endpoint } from './flow/types.js';
export type { Issue } from './core/issues.js';
export type { Timestamp } from './core/time.js';
export { DEFAULT_LIMITS, type Limits } from './core/limits.js';
export { commandName, commandId } from './mysql/constants/commands.js';
export { MIDSTREAM_ASSUMPTIONS } from './mysql/session/connection.js';
