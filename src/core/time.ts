/** Capture time: whole seconds since the epoch plus nanoseconds. Everything runs on capture time, never the wall clock. */
export interface Timestamp {
  readonly sec: number;
  readonly nsec: number;
}

export function tsToSeconds(ts: Timestamp): number {
  return ts.sec + ts.nsec / 1e9;
}

/** Seconds from a to b as a float (b - a). */
export function tsDiff(a: Timestamp, b: Timestamp): number {
  return b.sec - a.sec + (b.nsec - a.nsec) / 1e9;
}

/** `1700000000.123456789`, as Wireshark prints frame.time_epoch. */
export function tsEpochString(ts: Timestamp): string {
  return `${ts.sec}.${String(ts.nsec).padStart(9, '0')}`;
}

export function tsCompare(a: Timestamp, b: Timestamp): number {
  return a.sec !== b.sec ? a.sec - b.sec : a.nsec - b.nsec;
}
