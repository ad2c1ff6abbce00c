import { it } from 'vitest';
import { readFileSync } from 'node:fs';
import { tsharkMysqlPdus, tsharkMessages, tsharkMysqlFields, decodeAsArgs, tsharkVersion } from '../support/tshark.js';
it('scratch', async () => {
  console.log(tsharkVersion());
  const m = JSON.parse(readFileSync('test/fixtures/fixtures.json', 'utf8'));
  for (const fx of m.fixtures) {
    const pdus = await tsharkMysqlPdus('test/fixtures/' + fx.file, decodeAsArgs(fx.serverPorts));
    const msgs = tsharkMessages(pdus);
    console.log('=== ' + fx.file + ' pdus=' + pdus.length);
    for (const x of msgs) console.log(JSON.stringify({ ...x, rowTexts: undefined, fields: (x as any).fields ? Object.keys((x as any).fields).slice(0,6).join(",") : undefined }));
  }
  const fr = await tsharkMysqlFields('test/fixtures/cli-session.pcap');
  console.log(JSON.stringify(fr.slice(30, 32)).slice(0, 1500));
});
