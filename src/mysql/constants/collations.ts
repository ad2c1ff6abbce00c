import { COLLATIONS } from './collations.generated.js';
import { MYSQL_COLLATIONS } from './collations-mysql.generated.js';

/**
 * `utf8mb4 COLLATE utf8mb4_unicode_ci`, as Wireshark names collation ids, for display: MariaDB's table, plus the
 * MySQL ids MariaDB does not use (255+ utf8mb4 0900 collations, gb18030…). Both tables are generated.
 */
export const COLLATION_NAMES: ReadonlyMap<number, string> = new Map(
  [...MYSQL_COLLATIONS, ...COLLATIONS].map(([id, [cs, name]]) => [id, `${cs} COLLATE ${name}`] as const),
);
