import type { Timestamp } from '../core/time.js';

export interface Endpoint {
  ip: string;
  port: number;
}

/** Direction of bytes in a connection: from the client to the server, or back. */
export type Dir = 'c2s' | 's2c';

/** How the client/server roles were decided, from most to least certain. */
export type RoleBasis = 'syn' | 'port' | 'greeting' | 'guess';

/**
 * One TCP conversation. `index` is numbered exactly like Wireshark's tcp.stream: every TCP conversation
 * (MySQL or not) in the order its first packet appears, starting at 0.
 */
export interface ConnInfo {
  index: number;
  ipVersion: 4 | 6;
  client: Endpoint;
  server: Endpoint;
  roleBasis: RoleBasis;
  /** The three-way handshake start was captured (a SYN was seen). */
  sawSyn: boolean;
  firstTs: Timestamp;
  firstFrame: number;
}
