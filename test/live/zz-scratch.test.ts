import { it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseGeneralLog, parseConnectArgument } from '../support/general-log.js';
it('scratch', () => {
const e = parseGeneralLog(readFileSync('/tmp/msk-srv/general.log', 'utf8'));
console.log(e.length, e.slice(0, 3), e.filter(x=>x.command!=='Query'));
console.log(e.filter(x=>x.argument.includes('\n')).map(x=>x.argument));
console.log(parseConnectArgument(e[0]!.argument));
});
