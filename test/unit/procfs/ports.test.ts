/**
 * /proc parsers on SYNTHETIC file contents (hand-written lines in the kernel's format), the error paths through an
 * injected file system, `runPorts` over a SYNTHETIC /proc tree, and one REAL check on this test process's own
 * sockets (Linux only). The test against a real MariaDB client process is test/live/ports.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lsofLine, parsePortsOptions, runPorts } from '../../../src/cli/ports.js';
import { UsageError } from '../../../src/cli/read.js';
import { StringSink } from '../../../src/output/sink.js';
import {
  ephemeralPorts,
  formatIpv6Groups,
  mysqlConnectionsOfPid,
  parseProcIpv4,
  parseProcIpv6,
  parseProcNetTcp,
  ProcError,
  socketInode,
  type ProcFs,
} from '../../../src/procfs/ports.js';

// SYNTHETIC: the seed's five connections (51960, 51834, 51892, 51867, 51868 → 3306), a listener, an unrelated
// connection, and a TIME_WAIT with inode 0; little-endian host words as on x86.
const NET_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   111        0 9001 1 0000000000000000 100 0 0 10 0
   1: 0100007F:CAF8 0100007F:0CEA 01 00000000:00000000 00:00000000 00000000  1000        0 15829583 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:CA7A 0100007F:0CEA 01 00000000:00000000 00:00000000 00000000  1000        0 15812762 1 0000000000000000 20 4 30 10 -1
   3: 0100007F:CAB4 0100007F:0CEA 01 00000000:00000000 00:00000000 00000000  1000        0 15820427 1 0000000000000000 20 4 30 10 -1
   4: 0100007F:CA9B 0100007F:0CEA 08 00000000:00000000 00:00000000 00000000  1000        0 15816022 1 0000000000000000 20 4 30 10 -1
   5: 0100007F:CA9C 0100007F:0CEA 01 00000000:00000000 00:00000000 00000000  1000        0 15816024 1 0000000000000000 20 4 30 10 -1
   6: 0A00020F:D431 5DB8D822:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 15816100 1 0000000000000000 20 4 30 10 -1
   7: 0100007F:CB00 0100007F:0CEA 06 00000000:00000000 03:00000F3A 00000000     0        0 0 3 0000000000000000
`;

// SYNTHETIC tcp6: ::1 → ::1 port 3306, an IPv4-mapped connection, fe80::1 listener.
const NET_TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:D000 00000000000000000000000001000000:0CEA 01 00000000:00000000 00:00000000 00000000  1000        0 777001 1 0000000000000000 20 4 30 10 -1
   1: 0000000000000000FFFF00000100007F:D001 0000000000000000FFFF00000100007F:0CEA 01 00000000:00000000 00:00000000 00000000  1000        0 777002 1 0000000000000000 20 4 30 10 -1
   2: 000080FE000000000000000001000000:0CEA 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   111        0 777003 1 0000000000000000 100 0 0 10 0
`;

describe('parsers (SYNTHETIC /proc contents)', () => {
  it('IPv4 words in host byte order', () => {
    expect(parseProcIpv4('0100007F', true)).toBe('127.0.0.1');
    expect(parseProcIpv4('0A00020F', true)).toBe('15.2.0.10');
    expect(parseProcIpv4('7F000001', false)).toBe('127.0.0.1'); // a big-endian host
    expect(() => parseProcIpv4('12345', true)).toThrow(/not an IPv4 address/);
  });

  it('IPv6: four host-order words, RFC 5952 text, IPv4-mapped as IPv4', () => {
    expect(parseProcIpv6('00000000000000000000000001000000', true)).toBe('::1');
    expect(parseProcIpv6('000080FE000000000000000001000000', true)).toBe('fe80::1');
    expect(parseProcIpv6('B80D0120000000000000000001000000', true)).toBe('2001:db8::1');
    expect(parseProcIpv6('0000000000000000FFFF00000100007F', true)).toBe('127.0.0.1');
    expect(parseProcIpv6('00000000000000000000000000000000', true)).toBe('::');
    expect(formatIpv6Groups([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1])).toBe('2001:db8::1:0:0:1'); // first of equal runs
    expect(formatIpv6Groups([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1])).toBe('2001:db8:0:1:1:1:1:1'); // one zero: no ::
  });

  it('/proc/net/tcp lines: endpoints, state names, uid, inode; header and junk skipped', () => {
    const s = parseProcNetTcp(`${NET_TCP}garbage line\n   9: ZZZ 1 2 3 4 5 6 7 8\n`, 4, true);
    expect(s.length).toBe(8);
    expect(s[0]).toEqual({ local: { ip: '127.0.0.1', port: 3306 }, remote: { ip: '0.0.0.0', port: 0 }, state: 'LISTEN', uid: 111, inode: 9001, family: 4 });
    expect(s[1]).toMatchObject({ local: { ip: '127.0.0.1', port: 51960 }, remote: { ip: '127.0.0.1', port: 3306 }, state: 'ESTABLISHED', inode: 15829583 });
    expect(s[4]!.state).toBe('CLOSE_WAIT');
    expect(s[6]).toMatchObject({ local: { ip: '15.2.0.10', port: 54321 }, remote: { ip: '34.216.184.93', port: 443 } });
    expect(s[7]).toMatchObject({ state: 'TIME_WAIT', inode: 0 });
    const t6 = parseProcNetTcp(NET_TCP6, 6, true);
    expect(t6.map((x) => `${x.local.ip}:${x.local.port}->${x.remote.ip}:${x.remote.port} ${x.state}`)).toEqual([
      '::1:53248->::1:3306 ESTABLISHED',
      '127.0.0.1:53249->127.0.0.1:3306 ESTABLISHED',
      'fe80::1:3306->:::0 LISTEN',
    ]);
    expect(parseProcNetTcp(NET_TCP.replace(' 01 ', ' 0F '), 4, true)[1]!.state).toBe('UNKNOWN(0x0F)');
  });

  it('socket links', () => {
    expect(socketInode('socket:[15829583]')).toBe(15829583);
    expect(socketInode('pipe:[123]')).toBeUndefined();
    expect(socketInode('/dev/null')).toBeUndefined();
  });
});

/** A SYNTHETIC /proc tree: /proc/PID/fd/N symlinks, net/tcp, net/tcp6, comm. */
function fakeProc(pid: number, fds: Record<number, string>, comm = 'java'): string {
  const root = mkdtempSync(join(tmpdir(), 'myshark-proc-'));
  mkdirSync(join(root, String(pid), 'fd'), { recursive: true });
  mkdirSync(join(root, String(pid), 'net'), { recursive: true });
  for (const [fd, target] of Object.entries(fds)) symlinkSync(target, join(root, String(pid), 'fd', fd));
  writeFileSync(join(root, String(pid), 'net', 'tcp'), NET_TCP);
  writeFileSync(join(root, String(pid), 'net', 'tcp6'), NET_TCP6);
  writeFileSync(join(root, String(pid), 'comm'), `${comm}\n`);
  return root;
}

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

