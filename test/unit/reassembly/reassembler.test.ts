import { describe, expect, it } from 'vitest';
import { TcpReassembler } from '../../../src/reassembly/reassembler.js';
import type { Issue } from '../../../src/core/issues.js';
import type { Limits } from '../../../src/core/limits.js';
import { Convo, Feeder, Recorder, seg, TCP_ACK, TCP_PSH, TCP_SYN } from '../../builders/segments.js';

function setup(opts: { limits?: Partial<Limits>; serverPorts?: number[] } = {}) {
  const rec = new Recorder();
  const issues: Issue[] = [];
  const ports = opts.serverPorts ?? [3306];
  const r = new TcpReassembler(rec, {
    isServerPort: (p) => ports.includes(p),
    onIssue: (i) => issues.push(i),
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
  const f = new Feeder(r);
  return { rec, issues, r, push: (...p: Parameters<Feeder['push']>) => f.push(...p) };
}

describe('TcpReassembler basics', () => {
  it('handshake, data both ways, FIN both sides → open, data, close fin', () => {
    const { rec, r, push } = setup();
    const t = new Convo();
    push(t.syn(), t.synAck(), t.ackC(), t.s('greeting'), t.c('login'), t.s('ok'), t.finC(), t.finS(), t.ackC());
    expect(rec.violations).toEqual([]);
    const [conn] = rec.conns();
    expect(conn).toMatchObject({ index: 0, roleBasis: 'syn', sawSyn: true, client: t.client, server: t.server, firstFrame: 1 });
    expect(rec.text('s2c')).toBe('greetingok');
    expect(rec.text('c2s')).toBe('login');
    expect(rec.closes()).toEqual([{ index: 0, reason: 'fin' }]);
    expect(rec.events.at(-1)).toMatchObject({ t: 'close', frame: 8 }); // closed at the second FIN; final ACK ignored
    expect(rec.kinds('c2s')).toEqual(['syn', 'ack', 'data', 'fin']);
    expect(rec.kinds('s2c')).toEqual(['syn', 'data', 'data', 'fin']);
    r.end();
    expect(rec.closes()).toHaveLength(1);
    expect(r.connectionCount).toBe(1);
    expect(r.openConnections).toBe(0);
  });

  it('open comes before any data and is called once; onData gets the segment bytes', () => {
    const { rec, push } = setup();
    const t = new Convo();
    push(t.c('abc'), t.c('def'));
    expect(rec.events.map((e) => e.t)).toEqual(['open', 'data', 'seg', 'data', 'seg']);
    expect(rec.text('c2s')).toBe('abcdef');
  });

  it('mid-stream pickup: the first payload sets the expected seq; roles from the server port', () => {
    const { rec, push } = setup();
    const t = new Convo({ ip: '10.0.0.1', port: 50000 }, { ip: '10.0.0.2', port: 3306 }, 123456, 999);
    t.cSeq = 777777;
    push(t.s('row1'), t.c('QUERY'), t.s('row2'));
    const [conn] = rec.conns();
    expect(conn).toMatchObject({ roleBasis: 'port', sawSyn: false, client: t.client, server: t.server });
    expect(rec.text('s2c')).toBe('row1row2');
    expect(rec.text('c2s')).toBe('QUERY');
    expect(rec.gaps()).toEqual([]);
  });

  it('out-of-order segments are buffered and released in order, attributed to the frame filling the hole', () => {
    const { rec, push } = setup();
    const t = new Convo();
    const syn = t.syn();
    const a = t.c('aaa');
    const b = t.c('bbb');
    const c = t.c('ccc');
    push(syn, c, b, a);
    expect(rec.text('c2s')).toBe('aaabbbccc');
    expect(rec.kinds('c2s')).toEqual(['syn', 'out-of-order', 'out-of-order', 'data']);
    const frames = rec.events.flatMap((e) => (e.t === 'data' ? [e.frame] : []));
    expect(frames).toEqual([4, 4, 4]);
  });

  it('retransmissions are never delivered twice; partial overlap delivers only the new bytes', () => {
    const { rec, push } = setup();
    const t = new Convo();
    const syn = t.syn();
    const p1 = t.c('hello ');
    push(syn, p1, p1);
    const over = { ...t.c('world'), seq: p1.seq + 3, payload: new TextEncoder().encode('lo world') };
    push(over);
    expect(rec.text('c2s')).toBe('hello world');
    expect(rec.kinds('c2s')).toEqual(['syn', 'data', 'retransmission', 'partial-retransmission']);
  });

  it('overlapping out-of-order segments are trimmed', () => {
    const { rec, push } = setup();
    const t = new Convo();
    const base = (t.cSeq + 1) >>> 0;
    const at = (off: number, s: string) => seg({ src: t.client, dst: t.server, seq: base + off, ack: 1, payload: s });
    push(t.syn(), at(4, '4567'), at(2, '23456789'), at(6, '67'), at(0, '01'));
    expect(rec.text('c2s')).toBe('0123456789');
    expect(rec.kinds('c2s')).toEqual(['syn', 'out-of-order', 'out-of-order', 'retransmission', 'data']);
  });

  it('keepalives (0 or 1 byte at next-1) and pure ACKs are classified, not delivered', () => {
    const { rec, push } = setup();
    const t = new Convo();
    push(t.syn(), t.synAck(), t.c('abc'));
    const ka0 = seg({ src: t.client, dst: t.server, seq: t.cSeq - 1, ack: t.sSeq, flags: TCP_ACK });
    const ka1 = seg({ src: t.client, dst: t.server, seq: t.cSeq - 1, ack: t.sSeq, payload: 'c' });
    push(ka0, ka1, t.ackS(), t.c('d'));
    expect(rec.text('c2s')).toBe('abcd');
    expect(rec.kinds('c2s')).toEqual(['syn', 'data', 'keepalive', 'keepalive', 'data']);
    expect(rec.kinds('s2c')).toEqual(['syn', 'ack']);
  });

  it('RST closes with reason rst, after delivering what was queued (with a gap for the hole)', () => {
    const { rec, r, push } = setup();
    const t = new Convo();
    push(t.syn(), t.c('aa'));
    t.c('lost!');
    push(t.c('cc'), t.rstC(), t.c('late'));
    expect(rec.text('c2s')).toBe('aacc');
    expect(rec.gaps('c2s')).toEqual([5]);
    expect(rec.closes()).toEqual([{ index: 0, reason: 'rst' }]);
    expect(rec.violations).toEqual([]);
    expect(r.lateSegments).toBe(1);
  });

  it('data after close without a new SYN is counted and reported once, not reopened', () => {
    const { rec, r, issues, push } = setup();
    const t = new Convo();
    push(t.syn(), t.synAck(), t.finC(), t.finS(), t.c('x'), t.c('y'));
    expect(rec.conns()).toHaveLength(1);
    expect(r.lateSegments).toBe(2);
    expect(issues.filter((i) => i.code === 'reassembly.data_after_close')).toHaveLength(1);
    expect(rec.violations).toEqual([]);
  });
});

describe('gaps', () => {
  it('a dropped segment becomes a gap of the right length when the peer ACKs past it', () => {
    const { rec, issues, push } = setup();
    const t = new Convo();
    push(t.syn(), t.synAck(), t.c('one'));
    t.c('DROPPED-1234'); // 12 bytes never captured
    const three = t.c('three');
    push(three);
    expect(rec.text('c2s')).toBe('one'); // still waiting
    push(t.s('reply')); // the server acks everything the client sent
    expect(rec.events.filter((e) => e.t === 'data' || e.t === 'gap').map((e) => (e.t === 'gap' ? e.length : e.t))).toEqual([
      'data', 12, 'data', 'data',
    ]);
    expect(rec.text('c2s')).toBe('onethree');
    expect(issues.map((i) => i.code)).toContain('reassembly.lost_segment');
    const gap = rec.events.find((e) => e.t === 'gap');
    expect(gap).toMatchObject({ dir: 'c2s', frame: 5 });
  });

  it('an ACK past a lost tail (nothing queued) declares the gap too', () => {
    const { rec, push } = setup();
    const t = new Convo();
    push(t.syn(), t.synAck(), t.c('one'));
    t.c('lost');
    push(t.ackS(), t.c('two'));
    expect(rec.gaps('c2s')).toEqual([4]);
    expect(rec.text('c2s')).toBe('onetwo');
  });

  it('gap at FIN: a hole before the FIN is declared when both sides closed', () => {
    const { rec, push } = setup();
    const t = new Convo();
    push(t.syn(), t.synAck(), t.c('a'));
    t.c('bb');
    const c = t.c('ccc');
    t.c('dddd');
    const fin = t.finC();
    push(c, fin, { ...t.finS(), ack: 1 }); // server FIN without acking the client's data
    expect(rec.text('c2s')).toBe('accc');
    expect(rec.gaps('c2s')).toEqual([2, 4]);
    expect(rec.closes()).toEqual([{ index: 0, reason: 'fin' }]);
  });

  it('gap at end of capture: queued data is released after a gap, close end-of-capture at the connection\'s last frame', () => {
    const { rec, r, push } = setup();
    const t = new Convo();
    push(t.syn(), t.c('a'));
    t.c('bb');
    push(t.c('ccc'));
    r.end();
    expect(rec.text('c2s')).toBe('accc');
    expect(rec.gaps('c2s')).toEqual([2]);
    expect(rec.events.at(-1)).toMatchObject({ t: 'close', reason: 'end-of-capture', frame: 3 });
    expect(rec.events.find((e) => e.t === 'gap')).toMatchObject({ frame: 3 }); // the connection's last frame
    expect(rec.violations).toEqual([]);
  });

  it('out-of-order limit: the oldest hole is given up and an over-limit issue is reported', () => {
    const { rec, issues, push } = setup({ limits: { maxOutOfOrderSegments: 2 } });
    const t = new Convo();
    push(t.syn(), t.c('a'));
    t.c('LOST');
    push(t.c('b'), t.c('c'));
    expect(rec.text('c2s')).toBe('a');
    push(t.c('d'));
    expect(rec.text('c2s')).toBe('abcd');
    expect(rec.gaps('c2s')).toEqual([4]);
    expect(issues.map((i) => i.code)).toContain('reassembly.out_of_order_limit');
    expect(issues.find((i) => i.code === 'reassembly.out_of_order_limit')?.kind).toBe('over-limit');
  });

  it('out-of-order byte limit', () => {
    const { rec, issues, push } = setup({ limits: { maxOutOfOrderBytes: 5 } });
    const t = new Convo();
    push(t.syn());
    t.c('LOST');
    push(t.c('1234'), t.c('5678'));
    expect(rec.text('c2s')).toBe('12345678');
    expect(rec.gaps('c2s')).toEqual([4]);
    expect(issues.some((i) => i.code === 'reassembly.out_of_order_limit')).toBe(true);
  });

  it('snaplen-truncated payload: captured part, then a gap of payloadMissing, then the rest in order', () => {
    const { rec, issues, push } = setup();
    const t = new Convo();
    push(t.syn(), t.c('head', { payloadMissing: 96 }), t.c('next'));
    expect(rec.events.filter((e) => e.t === 'data' || e.t === 'gap').map((e) => (e.t === 'gap' ? e.length : new TextDecoder().decode(e.bytes)))).toEqual([
      'head', 96, 'next',
    ]);
    expect(issues.filter((i) => i.code === 'reassembly.lost_segment')).toEqual([]);
  });

  it('snaplen-truncated out-of-order segment keeps its missing length when released', () => {
    const { rec, push } = setup();
    const t = new Convo();
    const syn = t.syn();
    const a = t.c('aa');
    const b = t.c('bb', { payloadMissing: 10 });
    const c = t.c('cc');
    push(syn, c, b, a);
    expect(rec.events.filter((e) => e.t === 'data' || e.t === 'gap').map((e) => (e.t === 'gap' ? e.length : new TextDecoder().decode(e.bytes)))).toEqual([
      'aa', 'bb', 10, 'cc',
    ]);
  });

  it('sequence wrap-around: ISN just below 2^32 with out-of-order and a gap', () => {
    const { rec, push } = setup();
    const t = new Convo(undefined, undefined, 0xfffffffa, 0xfffffff0);
    push(t.syn(), t.synAck(), t.c('abc'));
    t.c('LOST'); // crosses 2^32
    const after = t.c('xyz');
    expect(after.seq).toBeLessThan(10);
    push(after, t.s('ok'), t.finC(), t.finS());
    expect(rec.text('c2s')).toBe('abcxyz');
    expect(rec.gaps('c2s')).toEqual([4]);
    expect(rec.closes()).toEqual([{ index: 0, reason: 'fin' }]);
  });
});

describe('roles', () => {
  it('SYN sender is the client even on unusual ports', () => {
    const { rec, push } = setup();
    const t = new Convo({ ip: '10.0.0.9', port: 3306 }, { ip: '10.0.0.1', port: 60000 });
    push(t.syn(), t.synAck(), t.c('x'));
    expect(rec.conns()[0]).toMatchObject({ client: t.client, server: t.server, roleBasis: 'syn' });
    expect(rec.text('c2s')).toBe('x');
  });

  it('SYN+ACK first: its sender is the server', () => {
    const { rec, push } = setup();
    const t = new Convo({ ip: '10.0.0.9', port: 1000 }, { ip: '10.0.0.1', port: 60000 });
    push(t.synAck(), t.s('hi'));
    expect(rec.conns()[0]).toMatchObject({ client: t.client, server: t.server, roleBasis: 'syn', sawSyn: true });
    expect(rec.text('s2c')).toBe('hi');
  });

  it('server port as the source: the destination is the client', () => {
    const { rec, push } = setup({ serverPorts: [4000] });
    const t = new Convo({ ip: '10.0.0.1', port: 1000 }, { ip: '10.0.0.2', port: 4000 });
    push(t.s('greeting'));
    expect(rec.conns()[0]).toMatchObject({ client: t.client, server: t.server, roleBasis: 'port' });
  });

  it('no SYN and no known port: the lower port is guessed to be the server', () => {
    const { rec, push } = setup({ serverPorts: [] });
    const t = new Convo({ ip: '10.0.0.1', port: 40000 }, { ip: '10.0.0.2', port: 5000 });
    push(t.c('x'));
    expect(rec.conns()[0]).toMatchObject({ client: t.client, server: t.server, roleBasis: 'guess' });
    const u = new Convo({ ip: '10.0.0.3', port: 5000 }, { ip: '10.0.0.4', port: 40000 });
    push(u.c('y'));
    expect(rec.conns()[1]).toMatchObject({ client: u.server, server: u.client, roleBasis: 'guess' });
    expect(rec.text('s2c', rec.conns()[1])).toBe('y');
  });

  it('swapRoles: later dirs follow the new roles, and conn is updated in place', () => {
    const rec = new Recorder();
    let r!: TcpReassembler;
    // The "MySQL layer" notices the greeting came from the side taken for the client.
    const orig = rec.onData.bind(rec);
    rec.onData = (conn, dir, b, pkt) => {
      if (new TextDecoder().decode(b) === 'GREETING' && dir === 'c2s') r.swapRoles(conn, 'greeting');
      return orig(conn, dir, b, pkt);
    };
    r = new TcpReassembler(rec, { isServerPort: () => false });
    const f = new Feeder(r);
    // Real server on 60000, real client on 50000: the guess (lower port) is wrong.
    const t = new Convo({ ip: '10.0.0.1', port: 50000 }, { ip: '10.0.0.2', port: 60000 });
    f.push(t.s('GREETING'), t.c('LOGIN'), t.s('OK'));
    const conn = rec.conns()[0]!;
    expect(conn).toMatchObject({ client: t.client, server: t.server, roleBasis: 'greeting' });
    const dataDirs = rec.events.flatMap((e) => (e.t === 'data' ? [[e.dir, new TextDecoder().decode(e.bytes)]] : []));
    expect(dataDirs).toEqual([['c2s', 'GREETING'], ['c2s', 'LOGIN'], ['s2c', 'OK']]);
    expect(rec.kinds()).toEqual(['data', 'data', 'data']);
    expect(rec.events.filter((e) => e.t === 'seg').map((e) => (e.t === 'seg' ? e.dir : ''))).toEqual(['s2c', 'c2s', 's2c']);
  });
});

describe('connection numbering (tcp.stream)', () => {
  it('numbers every conversation in order of its first packet, MySQL or not, both directions together', () => {
    const { rec, r, push } = setup();
    const a = new Convo({ ip: '10.0.0.1', port: 50000 }, { ip: '10.0.0.2', port: 3306 });
    const web = new Convo({ ip: '10.0.0.1', port: 50001 }, { ip: '10.0.0.3', port: 80 });
    const b = new Convo({ ip: '10.0.0.5', port: 50000 }, { ip: '10.0.0.2', port: 3306 });
    push(a.syn(), web.c('GET /'), a.synAck(), b.s('x'), web.s('200'), a.c('q'));
    expect(rec.conns().map((c) => [c.index, c.client.ip, c.server.port])).toEqual([
      [0, '10.0.0.1', 3306], [1, '10.0.0.1', 80], [2, '10.0.0.5', 3306],
    ]);
    expect(r.connectionCount).toBe(3);
  });

  it('port reuse after FIN: a new SYN starts a new index; a retransmitted SYN does not', () => {
    const { rec, push } = setup();
    const t = new Convo();
    push(t.syn(), t.syn(), t.synAck(), t.c('first'), t.finC(), t.finS(), t.ackC());
    const t2 = new Convo(t.client, t.server, 90000, 1234);
    push(t2.syn(), t2.synAck(), t2.c('second'), t2.finC(), t2.finS());
    expect(rec.conns().map((c) => c.index)).toEqual([0, 1]);
    expect(rec.text('c2s', rec.conns()[0])).toBe('first');
    expect(rec.text('c2s', rec.conns()[1])).toBe('second');
    expect(rec.closes()).toEqual([{ index: 0, reason: 'fin' }, { index: 1, reason: 'fin' }]);
  });

  it('a SYN with another ISN on an open 4-tuple closes the old conversation and starts a new index', () => {
    const { rec, issues, push } = setup();
    const t = new Convo();
    push(t.syn(), t.synAck(), t.c('old'));
    const t2 = new Convo(t.client, t.server, 424242, 1);
    push(t2.syn(), t2.synAck(), t2.c('new'));
    expect(rec.conns().map((c) => c.index)).toEqual([0, 1]);
    expect(rec.closes()).toEqual([{ index: 0, reason: 'end-of-capture' }]);
    expect(issues.map((i) => i.code)).toContain('reassembly.port_reuse');
    expect(rec.text('c2s', rec.conns()[1])).toBe('new');
    expect(rec.violations).toEqual([]);
  });

  it('a SYN after RST starts a new conversation', () => {
    const { rec, push } = setup();
    const t = new Convo();
    push(t.syn(), t.rstC());
    push(new Convo(t.client, t.server, 1000, 5000).syn()); // even with the same ISN
    expect(rec.conns().map((c) => c.index)).toEqual([0, 1]);
  });

  it('maxConnections: the least recently active connection is closed with reason limit', () => {
    const { rec, r, issues, push } = setup({ limits: { maxConnections: 2 } });
    const mk = (port: number) => new Convo({ ip: '10.0.0.1', port }, { ip: '10.0.0.2', port: 3306 });
    const a = mk(1001), b = mk(1002), c = mk(1003);
    push(a.c('a1'), b.c('b1'), a.c('a2'), c.c('c1'));
    expect(rec.closes()).toEqual([{ index: 1, reason: 'limit' }]);
    expect(issues.map((i) => i.code)).toContain('reassembly.connection_limit');
    r.end();
    expect(rec.closes()).toEqual([
      { index: 1, reason: 'limit' }, { index: 0, reason: 'end-of-capture' }, { index: 2, reason: 'end-of-capture' },
    ]);
    expect(rec.violations).toEqual([]);
  });
});

describe('consumer not interested', () => {
  it('onData returning false stops data (and buffering) but segments and lifecycle go on', () => {
    const { rec, push } = setup();
    rec.accept = () => false;
    const t = new Convo();
    push(t.syn(), t.synAck(), t.c('first'));
    const lost = t.c('ooo-hole');
    push(t.c('later'), lost, t.s('reply'), t.finC(), t.finS());
    expect(rec.text('c2s')).toBe('first');
    expect(rec.text('s2c')).toBe('');
    expect(rec.gaps()).toEqual([]);
    expect(rec.kinds('c2s')).toEqual(['syn', 'data', 'out-of-order', 'retransmission', 'fin']);
    expect(rec.closes()).toEqual([{ index: 0, reason: 'fin' }]);
    expect(rec.violations).toEqual([]);
  });

  it('SYN with ACK|PSH flags set as data still counts as SYN', () => {
    const { rec, push } = setup();
    const t = new Convo();
    push(seg({ src: t.client, dst: t.server, seq: 10, flags: TCP_SYN, payload: 'tfo' }), seg({ src: t.client, dst: t.server, seq: 14, flags: TCP_ACK | TCP_PSH, payload: 'more' }));
    expect(rec.text('c2s')).toBe('tfomore');
    expect(rec.kinds('c2s')).toEqual(['syn', 'data']);
  });
});
