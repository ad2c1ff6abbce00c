/**
 * Live: `myshark ports --pid` against a REAL client process. A throwaway MariaDB is started, then a child Node
 * process holds three pooled mysql2 connections open and reports their local ports and connection ids. The
 * connections read from /proc for the child's pid must be exactly those (and, when `ss` is installed, the same
 * sockets and fds `ss -tnp` shows); read from the server's pid they are the same connections seen from the server
 * side. Also: the error for a pid that does not exist.
 *
 * Skipped (the reason is in the suite name) when not on Linux or when mariadbd is not installed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPorts } from '../../src/cli/ports.js';
import { StringSink } from '../../src/output/sink.js';
import { mysqlConnectionsOfPid } from '../../src/procfs/ports.js';
import { mariadbUnavailableReason, REPO_ROOT, startMariaDb, type MariaDb } from '../support/mariadb.js';

const reason = process.platform !== 'linux' ? `not Linux (${process.platform}): /proc is Linux-only` : mariadbUnavailableReason();
if (reason) console.warn(`live ports tests skipped: ${reason}`);

/** The client: a pool of 3 connections, all checked out and held; prints one JSON line, then waits for stdin EOF. */
const CLIENT = `
const mysql = require('mysql2/promise');
(async () => {
  const [host, port, user, password] = process.argv.slice(1);
  const pool = mysql.createPool({ host, port: Number(port), user, password, database: 'shop', connectionLimit: 3 });
  const conns = await Promise.all([0, 1, 2].map(() => pool.getConnection()));
  const out = [];
  for (const c of conns) {
    const [rows] = await c.query('SELECT CONNECTION_ID() AS id');
    out.push({ localPort: c.connection.stream.localPort, id: rows[0].id });
  }
  process.stdout.write(JSON.stringify(out) + '\\n');
  process.stdin.resume();
  process.stdin.on('end', async () => { for (const c of conns) c.release(); await pool.end(); process.exit(0); });
})().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\\n'); process.exit(1); });
`;

interface Held {
  localPort: number;
  id: number;
}

describe.skipIf(reason !== undefined)(`live: ports --pid against a real mysql2 client${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let db: MariaDb | undefined;
  let child: ChildProcess | undefined;
  let held: Held[] = [];

  beforeAll(async () => {
    db = await startMariaDb();
    child = spawn(process.execPath, ['-e', CLIENT, '127.0.0.1', String(db.port), db.user, db.password], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: child!.stdout! });
      rl.once('line', resolve);
      child!.once('exit', (code) => reject(new Error(`client exited with ${code}: ${stderr}`)));
      setTimeout(() => reject(new Error(`client did not report its connections in 30 s: ${stderr}`)), 30_000);
    });
    held = JSON.parse(line) as Held[];
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.stdin!.end();
      const t = setTimeout(() => child!.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    await db?.stop();
  });

  it('the client holds three connections (harness)', () => {
    expect(held.length).toBe(3);
    expect(new Set(held.map((h) => h.localPort)).size).toBe(3);
    expect(new Set(held.map((h) => h.id)).size).toBe(3);
  });

  it("lists exactly the client's connections: local ports, remote = the server, ESTABLISHED", async () => {
    const socks = await mysqlConnectionsOfPid(child!.pid!, [db!.port]);
    expect(socks.map((s) => s.local.port).sort()).toEqual(held.map((h) => h.localPort).sort());
    for (const s of socks) {
      expect(s).toMatchObject({ role: 'client', state: 'ESTABLISHED', remote: { ip: '127.0.0.1', port: db!.port }, local: { ip: '127.0.0.1' } });
    }
    // with the default port 3306 (not this server's), nothing
    expect(await mysqlConnectionsOfPid(child!.pid!, [3306])).toEqual([]);
  });

  it('agrees with ss -tnp (same sockets, same fds) when ss is installed', async (ctx) => {
    let ss: string;
    try {
      ss = execFileSync('ss', ['-tnpH', 'state', 'established', `( dport = :${db!.port} )`], { encoding: 'utf8' });
    } catch {
      ctx.skip('ss is not installed');
      return;
    }
    const fromSs: Array<[number, number]> = [];
    for (const line of ss.split('\n')) {
      const m = /127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:\d+\s+users:\(\((.*)\)\)/.exec(line);
      if (!m) continue;
      for (const u of m[2]!.matchAll(/pid=(\d+),fd=(\d+)/g)) if (Number(u[1]) === child!.pid) fromSs.push([Number(m[1]), Number(u[2])]);
    }
    const ours = (await mysqlConnectionsOfPid(child!.pid!, [db!.port])).map((s) => [s.local.port, s.fd] as [number, number]);
    expect(fromSs.length).toBe(3);
    expect(ours.sort()).toEqual(fromSs.sort());
  });

  it("from the server's pid: the same connections, server side", async () => {
    const pidFile = join(db!.dir, 'mysqld.pid');
    expect(existsSync(pidFile)).toBe(true);
    const serverPid = Number(readFileSync(pidFile, 'utf8').trim());
    const socks = (await mysqlConnectionsOfPid(serverPid, [db!.port])).filter((s) => held.some((h) => h.localPort === s.remote.port));
    expect(socks.length).toBe(3);
    for (const s of socks) expect(s).toMatchObject({ role: 'server', local: { port: db!.port } });
  });

  it('runPorts prints the lsof-like lines and both filters', async () => {
    const out = new StringSink();
    let err = '';
    const code = await runPorts({ pid: child!.pid!, ports: [db!.port] }, { stdout: out, stderr: (s) => (err += s) });
    expect(err).toBe('');
    expect(code).toBe(0);
    const text = out.toString();
    const ports = held.map((h) => h.localPort);
    for (const p of ports) expect(text).toContain(`TCP 127.0.0.1:${p}->127.0.0.1:${db!.port} (ESTABLISHED)\n`);
    const display = /^Wireshark display filter: (.*)$/m.exec(text)![1]!;
    const capture = /^tcpdump capture filter: (.*)$/m.exec(text)![1]!;
    expect(display.split(' or ').sort()).toEqual(ports.map((p) => `tcp.port == ${p}`).sort());
    expect(capture.split(' or ').sort()).toEqual(ports.map((p) => `tcp port ${p}`).sort());
    expect(text).toMatch(new RegExp(`^node ${child!.pid}: 3 MySQL connections \\(server port ${db!.port}\\)$`, 'm'));
  });

  it('a pid that does not exist: "process PID does not exist", exit 2', async () => {
    const gone = spawn(process.execPath, ['-e', '0']);
    const pid = gone.pid!;
    await new Promise((r) => gone.once('exit', r));
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    await expect(mysqlConnectionsOfPid(pid, [db!.port])).rejects.toThrow(`process ${pid} does not exist`);
    let err = '';
    expect(await runPorts({ pid, ports: [db!.port] }, { stdout: new StringSink(), stderr: (s) => (err += s) })).toBe(2);
    expect(err).toBe(`myshark: process ${pid} does not exist\n`);
  });
});
