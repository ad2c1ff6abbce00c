import { COLLATIONS } from './collations.generated.js';

/** `utf8mb4 COLLATE utf8mb4_unicode_ci`, as Wireshark names collation ids. MariaDB's table (generated). */
export const COLLATION_NAMES: ReadonlyMap<number, string> = new Map(
  [...COLLATIONS].map(([id, [cs, name]]) => [id, `${cs} COLLATE ${name}`] as const),
);

export function charsetOf(collation: number): string | undefined {
  return COLLATIONS.get(collation)?.[0];
}
