/**
 * Connection table: canonical 4-tuple keys, Wireshark-compatible conversation numbering (tcp.stream) and a
 * bounded, least-recently-active ordered map of entries.
 *
 * Key: the two endpoints with the "smaller" one first (`a|pa|b|pb`), so both directions of a conversation map to
 * the same entry. Endpoint A is the smaller one; packets sent by A are "forward".
 *
 * Numbering (like tcp.stream): every TCP conversation gets the next index, starting at 0, in the order of its first
 * packet, MySQL or not. A new conversation on an already known 4-tuple starts only with a SYN without ACK, when the
 * previous conversation was closed (FIN both ways or RST) or when the SYN's sequence number differs from the base
 * sequence number of that sender's direction (its previous SYN, or its first packet when no SYN was seen) — see
 * `startsNewConversation`. Packets for a closed conversation without such a SYN stay with the old conversation.
 *
 * Memory: at most `maxConnections` entries (open or closed); adding one more evicts the least recently active entry
 * first (the owner is told through `onEvict` and closes it with reason 'limit').
 */
import { TCP_ACK, TCP_SYN } from '../decode/types.js';

/** True when endpoint (ipA, portA) sorts before (ipB, portB): it is endpoint A of the canonical key. */
export function isEndpointA(ipA: string, portA: number, ipB: string, portB: number): boolean {
  return ipA < ipB || (ipA === ipB && portA <= portB);
}

/** Canonical key of a 4-tuple, identical for both directions. */
export function connKey(srcIp: string, srcPort: number, dstIp: string, dstPort: number): string {
  return isEndpointA(srcIp, srcPort, dstIp, dstPort)
    ? `${srcIp}|${srcPort}|${dstIp}|${dstPort}`
    : `${dstIp}|${dstPort}|${srcIp}|${srcPort}`;
}

/** What is known of the previous conversation on a 4-tuple when a packet arrives for it. */
export interface PreviousConversation {
  /** Closed by FIN in both directions or by RST. */
  closed: boolean;
  /** Base sequence number of the sending direction of the new packet (its SYN's seq, else its first packet's seq). */
  senderBaseSeq: number | undefined;
}

/** Whether a packet with these flags and seq starts a new conversation (a new tcp.stream index) on a known 4-tuple. */
export function startsNewConversation(prev: PreviousConversation, flags: number, seq: number): boolean {
  if ((flags & (TCP_SYN | TCP_ACK)) !== TCP_SYN) return false;
  if (prev.closed) return true;
  return prev.senderBaseSeq !== undefined && prev.senderBaseSeq !== seq;
}

/** Fields the table needs in each entry (an intrusive least-recently-active list: no allocation per touch). */
export interface TableEntry<E> {
  /** connKey of the 4-tuple; aIp/aPort is the endpoint that sorts first (isEndpointA), bIp/bPort the other. */
  key: string;
  readonly aIp: string;
  readonly aPort: number;
  readonly bIp: string;
  readonly bPort: number;
  lruPrev: E | null;
  lruNext: E | null;
}

export class ConnTable<E extends TableEntry<E>> {
  private readonly map = new Map<string, E>();
  /**
   * The last entry added for each pair of ports (a number key: no string to build and hash per packet). Entries of
   * other addresses with the same ports are found through `map`.
   */
  private readonly byPorts = new Map<number, E>();
  /** Least recently active. */
  private head: E | null = null;
  /** Most recently active. */
  private tail: E | null = null;
  private next = 0;
  private readonly max: number;
  /** Changes whenever an entry is added or removed: a caller's cached lookup is valid while it stays the same. */
  generation = 0;

  constructor(maxConnections: number, private readonly onEvict: (entry: E) => void) {
    this.max = Math.max(1, Math.floor(maxConnections));
  }

  /** Entries held now (open and closed). */
  get size(): number {
    return this.map.size;
  }

  /** Conversation indices handed out so far (= the number of TCP conversations seen). */
  get conversations(): number {
    return this.next;
  }

  /** The next tcp.stream index. */
  allocIndex(): number {
    return this.next++;
  }

  get(key: string): E | undefined {
    return this.map.get(key);
  }

  /** The entry of a 4-tuple given in canonical order (endpoint A first, see isEndpointA); the same as get(connKey). */
  find(aIp: string, aPort: number, bIp: string, bPort: number): E | undefined {
    const e = this.byPorts.get(aPort * 65536 + bPort);
    if (e !== undefined && e.aIp === aIp && e.bIp === bIp) return e;
    return this.map.get(`${aIp}|${aPort}|${bIp}|${bPort}`);
  }

  /** Marks the entry as the most recently active. */
  touch(e: E): void {
    if (this.tail === e) return;
    this.unlink(e);
    this.link(e);
  }

  /**
   * Adds an entry (most recently active). An entry with the same key is replaced (removed without eviction notice);
   * when the table is full, the least recently active entries are evicted first through `onEvict`.
   */
  add(e: E): void {
    const old = this.map.get(e.key);
    if (old !== undefined) this.remove(old);
    while (this.map.size >= this.max && this.head !== null) {
      const victim = this.head;
      this.remove(victim);
      this.onEvict(victim);
    }
    this.map.set(e.key, e);
    this.byPorts.set(e.aPort * 65536 + e.bPort, e);
    this.link(e);
    this.generation++;
  }

  remove(e: E): void {
    if (this.map.get(e.key) !== e) return;
    this.map.delete(e.key);
    const ports = e.aPort * 65536 + e.bPort;
    if (this.byPorts.get(ports) === e) this.byPorts.delete(ports);
    this.unlink(e);
    this.generation++;
  }

  /** Entries in insertion order (for new conversations that is index order). */
  values(): IterableIterator<E> {
    return this.map.values();
  }

  private link(e: E): void {
    e.lruPrev = this.tail;
    e.lruNext = null;
    if (this.tail !== null) this.tail.lruNext = e;
    else this.head = e;
    this.tail = e;
  }

  private unlink(e: E): void {
    const p = e.lruPrev;
    const n = e.lruNext;
    if (p !== null) p.lruNext = n;
    else if (this.head === e) this.head = n;
    if (n !== null) n.lruPrev = p;
    else if (this.tail === e) this.tail = p;
    e.lruPrev = null;
    e.lruNext = null;
  }
}
