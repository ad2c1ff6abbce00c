import { describe, expect, it } from 'vitest';
import { ConnTable, connKey, startsNewConversation, type TableEntry } from '../../../src/flow/conn-table.js';
import { TCP_ACK, TCP_SYN } from '../../../src/decode/types.js';

class E implements TableEntry<E> {
  lruPrev: E | null = null;
  lruNext: E | null = null;
  constructor(readonly key: string) {}
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
    const t = new ConnTable<E>(3, (e) => evicted.push(e.key));
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((k) => new E(k)) as [E, E, E, E];
    for (const e of [a, b, c]) {
      t.allocIndex();
      t.add(e);
    }
    t.touch(a);
    t.add(d);
    expect(evicted).toEqual(['b']);
    t.touch(c);
    t.add(new E('e'));
    expect(evicted).toEqual(['b', 'a']);
    expect(t.size).toBe(3);
    expect(t.get('b')).toBeUndefined();
    // Replacing a key does not evict.
    t.add(new E('c'));
    expect(evicted).toEqual(['b', 'a']);
    expect([...t.values()].map((e) => e.key)).toEqual(['d', 'e', 'c']);
    expect(t.conversations).toBe(3);
  });
});
