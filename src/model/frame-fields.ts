/**
 * Fields outside the MySQL dissector: the protocols (for existence tests such as `tcp` or `ipv6`), frame,
 * IP and TCP fields with Wireshark's names, and myshark's per-message fields under `mysql.` (the message's
 * direction and kind, connection context, request/response links). Values come from the record, not the tree
 * (src/filter/record-fields.ts).
 */
import { defineField as f } from './field.js';

export const PROTO = {
  frame: f({ name: 'frame', label: 'Frame', type: 'none', description: 'The frame (protocol)' }),
  ip: f({ name: 'ip', label: 'Internet Protocol Version 4', type: 'none', description: 'IPv4 (protocol)' }),
  ipv6: f({ name: 'ipv6', label: 'Internet Protocol Version 6', type: 'none', description: 'IPv6 (protocol)' }),
  tcp: f({ name: 'tcp', label: 'Transmission Control Protocol', type: 'none', description: 'TCP (protocol)' }),
  mysql: f({ name: 'mysql', label: 'MySQL Protocol', type: 'none', description: 'MySQL / MariaDB client-server protocol (protocol)' }),
  tls: f({ name: 'tls', label: 'Transport Layer Security', type: 'none', description: 'TLS after an SSL request (protocol)' }),
};

export const FRAME = {
  number: f({ name: 'frame.number', label: 'Frame Number', type: 'uint', description: 'Frame that completes the first packet of the message (1-based, as in Wireshark)' }),
  timeEpoch: f({ name: 'frame.time_epoch', label: 'Epoch Arrival Time', type: 'abstime', description: 'Capture time of that frame, seconds since 1970-01-01 UTC' }),
  timeRelative: f({ name: 'frame.time_relative', label: 'Time since reference or first frame', type: 'time', description: 'Seconds since the first frame of the capture' }),
};

export const IP = {
  src: f({ name: 'ip.src', label: 'Source Address', type: 'ipv4', description: 'IPv4 source address' }),
  dst: f({ name: 'ip.dst', label: 'Destination Address', type: 'ipv4', description: 'IPv4 destination address' }),
  addr: f({ name: 'ip.addr', label: 'Source or Destination Address', type: 'ipv4', description: 'Either IPv4 address (source or destination)' }),
};

export const IPV6 = {
  src: f({ name: 'ipv6.src', label: 'Source Address', type: 'ipv6', description: 'IPv6 source address' }),
  dst: f({ name: 'ipv6.dst', label: 'Destination Address', type: 'ipv6', description: 'IPv6 destination address' }),
  addr: f({ name: 'ipv6.addr', label: 'Source or Destination Address', type: 'ipv6', description: 'Either IPv6 address (source or destination)' }),
};

export const TCP = {
  srcport: f({ name: 'tcp.srcport', label: 'Source Port', type: 'uint', description: 'TCP source port' }),
  dstport: f({ name: 'tcp.dstport', label: 'Destination Port', type: 'uint', description: 'TCP destination port' }),
  port: f({ name: 'tcp.port', label: 'Source or Destination Port', type: 'uint', description: 'Either TCP port (source or destination)' }),
  stream: f({ name: 'tcp.stream', label: 'Stream index', type: 'uint', description: 'TCP conversation index, numbered like Wireshark\'s (from 0, every TCP conversation)' }),
};

/** myshark's own per-message fields (Wireshark has none of these). */
export const MSG = {
  direction: f({ name: 'mysql.direction', label: 'Direction', type: 'string', description: '"request" (client to server) or "response" (server to client) (myshark)' }),
  // `mysql.message` is Wireshark's OK/statistics text (src/mysql/fields.ts), so the message kind has its own name.
  kind: f({ name: 'mysql.kind', label: 'Message kind', type: 'string', description: 'Kind of MySQL message: greeting, handshake_response, command, ok, err, resultset, … (myshark)' }),
  frames: f({ name: 'mysql.frames', label: 'Frames', type: 'uint', description: 'Every frame carrying a byte of the message (one value per frame) (myshark)' }),
  connUser: f({ name: 'mysql.conn.user', label: 'Connection user', type: 'string', description: 'User the connection logged in as, on every message of the connection (myshark)' }),
  connSchema: f({ name: 'mysql.conn.schema', label: 'Connection schema', type: 'string', description: 'Current schema of the connection when the message was seen (myshark)' }),
  connThreadId: f({ name: 'mysql.conn.thread_id', label: 'Connection id', type: 'uint', description: 'Server connection (thread) id from the greeting, on every message of the connection (myshark)' }),
  connId: f({ name: 'mysql.conn.id', label: 'Connection id', type: 'uint', description: 'Same as mysql.conn.thread_id: the server connection id (myshark)' }),
  connCharset: f({ name: 'mysql.conn.charset', label: 'Connection character set', type: 'string', description: 'Character set of the connection when the message was seen (myshark)' }),
  responseTo: f({ name: 'mysql.response_to', label: 'Response to', type: 'uint', description: 'On a response: frame number of the request it answers (myshark)' }),
  responseIn: f({ name: 'mysql.response_in', label: 'Response in', type: 'uint', description: 'On a request: frame number of its response (myshark)' }),
  responseTime: f({ name: 'mysql.response_time', label: 'Response time', type: 'time', description: 'On a response: seconds from the request to the end of the response (myshark)' }),
  fingerprint: f({ name: 'mysql.fingerprint', label: 'Statement fingerprint', type: 'string', description: 'Normalised SQL: literals replaced by ?, whitespace and case folded (myshark)' }),
};
