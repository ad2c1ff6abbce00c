/**
 * The public capture corpus (../shared/corpus next to the project, or $MYSHARK_CORPUS) and its MANIFEST.md table:
 * one row per capture, `| # | file | source | size B | link type | pkts | MySQL fr | ver | auth | TLS | comp | PS |
 * -d port | WS err | features |`. The corpus is never copied into the project.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CORPUS_DIR = resolve(process.env['MYSHARK_CORPUS'] ?? join(import.meta.dirname, '../../../shared/corpus'));
export const MANIFEST_PATH = join(CORPUS_DIR, 'MANIFEST.md');

/** The corpus is there (its MANIFEST.md is readable). */
export function corpusAvailable(): boolean {
  return existsSync(MANIFEST_PATH);
}

export interface CorpusEntry {
  /** Row number in MANIFEST.md (the `#` column). */
  row: number;
  /** Path relative to the corpus directory, e.g. `zeek__zeek/mysql.pcap`. */
  file: string;
  /** Absolute path. */
  path: string;
  packets: number;
  /** Frames tshark shows as MySQL (with `-d` when needed). */
  mysqlFrames: number;
  /** The MySQL server port(s) (`-d port` column). */
  ports: number[];
  tls: boolean;
  compressed: boolean;
  features: string;
}

const HEADER = ['#', 'file', 'source (repo @ commit : path)', 'size B', 'link type', 'pkts', 'MySQL fr', 'ver', 'auth (srv/cli)', 'TLS', 'comp', 'PS', '-d port', 'WS err', 'features'];

function cells(line: string): string[] {
  // `| a | b |` → ['a', 'b'] (no cell contains a '|').
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
}

/** Every capture listed in the MANIFEST.md table. Throws when the table's header is not the one this parser knows. */
export function parseManifest(text: string, dir = CORPUS_DIR): CorpusEntry[] {
  const lines = text.split('\n');
  const h = lines.findIndex((l) => l.startsWith('| # | file |'));
  if (h < 0) throw new Error('MANIFEST.md: no capture table (a line starting with "| # | file |")');
  const header = cells(lines[h]!);
  if (JSON.stringify(header) !== JSON.stringify(HEADER)) throw new Error(`MANIFEST.md: unexpected table header ${JSON.stringify(header)}`);
  const col = (name: string) => header.indexOf(name);
  const out: CorpusEntry[] = [];
  for (const line of lines.slice(h + 2)) {
    if (!line.startsWith('|')) break;
    const c = cells(line);
    if (c.length !== header.length) throw new Error(`MANIFEST.md: row with ${c.length} cells: ${line}`);
    const file = c[col('file')]!.replace(/`/g, '');
    const ports = c[col('-d port')]!.split(/[ ,]+/).filter((p) => p !== '').map(Number);
    if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p <= 0 || p > 65535)) throw new Error(`MANIFEST.md: bad -d port in ${line}`);
    out.push({
      row: Number(c[col('#')]),
      file,
      path: join(dir, file),
      packets: Number(c[col('pkts')]),
      mysqlFrames: Number(c[col('MySQL fr')]),
      ports,
      tls: c[col('TLS')] === 'yes',
      compressed: c[col('comp')] === 'yes',
      features: c[col('features')]!,
    });
  }
  return out;
}

export function loadManifest(): CorpusEntry[] {
  return parseManifest(readFileSync(MANIFEST_PATH, 'utf8'));
}
