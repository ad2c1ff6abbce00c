/** Display filters (Wireshark syntax): `compileFilter(text)` and the record adapter for `read -Y`. */
export { compileFilter, type CompiledFilter, type CompileResult, type FieldAccess } from './compile.js';
export { formatFilterError, type FilterError } from './errors.js';
export { parseFilter } from './parser.js';
export { printFilter } from './print.js';
export { fieldsOfRecord, type ExtraFields } from './record-fields.js';
export type { Test as FilterAst } from './ast.js';
export { compileRecordFilter, DisplayFilterError, filterNeedsTree, type RecordFilter } from './record-filter.js';
