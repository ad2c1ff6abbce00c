/**
 * A running process's open MySQL connections, from Linux /proc (what `lsof -p PID | grep mysql` showed in the
 * first seed), so `myshark ports --pid PID` can print the ready Wireshark / tcpdump filters.
 *
 *   /proc/PID/fd/N          symlinks; a socket reads `socket:[INODE]`
 *   /proc/PID/net/tcp, tcp6 every TCP socket of the process's network namespace (not only the process's):
 *     `  sl  local_address rem_address   st … uid  timeout inode …`, e.g.
 *     `   0: 0100007F:0CEA 0100007F:C9F8 01 … 1000 0 15829583 …`
 *     An IPv4 address is the 32-bit word in host byte order, in hex (little-endian hosts: 0100007F = 127.0.0.1);
 *     an IPv6 address is four such words. Ports are plain hex numbers. `st` is the kernel state (01 ESTABLISHED,
 *     0A LISTEN, …, see TCP_STATES).
 * A socket is kept when its inode is one of the process's fds and its remote port is a server port (the process
 * is a client) or its local port is one (the process is the server; listening sockets are left out).
 */
import { promises as fsp } from 'node:fs';
import { endianness } from 'node:os';

/** Kernel TCP states (include/net/tcp_states.h), as /proc/net/tcp prints them. */
export const TCP_STATES: Readonly<Record<number, string>> = Object.freeze({
  1: 'ESTABLISHED',
  2: 'SYN_SENT',
  3: 'SYN_RECV',
  4: 'FIN_WAIT1',
  5: 'FIN_WAIT2',
  6: 'TIME_WAIT',
  7: 'CLOSE',
  8: 'CLOSE_WAIT',
  9: 'LAST_ACK',
  10: 'LISTEN',
  11: 'CLOSING',
  12: 'NEW_SYN_RECV',
});

export interface SocketEndpoint {
  ip: string;
  port: number;
}

/** One line of /proc/net/tcp or tcp6. */
export interface ProcTcpSocket {
  local: SocketEndpoint;
  remote: SocketEndpoint;
  /** ESTABLISHED, LISTEN, …; `UNKNOWN(0xNN)` for a code not in TCP_STATES. */
  state: string;
  inode: number;
  uid: number;
  /** 6 when read from tcp6 (including IPv4-mapped addresses, shown in IPv4 form). */
  family: 4 | 6;
}

export interface MySqlSocket {
  local: SocketEndpoint;
  remote: SocketEndpoint;
  state: string;
  inode: number;
  /** The fd of the process holding the socket. */
  fd: number;
  family: 4 | 6;
  /** 'client': the remote port is a server port; 'server': the local port is. */
  role: 'client' | 'server';
}

export type ProcErrorCode = 'bad-pid' | 'no-process' | 'permission' | 'unsupported' | 'unreadable';

/** A reason the connections of a process cannot be listed: one sentence. */
export class ProcError extends Error {
  constructor(
    readonly code: ProcErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProcError';
  }
}

/** The file system calls used (injectable for tests of error paths). */
export interface ProcFs {
  readdir(path: string): Promise<string[]>;
  readlink(path: string): Promise<string>;
  readFile(path: string): Promise<string>;
}

const nodeFs: ProcFs = {
  readdir: (p) => fsp.readdir(p),
  readlink: (p) => fsp.readlink(p),
  readFile: (p) => fsp.readFile(p, 'utf8'),
};

export interface ProcOptions {
  /** Default '/proc'. */
  procRoot?: string;
  fs?: ProcFs;
  /** Default: the host's (os.endianness()). */
  littleEndian?: boolean;
  /** Default process.platform (tests). */
  platform?: string;
}

// ------------------------------------------------------------------------------------------------ parsers

/** `0100007F` → `127.0.0.1` (little-endian host word). */
export function parseProcIpv4(hex: string, littleEndian = endianness() === 'LE'): string {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) throw new Error(`not an IPv4 address in /proc format: '${hex}'`);
  const b = wordBytes(hex, littleEndian);
  return b.join('.');
}