// The seed's lsof: fds 392..396 hold the five MySQL sockets; plus the listener, a HTTPS socket, ::1 and a pipe.
const SEED_FDS: Record<number, string> = {
  0: '/dev/null',
  3: 'pipe:[55]',
  7: 'socket:[9001]',
  8: 'socket:[15816100]',
  392: 'socket:[15829583]',
  393: 'socket:[15812762]',
  394: 'socket:[15820427]',
  395: 'socket:[15816022]',
  396: 'socket:[15816024]',
  400: 'socket:[777001]',
};

describe('mysqlConnectionsOfPid over a SYNTHETIC /proc', () => {
  it("keeps the process's sockets whose remote port is a server port, in fd order; not the listener", async () => {
    const root = fakeProc(1428, SEED_FDS);
    roots.push(root);
    const socks = await mysqlConnectionsOfPid(1428, [3306], { procRoot: root, littleEndian: true, platform: 'linux' });
    expect(socks.map((s) => [s.fd, s.local.port, s.remote.port, s.state, s.role])).toEqual([
      [392, 51960, 3306, 'ESTABLISHED', 'client'],
      [393, 51834, 3306, 'ESTABLISHED', 'client'],
      [394, 51892, 3306, 'ESTABLISHED', 'client'],
      [395, 51867, 3306, 'CLOSE_WAIT', 'client'],
      [396, 51868, 3306, 'ESTABLISHED', 'client'],
      [400, 53248, 3306, 'ESTABLISHED', 'client'],
    ]);
    expect(ephemeralPorts(socks)).toEqual([51960, 51834, 51892, 51867, 51868, 53248]);
    // the socket to 777002 (IPv4-mapped) is not the process's
    expect(socks.some((s) => s.inode === 777002)).toBe(false);
  });

  it('another server port: nothing on 3307; a server process: its accepted sockets (remote = the clients)', async () => {
    const root = fakeProc(1429, SEED_FDS);
    roots.push(root);
    expect(await mysqlConnectionsOfPid(1429, [3307], { procRoot: root, littleEndian: true, platform: 'linux' })).toEqual([]);
    const srv = fakeProc(1430, { 5: 'socket:[9001]' });
    roots.push(srv);
    // a server-side socket: local port 3306
    writeFileSync(
      join(srv, '1430', 'net', 'tcp'),
      `${NET_TCP}   8: 0100007F:0CEA 0100007F:CAF8 01 00000000:00000000 00:00000000 00000000   111        0 4242 1 0000000000000000 20 4 30 10 -1\n`,
    );
    symlinkSync('socket:[4242]', join(srv, '1430', 'fd', '6'));
    const s = await mysqlConnectionsOfPid(1430, [3306], { procRoot: srv, littleEndian: true, platform: 'linux' });
    expect(s.map((x) => [x.fd, x.role, x.local.port, x.remote.port])).toEqual([[6, 'server', 3306, 51960]]);
    expect(ephemeralPorts(s)).toEqual([51960]);
  });

  it('errors: no such process, permission denied, not Linux, bad pid', async () => {
    const root = fakeProc(1431, SEED_FDS);
    roots.push(root);
    await expect(mysqlConnectionsOfPid(999999, [3306], { procRoot: root, platform: 'linux' })).rejects.toThrow('process 999999 does not exist');
    const eacces: ProcFs = {
      readdir: () => Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })),
      readlink: () => Promise.reject(new Error('unused')),
      readFile: () => Promise.reject(new Error('unused')),
    };
    await expect(mysqlConnectionsOfPid(1, [3306], { fs: eacces, platform: 'linux' })).rejects.toThrow(
      'cannot read /proc/1/fd: permission denied (run as the process owner or root)',
    );
    const esrch: ProcFs = { ...eacces, readdir: () => Promise.reject(Object.assign(new Error('ESRCH'), { code: 'ESRCH' })) };
    await expect(mysqlConnectionsOfPid(77, [3306], { fs: esrch, platform: 'linux' })).rejects.toThrow('process 77 does not exist');
    await expect(mysqlConnectionsOfPid(1, [3306], { platform: 'darwin' })).rejects.toThrow(/works on Linux only \(this is darwin\)/);
    await expect(mysqlConnectionsOfPid('12x', [3306], { platform: 'linux' })).rejects.toBeInstanceOf(ProcError);
    await expect(mysqlConnectionsOfPid(0, [3306], { platform: 'linux' })).rejects.toThrow(/--pid wants a process id/);
  });
});

