/**
 * Text decoding by collation (codec/charset.ts). The byte sequences are real encodings of the strings (produced
 * with Python's codecs, an implementation independent of Node's ICU), one per character set.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asText, charsetByName, collationInfo, decoderForCharset, textDecoderForCollation, type TextDecodeFn } from '../../../src/mysql/codec/charset.js';
import { MYSQL_COLLATIONS } from '../../../src/mysql/constants/collations-mysql.generated.js';
import { COLLATIONS } from '../../../src/mysql/constants/collations.generated.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((h) => parseInt(h, 16)));

function text(id: number, bytes: string, server: 'mariadb' | 'mysql' = 'mariadb'): string {
  const d = textDecoderForCollation(id, server);
  if (d === 'binary') throw new Error(`collation ${id} is binary`);
  return d(hex(bytes));
}

const CASES: ReadonlyArray<readonly [number, string, string, string]> = [
  // [collation id (MariaDB table), charset, bytes, text]
  [8, 'latin1', '5a fc 72 69 63 68 20 80', 'Zürich €'], // latin1 is cp1252: 0x80 is the euro sign
  [45, 'utf8mb4', 'e6 9d b1 e4 ba ac 20 f0 9f 98 80', '東京 😀'],
  [224, 'utf8mb4', 'e6 9d b1 e4 ba ac', '東京'],
  [33, 'utf8mb3', '5a c3 bc 72 69 63 68', 'Zürich'],
  [35, 'ucs2', '67 71 4e ac', '東京'],
  [54, 'utf16', 'd8 3d de 00 67 71', '😀東'],
  [56, 'utf16le', '71 67 ac 4e', '東京'],
  [60, 'utf32', '00 01 f6 00 00 00 67 71', '😀東'],
  [13, 'sjis', '93 8c 8b 9e', '東京'],
  [95, 'cp932', '87 40 93 8c 8b 9e', '①東京'],
  [12, 'ujis', 'c5 ec b5 fe', '東京'],
  [97, 'eucjpms', 'c5 ec b5 fe', '東京'],
  [19, 'euckr', 'bc ad bf ef', '서울'],
  [28, 'gbk', 'b1 b1 be a9', '北京'],
  [24, 'gb2312', 'b1 b1 be a9', '北京'],
  [1, 'big5', 'a5 78 a5 5f', '台北'],
  [26, 'cp1250', 'a3 f3 64 9f', 'Łódź'],
  [51, 'cp1251', 'cc ee f1 ea e2 e0', 'Москва'],
  [57, 'cp1256', 'e3 d1 cd c8 c7', 'مرحبا'],
  [59, 'cp1257', '52 ee 67 61', 'Rīga'],
  [7, 'koi8r', 'ed cf d3 cb d7 c1', 'Москва'],
  [22, 'koi8u', 'eb c9 a7 d7', 'Київ'],
  [25, 'greek', 'c1 e8 de ed e1', 'Αθήνα'],
  [16, 'hebrew', 'f9 ec e5 ed', 'שלום'],
  [9, 'latin2', 'a3 f3 64 bc', 'Łódź'],
  [30, 'latin5', 'dd 73 74 61 6e 62 75 6c', 'İstanbul'],
  [41, 'latin7', '52 ee 67 61', 'Rīga'],
  [36, 'cp866', '8c ae e1 aa a2 a0', 'Москва'],
  [18, 'tis620', 'ca c7 d1 ca b4 d5', 'สวัสดี'],
  [39, 'macroman', '43 61 66 8e', 'Café'],
  [11, 'ascii', '61 62 63', 'abc'],
];

describe('textDecoderForCollation', () => {
  it.each(CASES)('collation %i (%s) decodes real bytes', (id, charset, bytes, expected) => {
    const d = textDecoderForCollation(id) as TextDecodeFn;
    expect(d.charset).toBe(charset);
    expect(d.fallback).toBe(false);
    expect(text(id, bytes)).toBe(expected);
  });

  it('MySQL 8 ids: utf8mb4_0900_ai_ci (255), gb18030 (248), and the same bytes as MariaDB for shared ids', () => {
    expect(text(255, 'e6 9d b1 e4 ba ac', 'mysql')).toBe('東京');
    expect(text(309, 'f0 9f 98 80', 'mysql')).toBe('😀');
    expect(text(248, 'b1 b1 be a9 94 39 fc 36', 'mysql')).toBe('北京😀');
    expect(text(8, '5a fc 72 69 63 68', 'mysql')).toBe('Zürich');
    expect(collationInfo(255, 'mysql')).toEqual({ charset: 'utf8mb4', name: 'utf8mb4_0900_ai_ci' });
    expect(collationInfo(278, 'mysql')).toEqual({ charset: 'utf8mb4', name: 'utf8mb4_0900_as_cs' });
    expect(collationInfo(300, 'mysql')).toEqual({ charset: 'utf8mb4', name: 'utf8mb4_vi_0900_as_cs' });
    expect(collationInfo(245, 'mysql')?.name).toBe('utf8mb4_croatian_ci');
    expect(collationInfo(245, 'mariadb')?.name).toBe('utf8mb4_croatian_mysql561_ci');
  });

  it('the generated MySQL table is consistent with MariaDB where ids are shared', () => {
    const names = new Set<string>();
    for (const [id, [cs, name]] of MYSQL_COLLATIONS) {
      if (cs !== 'binary') expect(name.startsWith(`${cs}_`), `${id} ${name}`).toBe(true);
      expect(names.has(name), name).toBe(false);
      names.add(name);
      const maria = COLLATIONS.get(id);
      if (maria) expect(maria[0], `charset of ${id}`).toBe(cs);
    }
    for (let id = 255; id <= 323; id++) {
      const e = MYSQL_COLLATIONS.get(id);
      if (e) expect(e[0]).toBe('utf8mb4');
    }
  });

  it('binary (63) is not text; asText reads it one char per byte for PayloadReader.decodeText', () => {
    expect(textDecoderForCollation(63)).toBe('binary');
    expect(textDecoderForCollation(63, 'mysql')).toBe('binary');
    expect(asText('binary')(hex('00 ff 41'))).toBe('\u0000ÿA');
  });

  it('keeps a BOM, replaces invalid sequences, decodes partial UTF-32 and ASCII high bytes as U+FFFD', () => {
    expect(text(45, 'ef bb bf 41')).toBe('\ufeffA');
    expect(text(35, 'fe ff 00 41')).toBe('\ufeffA');
    expect(text(45, 'ff 41')).toBe('\ufffdA');
    expect(text(60, '00 11 00 00 00 00 d8 00 00 00 00 41 00 00')).toBe('\ufffd\ufffdA\ufffd');
    expect(text(11, '41 80 42')).toBe('A\ufffdB');
    expect(text(35, '00 41 00')).toBe('A\ufffd');
    // cp1252's 0x80–0x9f (Node 20's own windows-1252 decoder reads them as C1 controls): € Š Ÿ, and 0x81 stays U+0081.
    expect(text(8, '80 8a 9f 81 9d')).toBe('€ŠŸ\u0081\u009d');
  });

  it('character sets without a decoder fall back to latin1, flagged; unknown ids to UTF-8, flagged', () => {
    const fallbacks = new Set<string>();
    for (const [id, [cs]] of COLLATIONS) {
      const d = textDecoderForCollation(id);
      if (d !== 'binary' && d.fallback) fallbacks.add(cs);
    }
    expect([...fallbacks].sort()).toEqual(['armscii8', 'cp850', 'cp852', 'dec8', 'geostd8', 'hp8', 'keybcs2', 'macce', 'swe7']);
    const dec8 = textDecoderForCollation(3) as TextDecodeFn;
    expect([dec8.charset, dec8.encoding, dec8.fallback]).toEqual(['dec8', 'windows-1252', true]);
    expect(dec8(hex('41 42'))).toBe('AB');
    const unknown = textDecoderForCollation(4000) as TextDecodeFn;
    expect([unknown.charset, unknown.fallback]).toEqual(['unknown', true]);
    expect(unknown(hex('e6 9d b1'))).toBe('東');
  });

  it('is cached per id and shares one decoder per character set', () => {
    expect(textDecoderForCollation(8)).toBe(textDecoderForCollation(8));
    expect(textDecoderForCollation(8)).toBe(textDecoderForCollation(5)); // latin1_german1_ci
    expect(textDecoderForCollation(45)).toBe(textDecoderForCollation(255, 'mysql'));
    expect(decoderForCharset('UTF8')).toBe(decoderForCharset('utf8mb3'));
  });
});

describe('short strings are looked up, not decoded again (ShortTextCache)', () => {
  it('gives what a fresh decoder gives for the same bytes, whatever came before (property, colliding byte strings)', () => {
    const fresh = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
    const latin1 = decoderForCharset('latin1') as TextDecodeFn;
    const utf8 = decoderForCharset('utf8mb4') as TextDecodeFn;
    const CP1252: Record<number, string> = { 0x61: 'a', 0x62: 'b', 0xc3: 'Ã', 0xa9: '©', 0x80: '€', 0xef: 'ï', 0xbb: '»', 0xbf: '¿' };
    // A small alphabet (ASCII, a UTF-8 lead byte, 0x80, a BOM byte) makes repeats and slot collisions common.
    const bytes = fc.uint8Array({ maxLength: 30 }).map((b) => b.map((x) => [0x61, 0x62, 0xc3, 0xa9, 0x80, 0xef, 0xbb, 0xbf][x & 7]!));
    fc.assert(fc.property(fc.array(bytes, { minLength: 1, maxLength: 50 }), (list) => {
      for (const b of [...list, ...list]) {
        expect(utf8(b)).toBe(fresh.decode(b));
        expect(latin1(b)).toBe([...b].map((x) => CP1252[x]).join(''));
      }
    }), { numRuns: 300 });
  });
});

describe('charsetByName', () => {
  it('maps character set names to their default collation and decoder', () => {
    expect(charsetByName('utf8mb4', 'mariadb')).toMatchObject({ charset: 'utf8mb4', collation: 45 });
    expect(charsetByName('utf8mb4', 'mysql')).toMatchObject({ charset: 'utf8mb4', collation: 255 });
    expect(charsetByName('utf8')).toMatchObject({ charset: 'utf8mb3', collation: 33 });
    expect(charsetByName('LATIN1')).toMatchObject({ charset: 'latin1', collation: 8 });
    expect(charsetByName('binary')).toMatchObject({ charset: 'binary', collation: 63, decoder: 'binary' });
    const d = charsetByName('latin1')!.decoder as TextDecodeFn;
    expect(d(hex('5a fc 72 69 63 68'))).toBe('Zürich');
  });

  it('maps collation names (collation_connection) and old utf8_ names', () => {
    expect(charsetByName('utf8mb4_0900_ai_ci', 'mysql')).toMatchObject({ charset: 'utf8mb4', collation: 255 });
    expect(charsetByName('utf8mb4_unicode_ci')).toMatchObject({ charset: 'utf8mb4', collation: 224 });
    expect(charsetByName('utf8_general_ci')).toMatchObject({ charset: 'utf8mb3', collation: 33 });
    expect(charsetByName('latin1_swedish_ci')).toMatchObject({ charset: 'latin1', collation: 8 });
  });

  it('NULL, empty and unknown names give undefined', () => {
    expect(charsetByName('')).toBeUndefined();
    expect(charsetByName('NULL')).toBeUndefined();
    expect(charsetByName('klingon')).toBeUndefined();
  });

  it('every character set of the MariaDB table has a default collation of that character set', () => {
    for (const cs of new Set([...COLLATIONS.values()].map(([c]) => c))) {
      const hit = charsetByName(cs);
      expect(hit, cs).toBeDefined();
      expect(collationInfo(hit!.collation)?.charset, cs).toBe(cs);
    }
    expect(collationInfo(charsetByName('gb18030', 'mysql')!.collation, 'mysql')?.charset).toBe('gb18030');
  });
});
