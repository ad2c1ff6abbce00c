// Collecting handlers for capture parser tests (copies every frame, since the parser reuses one Frame object).
import type { Issue } from '../../../src/core/issues.js';
import type { CaptureFormat, CaptureHandlers, Frame } from '../../../src/capture/types.js';

export interface Collected {
  frames: Frame[];
  issues: Issue[];
  format: CaptureFormat | undefined;
  linkTypes: number[] | undefined;
  handlers: CaptureHandlers;
}

export function collector(): Collected {
  const c: Collected = {
    frames: [],
    issues: [],
    format: undefined,
    linkTypes: undefined,
    handlers: {
      onFrame(f) {
        c.frames.push({ ...f, data: f.data.slice() });
      },
      onIssue(i) {
        c.issues.push(i);
      },
      onFormat(fmt, lt) {
        c.format = fmt;
        c.linkTypes = lt;
      },
    },
  };
  return c;
}
