// Test helpers: a pino logger whose lines land in an array, and a poll-until helper.
import pino from 'pino';

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

export function captureLogger(level: pino.Level = 'debug'): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) };
  return { logger: pino({ level }, stream), lines };
}

/** Polls `cond` every 10 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