function wordBytes(hex8: string, le: boolean): number[] {
  const b = [0, 2, 4, 6].map((i) => parseInt(hex8.slice(i, i + 2), 16));
  return le ? b.reverse() : b;
}

/**
 * 32 hex digits (four host-order words) → an IPv6 address in RFC 5952 form (`::1`, `fe80::1`); an IPv4-mapped
 * address (`::ffff:a.b.c.d`) is returned as the IPv4 address, since that is what goes on the wire.
 */
export function parseProcIpv6(hex: string, littleEndian = endianness() === 'LE'): string {
  if (!/^[0-9A-Fa-f]{32}$/.test(hex)) throw new Error(`not an IPv6 address in /proc format: '${hex}'`);
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) bytes.push(...wordBytes(hex.slice(w * 8, w * 8 + 8), littleEndian));
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return bytes.slice(12).join('.');
  return formatIpv6Groups(groups);
}

/** RFC 5952: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::` (the first on a tie). */
export function formatIpv6Groups(groups: number[]): string {
  let bestAt = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}

function parseEndpoint(s: string, family: 4 | 6, le: boolean): SocketEndpoint {
  const m = /^([0-9A-Fa-f]+):([0-9A-Fa-f]{4})$/.exec(s);
  if (!m) throw new Error(`not an address:port in /proc format: '${s}'`);
  return { ip: family === 4 ? parseProcIpv4(m[1]!, le) : parseProcIpv6(m[1]!, le), port: parseInt(m[2]!, 16) };
}

/** Parses the text of /proc/PID/net/tcp (family 4) or tcp6 (family 6). Lines that do not parse are skipped. */
export function parseProcNetTcp(text: string, family: 4 | 6, littleEndian = endianness() === 'LE'): ProcTcpSocket[] {
  const out: ProcTcpSocket[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
    if (f.length < 10 || !/^\d+:$/.test(f[0]!)) continue;
    try {
      const code = parseInt(f[3]!, 16);
      out.push({
        local: parseEndpoint(f[1]!, family, littleEndian),
        remote: parseEndpoint(f[2]!, family, littleEndian),
        state: TCP_STATES[code] ?? `UNKNOWN(0x${f[3]})`,
        uid: Number(f[7]),
        inode: Number(f[9]),
        family,
      });
    } catch {
      /* a line we do not understand: skip it */
    }
  }
  return out;
}

/** `socket:[15829583]` → 15829583; anything else → undefined. */
export function socketInode(link: string): number | undefined {
  const m = /^socket:\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : undefined;
}

// ------------------------------------------------------------------------------------------------ the process

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** Socket inodes of the process by fd number (fd order). */
async function socketFds(root: string, pid: number, fs: ProcFs): Promise<Map<number, number>> {
  const dir = `${root}/${pid}/fd`;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (e) {
    const code = errCode(e);
    if (code === 'ENOENT' || code === 'ESRCH') throw new ProcError('no-process', `process ${pid} does not exist`);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new ProcError('permission', `cannot read ${dir}: permission denied (run as the process owner or root)`);
    }
    throw new ProcError('unreadable', `cannot read ${dir}: ${(e as Error).message}`);
  }
  const byInode = new Map<number, number>();
  const fds = names.map(Number).filter((n) => Number.isInteger(n)).sort((a, b) => a - b);
  for (const fd of fds) {
    let link: string;
    try {
      link = await fs.readlink(`${dir}/${fd}`);
    } catch (e) {
      const code = errCode(e);
      if (code === 'ENOENT') continue; // closed while we looked
      if (code === 'EACCES' || code === 'EPERM') {
        throw new ProcError('permission', `cannot read ${dir}: permission denied (run as the process owner or root)`);
      }
      continue;
    }
    const inode = socketInode(link);
    if (inode !== undefined && !byInode.has(inode)) byInode.set(inode, fd);
  }
  return byInode;
}

