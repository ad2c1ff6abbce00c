/** A filter that does not compile: one sentence, the 0-based position it is about, and a caret line under it. */
export interface FilterError {
  message: string;
  position: number;
  /** The filter text, a newline, then spaces and `^` under `position`. */
  caret: string;
}

/** Thrown inside the filter compiler; `compileFilter` turns it into a FilterError. */
export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

export function makeFilterError(text: string, message: string, position: number): FilterError {
  const p = Math.max(0, Math.min(position, text.length));
  // Tabs stay tabs so the caret lines up in a terminal.
  const pad = [...text.slice(0, p)].map((c) => (c === '\t' ? '\t' : ' ')).join('');
  return { message, position: p, caret: `${text}\n${pad}^` };
}

/** `myshark: <message>\n<caret>` as the CLI prints it. */
export function formatFilterError(e: FilterError): string {
  return `${e.message}\n${e.caret}`;
}
