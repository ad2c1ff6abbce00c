import { describe, expect, it } from 'vitest';
import { ConnTable, connKey, startsNewConversation, type TableEntry } from '../../../src/flow/conn-table.js';
import { TCP_ACK, TCP_SYN } from '../../../src/decode/types.js';

class E implements TableEntry<E> {
  lruPrev: E | null = null;
  lruNext: E | null = null;
  readonly key: string;
  /** Endpoint A first, as the reassembler stores it. */
  constructor(readonly aIp: string, readonly aPort: number, readonly bIp: string, readonly bPort: number, readonly name = '') {
    this.key = connKey(aIp, aPort, bIp, bPort);
  }
}

/** Entry `name` on its own port pair (letters a… → client ports 40001…). */
function ent(name: string): E {
  return new E('10.0.0.1', 40000 + name.charCodeAt(0) - 96, '10.0.0.2', 3306, name);
}

describe('conn-table', () => {
  it('key is the same for both directions and differs by port and address', () => {
    expect(connKey('10.0.0.1', 5000, '10.0.0.2', 3306)).toBe(connKey('10.0.0.2', 3306, '10.0.0.1', 5000));
    expect(connKey('::1', 5000, '::1', 3306)).toBe(connKey('::1', 3306, '::1', 5000));
    expect(connKey('10.0.0.1', 5000, '10.0.0.2', 3306)).not.toBe(connKey('10.0.0.1', 5001, '10.0.0.2', 3306));
  });

  it('new conversation only on SYN without ACK, after close or with another base seq', () => {
    expect(startsNewConversation({ closed: true, senderBaseSeq: 1 }, TCP_SYN, 1)).toBe(true);
    expect(startsNewConversation({ closed: false, senderBaseSeq: 1 }, TCP_SYN, 1)).toBe(false);
    expect(startsNewConversation({ closed: false, senderBaseSeq: 1 }, TCP_SYN, 2)).toBe(true);
    expect(startsNewConversation({ closed: false, senderBaseSeq: undefined }, TCP_SYN, 2)).toBe(false);
    expect(startsNewConversation({ closed: true, senderBaseSeq: 1 }, TCP_SYN | TCP_ACK, 2)).toBe(false);
    expect(startsNewConversation({ closed: true, senderBaseSeq: 1 }, TCP_ACK, 2)).toBe(false);
  });

  it('evicts the least recently active entry when full; indices count every conversation', () => {
    const evicted: string[] = [];
    const t = new ConnTable<E>(3, (e) => evicted.push(e.name));
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(ent) as [E, E, E, E];
    for (const e of [a, b, c]) {
      t.allocIndex();
      t.add(e);
    }
    t.touch(a);
    t.add(d);
    expect(evicted).toEqual(['b']);
    t.touch(c);
    t.add(ent('e'));
    expect(evicted).toEqual(['b', 'a']);
    expect(t.size).toBe(3);
    expect(t.get(b.key)).toBeUndefined();
    expect(t.find(b.aIp, b.aPort, b.bIp, b.bPort)).toBeUndefined();
    // Replacing a key does not evict.
    t.add(new E(c.aIp, c.aPort, c.bIp, c.bPort, 'c2'));
    expect(evicted).toEqual(['b', 'a']);
    expect([...t.values()].map((e) => e.name)).toEqual(['d', 'e', 'c2']);
    expect(t.conversations).toBe(3);
  });

  it('find: the same entry as get(connKey) for every 4-tuple, also when other addresses share the ports', () => {
    const t = new ConnTable<E>(100, () => {});
    // Three conversations on the same pair of ports, between different hosts, and one on other ports.
    const es = [
      new E('10.0.0.1', 40001, '10.0.0.9', 3306), new E('10.0.0.2', 40001, '10.0.0.9', 3306),
      new E('10.0.0.3', 40001, '10.0.0.9', 3306), new E('10.0.0.1', 40002, '10.0.0.9', 3306),
    ];
    for (const e of es) t.add(e);
    for (const e of es) expect(t.find(e.aIp, e.aPort, e.bIp, e.bPort)).toBe(e);
    expect(t.find('10.0.0.4', 40001, '10.0.0.9', 3306)).toBeUndefined();
    // Removing the entry the port index points at leaves the others found through the keys.
    t.remove(es[2]!);
    expect(t.find('10.0.0.3', 40001, '10.0.0.9', 3306)).toBeUndefined();
    for (const e of [es[0]!, es[1]!, es[3]!]) expect(t.find(e.aIp, e.aPort, e.bIp, e.bPort)).toBe(e);
    // Removing one the index does not point at leaves the index alone.
    t.add(es[2]!);
    t.remove(es[0]!);
    expect(t.find('10.0.0.1', 40001, '10.0.0.9', 3306)).toBeUndefined();
    expect(t.find('10.0.0.3', 40001, '10.0.0.9', 3306)).toBe(es[2]);
  });
});