describe('runPorts (SYNTHETIC /proc)', () => {
  const io = (): { out: StringSink; err: string[]; io: { stdout: StringSink; stderr(s: string): void } } => {
    const out = new StringSink();
    const err: string[] = [];
    return { out, err, io: { stdout: out, stderr: (s) => err.push(s) } };
  };

  it("prints lsof-like lines, the Wireshark display filter and the tcpdump capture filter (the seed's, built for it)", async () => {
    const root = fakeProc(1428, SEED_FDS);
    roots.push(root);
    const t = io();
    const code = await runPorts({ pid: '1428', ports: [3306] }, t.io, { procRoot: root, littleEndian: true, platform: 'linux' });
    expect(code).toBe(0);
    expect(t.out.toString()).toBe(
      [
        'java 1428: 6 MySQL connections (server port 3306)',
        'TCP 127.0.0.1:51960->127.0.0.1:3306 (ESTABLISHED)',
        'TCP 127.0.0.1:51834->127.0.0.1:3306 (ESTABLISHED)',
        'TCP 127.0.0.1:51892->127.0.0.1:3306 (ESTABLISHED)',
        'TCP 127.0.0.1:51867->127.0.0.1:3306 (CLOSE_WAIT)',
        'TCP 127.0.0.1:51868->127.0.0.1:3306 (ESTABLISHED)',
        'TCP [::1]:53248->[::1]:3306 (ESTABLISHED)',
        'Wireshark display filter: tcp.port == 51960 or tcp.port == 51834 or tcp.port == 51892 or tcp.port == 51867 or tcp.port == 51868 or tcp.port == 53248',
        'tcpdump capture filter: tcp port 51960 or tcp port 51834 or tcp port 51892 or tcp port 51867 or tcp port 51868 or tcp port 53248',
        '',
      ].join('\n'),
    );
    expect(t.err).toEqual([]);
  });

  it('no MySQL connection: a clear message, exit 1; no such process: exit 2', async () => {
    const root = fakeProc(1432, { 0: '/dev/null' }, 'sleep');
    roots.push(root);
    const t = io();
    expect(await runPorts({ pid: 1432, ports: [3307] }, t.io, { procRoot: root, platform: 'linux' })).toBe(1);
    expect(t.err.join('')).toBe(
      'myshark: sleep 1432 has no open MySQL connection (no TCP connection to or from server port 3307); if its server listens on another port, name it with --port PORT\n',
    );
    const u = io();
    expect(await runPorts({ pid: 4000000 }, u.io, { procRoot: root, platform: 'linux' })).toBe(2);
    expect(u.err.join('')).toBe('myshark: process 4000000 does not exist\n');
  });

  it('option parsing', () => {
    expect(parsePortsOptions({ pid: '42' })).toEqual({ pid: '42', ports: [3306] });
    expect(parsePortsOptions({ pid: '42', port: ['3307', '3307', '13306'] })).toEqual({ pid: '42', ports: [3307, 13306] });
    expect(() => parsePortsOptions({})).toThrow(UsageError);
    expect(() => parsePortsOptions({ pid: 'abc' })).toThrow(/--pid wants a process id/);
    expect(() => parsePortsOptions({ pid: '1', port: ['70000'] })).toThrow(/--port wants a TCP port/);
    expect(lsofLine({ local: { ip: '::1', port: 1 }, remote: { ip: '::1', port: 3306 }, state: 'SYN_SENT', inode: 1, fd: 1, family: 6, role: 'client' })).toBe(
      'TCP [::1]:1->[::1]:3306 (SYN_SENT)',
    );
  });
});

