import { describe, expect, it } from 'vitest';
import { runFields } from '../../../src/cli/fields.js';
import { allFields } from '../../../src/model/field.js';
import { StringSink } from '../../../src/output/sink.js';

describe('myshark fields', () => {
  it('prints one tab-separated line per field, like tshark -G fields', () => {
    const out = new StringSink();
    expect(runFields({ stdout: out }, {})).toBe(0);
    const lines = out.toString().trimEnd().split('\n');
    expect(lines.length).toBe(allFields().length);
    expect(lines).toContain('P\tTransmission Control Protocol\ttcp');
    expect(lines).toContain('F\tSource or Destination Port\ttcp.port\tuint\ttcp\t\t0x0\tEither TCP port (source or destination)\t0');
    const cmd = lines.find((l) => l.split('\t')[2] === 'mysql.command')!.split('\t');
    expect(cmd.slice(0, 5)).toEqual(['F', 'Command', 'mysql.command', 'uint', 'mysql']);
    expect(Number(cmd[8])).toBeGreaterThan(30);
    for (const l of lines) expect(l.split('\t').length === 3 || l.split('\t').length === 9).toBe(true);
  });
  it('prints a JSON array with --json', () => {
    const out = new StringSink();
    runFields({ stdout: out }, { json: true });
    const arr = JSON.parse(out.toString()) as Array<Record<string, unknown>>;
    const byName = new Map(arr.map((f) => [f['name'], f]));
    expect(byName.get('ip.addr')).toEqual({ name: 'ip.addr', label: 'Source or Destination Address', type: 'ipv4', protocol: 'ip', description: 'Either IPv4 address (source or destination)' });
    expect(byName.get('mysql')).toMatchObject({ type: 'protocol', protocol: 'mysql' });
    expect((byName.get('mysql.command')!['valueNames'] as Record<string, string>)['3']).toBe('Query');
    expect(byName.get('mariadb.extcaps.server')).toMatchObject({ protocol: 'mariadb', base: 'hex8' });
    for (const name of ['frame.number', 'frame.time_epoch', 'frame.time_relative', 'ipv6.addr', 'tcp.stream', 'mysql.direction', 'mysql.kind', 'mysql.conn.user', 'mysql.conn.thread_id', 'mysql.frames', 'mysql.response_to', 'mysql.response_in', 'mysql.response_time', 'mysql.fingerprint']) {
      expect(byName.has(name), name).toBe(true);
    }
  });
});