async function readNetTcp(root: string, pid: number, fs: ProcFs, le: boolean): Promise<ProcTcpSocket[]> {
  const out: ProcTcpSocket[] = [];
  for (const [name, family] of [['tcp', 4], ['tcp6', 6]] as const) {
    const path = `${root}/${pid}/net/${name}`;
    let text: string;
    try {
      text = await fs.readFile(path);
    } catch (e) {
      const code = errCode(e);
      if (code === 'ENOENT' && name === 'tcp6') continue; // IPv6 disabled
      if (code === 'ENOENT' || code === 'ESRCH') throw new ProcError('no-process', `process ${pid} does not exist`);
      if (code === 'EACCES' || code === 'EPERM') {
        throw new ProcError('permission', `cannot read ${path}: permission denied (run as the process owner or root)`);
      }
      throw new ProcError('unreadable', `cannot read ${path}: ${(e as Error).message}`);
    }
    out.push(...parseProcNetTcp(text, family, le));
  }
  return out;
}

/** Validates a pid given on the command line or by a caller. */
export function parsePid(pid: number | string): number {
  const n = typeof pid === 'number' ? pid : /^\s*\d+\s*$/.test(pid) ? Number(pid) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new ProcError('bad-pid', `--pid wants a process id (a positive number), not '${pid}'`);
  return n;
}

/**
 * The process's TCP connections to or from a MySQL server port, in fd order (Linux only). Throws ProcError:
 * 'no-process' ("process PID does not exist"), 'permission' (not the owner and not root), 'unsupported' (not
 * Linux), 'bad-pid'.
 */
export async function mysqlConnectionsOfPid(pid: number | string, serverPorts: number[] = [3306], opts: ProcOptions = {}): Promise<MySqlSocket[]> {
  const platform = opts.platform ?? process.platform;
  if (platform !== 'linux') {
    throw new ProcError(
      'unsupported',
      `listing a process's connections reads /proc and works on Linux only (this is ${platform}); try lsof -nP -a -p PID -iTCP instead`,
    );
  }
  const n = parsePid(pid);
  const root = opts.procRoot ?? '/proc';
  const fs = opts.fs ?? nodeFs;
  const le = opts.littleEndian ?? endianness() === 'LE';
  const fds = await socketFds(root, n, fs);
  if (fds.size === 0) return [];
  const sockets = await readNetTcp(root, n, fs, le);
  const ports = new Set(serverPorts);
  const out: MySqlSocket[] = [];
  const seen = new Set<number>();
  for (const s of sockets) {
    const fd = fds.get(s.inode);
    if (fd === undefined || s.inode === 0 || seen.has(s.inode) || s.state === 'LISTEN') continue;
    let role: 'client' | 'server' | undefined;
    if (ports.has(s.remote.port)) role = 'client';
    else if (ports.has(s.local.port)) role = 'server';
    if (role === undefined) continue;
    seen.add(s.inode);
    out.push({ local: s.local, remote: s.remote, state: s.state, inode: s.inode, fd, family: s.family, role });
  }
  return out.sort((a, b) => a.fd - b.fd);
}

/** The process's command name (/proc/PID/comm), or undefined. */
export async function processName(pid: number, opts: ProcOptions = {}): Promise<string | undefined> {
  try {
    return (await (opts.fs ?? nodeFs).readFile(`${opts.procRoot ?? '/proc'}/${pid}/comm`)).trim();
  } catch {
    return undefined;
  }
}

/** The peer-side (non-server) port of each connection: the port to filter on in Wireshark / tcpdump. */
export function ephemeralPorts(socks: MySqlSocket[]): number[] {
  const out: number[] = [];
  for (const s of socks) {
    const p = s.role === 'client' ? s.local.port : s.remote.port;
    if (!out.includes(p)) out.push(p);
  }
  return out;
}