describe.skipIf(process.platform !== 'linux')('REAL /proc of this test process (Linux)', () => {
  it('finds its own loopback client socket and the accepted server socket', async () => {
    const accepted: Socket[] = [];
    const server: Server = createServer((s) => accepted.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const client = createConnection({ host: '127.0.0.1', port });
    await new Promise<void>((r) => client.once('connect', () => r()));
    while (accepted.length === 0) await new Promise((r) => setTimeout(r, 5));
    try {
      const socks = await mysqlConnectionsOfPid(process.pid, [port]);
      const c = socks.find((s) => s.role === 'client')!;
      const s = socks.find((x) => x.role === 'server')!;
      expect(c).toMatchObject({ local: { ip: '127.0.0.1', port: client.localPort }, remote: { ip: '127.0.0.1', port }, state: 'ESTABLISHED' });
      expect(s).toMatchObject({ local: { port }, remote: { port: client.localPort } });
      expect(socks.length).toBe(2); // the listening socket is left out
    } finally {
      client.destroy();
      for (const a of accepted) a.destroy();
      server.close();
    }
  });
});

describe('addPortsCommand (commander wiring, as program.ts will call it)', () => {
  it('--pid of this process with a port nobody uses: exit 1; a bad pid: UsageError', async () => {
    const { Command } = await import('commander');
    const { addPortsCommand } = await import('../../../src/cli/ports.js');
    let code = -1;
    let err = '';
    const program = new Command().exitOverride();
    addPortsCommand(program, { stdout: new StringSink(), stderr: (s) => (err += s) }, (c) => (code = c));
    if (process.platform === 'linux') {
      await program.parseAsync(['ports', '--pid', String(process.pid), '--port', '1'], { from: 'user' });
      expect(code).toBe(1);
      expect(err).toMatch(/has no open MySQL connection/);
    }
    await expect(program.parseAsync(['ports', '--pid', 'x'], { from: 'user' })).rejects.toBeInstanceOf(UsageError);
  });
});
