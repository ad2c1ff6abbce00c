/**
 * Problems found while decoding are data, not exceptions (architecture principle 2/3).
 * Every stage reports them with the layer, where it happened and one precise sentence.
 */
export type IssueLayer = 'capture' | 'link' | 'ip' | 'tcp' | 'reassembly' | 'mysql' | 'session';

/** The three outcomes that are not "ok": more bytes needed, bytes that do not fit the format, a limit hit. */
export type IssueKind = 'truncated' | 'malformed' | 'over-limit' | 'gap' | 'unexpected' | 'assumption' | 'info';

export interface Issue {
  layer: IssueLayer;
  kind: IssueKind;
  /** Stable machine-readable code, e.g. `tcp.bad_checksum`, `mysql.truncated_payload`. */
  code: string;
  /** One sentence a user can act on. */
  message: string;
  /** Frame number (1-based, as Wireshark's frame.number) where it was seen, when known. */
  frame?: number;
  /** Byte offset inside the unit named by the layer (file, frame, payload), when known. */
  offset?: number;
}

/** Thrown inside a single decoder and caught at its message boundary, where it becomes an Issue. */
export class DecodeError extends Error {
  constructor(
    readonly kind: IssueKind,
    readonly code: string,
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'DecodeError';
  }
}
