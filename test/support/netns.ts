/**
 * A network namespace made by a test, joined to this one by a veth pair: the only non-loopback hosts the tests talk
 * to. The host side (`hostIf`, `hostIp`) stays here, where tcpdump records it; the other end (`nsIp`) lives in the
 * namespace, where a server can run (`ip netns exec`).
 *
 * `partition()` makes the namespace drop everything towards this host with a blackhole route: packets from the host
 * still arrive (and are captured on `hostIf`), nothing comes back, so a client retransmits into silence as it would
 * if the server's machine froze or a firewall started dropping. A route rather than `tc netem loss 100%` or an nft
 * drop rule because those need kernel modules (sch_netem, nf_tables) that containers often lack; the effect on the
 * wire seen from the client is the same. `heal()` removes the route.
 */
import { execFileSync } from 'node:child_process';

export interface NetNs {
  name: string;
  hostIf: string;
  hostIp: string;
  nsIp: string;
  partition(): void;
  heal(): void;
  /** Deletes the veth pair and the namespace (idempotent). */
  remove(): void;
}

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Why no namespace can be made here (not root, no `ip`, no netns support), or undefined when it can. */
export function netnsUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  try {
    const ns = createNetNs();
    ns.remove();
  } catch (e) {
    return `cannot create a network namespace with a veth pair: ${((e as { stderr?: string }).stderr ?? (e as Error).message).trim()}`;
  }
  return undefined;
}

let counter = 0;

export function createNetNs(): NetNs {
  const id = `${process.pid % 10000}${counter++}`;
  const name = `myshark${id}`;
  const hostIf = `msh${id}`;
  const nsIf = `msn${id}`;
  // A /30 in 10.213.0.0/16 picked from the id: two tests (or two runs) do not share addresses.
  const n = (Number(id) * 4) % 65536;
  const net = `10.213.${n >> 8}.${n & 0xfc}`;
  const base = net.split('.').map(Number);
  const hostIp = `10.213.${base[2]}.${base[3]! + 1}`;
  const nsIp = `10.213.${base[2]}.${base[3]! + 2}`;
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    try { ip('link', 'del', hostIf); } catch { /* already gone with the namespace */ }
    try { ip('netns', 'del', name); } catch { /* never made */ }
  };
  try {
    ip('netns', 'add', name);
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    ip('link', 'set', nsIf, 'netns', name);
    ip('addr', 'add', `${hostIp}/30`, 'dev', hostIf);
    ip('link', 'set', hostIf, 'up');
    ip('netns', 'exec', name, 'ip', 'addr', 'add', `${nsIp}/30`, 'dev', nsIf);
    ip('netns', 'exec', name, 'ip', 'link', 'set', nsIf, 'up');
    ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
    // No offloads: tcpdump then sees the segments as they are on the wire, not coalesced or with stale checksums.
    try { execFileSync('ethtool', ['-K', hostIf, 'tso', 'off', 'gso', 'off', 'gro', 'off'], { stdio: 'ignore' }); } catch { /* ethtool absent */ }
  } catch (e) {
    remove();
    throw e;
  }
  return {
    name, hostIf, hostIp, nsIp,
    partition: () => void ip('netns', 'exec', name, 'ip', 'route', 'add', 'blackhole', `${hostIp}/32`),
    heal: () => void ip('netns', 'exec', name, 'ip', 'route', 'del', 'blackhole', `${hostIp}/32`),
    remove,
  };
}
